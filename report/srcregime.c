#include "srcregime.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "comparison.h"
#include "format.h"
#include "regimes.h"
#include "util.h"

/* The figures that say where the source's time went: the zero-page check
 * is the migration thread's work, and its faults are the source's minor
 * faults. */
static const enum metric figures[] = {
	M_TOTAL_TIME, M_PROJECTED, M_TRANSFERRED_KB, M_SRC_MIG_CPU, M_SRC_MINFLT,
};

/* pv-bitmap against baseline on total time, worded as everywhere
 * (comparison.h), or NULL when either is missing. */
static char *speedup_text(const struct case_stats *cs)
{
	struct comparison c;

	if (!compare_methods(cs, "pv-bitmap", "baseline", M_TOTAL_TIME, &c))
		return NULL;
	return comparison_text(&c);
}

/* A method whose source still faults many times more than baseline's with
 * the RAM preallocated gave memory back in its preparation (reported or
 * ballooned pages are discarded), and the check faults it in again: its
 * preallocated figure is not a floor.  Named from the counters, or NULL. */
#define SRCREGIME_REFAULT_FACTOR 10.0

static char *refault_text(const struct case_stats *pre)
{
	const struct method_stats *base = case_stats_method(pre, "baseline");
	double base_faults = base ? method_median(base, M_SRC_MINFLT) : NAN;
	struct strbuf sb = { 0 };
	char *list, *out;

	if (isnan(base_faults))
		return NULL;
	for (size_t i = 0; i < pre->nm; i++) {
		double f = method_median(&pre->m[i], M_SRC_MINFLT);

		if (isnan(f) || f < SRCREGIME_REFAULT_FACTOR * (base_faults > 1 ? base_faults : 1) ||
		    isnan(method_median(&pre->m[i], M_PREP_TIME)) ||
		    method_median(&pre->m[i], M_PREP_TIME) <= 0)
			continue;
		sb_addf(&sb, "%s%s %.0f", sb.len ? ", " : "", pre->m[i].method, f);
	}
	if (!sb.len)
		return NULL;
	list = sb_take(&sb);
	out = xasprintf("With the source preallocated, methods with a preparation step still "
			"took many minor faults on the source (median: %s; baseline %.0f): the "
			"memory their preparation discarded, the check faults in again, so their "
			"preallocated figures are not the floor.", list, base_faults);
	free(list);
	return out;
}

static void write_pair(FILE *f, const struct case_stats *as_is, const struct case_stats *pre)
{
	struct strlist methods = { 0 };
	char *s1 = speedup_text(as_is), *s2 = speedup_text(pre), *refault;

	fprintf(f, "Source as it boots: %zu run%s (scenario %s); source preallocated: %zu run%s "
		"(scenario %s).\n\n", as_is->c->nruns, as_is->c->nruns == 1 ? "" : "s",
		as_is->c->runs[0].scenario, pre->c->nruns, pre->c->nruns == 1 ? "" : "s",
		pre->c->runs[0].scenario);
	for (size_t i = 0; i < pre->nm; i++)
		strlist_add(&methods, xstrdup(pre->m[i].method));
	{
		const char *labels[ARRAY_SIZE(figures)];

		for (size_t k = 0; k < ARRAY_SIZE(figures); k++)
			labels[k] = metric_defs[figures[k]].label;
		regime_pair_table(f, as_is, pre, &methods, figures, labels, ARRAY_SIZE(figures),
				  "as booted", "preallocated");
	}
	if (s1 && s2)
		fprintf(f, "Total time, source as booted: %s. Source preallocated: %s.\n\n", s1, s2);
	refault = refault_text(pre);
	if (refault)
		fprintf(f, "%s\n\n", refault);
	free(refault);
	strlist_free(&methods);
	free(s1);
	free(s2);
}

void srcregime_write(FILE *f, const struct result_set *rs, const struct case_stats *cases)
{
	bool any = false;

	for (size_t i = 0; i < rs->ncases; i++)
		any |= rs->cases[i].nruns && rs->cases[i].srcpre && rs->cases[i].srcpre->nruns;
	if (!any)
		return;
	fprintf(f, "## %s\n\nThe migration thread's zero-page check reads every "
		"page it does not skip. Where the guest never wrote a page, that read faults on the "
		"source: a host kernel that maps the shared zero page on a read fault pays little "
		"for it; one that allocates and zeroes a page pays that zeroing (the host zeroing "
		"probe in \"Destination regimes\" says which this host is). Here each case's pooled "
		"runs stand beside runs of the same scenario, host and QEMU whose source "
		"preallocated its RAM before the guest booted (`--src-prealloc on`): the check then "
		"reads resident memory and faults nothing, the floor both kinds of host come down "
		"to. Medians over completed migrations; the source QEMU's minor faults include "
		"those the check took.\n\n", SRCREGIME_HEADING);
	for (size_t i = 0; i < rs->ncases; i++) {
		const struct case_data *c = &rs->cases[i];
		struct case_stats pre;

		if (!c->nruns || !c->srcpre || !c->srcpre->nruns)
			continue;
		fprintf(f, "### %s\n\n", c->name);
		case_stats_compute(c->srcpre, &pre);
		write_pair(f, &cases[i], &pre);
		case_stats_free(&pre);
	}
}

char *srcregime_verdict_reading(const struct case_stats *cs)
{
	const struct case_data *c = cs->c;
	struct case_stats pre;
	struct comparison b;
	char *tb, *out = NULL;

	if (!c->srcpre || !c->srcpre->nruns)
		return NULL;
	case_stats_compute(c->srcpre, &pre);
	if (compare_methods(&pre, "pv-bitmap", "baseline", M_TOTAL_TIME, &b)) {
		tb = comparison_text(&b);
		out = xasprintf("Zero-page reads: where the guest never wrote, baseline's "
				"zero-page check faults the page in on the source, at a cost the "
				"host kernel decides (Destination regimes gives this host's); with "
				"the source's RAM preallocated, so that the check faults nothing, "
				"the migration-time verdict would be: %s (baseline %.0f ms).", tb,
				method_median(case_stats_method(&pre, "baseline"), M_TOTAL_TIME));
		free(tb);
	}
	case_stats_free(&pre);
	return out;
}

#include "basecompare.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "util.h"

/* The seed measured these two cases and these two methods; they are what a
 * change of QEMU base must not have moved unnoticed. */
static const char *const compared_cases[] = { "case1", "case2" };
static const char *const compared_methods[] = { "baseline", "pv-bitmap" };
static const enum metric compared_metrics[] = { M_TOTAL_TIME, M_TRANSFERRED_KB, M_DOWNTIME };

char *qemu_short_version(const char *s)
{
	const char *p, *colon;
	char *end;
	long major, minor;

	if (!s)
		return NULL;
	p = s;
	colon = strchr(s, ':');
	if (colon) {
		/* An epoch is digits only; a colon elsewhere is no epoch. */
		for (const char *q = s; q < colon; q++)
			if (!isdigit((unsigned char)*q))
				return NULL;
		p = colon + 1;
	}
	if (!isdigit((unsigned char)*p))
		return NULL;
	major = strtol(p, &end, 10);
	if (*end != '.' || !isdigit((unsigned char)end[1]))
		return NULL;
	minor = strtol(end + 1, &end, 10);
	return xasprintf("%ld.%ld", major, minor);
}

const struct case_stats *side_case(const struct base_side *side, const char *name)
{
	for (size_t i = 0; i < side->n; i++)
		if (!strcmp(side->cases[i].c->name, name))
			return side->cases[i].c->nruns ? &side->cases[i] : NULL;
	return NULL;
}

/* The case as loaded, runs or not (NULL when the side has no directory for
 * it): to say why a side has nothing to compare. */
static const struct case_data *side_case_dir(const struct base_side *side, const char *name)
{
	for (size_t i = 0; i < side->n; i++)
		if (!strcmp(side->cases[i].c->name, name))
			return side->cases[i].c;
	return NULL;
}

/* " (2 ignored, 1 of them uncommitted: --include-uncommitted uses it)": a
 * side emptied by the provenance rule must not read as never run. */
static void put_ignored(FILE *f, const struct case_data *c)
{
	size_t unc = 0;

	if (!c || !c->nignored)
		return;
	for (size_t i = 0; i < c->nignored; i++)
		unc += !strncmp(c->ignored[i].reason, "uncommitted", strlen("uncommitted"));
	fprintf(f, " (%zu run%s there ignored", c->nignored, c->nignored == 1 ? "" : "s");
	if (unc)
		fprintf(f, ", %zu of them from an uncommitted harness tree: "
			"`--include-uncommitted` uses %s", unc, unc == 1 ? "it" : "them");
	fprintf(f, ")");
}

/* The short versions the side's compared cases ran, "/"-joined, or fallback
 * when none of them recorded one. */
static char *side_label(const struct base_side *side, const char *fallback)
{
	struct strlist seen = { 0 };
	struct strbuf sb = { 0 };

	for (size_t i = 0; i < ARRAY_SIZE(compared_cases); i++) {
		const struct case_stats *cs = side_case(side, compared_cases[i]);
		char *v = cs ? qemu_short_version(cs->c->qemu_source) : NULL;

		if (v && strlist_find(&seen, v) < 0)
			strlist_add(&seen, v);
		else
			free(v);
	}
	for (size_t i = 0; i < seen.n; i++)
		sb_addf(&sb, "%s%s", i ? "/" : "", seen.v[i]);
	if (!seen.n)
		sb_addf(&sb, "%s", fallback);
	strlist_free(&seen);
	return sb_take(&sb);
}

/* "`results/case1/` (2 runs, QEMU source 1:10.0.13+ds-0+deb13u1, patch
 * series sha256 0123456789ab)" */
static void put_side(FILE *f, const struct base_side *side, const struct case_stats *cs)
{
	const struct case_data *c = cs->c;

	fprintf(f, "`%s/%s/` (%zu run%s, QEMU source %s, patch series sha256 %.12s)", side->dir,
		c->name, c->nruns, c->nruns == 1 ? "" : "s",
		c->qemu_source ? c->qemu_source : "not recorded",
		c->qemu_series ? c->qemu_series : "not recorded");
}

static const char *newest_scenario(const struct case_stats *cs)
{
	return cs->c->runs[cs->c->nruns - 1].scenario;
}

static void write_sides(FILE *f, const struct base_side *cur, const struct base_side *old,
			const char *cur_label, const char *old_label)
{
	for (size_t i = 0; i < ARRAY_SIZE(compared_cases); i++) {
		const char *name = compared_cases[i];
		const struct case_stats *o = side_case(old, name), *n = side_case(cur, name);

		if (o) {
			fprintf(f, "- %s: QEMU %s from ", name, old_label);
			put_side(f, old, o);
		} else {
			fprintf(f, "- %s: QEMU %s: no archived run used in `%s/%s/`", name, old_label,
				old->dir, name);
			put_ignored(f, side_case_dir(old, name));
		}
		if (n) {
			fprintf(f, "; QEMU %s from ", cur_label);
			put_side(f, cur, n);
		} else {
			fprintf(f, "; QEMU %s: not run yet on %s (no run used in `%s/%s/`", cur_label,
				cur_label, cur->dir, name);
			put_ignored(f, side_case_dir(cur, name));
			fprintf(f, ")");
		}
		fprintf(f, ".");
		if (o && n && o->c->qemu_source && n->c->qemu_source &&
		    !strcmp(o->c->qemu_source, n->c->qemu_source))
			fprintf(f, " Both sides ran the same QEMU source, so a difference is "
				"run-to-run spread, not the base.");
		if (o && n && strcmp(newest_scenario(o), newest_scenario(n)))
			fprintf(f, " The scenarios differ (%s against %s), so the figures are not "
				"like for like.", newest_scenario(n), newest_scenario(o));
		fprintf(f, "\n");
	}
	fprintf(f, "\n");
}

/* One side's two cells: "median [min–max] | n". */
static void put_cells(FILE *f, const struct case_stats *cs, const char *method, enum metric m,
		      const char *missing)
{
	const struct method_stats *ms;
	char *r;

	if (!cs) {
		fprintf(f, " %s | |", missing);
		return;
	}
	ms = case_stats_method(cs, method);
	if (!ms) {
		fprintf(f, " not run | |");
		return;
	}
	r = summary_range_text(&ms->s[m]);
	fprintf(f, " %s | %zu |", r, ms->s[m].n);
	free(r);
}

void basecompare_write(FILE *f, const struct base_side *cur, const struct base_side *old)
{
	char *cur_label = side_label(cur, BASE_CURRENT_LABEL);
	char *old_label = side_label(old, BASE_ARCHIVE_DIR + strlen(RESULTS_ARCHIVE_PREFIX));
	char *not_run = xasprintf("not run yet on %s", cur_label);

	fprintf(f, "## QEMU %s against QEMU %s\n\n", cur_label, old_label);
	fprintf(f, "The seed's two cases on both QEMU bases: the archived runs in `%s/` beside the "
		"current runs in `%s/`, each side chosen as for the tables above (one pooling "
		"key of scenario, host and QEMU, completed migrations without error; current "
		"runs from an uncommitted tree left out unless `--include-uncommitted`). "
		"The archive is used here only, and as it stands: its runs predate the rule "
		"that results come from committed code, and each names the harness tree it "
		"came from (`-dirty` or `+local`). Which QEMU each side ran, from its "
		"`run.json`:\n\n",
		old->dir, cur->dir);
	write_sides(f, cur, old, cur_label, old_label);
	fprintf(f, "| case | method | figure | QEMU %s: median [min–max] | n | QEMU %s: median "
		"[min–max] | n | %s vs %s |\n|---|---|---|---|---|---|---|---|\n", old_label,
		cur_label, cur_label, old_label);
	for (size_t ci = 0; ci < ARRAY_SIZE(compared_cases); ci++) {
		const struct case_stats *o = side_case(old, compared_cases[ci]);
		const struct case_stats *n = side_case(cur, compared_cases[ci]);

		for (size_t mi = 0; mi < ARRAY_SIZE(compared_methods); mi++) {
			const char *method = compared_methods[mi];

			for (size_t k = 0; k < ARRAY_SIZE(compared_metrics); k++) {
				enum metric m = compared_metrics[k];
				double a = o ? method_median(case_stats_method(o, method), m) : NAN;
				double b = n ? method_median(case_stats_method(n, method), m) : NAN;
				double p = percent_change(b, a);

				fprintf(f, "| %s | %s | %s |", compared_cases[ci], method,
					metric_defs[m].label);
				put_cells(f, o, method, m, "no archived run");
				put_cells(f, n, method, m, not_run);
				if (isnan(p)) {
					fprintf(f, " – |\n");
				} else {
					const struct summary *sa =
						&case_stats_method(o, method)->s[m];
					const struct summary *sb =
						&case_stats_method(n, method)->s[m];
					char *pc = fmt_pct(p);

					/* Ranges that do not overlap: the bases
					 * differ by more than run-to-run spread. */
					fprintf(f, " %s (%s) |\n", pc,
						sa->max < sb->min || sb->max < sa->min ?
						"beyond the spread" : "within the spread");
					free(pc);
				}
			}
		}
	}
	fprintf(f, "\nEach figure is the median (the mean of the middle two for an even count) "
		"with its min–max range over the n migrations that completed without error, and "
		"lower is better for total time, transferred RAM and downtime alike, so a negative "
		"change means QEMU %s did better than QEMU %s. A change is beyond the spread when "
		"the two min–max ranges do not overlap.\n\n", cur_label, old_label);
	free(not_run);
	free(cur_label);
	free(old_label);
}

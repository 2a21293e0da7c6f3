#include "hogcheck.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>

#include "format.h"
#include "util.h"

/* "1153 [1100–1300]" of a method's figure, or "not measured". */
static char *cell(const struct method_stats *ms, enum metric m)
{
	char *md, *lo, *hi, *out;

	if (!ms || !ms->s[m].n)
		return xstrdup("not measured");
	md = fmt_num(ms->s[m].median);
	lo = fmt_num(ms->s[m].min);
	hi = fmt_num(ms->s[m].max);
	out = xasprintf("%s [%s–%s] n=%zu", md, lo, hi, ms->s[m].n);
	free(md);
	free(lo);
	free(hi);
	return out;
}

static double change_pct(const struct method_stats *a, const struct method_stats *b, enum metric m)
{
	if (!a || !b || !a->s[m].n || !b->s[m].n || a->s[m].median == 0)
		return NAN;
	return 100.0 * (b->s[m].median - a->s[m].median) / a->s[m].median;
}

static void write_case(FILE *f, const struct case_data *c, const struct case_stats *quiet,
		       const struct case_stats *hog)
{
	fprintf(f, "### %s\n\nWithout hog: %zu run%s (scenario %s); with hog: %zu run%s (scenario "
		"%s).\n\n| method | total, no hog | total, hog | change | projected, no hog | "
		"projected, hog | change | projection held? |\n|---|---|---|---|---|---|---|---|\n",
		c->name, c->nruns, c->nruns == 1 ? "" : "s", c->runs[0].scenario, c->hog->nruns,
		c->hog->nruns == 1 ? "" : "s", c->hog->runs[0].scenario);
	for (size_t i = 0; i < hog->nm; i++) {
		const struct method_stats *h = &hog->m[i];
		const struct method_stats *q = case_stats_method(quiet, h->method);
		double raw = change_pct(q, h, M_TOTAL_TIME), proj = change_pct(q, h, M_PROJECTED);
		char *c1 = cell(q, M_TOTAL_TIME), *c2 = cell(h, M_TOTAL_TIME);
		char *c3 = cell(q, M_PROJECTED), *c4 = cell(h, M_PROJECTED);
		char *p1 = fmt_pct(raw), *p2 = fmt_pct(proj);
		const char *held = isnan(proj) ? "not measured" :
				   fabs(proj) <= HOGCHECK_MAX_MOVE_PCT ? "yes" : "**no**";

		fprintf(f, "| %s | %s | %s | %s | %s | %s | %s | %s |\n", h->method, c1, c2, p1, c3,
			c4, p2, held);
		free(c1);
		free(c2);
		free(c3);
		free(c4);
		free(p1);
		free(p2);
	}
	fprintf(f, "\n");
}

void hogcheck_write(FILE *f, const struct result_set *rs, const struct case_stats *cases)
{
	bool any = false;

	for (size_t i = 0; i < rs->ncases; i++)
		any |= rs->cases[i].nruns && rs->cases[i].hog && rs->cases[i].hog->nruns;
	if (!any)
		return;
	fprintf(f, "## Projection check\n\nThe same scenario run again with CPU hogs on the host "
		"(`--host-cpu-hog N`, stress-ng workers that take CPU from every thread of both "
		"QEMUs). The raw time measures the host as well as the method, so it should move; "
		"the projection is meant to describe the method alone, so it should not, by more "
		"than %.0f%% (medians over completed migrations, lower is better).\n\n",
		HOGCHECK_MAX_MOVE_PCT);
	for (size_t i = 0; i < rs->ncases; i++) {
		const struct case_data *c = &rs->cases[i];
		struct case_stats hog;

		if (!c->nruns || !c->hog || !c->hog->nruns)
			continue;
		case_stats_compute(c->hog, &hog);
		write_case(f, c, &cases[i], &hog);
		case_stats_free(&hog);
	}
}

#include "hogcheck.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

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

/* N of a hog pool's scenario suffix "_hogN"; 0 when it has none. */
static int hog_workers(const char *scenario)
{
	const char *p = scenario ? strstr(scenario, "_hog") : NULL;

	return p ? atoi(p + 4) : 0;
}

static void write_pool(FILE *f, const struct case_data *c, const struct case_data *pool,
		       const struct case_stats *quiet, const struct case_stats *hog)
{
	int n = hog_workers(pool->hog_scenario);

	fprintf(f, "#### %s, %d CPU hog%s\n\n", c->name, n, n == 1 ? "" : "s");
	fprintf(f, "Without hog: %zu run%s (scenario %s); with hog: %zu run%s (scenario "
		"%s).\n\n| method | total, no hog | total, hog | change | projected, no hog | "
		"projected, hog | change | projection held? |\n|---|---|---|---|---|---|---|---|\n",
		c->nruns, c->nruns == 1 ? "" : "s", c->runs[0].scenario, pool->nruns,
		pool->nruns == 1 ? "" : "s", pool->hog_scenario);
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
	/* Where a projection moved: which thread's CPU time grew with the hog. */
	for (size_t i = 0; i < hog->nm; i++) {
		const struct method_stats *h = &hog->m[i];
		const struct method_stats *q = case_stats_method(quiet, h->method);
		double proj = change_pct(q, h, M_PROJECTED);
		double src = change_pct(q, h, M_SRC_MIG_CPU), dst = change_pct(q, h, M_DST_MAIN_CPU);
		double send = change_pct(q, h, M_SRC_SEND_MAX_CPU);
		double recv = change_pct(q, h, M_DST_RECV_MAX_CPU);
		char *ps, *pd, *channels = NULL;

		if (isnan(proj) || fabs(proj) <= HOGCHECK_MAX_MOVE_PCT)
			continue;
		ps = fmt_pct(src);
		pd = fmt_pct(dst);
		if (!isnan(send) && !isnan(recv)) {
			char *a = fmt_pct(send), *b = fmt_pct(recv);

			channels = xasprintf(", its busiest send channel %s and busiest receive "
					     "channel %s", a, b);
			free(a);
			free(b);
		}
		/* Only what the counters show: which threads' CPU time moved.  Why
		 * it moved (sharing a core, the host's fault cost) is not measured
		 * per thread here. */
		fprintf(f, "- %s: the projection moved %+.1f%%. With the hog, the source's "
			"migration thread used %s CPU time and the destination's main thread "
			"%s%s, for the same migration; the projection counts a thread's CPU time "
			"as the method's, so it moves with them.\n", h->method, proj, ps, pd,
			channels ? channels : "");
		free(ps);
		free(pd);
		free(channels);
	}
	fprintf(f, "\n");
}

void hogcheck_write(FILE *f, const struct result_set *rs, const struct case_stats *cases)
{
	bool any = false;

	for (size_t i = 0; i < rs->ncases; i++)
		for (size_t h = 0; h < rs->cases[i].nhogs; h++)
			any |= rs->cases[i].nruns && rs->cases[i].hogs[h]->nruns;
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
		bool heading = false;

		for (size_t h = 0; c->nruns && h < c->nhogs; h++) {
			struct case_stats hog;

			if (!c->hogs[h]->nruns)
				continue;
			if (!heading)
				fprintf(f, "### %s\n\n", c->name);
			heading = true;
			case_stats_compute(c->hogs[h], &hog);
			write_pool(f, c, c->hogs[h], &cases[i], &hog);
			case_stats_free(&hog);
		}
	}
}

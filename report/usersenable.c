#include "usersenable.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "appendix.h"
#include "comparison.h"
#include "format.h"
#include "util.h"
#include "../harness/src/methods/methods.h"

/* The questions, each a pair: does the first do better than the second?
 * The reference (second) is what an operator would run without our
 * series; the first adds the bitmap, or is the bitmap alone. */
static const struct {
	const char *method, *reference, *question;
} pairs[] = {
	{ "pv-bitmap+multifd", "multifd", "does the bitmap still pay beside multifd?" },
	{ "pv-bitmap", "multifd", "the bitmap alone against multifd" },
	{ "pv-bitmap", "multifd-zstd", "the bitmap against compression" },
	{ "pv-bitmap+postcopy", "postcopy", "does the bitmap still pay with postcopy?" },
	{ "pv-bitmap", "postcopy", "the bitmap alone against postcopy" },
	{ "pv-bitmap", "postcopy-preempt", "the bitmap alone against postcopy-preempt" },
	{ "fph+postcopy", "postcopy", "upstream hinting with postcopy (it never starts)" },
	{ "multifd", "multifd-zp-legacy", "zero pages found in the channels, not the migration "
					   "thread" },
	{ "pv-bitmap-async", "pv-bitmap", "the bitmap without its wait" },
};

static const enum metric figures[] = { M_TOTAL_TIME, M_PROJECTED, M_TRANSFERRED_KB, M_DOWNTIME };

static bool has_pair(const struct case_stats *cs, size_t i)
{
	return case_stats_method_with(cs, pairs[i].method, M_TOTAL_TIME) &&
	       case_stats_method_with(cs, pairs[i].reference, M_TOTAL_TIME);
}

/* "1234 → 567: 2.18x [2.01–2.30] faster", or "–" without both sides. */
static char *cell(const struct case_stats *cs, size_t i, enum metric m)
{
	struct comparison c;
	char *a, *b, *cmp, *out;

	if (!compare_methods(cs, pairs[i].method, pairs[i].reference, m, &c))
		return xstrdup("–");
	a = fmt_num(method_median(case_stats_method(cs, pairs[i].method), m));
	b = fmt_num(method_median(case_stats_method(cs, pairs[i].reference), m));
	cmp = comparison_cell(&c, pairs[i].method);
	out = xasprintf("%s → %s: %s", b, a, cmp);
	free(a);
	free(b);
	free(cmp);
	return out;
}

/* The median of one free page bitmap counter (run.json's
 * counters.free_page_bitmap.<key>) over the method's counted migrations;
 * NAN without any. */
static double fpb_counter_median(const struct case_data *c, const char *method, const char *key)
{
	double *v = xcalloc(c->nrows ? c->nrows : 1, sizeof(*v));
	size_t n = 0;
	struct summary s;

	for (size_t i = 0; i < c->nrows; i++) {
		const struct mig_row *r = &c->rows[i];
		json_t *fpb, *x;

		if (!r->ok || strcmp(r->method, method) || !r->json)
			continue;
		fpb = json_object_get(json_object_get(r->json, "counters"), "free_page_bitmap");
		x = json_object_get(fpb, key);
		if (json_is_number(x))
			v[n++] = json_number_value(x);
	}
	s = summarize(v, n);
	free(v);
	return s.median;
}

/* Why the bitmap without its wait lost, from its counters, when it
 * skipped less than half of what the waiting mode skipped: the main loop
 * applies the ranges while the migration thread sends with the bitmap's
 * lock held, and a buffer's ranges past its time budget are dropped. */
/* Where this host's 2 cores cap multifd: both QEMUs' CPU (task-clock)
 * over the migration time, the cores they kept busy on average.  Near the
 * host's core count the cores, not the method, set the time; the
 * projection is the reading without that cap. */
static void cores_note(FILE *f, const struct case_stats *cs)
{
	static const char *const multifds[] = { "multifd", "multifd-zp-legacy", "multifd-zstd",
						"pv-bitmap+multifd" };
	json_t *doc = case_stats_newest_doc(cs);
	json_t *ncpu = doc ? json_object_get(json_object_get(doc, "topology"), "pus") : NULL;
	char cores[32] = "its";
	struct strbuf sb = { 0 };

	for (size_t k = 0; k < ARRAY_SIZE(multifds); k++) {
		const struct case_data *c = cs->c;
		double *busy = xcalloc(c->nrows + 1, sizeof(double));
		size_t n = 0;

		for (size_t r = 0; r < c->nrows; r++) {
			const struct mig_row *row = &c->rows[r];
			double src = mig_row_cpu_ms(row, M_SRC_CPU);
			double dst = mig_row_cpu_ms(row, M_DST_CPU);

			/* rows that counted cycles have no time to divide */
			if (row->ok && !strcmp(row->method, multifds[k]) && !isnan(src) &&
			    !isnan(dst) && row->v[M_TOTAL_TIME] > 0)
				busy[n++] = (src + dst) / row->v[M_TOTAL_TIME];
		}
		if (n)
			sb_addf(&sb, "%s%s %.2f", sb.len ? ", " : "", multifds[k],
				summarize(busy, n).median);
		free(busy);
	}
	if (!sb.len)
		return;
	if (json_is_integer(ncpu))
		snprintf(cores, sizeof(cores), "%lld", (long long)json_integer_value(ncpu));
	fprintf(f, "Cores the two QEMUs kept busy during multifd migrations (their CPU over "
		"the migration time, medians): %s, on a host with %s cores. Near that count "
		"the host's cores, not the method, set the time; the projected column is the "
		"reading without that cap.\n\n", sb.s, cores);
	free(sb_take(&sb));
}

static void async_note(FILE *f, const struct case_stats *cs)
{
	const struct case_data *c = cs->c;
	/* Skipped pages are a table figure (runs.csv): the same median here */
	double sk_async = method_median(case_stats_method(cs, "pv-bitmap-async"), M_SKIPPED_PAGES);
	double sk_wait = method_median(case_stats_method(cs, "pv-bitmap"), M_SKIPPED_PAGES);
	double budget = fpb_counter_median(c, "pv-bitmap-async", "over_budget");
	double buf_us = fpb_counter_median(c, "pv-bitmap-async", "max_buffer_us");
	double wait_us = fpb_counter_median(c, "pv-bitmap", "wait_us");

	if (isnan(sk_async) || isnan(sk_wait) || isnan(budget) || isnan(buf_us) ||
	    isnan(wait_us) || !(sk_async < sk_wait / 2))
		return;
	fprintf(f, "Why the bitmap without its wait does worse here, from its counters (medians): "
		"`pv-bitmap-async` skipped %.0f pages against %.0f for `pv-bitmap`; its longest "
		"report buffer took %.1f ms of main-loop time, against a budget of 10 ms per "
		"buffer, and %.0f ranges were dropped over that budget (`over_budget`). The main "
		"loop applies hints under `bitmap_mutex`, which the migration thread holds while "
		"it sends (up to 50 ms at a time), so the answer arrives but is not applied; the "
		"waiting mode spends %.1f ms waiting instead (`wait_us`). impl/PROTOCOL.md "
		"explains the choice where it describes `free-page-bitmap-wait=off`.\n\n",
		sk_async, sk_wait, buf_us / 1000, budget, wait_us / 1000);
}

/* Whether the postcopy rows measured postcopy: a postcopy method switches
 * only once the first pass is done, and a migration whose precopy ends
 * first never does.  Counted over the completed migrations of every method
 * that switches to postcopy (pv-bitmap+postcopy among them). */
static void postcopy_note(FILE *f, const struct case_stats *cs)
{
	const struct case_data *c = cs->c;
	size_t records = 0, switched = 0;

	for (size_t r = 0; r < c->nrows; r++) {
		const struct method *m = method_find(c->rows[r].method);
		json_t *pc = c->rows[r].ok && c->rows[r].json ?
			     json_object_get(c->rows[r].json, "postcopy") : NULL;

		if (!m || m->switchover != SWITCHOVER_POSTCOPY || !json_is_object(pc))
			continue;
		records++;
		switched += json_is_number(json_object_get(pc, "precopy_phase_ms"));
	}
	if (!records)
		return;
	if (!switched)
		fprintf(f, "No postcopy migration of %s switched to postcopy (0 of %zu): each "
			"completed in precopy before the switch, which comes once the first pass "
			"is done, so the postcopy rows measure precopy with postcopy's "
			"set-up.\n\n", c->name, records);
	else
		fprintf(f, "%zu of %zu postcopy migrations of %s switched to postcopy; the "
			"appendix's \"Postcopy, from the counters\" gives their phases and page "
			"requests.\n\n", switched, records, c->name);
}

void users_enable_write(FILE *f, const struct case_stats *cases, size_t n)
{
	char *anchor;
	bool any = false;

	for (size_t ci = 0; ci < n; ci++)
		for (size_t i = 0; i < ARRAY_SIZE(pairs); i++)
			any |= has_pair(&cases[ci], i);
	if (!any)
		return;
	anchor = md_anchor(APPENDIX_DEFINITIONS);
	fprintf(f, "## What users enable instead\n\n"
		"An operator who finds precopy slow turns on what QEMU has: multifd (zero pages "
		"found in its channels), multifd with zstd, postcopy after a first pass. Each row "
		"asks whether the first method does better than the second, on the case's pooled "
		"medians (methods of one published part run interleaved in a shuffled order; a "
		"pair from two parts was measured in two invocations): the reference's median → "
		"the method's, and the ratio with its 95%% interval (\"no clear difference\" when it "
		"includes 1). Projected is the same migrations with a core for each busy thread, "
		"multifd's busiest send and receive channel counted as stages of the pipeline "
		"([%s](APPENDIX.md#%s)).\n\n", APPENDIX_DEFINITIONS, anchor);
	free(anchor);
	for (size_t ci = 0; ci < n; ci++) {
		const struct case_stats *cs = &cases[ci];
		bool header = false;

		for (size_t i = 0; i < ARRAY_SIZE(pairs); i++) {
			if (!has_pair(cs, i))
				continue;
			if (!header) {
				fprintf(f, "### %s\n\n| question | method | against | "
					"migration time (ms) | projected (ms) | transferred (KB) | "
					"downtime (ms) |\n|---|---|---|---|---|---|---|\n", cs->c->name);
				header = true;
			}
			fprintf(f, "| %s | %s | %s |", pairs[i].question, pairs[i].method,
				pairs[i].reference);
			for (size_t k = 0; k < ARRAY_SIZE(figures); k++) {
				char *t = cell(cs, i, figures[k]);

				fprintf(f, " %s |", t);
				free(t);
			}
			fprintf(f, "\n");
		}
		if (header) {
			fprintf(f, "\n");
			cores_note(f, cs);
			postcopy_note(f, cs);
			async_note(f, cs);
		}
	}
}

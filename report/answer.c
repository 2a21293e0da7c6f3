#include "answer.h"

#include <math.h>
#include <stdlib.h>

#include "comparison.h"
#include "format.h"
#include "util.h"

static double guest_mib(const struct case_stats *cs)
{
	json_t *mem = json_at(case_stats_newest_doc(cs), "params.mem_mib");

	return json_is_number(mem) ? json_number_value(mem) : NAN;
}

/* "a" beats "b" on m when a's whole min-max range lies below b's; anything
 * else is a draw, because five repeats support no finer claim. */
static const char *verdict(const struct method_stats *a, const struct method_stats *b,
			   enum metric m, const char *a_wins, const char *b_wins, const char *draw)
{
	if (clearly_below(&a->s[m], &b->s[m]))
		return a_wins;
	if (clearly_below(&b->s[m], &a->s[m]))
		return b_wins;
	return draw;
}

static void put_num(FILE *f, double v)
{
	char *s = fmt_num(v);

	fprintf(f, " %s |", s);
	free(s);
}

/* A time cell "raw / projected": the projection beside every raw time, so
 * the comparison can be read both ways (projection.h). */
static void put_raw_proj(FILE *f, const struct method_stats *ms, enum metric raw, enum metric proj)
{
	char *a = fmt_num(method_median(ms, raw)), *b = fmt_num(method_median(ms, proj));

	if (!ms || !ms->s[raw].n)
		fprintf(f, " n/a |");
	else
		fprintf(f, " %s / %s |", a, ms->s[proj].n ? b : "not measured");
	free(a);
	free(b);
}

/* "420 ms (projected 318 ms)" or "420 ms (projected: not measured)". */
static char *raw_proj_text(const struct method_stats *ms, enum metric raw, enum metric proj)
{
	char *a = fmt_num(method_median(ms, raw)), *b = fmt_num(method_median(ms, proj)), *out;

	if (ms->s[proj].n)
		out = xasprintf("%s ms (projected %s ms)", a, b);
	else
		out = xasprintf("%s ms (projected: not measured)", a);
	free(a);
	free(b);
	return out;
}

/* The verdict on the projected figure, or why there is none. */
static const char *proj_verdict(const struct method_stats *a, const struct method_stats *b,
				enum metric m, const char *a_wins, const char *b_wins,
				const char *draw)
{
	if (!a->s[m].n || !b->s[m].n)
		return "not measured";
	return verdict(a, b, m, a_wins, b_wins, draw);
}

static void write_overview(FILE *f, const struct case_stats *cases, size_t n)
{
	fprintf(f, "Time cells are raw / projected (a core per busy thread).\n\n");
	fprintf(f, "| case | baseline total(ms) | pv-bitmap total(ms) | balloon total(ms) | "
		"balloon end-to-end(ms) | baseline transferred(KB) | pv-bitmap transferred(KB) | "
		"balloon transferred(KB) | free memory pv-bitmap skipped |\n");
	fprintf(f, "|---|---|---|---|---|---|---|---|---|\n");
	for (size_t i = 0; i < n; i++) {
		const struct case_stats *cs = &cases[i];
		const struct method_stats *b = case_stats_method(cs, "baseline");
		const struct method_stats *pv = case_stats_method(cs, "pv-bitmap");
		const struct method_stats *bl = case_stats_method(cs, "balloon");
		double skipped_mib = method_median(pv, M_SKIPPED_PAGES) * 4.0 / 1024.0;

		if (!cs->has[M_TOTAL_TIME])
			continue;
		fprintf(f, "| %s |", cs->c->name);
		put_raw_proj(f, b, M_TOTAL_TIME, M_PROJECTED);
		put_raw_proj(f, pv, M_TOTAL_TIME, M_PROJECTED);
		put_raw_proj(f, bl, M_TOTAL_TIME, M_PROJECTED);
		put_raw_proj(f, bl, M_END_TO_END, M_PROJECTED_E2E);
		put_num(f, method_median(b, M_TRANSFERRED_KB));
		put_num(f, method_median(pv, M_TRANSFERRED_KB));
		put_num(f, method_median(bl, M_TRANSFERRED_KB));
		if (isnan(skipped_mib) || !(guest_mib(cs) > 0))
			fprintf(f, " n/a |\n");
		else
			fprintf(f, " %.1f%% of RAM |\n", skipped_mib / guest_mib(cs) * 100.0);
	}
	fprintf(f, "\n");
}

/* The reply's first claim: inflating the balloon before migrating does as
 * well as PV hinting.  Judged on end-to-end time (the inflation is paid
 * before the migration can start) and, for a balloon inflated long in
 * advance, on the migration alone. */
static void write_balloon_claim(FILE *f, const struct case_stats *cases, size_t n)
{
	fprintf(f, "**\"Inflating the balloon before migration would do as well.\"**\n\n");
	for (size_t i = 0; i < n; i++) {
		const struct case_stats *cs = &cases[i];
		const struct method_stats *pv = case_stats_method_with(cs, "pv-bitmap", M_TOTAL_TIME);
		const struct method_stats *bl = case_stats_method_with(cs, "balloon", M_TOTAL_TIME);
		char *pt, *bt, *be, *kb;

		if (!pv || !bl)
			continue;
		pt = raw_proj_text(pv, M_TOTAL_TIME, M_PROJECTED);
		bt = raw_proj_text(bl, M_TOTAL_TIME, M_PROJECTED);
		be = raw_proj_text(bl, M_END_TO_END, M_PROJECTED_E2E);
		{
			struct comparison c;

			kb = compare_methods(cs, "pv-bitmap", "balloon", M_TRANSFERRED_KB, &c) ?
			     comparison_text(&c) : xstrdup("no byte figures");
		}
		fprintf(f, "- %s: pv-bitmap %s; balloon %s of migration, %s with its "
			"inflation; bytes: %s. %s %s ",
			cs->c->name, pt, bt, be, kb,
			verdict(pv, bl, M_END_TO_END,
				"Counting inflation, PV hinting is faster beyond the run-to-run spread.",
				"Counting inflation, ballooning is faster beyond the run-to-run spread.",
				"Counting inflation, the two are within each other's spread."),
			verdict(pv, bl, M_TOTAL_TIME,
				"Even with the balloon inflated in advance, its migration is slower.",
				"With the balloon inflated in advance, its migration alone is faster.",
				"With the balloon inflated in advance, the migrations alone are within "
				"each other's spread."));
		fprintf(f, "Projected, counting inflation: %s; migrations alone: %s.\n",
			proj_verdict(pv, bl, M_PROJECTED_E2E, "PV hinting faster beyond the spread",
				     "ballooning faster beyond the spread", "within each other's spread"),
			proj_verdict(pv, bl, M_PROJECTED, "PV hinting faster beyond the spread",
				     "ballooning faster beyond the spread", "within each other's spread"));
		free(pt);
		free(bt);
		free(be);
		free(kb);
	}
	fprintf(f, "\n");
}

/* Free memory that was never written is zero, and stock precopy already
 * sends a zero page as a header alone: skipping it saves the scan, not the
 * wire.  Free memory holding old data costs the baseline full pages.  The
 * baseline's zero-page count tells which kind this case's free memory was. */
#define MOSTLY_ZERO 0.8

static void write_zero_share(FILE *f, double free_mib, double zero_mib)
{
	if (isnan(free_mib) || isnan(zero_mib) || free_mib <= 0)
		return;
	fprintf(f, " The baseline found %.0f MiB of zero pages: ", zero_mib);
	if (zero_mib >= MOSTLY_ZERO * free_mib)
		fprintf(f, "the free memory had mostly never been written, so skipping it saves "
			"scanning time but few bytes.");
	else
		fprintf(f, "most of the free memory held old data, which the baseline sent "
			"in full.");
}

/* The reply's second claim: the seed's cases are artificial, and a guest
 * that has run for a while has little free memory left to skip.  Shown as
 * how much free memory pv-bitmap found and what skipping it saved. */
static void write_free_memory_claim(FILE *f, const struct case_stats *cases, size_t n)
{
	fprintf(f, "**\"These cases are artificial; a long-running guest has little free "
		"memory to skip.\"**\n\n");
	for (size_t i = 0; i < n; i++) {
		const struct case_stats *cs = &cases[i];
		const struct method_stats *pv = case_stats_method_with(cs, "pv-bitmap", M_TOTAL_TIME);
		const struct method_stats *b = case_stats_method_with(cs, "baseline", M_TOTAL_TIME);
		double mib = method_median(pv, M_SKIPPED_PAGES) * 4.0 / 1024.0, ram = guest_mib(cs);
		char *t, *tp, *k;

		if (!pv || !b)
			continue;
		t = fmt_pct(percent_change(method_median(pv, M_TOTAL_TIME),
					   method_median(b, M_TOTAL_TIME)));
		tp = fmt_pct(percent_change(method_median(pv, M_PROJECTED),
					    method_median(b, M_PROJECTED)));
		k = fmt_pct(percent_change(method_median(pv, M_TRANSFERRED_KB),
					   method_median(b, M_TRANSFERRED_KB)));
		fprintf(f, "- %s", cs->c->name);
		if (cs->c->description)
			fprintf(f, " (%s)", cs->c->description);
		if (!isnan(mib) && ram > 0)
			fprintf(f, ": pv-bitmap found %.0f MiB free (%.1f%% of RAM)", mib,
				mib / ram * 100.0);
		fprintf(f, "; against baseline, total time %s (projected: %s) and transferred %s. %s "
			"Projected: %s.", t, pv->s[M_PROJECTED].n && b->s[M_PROJECTED].n ? tp :
			"not measured", k,
			verdict(pv, b, M_TOTAL_TIME, "Faster beyond the run-to-run spread.",
				"Slower beyond the run-to-run spread.",
				"Within the run-to-run spread: no measurable gain."),
			proj_verdict(pv, b, M_PROJECTED, "faster beyond the run-to-run spread",
				     "slower beyond the run-to-run spread",
				     "within the run-to-run spread"));
		write_zero_share(f, mib, method_median(b, M_ZERO_PAGES) * 4.0 / 1024.0);
		fprintf(f, "\n");
		free(t);
		free(tp);
		free(k);
	}
	fprintf(f, "\n");
}

void answer_write(FILE *f, const struct case_stats *cases, size_t n)
{
	size_t usable = 0;

	for (size_t i = 0; i < n; i++)
		usable += cases[i].has[M_TOTAL_TIME];
	if (!usable)
		return;
	fprintf(f, "## The reply's claims, answered\n\n");
	fprintf(f, "Medians from the per-case tables below; \"beyond the run-to-run spread\" "
		"means the min–max ranges do not overlap. Every time is given raw and projected to "
		"a core per busy thread (see \"Projection and time breakdown\"); \"not measured\" "
		"where the runs lack per-thread accounting.\n\n");
	write_overview(f, cases, n);
	write_balloon_claim(f, cases, n);
	write_free_memory_claim(f, cases, n);
}

#include "findings.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "comparison.h"
#include "format.h"
#include "mechanisms.h"
#include "../harness/src/methods/methods.h"
#include "seed.h"

/* A method saving less than this share of the baseline's bytes is not
 * skipping enough free memory to matter on the wire. */
#define NEGLIGIBLE_SAVING_PCT 10.0
/* The design's target when the seed's ratio over baseline is out of reach. */
#define WIRE_RATIO_TARGET 1.5

int is_hinting_method(const char *method)
{
	const struct method *m = method_find(method);

	return m && method_hints_free_pages(m);
}

static const struct summary *S(const struct method_stats *ms, enum metric m)
{
	return &ms->s[m];
}

static enum metric sort_key_metric;

/* By median; equal medians keep the table's column order (the method_stats
 * live in one array in that order), so the text never depends on qsort. */
static int cmp_by_median(const void *a, const void *b)
{
	const struct method_stats *p = *(const struct method_stats *const *)a;
	const struct method_stats *q = *(const struct method_stats *const *)b;
	double x = p->s[sort_key_metric].median, y = q->s[sort_key_metric].median;

	if (x != y)
		return (x > y) - (x < y);
	return (p > q) - (p < q);
}

/* Methods with data for m, fastest (lowest median) first; returns count. */
static size_t ranked(const struct case_stats *cs, enum metric m, const struct method_stats **out)
{
	size_t n = 0;

	for (size_t i = 0; i < cs->nm; i++)
		if (cs->m[i].s[m].n)
			out[n++] = &cs->m[i];
	sort_key_metric = m;
	qsort(out, n, sizeof(*out), cmp_by_median);
	return n;
}

static char *ranking_text(const struct method_stats **r, size_t n, enum metric m)
{
	struct strbuf sb = { 0 };

	for (size_t i = 0; i < n; i++) {
		char *v = fmt_num(r[i]->s[m].median);

		sb_addf(&sb, "%s%s%s%s %s ms", i ? ", " : "", i ? "" : "**", r[i]->method,
			i ? "" : "**", v);
		free(v);
	}
	return sb_take(&sb);
}

static void ranking(const struct case_stats *cs, struct strlist *out)
{
	const struct method_stats **byt = xcalloc(cs->nm, sizeof(*byt));
	const struct method_stats **bye = xcalloc(cs->nm, sizeof(*bye));
	size_t nt = ranked(cs, M_TOTAL_TIME, byt), ne = ranked(cs, M_END_TO_END, bye);
	char *t = ranking_text(byt, nt, M_TOTAL_TIME);
	int differs = 0;

	strlist_addf(out, "Order by median total time, fastest first: %s.", t);
	free(t);
	for (size_t i = 0; i < ne && i < nt; i++)
		differs |= bye[i] != byt[i];
	if (ne && (differs || ne != nt)) {
		char *e = ranking_text(bye, ne, M_END_TO_END);

		strlist_addf(out, "Counting preparation (balloon inflation, hint settling), the "
			     "order by median end-to-end time differs: %s.", e);
		free(e);
	}
	free(byt);
	free(bye);
}

static void versus_baseline(const struct case_stats *cs, const struct method_stats *ms,
			    struct strlist *out)
{
	const struct method_stats *b = cs->baseline;
	char *pt = fmt_pct(percent_change(method_median(ms, M_TOTAL_TIME),
					  method_median(b, M_TOTAL_TIME)));
	char *vt = fmt_num(method_median(ms, M_TOTAL_TIME)), *bt = fmt_num(method_median(b, M_TOTAL_TIME));
	struct strbuf sb = { 0 };

	sb_addf(&sb, "**%s** vs baseline: total time %s (%s vs %s ms)", ms->method, pt, vt, bt);
	if (S(ms, M_TRANSFERRED_KB)->n && S(b, M_TRANSFERRED_KB)->n) {
		double saved = method_median(b, M_TRANSFERRED_KB) - method_median(ms, M_TRANSFERRED_KB);
		char *pk = fmt_pct(percent_change(method_median(ms, M_TRANSFERRED_KB),
						  method_median(b, M_TRANSFERRED_KB)));
		char *sv = fmt_num(fabs(saved)), *sm = fmt_kb_as_mib(fabs(saved));

		sb_addf(&sb, ", transferred %s (%s KB = %s %s)", pk, sv, sm,
			saved >= 0 ? "less" : "more");
		free(pk);
		free(sv);
		free(sm);
	}
	if (clearly_below(S(ms, M_TOTAL_TIME), S(b, M_TOTAL_TIME)))
		sb_addf(&sb, "; faster than baseline in every counted migration.");
	else if (clearly_below(S(b, M_TOTAL_TIME), S(ms, M_TOTAL_TIME)))
		sb_addf(&sb, "; slower than baseline in every counted migration.");
	else
		sb_addf(&sb, "; the min-max ranges overlap, so the difference is within the "
			"run-to-run spread.");
	strlist_add(out, sb_take(&sb));
	free(pt);
	free(vt);
	free(bt);
}

/* Where hinting does not pay off: not faster than baseline beyond the
 * spread, or too few bytes saved to matter.  A method that is faster only
 * once projected gets its own line instead. */
static void where_hinting_does_not_help(const struct case_stats *cs, struct strlist *out)
{
	const struct method_stats *b = cs->baseline;

	for (size_t i = 0; i < cs->nm; i++) {
		const struct method_stats *ms = &cs->m[i];
		double saving;
		struct strbuf why = { 0 };
		int raw_overlaps, projected_below, bytes_matter;
		char *pm = NULL, *pb = NULL;

		if (!is_hinting_method(ms->method) || !S(ms, M_TOTAL_TIME)->n)
			continue;
		saving = -percent_change(method_median(ms, M_TRANSFERRED_KB), method_median(b, M_TRANSFERRED_KB));
		raw_overlaps = !clearly_below(S(ms, M_TOTAL_TIME), S(b, M_TOTAL_TIME));
		/* A raw overlap that the projection separates is the shared
		 * cores' doing: say so rather than call the method useless. */
		projected_below = raw_overlaps && S(ms, M_PROJECTED)->n && S(b, M_PROJECTED)->n &&
				  clearly_below(S(ms, M_PROJECTED), S(b, M_PROJECTED));
		if (projected_below) {
			pm = fmt_num(method_median(ms, M_PROJECTED));
			pb = fmt_num(method_median(b, M_PROJECTED));
			sb_addf(&why, "its raw total time is not below baseline's range, though "
				"projected to a core per busy thread it is (%s vs %s ms)", pm, pb);
		} else if (raw_overlaps)
			sb_addf(&why, "its total time is not below baseline's range");
		bytes_matter = isnan(saving) || saving >= NEGLIGIBLE_SAVING_PCT;
		if (!isnan(saving) && saving < 0)
			sb_addf(&why, "%sit sends %.1f%% more bytes than baseline",
				why.len ? "; " : "", -saving);
		else if (!isnan(saving) && saving < NEGLIGIBLE_SAVING_PCT)
			sb_addf(&why, "%sit sends only %.1f%% fewer bytes than baseline (under %.0f%%)",
				why.len ? "; " : "", saving, NEGLIGIBLE_SAVING_PCT);
		if (projected_below && bytes_matter)
			strlist_addf(out, "**%s** is within baseline's run-to-run spread raw, but "
				     "below it in every counted migration when projected to a core "
				     "per busy thread (median %s vs %s ms): the overlap comes from "
				     "sharing the two cores, not from the method.", ms->method, pm, pb);
		else if (why.len)
			strlist_addf(out, "Hinting does not help here for **%s**: %s.", ms->method,
				     why.s);
		free(why.s);
		free(pm);
		free(pb);
	}
}

/* The seed's method against the reply's, worded by comparison.h as
 * everywhere else.  End-to-end is the fair comparison: the balloon pays for
 * its inflation before migrating. */
static void pv_versus_balloon(const struct case_stats *cs, struct strlist *out)
{
	const struct { enum metric m; const char *what; } parts[] = {
		{ M_TOTAL_TIME, "migration time" },
		{ M_END_TO_END, "end-to-end (inflation counted)" },
		{ M_TRANSFERRED_KB, "bytes" },
	};
	struct strbuf sb = { 0 };

	if (!case_stats_method_with(cs, "pv-bitmap", M_TOTAL_TIME) ||
	    !case_stats_method_with(cs, "balloon", M_TOTAL_TIME))
		return;
	sb_addf(&sb, "**pv-bitmap vs balloon** (the reply's proposal):");
	for (size_t i = 0; i < ARRAY_SIZE(parts); i++) {
		struct comparison c;
		char *t;

		if (!compare_methods(cs, "pv-bitmap", "balloon", parts[i].m, &c))
			continue;
		t = comparison_text(&c);
		sb_addf(&sb, "%s %s: %s", i ? ";" : "", parts[i].what, t);
		free(t);
	}
	sb_addf(&sb, ".");
	strlist_add(out, sb_take(&sb));
}

/* The design's acceptance rule: reach the seed's ratio over baseline, or,
 * where the baseline is already too fast for that, be within 1.5x of the
 * wire time.  Say which held. */
static void seed_target(const struct case_stats *cs, struct strlist *out)
{
	const struct seed_case *seed = seed_for(cs->c->name);
	const struct method_stats *pv = case_stats_method_with(cs, "pv-bitmap", M_TOTAL_TIME);
	const struct method_stats *b = cs->baseline && S(cs->baseline, M_TOTAL_TIME)->n ? cs->baseline : NULL;
	double seed_ratio, our_ratio, wire_ratio, seed_wire_ratio, base_wire_ratio;
	struct comparison ours;
	int ratio_held, wire_held;
	char *a, *c, *d, *f, *g;

	if (!seed || !pv || !b)
		return;
	seed_ratio = seed->pv_ms / seed->original_ms;
	our_ratio = method_median(pv, M_TOTAL_TIME) / method_median(b, M_TOTAL_TIME);
	if (!compare_methods(cs, "pv-bitmap", "baseline", M_TOTAL_TIME, &ours))
		return;
	wire_ratio = method_median(pv, M_WIRE_RATIO);
	base_wire_ratio = method_median(b, M_WIRE_RATIO);
	seed_wire_ratio = seed->pv_ms / wire_time_ms(seed->pv_kb, SEED_LINK_GBIT);
	ratio_held = our_ratio <= seed_ratio;
	wire_held = !isnan(wire_ratio) && wire_ratio <= WIRE_RATIO_TARGET;
	/* In the report's one direction: how many times faster. */
	a = fmt_ratio(1.0 / seed_ratio);
	c = comparison_text(&ours);
	d = fmt_ratio(wire_ratio);
	f = fmt_ratio(seed_wire_ratio);
	g = fmt_ratio(base_wire_ratio);
	strlist_addf(out,
		     "Against the seed: its pv run was %s faster than its original (single "
		     "figures); here %s, so the seed's ratio %s. pv-bitmap runs at %s its "
		     "wire time (the seed's pv: %s; target: within %.1fx), baseline at %s its own. "
		     "**Target: %s.**",
		     a, c, ratio_held ? "is reached" : "is not reached", d, f, WIRE_RATIO_TARGET, g,
		     ratio_held && wire_held ? "both the seed's ratio over baseline and the wire-time target held" :
		     ratio_held ? "the seed's ratio over baseline held, the wire-time target did not" :
		     wire_held ? "the seed's ratio is out of reach here, the within-1.5x-of-wire-time target held" :
				 "neither the seed's ratio nor the within-1.5x-of-wire-time target held");
	free(a);
	free(c);
	free(d);
	free(f);
	free(g);
}

/* Faster than the wire means the link carried more than iperf3 measured
 * (or QEMU compressed); say so rather than report a ratio below the floor
 * as an achievement. */
static void below_wire_floor(const struct case_stats *cs, struct strlist *out)
{
	struct strbuf sb = { 0 };

	for (size_t i = 0; i < cs->nm; i++) {
		double r = method_median(&cs->m[i], M_WIRE_RATIO);

		if (S(&cs->m[i], M_WIRE_RATIO)->n && r < 1.0) {
			char *t = fmt_ratio(r);

			sb_addf(&sb, "%s%s (%s)", sb.len ? ", " : "", cs->m[i].method, t);
			free(t);
		}
	}
	if (sb.len)
		strlist_addf(out, "Faster than the wire time at the measured link rate: %s. The link "
			     "carried more than iperf3 measured before the run, so wire times here are "
			     "an upper bound on the floor.", sb.s);
	free(sb.s);
}

static void skipped_memory(const struct case_stats *cs, struct strlist *out)
{
	json_t *mem = json_at(case_stats_newest_doc(cs), "params.mem_mib");
	double mem_mib = json_is_number(mem) ? json_number_value(mem) : NAN;

	for (size_t i = 0; i < cs->nm; i++) {
		const struct method_stats *ms = &cs->m[i];
		double pages = method_median(ms, M_SKIPPED_PAGES), mib = pages * 4.0 / 1024.0;
		char *p, *m;

		if (!S(ms, M_SKIPPED_PAGES)->n)
			continue;
		p = fmt_num(pages);
		m = fmt_num(mib);
		if (!isnan(mem_mib) && mem_mib > 0)
			strlist_addf(out, "**%s** skipped a median of %s pages (%s MiB, %.1f%% of the "
				     "%.0f MiB guest).", ms->method, p, m, mib / mem_mib * 100, mem_mib);
		else
			strlist_addf(out, "**%s** skipped a median of %s pages (%s MiB).", ms->method,
				     p, m);
		free(p);
		free(m);
	}
}

static void downtime_limit(const struct case_stats *cs, struct strlist *out)
{
	json_t *lim = json_at(case_stats_newest_doc(cs), "params.downtime_limit_ms");
	struct strbuf over = { 0 };
	double limit;

	if (!json_is_number(lim) || !cs->has[M_DOWNTIME])
		return;
	limit = json_number_value(lim);
	for (size_t i = 0; i < cs->nm; i++) {
		const struct summary *s = S(&cs->m[i], M_DOWNTIME);

		if (s->n && s->max > limit) {
			char *v = fmt_num(s->max);

			sb_addf(&over, "%s%s (max %s ms)", over.len ? ", " : "", cs->m[i].method, v);
			free(v);
		}
	}
	if (over.len)
		strlist_addf(out, "Downtime exceeded the %.0f ms limit in: %s.", limit, over.s);
	else
		strlist_addf(out, "Downtime stayed within the %.0f ms limit in every counted "
			     "migration.", limit);
	free(over.s);
}

static void guest_impact(const struct case_stats *cs, struct strlist *out)
{
	const struct { enum metric m; const char *what; } parts[] = {
		{ M_GUEST_DIP_PCT, "during migration" },
		{ M_GUEST_RECOVERY_PCT, "after migration" },
	};

	for (size_t k = 0; k < ARRAY_SIZE(parts); k++) {
		struct strbuf sb = { 0 };

		if (!cs->has[parts[k].m])
			continue;
		for (size_t i = 0; i < cs->nm; i++) {
			char *p;

			if (!S(&cs->m[i], parts[k].m)->n)
				continue;
			p = fmt_pct(method_median(&cs->m[i], parts[k].m));
			sb_addf(&sb, "%s%s %s", sb.len ? ", " : "", cs->m[i].method, p);
			free(p);
		}
		strlist_addf(out, "Guest service throughput %s against before it (median): %s.",
			     parts[k].what, sb.s);
		free(sb.s);
	}
}

static void integrity(const struct case_stats *cs, struct strlist *out)
{
	struct strbuf bad = { 0 };
	size_t checked = 0;

	if (!cs->has[M_MEMCHECK_MISMATCHES])
		return;
	for (size_t i = 0; i < cs->nm; i++) {
		const struct summary *s = S(&cs->m[i], M_MEMCHECK_MISMATCHES);

		checked += s->n;
		if (s->n && s->max > 0)
			sb_addf(&bad, "%s%s (up to %.0f pages)", bad.len ? ", " : "", cs->m[i].method,
				s->max);
	}
	if (bad.len)
		strlist_addf(out, "**Data loss:** the guest memory checker found mismatched pages "
			     "after migration with: %s.", bad.s);
	else
		strlist_addf(out, "The guest memory checker found no lost page in any of the %zu "
			     "checked migrations.", checked);
	free(bad.s);
}

static void failures(const struct case_stats *cs, struct strlist *out)
{
	struct strbuf sb = { 0 };
	size_t failed = 0, total = 0, run_errors = 0;

	for (size_t i = 0; i < cs->nm; i++) {
		const struct method_stats *ms = &cs->m[i];

		total += ms->attempted;
		if (ms->attempted == ms->completed)
			continue;
		failed += ms->attempted - ms->completed;
		sb_addf(&sb, "%s%s %zu of %zu", sb.len ? ", " : "", ms->method,
			ms->attempted - ms->completed, ms->attempted);
	}
	for (size_t i = 0; i < cs->c->nruns; i++)
		run_errors += cs->c->runs[i].error != NULL;
	if (failed)
		strlist_addf(out, "%zu of %zu migrations failed and are left out of the statistics "
			     "(%s); they are listed below.", failed, total, sb.s);
	if (run_errors)
		strlist_addf(out, "%zu run(s) ended with a run-level error; see below.", run_errors);
	free(sb.s);
}

static void not_run(const struct case_stats *cs, struct strlist *out)
{
	struct strbuf sb = { 0 };
	const struct method *m;

	for (int i = 0; (m = method_at(i)); i++)
		if (!case_stats_method(cs, m->name))
			sb_addf(&sb, "%s%s", sb.len ? ", " : "", m->name);
	if (sb.len)
		strlist_addf(out, "Not run in this case (no migration in the runs used): %s.", sb.s);
	free(sb.s);
}

void findings_for_case(const struct case_stats *cs, struct strlist *out)
{
	if (!cs->has[M_TOTAL_TIME]) {
		strlist_addf(out, "No migration in this case completed, so there is nothing to "
			     "compare.");
		failures(cs, out);
		not_run(cs, out);
		return;
	}
	ranking(cs, out);
	if (cs->baseline && S(cs->baseline, M_TOTAL_TIME)->n) {
		for (size_t i = 0; i < cs->nm; i++)
			if (&cs->m[i] != cs->baseline && S(&cs->m[i], M_TOTAL_TIME)->n)
				versus_baseline(cs, &cs->m[i], out);
		where_hinting_does_not_help(cs, out);
	} else {
		strlist_addf(out, "There is no completed baseline migration, so no method is "
			     "compared against stock precopy.");
	}
	pv_versus_balloon(cs, out);
	mechanisms_for_case(cs, out);
	seed_target(cs, out);
	below_wire_floor(cs, out);
	skipped_memory(cs, out);
	downtime_limit(cs, out);
	guest_impact(cs, out);
	integrity(cs, out);
	failures(cs, out);
	not_run(cs, out);
}

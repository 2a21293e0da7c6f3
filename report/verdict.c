#include "verdict.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "comparison.h"
#include "format.h"
#include "srcregime.h"
#include "util.h"

/* The argument of the thread: the seed's bitmap, the reply's balloon, and
 * what both are measured against. */
static const char *const contenders[] = { "pv-bitmap", "balloon", "baseline" };
#define N_CONTENDERS (sizeof(contenders) / sizeof(contenders[0]))

static const struct {
	enum metric m;
	const char *name;
} figures[] = {
	{ M_TOTAL_TIME, "migration time" },
	{ M_END_TO_END, "end-to-end" },
	{ M_TRANSFERRED_KB, "bytes" },
	{ M_DOWNTIME, "downtime" },
};

/* The balloon must hold this share of RAM beyond the free memory pv-bitmap
 * found before its lead in bytes is put down to memory in use. */
#define EVICTION_SHARE 0.05

struct sampleset {
	const char *method;
	double *v;		/* owned */
	size_t n;
	double median;
};

static void sampleset_free(struct sampleset *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(s[i].v);
}

static double median_of(const double *v, size_t n)
{
	return summarize(v, n).median;
}

/* The contenders that have samples of m, in the contenders' order. */
static size_t contender_samples(const struct case_stats *cs, enum metric m, struct sampleset *out)
{
	size_t k = 0;

	for (size_t i = 0; i < N_CONTENDERS; i++) {
		struct sampleset s = { contenders[i], NULL, 0, NAN };

		if (!case_stats_method(cs, contenders[i]))
			continue;
		s.n = case_method_samples(cs->c, contenders[i], m, &s.v);
		if (!s.n) {
			free(s.v);
			continue;
		}
		s.median = median_of(s.v, s.n);
		out[k++] = s;
	}
	return k;
}

/* Lowest median first; equal medians keep the contenders' order. */
static void sort_by_median(struct sampleset *s, size_t n)
{
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && s[j].median < s[j - 1].median; j--) {
			struct sampleset t = s[j];

			s[j] = s[j - 1];
			s[j - 1] = t;
		}
}

/* "migration time: **pv-bitmap** 7.52x [..] faster than balloon, 4.52x
 * [..] faster than baseline", or, where the best is not clearly ahead of
 * some, "no clear winner between ...".  s is sorted by median. */
static char *figure_clause(const char *name, enum metric m, struct sampleset *s, size_t n)
{
	struct strbuf sb = { 0 }, clear = { 0 }, unclear = { 0 };
	size_t nunclear = 0;

	if (n < 2)
		return xasprintf("%s%sfewer than two of %s, %s and %s measured", name ? name : "",
				 name ? ": " : "",
				 contenders[0], contenders[1], contenders[2]);
	for (size_t i = 1; i < n; i++) {
		struct comparison c;
		char *r;

		if (!compare_samples(s[0].method, s[0].v, s[0].n, s[i].method, s[i].v, s[i].n, m, &c)) {
			sb_addf(&unclear, "%s%s (no ratio)", unclear.len ? ", " : "", s[i].method);
			nunclear++;
			continue;
		}
		r = comparison_ratio_text(&c);
		if (c.clear)
			sb_addf(&clear, "%s%s %s than %s", clear.len ? ", " : "", r,
				comparative_better(m), c.loser);
		else {
			/* "a (r), b (r) and c (r)": the last one joins with "and"
			 * once the list is complete; see the fix-up below. */
			sb_addf(&unclear, "%s%s (%s)", unclear.len ? ", " : "", s[i].method, r);
			nunclear++;
		}
		free(r);
	}
	if (nunclear > 1) {
		/* The list's last ", " becomes " and ". */
		char *last = strrchr(unclear.s, ',');
		char *fixed = xasprintf("%.*s and%s", (int)(last - unclear.s), unclear.s, last + 1);

		free(unclear.s);
		unclear.s = fixed;
	}
	if (name)
		sb_addf(&sb, "%s: ", name);
	if (!nunclear)
		sb_addf(&sb, "**%s** %s", s[0].method, clear.s);
	else {
		sb_addf(&sb, "no clear winner %s %s%s %s", nunclear == 1 ? "between" : "among",
			s[0].method, nunclear == 1 ? " and" : ",", unclear.s);
		if (clear.len)
			sb_addf(&sb, "; %s %s", s[0].method, clear.s);
	}
	free(clear.s);
	free(unclear.s);
	return sb_take(&sb);
}

static char *case_line(const struct case_stats *cs)
{
	struct strbuf sb = { 0 };

	sb_addf(&sb, "- **%s**", cs->c->name);
	if (cs->c->description)
		sb_addf(&sb, " (%s)", cs->c->description);
	sb_addf(&sb, " —");
	for (size_t f = 0; f < ARRAY_SIZE(figures); f++) {
		struct sampleset s[N_CONTENDERS];
		size_t n = contender_samples(cs, figures[f].m, s);
		char *clause;

		sort_by_median(s, n);
		clause = figure_clause(figures[f].name, figures[f].m, s, n);
		sb_addf(&sb, "%s %s", f ? ";" : "", clause);
		free(clause);
		sampleset_free(s, n);
	}
	sb_addf(&sb, ".");
	return sb_take(&sb);
}

/* The method other than pv-bitmap with the lowest median of m.  stock is
 * left out: it is baseline on a build without the series, the control, not
 * an alternative. */
static const char *best_other(const struct case_stats *cs, enum metric m)
{
	const char *best = NULL;
	double best_median = NAN;

	for (size_t i = 0; i < cs->nm; i++) {
		const struct method_stats *ms = &cs->m[i];

		if (!strcmp(ms->method, "pv-bitmap") || !strcmp(ms->method, "stock") || !ms->s[m].n)
			continue;
		if (!best || ms->s[m].median < best_median) {
			best = ms->method;
			best_median = ms->s[m].median;
		}
	}
	return best;
}

static char *best_other_line(const struct case_stats *cs)
{
	struct strbuf sb = { 0 };

	if (!case_stats_method(cs, "pv-bitmap"))
		return NULL;
	sb_addf(&sb, "  - pv-bitmap against the best other method on each figure —");
	for (size_t f = 0; f < ARRAY_SIZE(figures); f++) {
		const char *other = best_other(cs, figures[f].m);
		struct comparison c;
		char *t;

		sb_addf(&sb, "%s %s: ", f ? ";" : "", figures[f].name);
		if (!other || !compare_methods(cs, "pv-bitmap", other, figures[f].m, &c)) {
			sb_addf(&sb, "no other method measured");
			continue;
		}
		t = comparison_text(&c);
		sb_addf(&sb, "%s", t);
		free(t);
	}
	sb_addf(&sb, ".");
	return sb_take(&sb);
}

static double guest_mib(const struct case_stats *cs)
{
	json_t *mem = json_at(case_stats_newest_doc(cs), "params.mem_mib");

	return json_is_number(mem) ? json_number_value(mem) : NAN;
}

/*
 * Balloon loses end to end only to its inflation: the end-to-end winner
 * is clearly ahead of balloon, but not clearly ahead on migration time.
 * The other reading replaces each balloon migration's end-to-end time with
 * its total time plus the thread's KVM inflation time for this guest size.
 */
/* The source QEMU's user and kernel CPU over the inflation when the runs
 * read it (newer runs), else NULL.  Under TCG the user part includes the
 * emulated guest, which KVM runs natively; the counters do not split the
 * kernel part further, so the sentence does not either. */
static char *inflation_split(const struct case_stats *cs)
{
	const struct method_stats *bl = case_stats_method_with(cs, "balloon", M_INFLATE_SYS_MS);

	if (!bl)
		return NULL;
	return xasprintf("; the source QEMU's CPU over it: %.0f ms in user mode, which under "
			 "TCG includes emulating the guest (its driver among it), and %.0f ms in "
			 "the host kernel", method_median(bl, M_INFLATE_USER_MS),
			 method_median(bl, M_INFLATE_SYS_MS));
}

static char *inflation_reading(const struct case_stats *cs)
{
	struct sampleset s[N_CONTENDERS];
	size_t n = contender_samples(cs, M_END_TO_END, s);
	struct comparison e2e, mig;
	const char *winner;
	double mem = guest_mib(cs), kvm_ms, *total;
	size_t ntotal;
	char *clause, *prep, *kvm, *split, *out = NULL;

	sort_by_median(s, n);
	if (n < 2 || isnan(mem) || !strcmp(s[0].method, "balloon") ||
	    !case_stats_method_with(cs, "balloon", M_PREP_TIME))
		goto out;
	winner = s[0].method;
	if (!compare_methods(cs, winner, "balloon", M_END_TO_END, &e2e) || !e2e.clear ||
	    strcmp(e2e.winner, winner))
		goto out;
	if (compare_methods(cs, winner, "balloon", M_TOTAL_TIME, &mig) && mig.clear &&
	    !strcmp(mig.winner, winner))
		goto out;	/* it migrates slower too: inflation is not the only reason */
	kvm_ms = KVM_INFLATE_MS_PER_8GIB * mem / 8192.0;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(s[i].method, "balloon"))
			continue;
		free(s[i].v);
		ntotal = case_method_samples(cs->c, "balloon", M_TOTAL_TIME, &total);
		for (size_t k = 0; k < ntotal; k++)
			total[k] += kvm_ms;
		s[i].v = total;
		s[i].n = ntotal;
		s[i].median = median_of(total, ntotal);
	}
	sort_by_median(s, n);
	clause = figure_clause(NULL, M_END_TO_END, s, n);
	prep = fmt_num(method_median(case_stats_method(cs, "balloon"), M_PREP_TIME));
	kvm = fmt_num(kvm_ms);
	split = inflation_split(cs);
	out = xasprintf("TCG: balloon loses end to end only to its inflation (median %s ms "
			"here%s); with inflation at the thread's KVM rate (~5 s for 8 GiB, taken from "
			"the qemu-devel thread, not measured here: %s ms for this %.0f MiB guest, "
			"added to each balloon migration) the end-to-end verdict would be: %s.",
			prep, split ? split : "", kvm, mem, clause);
	free(split);
	free(clause);
	free(prep);
	free(kvm);
out:
	sampleset_free(s, n);
	return out;
}

/*
 * The balloon, sized from the guest's available memory, held clearly
 * more than the free memory pv-bitmap found, and wins on bytes: what it
 * took beyond the free memory was in use, page cache in the long-running
 * cases, which the guest reads back after the migration.
 */
static char *eviction_reading(const struct case_stats *cs)
{
	const struct method_stats *bl = case_stats_method_with(cs, "balloon", M_BALLOON_MIB);
	const struct method_stats *pv = case_stats_method_with(cs, "pv-bitmap", M_SKIPPED_PAGES);
	double mem = guest_mib(cs), held, free_mib, cache_pct;
	struct comparison bytes, mig, reread;
	json_t *pct = json_at(case_stats_newest_doc(cs), "params.case3.page_cache_pct");
	struct strbuf sb = { 0 };
	bool time_too;

	if (!bl || !pv || isnan(mem))
		return NULL;
	held = method_median(bl, M_BALLOON_MIB);
	free_mib = method_median(pv, M_SKIPPED_PAGES) * 4.0 / 1024.0;
	if (held <= free_mib + EVICTION_SHARE * mem)
		return NULL;
	if (!compare_methods(cs, "balloon", "pv-bitmap", M_TRANSFERRED_KB, &bytes) ||
	    !bytes.clear || strcmp(bytes.winner, "balloon"))
		return NULL;
	time_too = compare_methods(cs, "balloon", "pv-bitmap", M_TOTAL_TIME, &mig) && mig.clear &&
		   !strcmp(mig.winner, "balloon");
	cache_pct = json_is_number(pct) ? json_number_value(pct) : NAN;
	sb_addf(&sb, "balloon's lead over pv-bitmap in bytes%s comes from memory the guest "
		"was using: the balloon held %.0f MiB (median; RAM less QEMU's actual balloon "
		"size) against the %.0f MiB pv-bitmap found free, so it took %.0f MiB more",
		time_too ? " and migration time" : "", held, free_mib, held - free_mib);
	if (!isnan(cache_pct) && cache_pct > 0 && held - free_mib <= cache_pct / 100.0 * mem)
		sb_addf(&sb, ", out of a page cache of %.0f MiB (%.0f%% of RAM), which the "
			"guest's available memory counts as free to take", cache_pct / 100.0 * mem,
			cache_pct);
	if (case_stats_method_with(cs, "balloon", M_CACHE_REREAD) &&
	    compare_methods(cs, "balloon", "pv-bitmap", M_CACHE_REREAD, &reread)) {
		char *cmp = comparison_text(&reread);

		sb_addf(&sb, "; after the migration (balloon given back), reading the guest's "
			"files again took %.0f ms after balloon against %.0f ms after pv-bitmap "
			"(medians; %s), a cost outside the end-to-end figure.",
			method_median(bl, M_CACHE_REREAD),
			method_median(case_stats_method(cs, "pv-bitmap"), M_CACHE_REREAD), cmp);
		free(cmp);
	} else {
		sb_addf(&sb, "; the cost of re-reading that cache after the migration is not in "
			"the figure (not measured in these runs).");
	}
	return sb_take(&sb);
}

static char *host_line(const struct case_stats *cs)
{
	char *r[] = { inflation_reading(cs), eviction_reading(cs), srcregime_verdict_reading(cs) };
	struct strbuf sb = { 0 };
	char letter = 'a';

	/* Lettered in the order present, so a case with one item has (a). */
	for (size_t i = 0; i < ARRAY_SIZE(r); i++) {
		if (r[i])
			sb_addf(&sb, "%s(%c) %s", sb.len ? " " : "  - On this host: ", letter++, r[i]);
		free(r[i]);
	}
	return sb.len ? sb_take(&sb) : NULL;
}

void verdict_lines(const struct case_stats *cases, size_t n, const char *glossary_link,
		   struct strlist *out)
{
	char nresamples[32];

	/* "10,000" as the brief and the statistics literature write it. */
	snprintf(nresamples, sizeof(nresamples), "%d,%03d", BOOTSTRAP_RESAMPLES / 1000,
		 BOOTSTRAP_RESAMPLES % 1000);
	strlist_addf(out, "**Verdict.** Per case, the seed's pv-bitmap, the reply's balloon and "
		     "stock precopy (baseline) on medians over completed migrations. A ratio is "
		     "the loser's median over the winner's (never below 1), with its %.0f%% "
		     "percentile bootstrap interval of the ratio of medians (%s resamples, seed "
		     "%u) in brackets; where the interval includes 1.0 no winner is named. "
		     "Terms: [glossary](%s).", BOOTSTRAP_LEVEL * 100, nresamples,
		     BOOTSTRAP_SEED, glossary_link);
	for (size_t i = 0; i < n; i++) {
		const struct case_stats *cs = &cases[i];
		char *b, *h;

		if (!cs->has[M_TOTAL_TIME])
			continue;
		strlist_add(out, case_line(cs));
		if ((b = best_other_line(cs)))
			strlist_add(out, b);
		if ((h = host_line(cs)))
			strlist_add(out, h);
	}
}

#include "mechanisms.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"

/* Faults within this share of the ballooned pages count as one per page. */
#define ONE_PER_PAGE_TOLERANCE 0.2

static double jnum(json_t *o, const char *path)
{
	char key[64];
	const char *p = path;

	while (o && *p) {
		size_t n = strcspn(p, ".");

		if (n >= sizeof(key))
			return NAN;
		memcpy(key, p, n);
		key[n] = '\0';
		o = json_object_get(o, key);
		p += n + (p[n] == '.');
	}
	return json_is_number(o) ? json_number_value(o) : NAN;
}

/* One named thread group of a side ("src"/"dst") of a migration: its CPU
 * and wait, NAN when absent.  prefix matches the start of the name. */
static void thread_figures(json_t *mig, const char *side, const char *prefix,
			   double *cpu_ms, double *wait_ms)
{
	json_t *rows = json_object_get(json_object_get(mig, "threads"), side);
	json_t *row;
	size_t i;

	*cpu_ms = *wait_ms = NAN;
	json_array_foreach(rows, i, row) {
		const char *name = json_string_value(json_object_get(row, "name"));

		if (!name || strncmp(name, prefix, strlen(prefix)))
			continue;
		*cpu_ms = (isnan(*cpu_ms) ? 0 : *cpu_ms) + jnum(row, "cpu_ms");
		*wait_ms = (isnan(*wait_ms) ? 0 : *wait_ms) + jnum(row, "wait_ms");
	}
}

static char *num(double v)
{
	return fmt_num(isnan(v) ? NAN : round(v));
}

/*
 * A ballooned guest: the source's migration thread reads every page of
 * guest RAM, ballooned ones included.  How many page faults that took,
 * against the pages the balloon held, and what happened to the source's
 * huge pages when it inflated, say what the migration thread spent its
 * CPU on.
 */
static void balloon_faults(const struct case_stats *cs, const char *method, struct strlist *out)
{
	const struct method_stats *ms = case_stats_method_with(cs, method, M_SRC_MINFLT);
	const struct method_stats *base = cs->baseline;
	const struct mig_row *rep;
	json_t *mig, *backing;
	double mem_mib, actual_mib, ballooned_pages, faults, huge_before, huge_after;
	const char *auto_init;
	char *a, *b, *c, *d, *e, *f;
	struct strbuf sb = { 0 };

	if (!ms || !(rep = ms->representative) || !(mig = rep->json))
		return;
	mem_mib = jnum(mig, "mem_mib");
	actual_mib = jnum(mig, "counters.balloon.actual_bytes") / 1048576.0;
	faults = rep->v[M_SRC_MINFLT];
	if (isnan(mem_mib) || isnan(actual_mib) || isnan(faults) || actual_mib >= mem_mib)
		return;
	ballooned_pages = (mem_mib - actual_mib) * 256.0;
	a = fmt_num(round(faults));
	b = fmt_num(round(mem_mib - actual_mib));
	c = fmt_num(round(ballooned_pages));
	/* Slower than its bytes, not always slower than baseline: a balloon
	 * that squeezed a full page cache out sends much less (case4). */
	sb_addf(&sb, "**Why %s migrates slower than its bytes", method);
	/* The method's median, as in the wire-time floor table: one figure
	 * for total over wire time wherever it is quoted. */
	if (ms->s[M_WIRE_RATIO].n) {
		char *w = fmt_ratio(method_median(ms, M_WIRE_RATIO));

		sb_addf(&sb, " (median %s its wire time)", w);
		free(w);
	}
	sb_addf(&sb, "** (counters of its median-time migration): the source's "
		"migration thread took %s minor page faults with %s MiB in the balloon (%s pages "
		"of 4 KiB)", a, b, c);
	free(a);
	free(b);
	free(c);
	if (base && base->representative && !isnan(base->representative->v[M_SRC_MINFLT])) {
		a = fmt_num(round(base->representative->v[M_SRC_MINFLT]));
		sb_addf(&sb, ", against %s for baseline", a);
		free(a);
	}
	if (fabs(faults - ballooned_pages) <= ONE_PER_PAGE_TOLERANCE * ballooned_pages)
		sb_addf(&sb, ": about one fault per ballooned page.");
	else
		sb_addf(&sb, ".");
	a = num(rep->v[M_SRC_MIG_CPU]);
	b = num(base && base->representative ? base->representative->v[M_SRC_MIG_CPU] : NAN);
	sb_addf(&sb, " Its CPU time was %s ms (baseline %s ms).", a, b);
	free(a);
	free(b);
	backing = json_object_get(json_object_get(mig, "counters"), "backing");
	huge_before = jnum(backing, "src_before_prep.anon_huge_kb");
	huge_after = jnum(backing, "src_after_prep.anon_huge_kb");
	if (!isnan(huge_before) && !isnan(huge_after)) {
		c = fmt_kb_as_mib(huge_before);
		d = fmt_kb_as_mib(huge_after);
		e = fmt_kb_as_mib(jnum(backing, "src_before_prep.anon_kb"));
		f = fmt_kb_as_mib(jnum(backing, "src_after_prep.anon_kb"));
		sb_addf(&sb, " Inflation took the source QEMU's anonymous memory from %s to %s and "
			"its transparent huge pages from %s to %s.", e, f, c, d);
		free(c);
		free(d);
		free(e);
		free(f);
	}
	auto_init = json_string_value(json_object_get(json_object_get(mig, "counters"),
						      "guest_mem_auto_init"));
	if (auto_init && contains(auto_init, "heap alloc:on"))
		sb_addf(&sb, " The guest kernel zeroes every page it allocates (`%s`): see "
			"[%s](#%s).", auto_init, BALLOON_WHY, BALLOON_WHY_ANCHOR);
	else if (auto_init)
		sb_addf(&sb, " The guest kernel's memory auto-init: `%s`.", auto_init);
	strlist_add(out, sb_take(&sb));
}

/*
 * Free page hinting: the guest allocates its free pages and reports them
 * through an iothread while the bulk stage runs.  Which thread's time the
 * migration waited for says whether the method or the host decided.
 */
static void fph_contention(const struct case_stats *cs, struct strlist *out)
{
	const struct method_stats *fph = case_stats_method_with(cs, "fph", M_TOTAL_TIME);
	const struct method_stats *base = cs->baseline;
	const struct mig_row *rep, *brep;
	double vcpu, vcpu_wait, iot, iot_wait, bvcpu, bvcpu_wait;
	char *t[11];
	struct strbuf sb = { 0 };

	if (!fph || !base || !(rep = fph->representative) || !rep->json ||
	    !(brep = base->representative) || !brep->json)
		return;
	thread_figures(rep->json, "src", "CPU ", &vcpu, &vcpu_wait);
	/* The harness names fph's iothread iot0: "IO iot0" in QEMU 10.0,
	 * "IOThread (iot0)" before; the monitor's own iothread is not it. */
	thread_figures(rep->json, "src", "IO iot0", &iot, &iot_wait);
	if (isnan(iot))
		thread_figures(rep->json, "src", "IOThread (iot0)", &iot, &iot_wait);
	thread_figures(brep->json, "src", "CPU ", &bvcpu, &bvcpu_wait);
	if (isnan(rep->v[M_SRC_MIG_CPU]) || isnan(vcpu))
		return;
	t[0] = num(rep->v[M_TOTAL_TIME]);
	t[1] = num(brep->v[M_TOTAL_TIME]);
	t[2] = num(rep->v[M_SRC_MIG_CPU]);
	t[3] = num(rep->v[M_SRC_MIG_WAIT]);
	t[4] = num(brep->v[M_SRC_MIG_CPU]);
	t[5] = num(brep->v[M_SRC_MIG_WAIT]);
	t[6] = num(vcpu);
	t[7] = num(bvcpu);
	t[8] = num(iot);
	/* The projections are the methods' medians, as in the case's table:
	 * the representative migration's own could be its lowest. */
	t[9] = num(method_median(fph, M_PROJECTED));
	t[10] = num(method_median(base, M_PROJECTED));
	sb_addf(&sb, "**Where fph's time went** (median-time migrations, fph against baseline): "
		"total %s vs %s ms; the migration thread used %s ms of CPU and waited %s ms for one "
		"(baseline %s and %s ms); the guest's vCPU used %s ms (baseline %s ms) and the "
		"hinting iothread %s ms, while the guest allocated and reported its free pages.",
		t[0], t[1], t[2], t[3], t[4], t[5], t[6], t[7], t[8]);
	if (!isnan(rep->v[M_SRC_MIG_WAIT]) && !isnan(brep->v[M_SRC_MIG_WAIT]) &&
	    rep->v[M_SRC_MIG_WAIT] > 2 * brep->v[M_SRC_MIG_WAIT] + 10)
		sb_addf(&sb, " On this host the vCPU and the iothread compete with the migration "
			"thread for the two cores, and the migration waits (see [%s](#%s)); a core "
			"per busy thread would remove that (median projected %s ms, baseline %s ms).",
			FPH_WHY, FPH_WHY_ANCHOR, t[9], t[10]);
	else if (method_median(fph, M_PROJECTED) < method_median(base, M_PROJECTED) &&
		 rep->v[M_TOTAL_TIME] > brep->v[M_TOTAL_TIME] &&
		 !isnan(rep->v[M_DST_MAIN_WAIT]) && !isnan(brep->v[M_DST_MAIN_WAIT])) {
		/* Slower raw, faster projected, and not for the source's wait:
		 * the projection's other stage, the destination, is the one to
		 * show. */
		char *dw = num(rep->v[M_DST_MAIN_WAIT]), *bdw = num(brep->v[M_DST_MAIN_WAIT]);

		sb_addf(&sb, " The migration thread waited no more than twice as long as "
			"baseline's, yet with a core per busy thread fph would be the faster "
			"(median projected %s ms, baseline %s ms): its raw slowdown comes from sharing the "
			"two cores, not from the method. The destination's main thread, which "
			"receives the stream, waited %s ms for a CPU (baseline %s ms).",
			t[9], t[10], dw, bdw);
		free(dw);
		free(bdw);
	} else
		sb_addf(&sb, " The migration thread waited no more than twice as long as "
			"baseline's, and with a core per busy thread fph would still be no faster "
			"(median projected %s ms, baseline %s ms): that much of the difference is the "
			"method's own.", t[9], t[10]);
	strlist_add(out, sb_take(&sb));
	for (size_t i = 0; i < ARRAY_SIZE(t); i++)
		free(t[i]);
}

void mechanisms_write_explanations(FILE *f)
{
	fprintf(f, "## Mechanisms\n\nExplanations the per-case findings refer to, each "
		"with the counters that support it in the case itself.\n\n");
	fprintf(f, "### %s\n\n", BALLOON_WHY);
	fprintf(f, "Where the guest kernel zeroes every page it allocates (its boot line says "
		"`mem auto-init: ... heap alloc:on`), inflating the balloon writes each balloon "
		"page and the host backs it. QEMU then discards each 4 KiB balloon page on its own "
		"(MADV_DONTNEED), which leaves 4 KiB holes where transparent huge pages were, and "
		"the migration thread reads every hole through a page fault: a 4 KiB zero page "
		"each, where never-touched memory reads as one huge zero page per 2 MiB. The case "
		"shows it when the migration thread's minor faults come to about one per ballooned "
		"page. These faults are host kernel work in the migration thread, not an effect of "
		"TCG or of two cores: on a KVM host they stay, and the projection keeps them (it "
		"keeps the migration thread's CPU time).\n\n");
	fprintf(f, "### %s\n\n", FPH_WHY);
	fprintf(f, "Free page hinting has the guest allocate its free pages and report them "
		"through an iothread while the bulk stage runs. On this 2-core host the guest's "
		"vCPU and that iothread then compete with the migration thread for a CPU, and the "
		"migration thread waits in the run queue: that wait is the host's, not the "
		"method's, and the projection to a core per busy thread leaves it out. Where the "
		"migration thread waited no more than twice as long as baseline's, the projection "
		"alone says whether the rest of the difference is the method's.\n\n");
	fprintf(f, "### %s\n\n", DOWNTIME_WHY);
	fprintf(f, "QEMU checks, as it sends, whether what is left fits in the downtime limit "
		"at its bandwidth estimate, and once it does, stops the guest and sends the rest "
		"while it is stopped. The estimate is the rate at which the migration put bytes "
		"on the wire over the last 100 ms. A method whose bulk stage sends only pages "
		"with data (pv-bitmap, which skips the free ones) runs at about the link's rate, "
		"so its estimate is high and QEMU may stop the guest while the first pass is "
		"still sending: the downtime is then the time to send that rest, up to the "
		"limit. A migration thread that walks gigabytes of zero pages puts a few bytes "
		"on the wire per page, its estimate stays low, and it stops later, with less "
		"left. Each case's \"Downtime, from the counters\" table shows the "
		"pass each stop came in and what was left. Under a lower downtime limit QEMU "
		"would send more of the rest while the guest runs.\n\n");
}

void mechanisms_for_case(const struct case_stats *cs, struct strlist *out)
{
	balloon_faults(cs, "balloon", out);
	balloon_faults(cs, "pv-bitmap+balloon", out);
	fph_contention(cs, out);
}

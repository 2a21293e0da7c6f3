#include "appendix.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../harness/src/methods/methods.h"
#include "answer.h"
#include "basecompare.h"
#include "gueststate.h"
#include "breakdown.h"
#include "downtime.h"
#include "findings.h"
#include "format.h"
#include "plotdata.h"
#include "provenance.h"
#include "hogcheck.h"
#include "mechanisms.h"
#include "position.h"
#include "projection.h"
#include "modecompare.h"
#include "postcopy.h"
#include "regimes.h"
#include "srcregime.h"
#include "seed.h"
#include "setup.h"

/* Fewer counted migrations than this per cell are flagged (the issue asks
 * for at least 5 repeats). */
#define MIN_REPEATS 5

static void write_setup(FILE *f, const struct result_set *rs)
{
	struct setup_fact *facts;
	size_t n = setup_facts(rs, &facts);

	fprintf(f, "## %s\n\n### Set-up of every run\n\nRead from the `run.json` of every run "
		"used. Where runs differ, each value is followed by the runs that had it.\n\n",
		APPENDIX_PROVENANCE);
	fprintf(f, "| | |\n|---|---|\n");
	for (size_t k = 0; k < n; k++) {
		fprintf(f, "| %s | ", facts[k].what);
		for (size_t i = 0; i < facts[k].values.n; i++) {
			if (i)
				fputs("; ", f);
			md_put_cell(f, facts[k].values.v[i]);
			if (facts[k].values.n > 1) {
				fputs(" (", f);
				md_put_cell(f, facts[k].who.v[i]);
				fputs(")", f);
			}
		}
		fputs(" |\n", f);
	}
	fputs("\n", f);
	setup_facts_free(facts, n);
}

static void write_runs_used(FILE *f, const struct result_set *rs, const struct report_options *o)
{
	fprintf(f, "### Runs used and the pooling rules\n\nPer case, one run fixes the pooling key: the newest run with "
		"destination preallocation on (the default regime), or the newest run when none "
		"has it. The key is its scenario (the run id after its first `_`), its host "
		"identity (CPU model, CPU count, memory, kernel; not the hostname) and its QEMU (the "
		"source package version, and its code id where both runs recorded one (the source "
		"tree as built and the configure flags, the same for a series only cut into patches "
		"differently), else its patch series hash, in its `run.json`). Every run with "
		"that key is used and its migrations pooled in the case's tables; runs with the same "
		"key in the other destination regime are used in \"Destination regimes\", "
		"runs of the same key with the source's RAM preallocated (scenario suffix "
		"`_srcprealloc`) in \"Source regimes\", and "
		"runs of the same key with a CPU hog on the host (scenario suffix `_hog<N>`) in "
		"\"Projection check\"; neither of the last two ever fixes the key. "
		"Directories named `*faultinjection*` or `*memcheck*` are test runs and never used. "
		"Runs whose harness version ends in `+local` or `-dirty` were made from a tree with "
		"uncommitted changes and are %s. Runs archived from an earlier QEMU base "
		"(`%s/%s*/`) are not listed here and enter no table but their own comparison.\n\n",
		rs->include_uncommitted ? "used here (`--include-uncommitted`)" :
		"ignored (`report-gen --include-uncommitted` uses them)",
		o->results_dir, RESULTS_ARCHIVE_PREFIX);
	fprintf(f, "| case | run directory | harness | migrations | used? |\n|---|---|---|---|---|\n");
	for (size_t ci = 0; ci < rs->ncases; ci++) {
		const struct case_data *c = &rs->cases[ci];

		for (size_t part = 0; part < 3 + c->nhogs; part++) {
			const struct case_data *p = part == 0 ? c : part == 1 ? c->alt :
						    part == 2 ? c->srcpre : c->hogs[part - 3];
			static const char *const used[] = {
				"used", "used in Destination regimes", "used in Source regimes",
				"used in Projection check",
			};

			for (size_t i = 0; p && i < p->nruns; i++) {
				const char *h = run_harness_version(p->runs[i].doc);

				fprintf(f, "| %s | `%s/%s/%s` | ", c->name, o->results_dir, c->name,
					p->runs[i].id);
				md_put_cell(f, h ? h : "not recorded");
				fprintf(f, " | %zu | %s |\n", p->runs[i].nrows,
					used[part < 3 ? part : 3]);
			}
		}
		for (size_t i = 0; i < c->nignored; i++) {
			fprintf(f, "| %s | `%s/%s/%s` | | | ignored: ", c->name, o->results_dir,
				c->name, c->ignored[i].id);
			md_put_cell(f, c->ignored[i].reason);
			fputs(" |\n", f);
		}
	}
	fputs("\n", f);
}

/* The formulas behind the projected row and "Where the time went", stated
 * once; projection.h and breakdown.h implement them. */
static void write_definitions(FILE *f)
{
	struct strbuf sb = { 0 };
	const struct method *m;
	char *waiting;

	/* From the method table: the methods whose migration thread waits. */
	for (int i = 0; (m = method_at(i)); i++)
		if (projection_waits_for_hints(m->name))
			sb_addf(&sb, "%s%s", sb.len ? ", " : "", m->name);
	sb_addf(&sb, "%s", "");
	waiting = sb_take(&sb);
	fprintf(f, "## " APPENDIX_DEFINITIONS "\n\n"
		"The runs share few cores among both QEMUs, the link and the harness, so a "
		"migration's total time includes time its threads spent waiting for one another. "
		"From the per-thread accounting of each migration (CPU time of the source's "
		"migration thread and of the destination's main thread, which reads the incoming "
		"stream, and the source migration thread's wait for a CPU):\n\n"
		"**Projected time, a core per busy thread:**\n\n"
		"    projected_ms = max(src_mig_cpu_ms, dst_main_cpu_ms, wire_ms,\n"
		"                       src_send_max_cpu_ms, dst_recv_max_cpu_ms) + hint_wait_ms\n"
		"    wire_ms      = transferred_kb * 1024 * 8 / (link_gbit * 1e9) * 1000   (the run's measured link)\n"
		"    src_send_max_cpu_ms, dst_recv_max_cpu_ms = multifd's busiest send and receive "
		"channel thread (absent without multifd)\n"
		"    hint_wait_ms = hint_latency_ms for %s; else 0\n\n"
		"Why: given a core each, the source's sender, the link and the destination's "
		"receiver work at the same time on successive pages, like stages of a pipeline, "
		"so the slowest stage alone sets the pace. Waiting in the run queue disappears, "
		"and so does the CPU the guest's vCPUs took away from the migration thread; "
		"what stays is the wait for the guest's free page bitmap, because pv-bitmap's "
		"migration thread blocks on that answer inside the migration. Without "
		"`src_mig_cpu_ms` (older runs) the projection is \"not measured\"; a missing "
		"destination or wire figure leaves that stage out of the max. The projected "
		"end-to-end time adds back what preparation (balloon inflation, settling) added, "
		"which is the guest's pace and would not change.\n\n"
		"**Where the time went** (per case, the median-total-time migration of each method "
		"with every component measured), segments that add up to its total time:\n\n"
		"    a = wire_ms                                                (the bytes on the link)\n"
		"    b = max(0, src_mig_cpu_ms - wire_ms)                       (source CPU beyond the wire floor)\n"
		"    c = src_mig_wait_ms                                        (the migration thread waiting for a CPU)\n"
		"    d = max(0, dst_main_cpu_ms - max(src_mig_cpu_ms, wire_ms)) (the destination's share)\n"
		"    e = total_time_ms - (a + b + c + d)                        (the rest)\n\n"
		"When e would be negative the components overlapped in time: they are stacked in "
		"the order a, b, c, d, each cut to what still fits under the measured total, e is "
		"0, and the part cut off is given as \"overlapping, not stacked\", so no stack is "
		"taller than the migration it splits.\n\n", waiting);
	free(waiting);
}

/* ---- per case --------------------------------------------------------- */

/* "median [min–max]", then " n=k" when fewer migrations had the figure than
 * completed, then the change against baseline. */
static char *cell_text(const struct case_stats *cs, const struct method_stats *ms, enum metric m)
{
	const struct summary *s = &ms->s[m];
	struct strbuf sb = { 0 };
	char *a, *b, *c;

	if (!s->n)
		return xstrdup(m == M_PROJECTED && ms->completed ? "not measured" : "–");
	a = fmt_num(s->median);
	b = fmt_num(s->min);
	c = fmt_num(s->max);
	if (s->min == s->max)
		sb_addf(&sb, "%s", a);
	else
		sb_addf(&sb, "%s [%s–%s]", a, b, c);
	if (s->n != ms->completed)
		sb_addf(&sb, " n=%zu", s->n);
	if (cs->baseline && ms != cs->baseline && metric_defs[m].better != BETTER_NEITHER) {
		double p = percent_change(s->median, cs->baseline->s[m].median);

		if (!isnan(p)) {
			char *pc = fmt_pct(p);

			sb_addf(&sb, " (%s)", pc);
			free(pc);
		}
	}
	free(a);
	free(b);
	free(c);
	return sb_take(&sb);
}

static void table_header(FILE *f, const struct case_stats *cs, const char *first)
{
	fprintf(f, "| %s |", first);
	for (size_t i = 0; i < cs->nm; i++)
		fprintf(f, " %s |", cs->m[i].method);
	fputs("\n|---|", f);
	for (size_t i = 0; i < cs->nm; i++)
		fputs("---|", f);
	fputs("\n", f);
}

static void write_main_table(FILE *f, const struct case_stats *cs)
{
	fprintf(f, "#### Results\n\n");
	table_header(f, cs, "");
	fputs("| migrations completed / attempted |", f);
	for (size_t i = 0; i < cs->nm; i++)
		fprintf(f, " %zu / %zu |", cs->m[i].completed, cs->m[i].attempted);
	fputs("\n", f);
	for (int m = 0; m < M_COUNT; m++) {
		char *label;

		/* The projection stands beside total time in every table, so a
		 * reader sees it is not measured rather than missing. */
		if (!metric_defs[m].in_table ||
		    (!cs->has[m] && !(m == M_PROJECTED && cs->has[M_TOTAL_TIME])))
			continue;
		label = case_metric_label(cs, (enum metric)m);
		fprintf(f, "| %s |", label);
		for (size_t i = 0; i < cs->nm; i++) {
			char *c = cell_text(cs, &cs->m[i], (enum metric)m);

			fprintf(f, " %s |", c);
			free(c);
		}
		fputs("\n", f);
		free(label);
	}
	fputs("\n", f);
}

static void write_wire_table(FILE *f, const struct case_stats *cs)
{
	static const enum metric wire_rows[] = { M_LINK_GBIT, M_WIRE_MS, M_WIRE_RATIO };

	if (!cs->has[M_WIRE_MS])
		return;
	fprintf(f, "#### Wire-time floor\n\n");
	table_header(f, cs, "");
	for (size_t k = 0; k < ARRAY_SIZE(wire_rows); k++) {
		enum metric m = wire_rows[k];

		fprintf(f, "| %s |", metric_defs[m].label);
		for (size_t i = 0; i < cs->nm; i++) {
			const struct summary *s = &cs->m[i].s[m];
			char *v = m == M_WIRE_RATIO ? fmt_ratio(s->median) : fmt_num(s->median);

			fprintf(f, " %s |", s->n ? v : "–");
			free(v);
		}
		fputs("\n", f);
	}
	fputs("\n", f);
}

static void write_seed_table(FILE *f, const struct case_stats *cs)
{
	const struct seed_case *seed = seed_for(cs->c->name);
	const struct method_stats *b = cs->baseline, *pv = case_stats_method(cs, "pv-bitmap");
	const struct {
		enum metric m;
		double orig, pv;
	} rows[] = {
		{ M_TOTAL_TIME, seed ? seed->original_ms : 0, seed ? seed->pv_ms : 0 },
		{ M_TRANSFERRED_KB, seed ? seed->original_kb : 0, seed ? seed->pv_kb : 0 },
	};

	fprintf(f, "#### The seed, side by side\n\n");
	if (!seed) {
		fprintf(f, "The seed thread did not measure this case.\n\n");
		return;
	}
	fprintf(f, "| | seed original | seed pv | seed pv vs original | baseline (here) | "
		"pv-bitmap (here) | pv-bitmap vs baseline |\n|---|---|---|---|---|---|---|\n");
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		enum metric m = rows[i].m;
		double ob = b ? b->s[m].median : NAN, op = pv ? pv->s[m].median : NAN;
		char *so = fmt_num(rows[i].orig), *sp = fmt_num(rows[i].pv);
		char *sr = fmt_pct(percent_change(rows[i].pv, rows[i].orig));
		char *hb = fmt_num(ob), *hp = fmt_num(op), *hr = fmt_pct(percent_change(op, ob));

		fprintf(f, "| %s | %s | %s | %s | %s | %s | %s |\n", metric_defs[m].label, so, sp,
			sr, hb, hp, hr);
		free(so);
		free(sp);
		free(sr);
		free(hb);
		free(hp);
		free(hr);
	}
	{
		double wo = wire_time_ms(seed->original_kb, SEED_LINK_GBIT);
		double wp = wire_time_ms(seed->pv_kb, SEED_LINK_GBIT);
		char *a = fmt_num(wo), *c = fmt_num(wp);
		char *d = fmt_num(b ? b->s[M_WIRE_MS].median : NAN);
		char *e = fmt_num(pv ? pv->s[M_WIRE_MS].median : NAN);
		char *g = fmt_ratio(seed->original_ms / wo), *h = fmt_ratio(seed->pv_ms / wp);
		char *k = fmt_ratio(b ? b->s[M_WIRE_RATIO].median : NAN);
		char *l = fmt_ratio(pv ? pv->s[M_WIRE_RATIO].median : NAN);

		fprintf(f, "| wire time(ms) | %s | %s | | %s | %s | |\n", a, c, d, e);
		fprintf(f, "| total / wire time | %s | %s | | %s | %s | |\n", g, h, k, l);
		free(a);
		free(c);
		free(d);
		free(e);
		free(g);
		free(h);
		free(k);
		free(l);
	}
	fputs("\n", f);
}

static void write_findings(FILE *f, const struct case_stats *cs)
{
	struct strlist lines = { 0 };

	findings_for_case(cs, &lines);
	fprintf(f, "#### Findings\n\n");
	for (size_t i = 0; i < lines.n; i++)
		fprintf(f, "- %s\n", lines.v[i]);
	fputs("\n", f);
	strlist_free(&lines);
}

/* The first error of a migration whose guests were booted afresh after the
 * case's own preparation failed (run.json's prep_retry_error), or NULL. */
static const char *prep_retry_error(const struct mig_row *r)
{
	return r->json ? json_string_value(json_object_get(r->json, "prep_retry_error")) : NULL;
}

static void write_prep_retries(FILE *f, const struct case_data *c)
{
	size_t n = 0;

	for (size_t i = 0; i < c->nrows; i++)
		n += prep_retry_error(&c->rows[i]) != NULL;
	if (!n)
		return;
	fprintf(f, "Booted afresh, once, after the guest's preparation (boot, history, workload: "
		"the same for every method) failed before the method did anything; the second "
		"attempt's outcome is the one counted:\n\n| run | method | repeat | first "
		"attempt's error |\n|---|---|---|---|\n");
	for (size_t i = 0; i < c->nrows; i++) {
		const struct mig_row *r = &c->rows[i];

		if (!prep_retry_error(r))
			continue;
		fprintf(f, "| `%s` | %s | %d | ", c->runs[r->run].id, r->method, r->repeat);
		md_put_cell(f, prep_retry_error(r));
		fputs(" |\n", f);
	}
	fputs("\n", f);
}

static void write_failures(FILE *f, const struct case_stats *cs, const struct report_options *o)
{
	const struct case_data *c = cs->c;
	size_t failed = 0, run_errors = 0;

	for (size_t i = 0; i < c->nrows; i++)
		failed += !c->rows[i].ok;
	for (size_t i = 0; i < c->nruns; i++)
		run_errors += c->runs[i].error != NULL;
	fprintf(f, "#### Failed migrations\n\n");
	if (!failed && !run_errors) {
		fprintf(f, "None: every migration of the runs used completed without error.\n\n");
		write_prep_retries(f, c);
		return;
	}
	if (failed) {
		fprintf(f, "Not counted in the statistics above.\n\n| run | method | repeat | "
			"status | error |\n|---|---|---|---|---|\n");
		for (size_t i = 0; i < c->nrows; i++) {
			const struct mig_row *r = &c->rows[i];

			if (r->ok)
				continue;
			fprintf(f, "| `%s` | %s | %d | ", c->runs[r->run].id, r->method, r->repeat);
			md_put_cell(f, r->status);
			fputs(" | ", f);
			md_put_cell(f, r->error[0] ? r->error : "(none given)");
			fputs(" |\n", f);
		}
		fputs("\n", f);
	}
	for (size_t i = 0; i < c->nruns; i++) {
		if (!c->runs[i].error)
			continue;
		fprintf(f, "Run `%s/%s/%s` ended with an error: ", o->results_dir, c->name,
			c->runs[i].id);
		md_put_cell(f, c->runs[i].error);
		fputs("\n\n", f);
	}
	write_prep_retries(f, c);
}

static void write_plots(FILE *f, const struct case_stats *cs, const struct report_options *o)
{
	struct plot_plan plan;

	size_t shown = 0;

	plot_plan_make(cs, &plan);
	for (size_t i = 0; i < plan.n; i++)
		shown += plan.items[i].kind != PLOT_BREAKDOWN;
	if (shown) {
		fprintf(f, "#### Plots\n\n");
		/* The breakdown's image sits in its own subsection. */
		for (size_t i = 0; i < plan.n; i++)
			if (plan.items[i].kind != PLOT_BREAKDOWN)
				fprintf(f, "![%s](%s%s.png)\n\n", plan.items[i].title,
					o->image_prefix, plan.items[i].name);
	}
	plot_plan_free(&plan);
}

static void write_breakdown(FILE *f, const struct case_stats *cs, const struct report_options *o)
{
	struct plot_plan plan;
	char *link = NULL;

	plot_plan_make(cs, &plan);
	for (size_t i = 0; i < plan.n; i++)
		if (plan.items[i].kind == PLOT_BREAKDOWN)
			link = xasprintf("%s%s.png", o->image_prefix, plan.items[i].name);
	breakdown_write(f, cs, link);
	free(link);
	plot_plan_free(&plan);
}

/* What every case's tables and plots below share, said once. */
static void write_per_case_intro(FILE *f)
{
	fprintf(f, "## %s\n\n", APPENDIX_PER_CASE);
	fprintf(f, "How to read every case below:\n\n"
		"- **Results**: median [min–max] over the migrations that completed without "
		"error; in brackets after it, the change of the median against baseline. Lower is "
		"better for every time, byte and CPU figure; higher is better for guest ops. The "
		"projected rows are what the same migrations would take with a core per busy "
		"thread (see \"%s\"). `stock` is the same QEMU 10.0 source without our series: "
		"it shows the series costs nothing when off.\n"
		"- **The seed, side by side**: the seed's figures are single numbers from its "
		"thread (%d MiB guest, %.0f Gbit/s hosts, wire times at that nominal rate); ours "
		"are medians, with wire times at the measured link.\n"
		"- **Wire-time floor**: the least time any method can take is the wire time of "
		"the bytes it still sends, transferred ram at the link rate measured before the "
		"run. Total / wire is the median over migrations of each one's total time over "
		"its own wire time (the one figure quoted wherever a total over wire time "
		"appears); 1.00x is the floor.\n"
		"- **Where the time went**: each method's median-total-time migration among those "
		"with every component measured, split as defined under \"%s\".\n"
		"- **Plots**: colours are method families (stock precopy grey, the seed's "
		"bitmap alone or combined blue, upstream hinting green, the balloon orange, "
		"multifd purple, postcopy red). Bars are medians, whiskers min to max, dots "
		"every counted migration, a dashed line at baseline's median (and the downtime "
		"limit); an axis that says log scale is logarithmic. The remaining-RAM panels "
		"draw every counted migration; the throughput panels each method's "
		"median-total-time migration. SVG versions sit beside the PNGs.\n\n",
		APPENDIX_DEFINITIONS, SEED_MEM_MIB, SEED_LINK_GBIT, APPENDIX_DEFINITIONS);
}

static void write_case(FILE *f, const struct case_stats *cs, const struct report_options *o)
{
	const struct case_data *c = cs->c;

	if (c->description)
		fprintf(f, "### %s: %s\n\n", c->name, c->description);
	else
		fprintf(f, "### %s\n\n", c->name);
	if (!c->nruns) {
		if (c->nignored)
			fprintf(f, "No usable run: see Runs used.\n\n");
		else
			fprintf(f, "No runs yet: `%s/%s/` holds no run.\n\n", o->results_dir, c->name);
		return;
	}
	/* Says which QEMU and host a figure came from (the pooling rule makes
	 * each one) and which harness versions produced the runs. */
	fprintf(f, "QEMU of the %zu run%s pooled below: %s, patch series sha256 %s.\n\n", c->nruns,
		c->nruns == 1 ? "" : "s", c->qemu_source ? c->qemu_source : "not recorded",
		c->qemu_series ? c->qemu_series : "not recorded");
	fprintf(f, "Host: %s. Destination memory: %s. Harness version%s: ", c->host,
		regime_text(c->prealloc), c->harness_versions.n == 1 ? "" : "s");
	for (size_t i = 0; i < c->harness_versions.n; i++) {
		fputs(i ? ", " : "", f);
		md_put_cell(f, c->harness_versions.v[i]);
	}
	fputs(".\n\n", f);
	write_main_table(f, cs);
	write_seed_table(f, cs);
	write_wire_table(f, cs);
	write_breakdown(f, cs, o);
	downtime_write(f, cs);
	postcopy_write(f, cs);
	write_findings(f, cs);
	write_failures(f, cs, o);
	write_plots(f, cs, o);
}


/* Said at the top: with --include-uncommitted, figures may come from code
 * no commit records, and the reader must know which runs those are. */
void write_uncommitted_note(FILE *f, const struct result_set *rs, const struct report_options *o)
{
	struct used_run *used;
	size_t n = used_runs(rs, &used);
	struct strbuf sb = { 0 };

	for (size_t i = 0; i < n; i++)
		if (run_is_uncommitted(used[i].run->doc))
			sb_addf(&sb, "%s`%s/%s/%s` (%s)", sb.len ? ", " : "", o->results_dir,
				used[i].c->name, used[i].run->id,
				run_harness_version(used[i].run->doc));
	/* The archive's runs feed the base comparison under the same rule. */
	for (size_t ci = 0; o->archive && ci < o->narchive; ci++) {
		const struct case_data *c = o->archive[ci].c;

		for (size_t ri = 0; ri < c->nruns; ri++)
			if (run_is_uncommitted(c->runs[ri].doc))
				sb_addf(&sb, "%s`%s/%s/%s` (%s)", sb.len ? ", " : "", o->archive_dir,
					c->name, c->runs[ri].id,
					run_harness_version(c->runs[ri].doc));
	}
	fprintf(f, "**Includes uncommitted runs** (`--include-uncommitted`): runs whose harness "
		"tree had uncommitted changes are used like the others. ");
	if (sb.len)
		fprintf(f, "Used here: %s.\n\n", sb.s);
	else
		fprintf(f, "None of the runs used here is one.\n\n");
	free(sb.s);
	free(used);
}

void write_generated_note(FILE *f, const char *results_dir)
{
	fprintf(f, "<!-- Generated by `make report` (report/, build/report-gen) from %s/ only. "
		"Do not edit by hand: change the generator or the results and run `make report`. -->\n\n",
		results_dir);
}

/* Everything after the title and its notes; the caller lists its sections
 * first. */
static void write_body(FILE *f, const struct result_set *rs, const struct case_stats *cases,
		       const struct report_options *o)
{
	size_t nruns = 0;

	for (size_t i = 0; i < rs->ncases; i++)
		nruns += rs->cases[i].nruns + rs->cases[i].nignored;
	if (nruns) {
		answer_write(f, cases, rs->ncases);
		write_setup(f, rs);
		write_runs_used(f, rs, o);
		write_definitions(f);
		mechanisms_write_explanations(f);
		write_per_case_intro(f);
	} else {
		/* Right after the archive was set aside: say so instead of empty
		 * tables. */
		fprintf(f, "No results yet on the current QEMU base: no case directory of `%s/` "
			"holds a run.\n\n", o->results_dir);
	}
	for (size_t i = 0; i < rs->ncases; i++)
		write_case(f, &cases[i], o);
	if (nruns) {
		position_write(f, cases, rs->ncases);
		regimes_write(f, rs, cases, o->zeroing);
		srcregime_write(f, rs, cases);
		hogcheck_write(f, rs, cases);
		modecompare_write(f, rs, cases);
	}
	if (o->archive) {
		struct base_side cur = { cases, rs->ncases, o->results_dir };
		struct base_side old = { o->archive, o->narchive, o->archive_dir };

		basecompare_write(f, &cur, &old);
		gueststate_write(f, &cur, &old);
	}
	kvm_clear_write(f, o->kvmclear);
}

/* "## Contents": every level-2 heading of body, and under the per-case
 * detail its cases, as links; the appendix is long enough to need them.
 * Only those headings: they are the unique ones (a case's name heads a
 * subsection in several sections). */
static void write_contents(FILE *f, const char *body)
{
	bool in_cases = false;

	fprintf(f, "## Contents\n\n");
	for (const char *p = body; p && *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		int level = !strncmp(p, "## ", 3) ? 2 : !strncmp(p, "### ", 4) ? 3 : 0;

		if (level == 2 || (level == 3 && in_cases)) {
			char *h = xasprintf("%.*s", (int)(len - (size_t)level - 1), p + level + 1);
			char *a = md_anchor(h);

			if (level == 2)
				in_cases = !strcmp(h, APPENDIX_PER_CASE);
			fprintf(f, "%s- [%s](#%s)\n", level == 3 ? "  " : "", h, a);
			free(a);
			free(h);
		}
		p = nl ? nl + 1 : NULL;
	}
	fputc('\n', f);
}

int appendix_write(FILE *f, const struct result_set *rs, const struct case_stats *cases,
		   const struct report_options *o)
{
	char *body = NULL;
	size_t len = 0;
	FILE *mem;

	write_generated_note(f, o->results_dir);
	fprintf(f, "# Appendix: how the verdict was reached\n\n");
	fprintf(f, "*Generated by `make report` from `%s/`, with [%s](%s); do not edit this file "
		"by hand. Terms are defined in the [glossary](%s#glossary).*\n\n", o->results_dir,
		o->main_name, o->main_name, o->main_name);
	if (rs->include_uncommitted)
		write_uncommitted_note(f, rs, o);
	if (!rs->ncases) {
		fprintf(f, "No results yet: `%s/` holds no case directory.\n", o->results_dir);
		return ferror(f) ? -1 : 0;
	}
	mem = open_memstream(&body, &len);
	if (!mem)
		return -1;
	write_body(mem, rs, cases, o);
	if (fclose(mem)) {
		free(body);
		return -1;
	}
	write_contents(f, body);
	fputs(body, f);
	free(body);
	return ferror(f) ? -1 : 0;
}

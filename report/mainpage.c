#include "mainpage.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "appendix.h"
#include "comparison.h"
#include "downtime.h"
#include "format.h"
#include "glossary.h"
#include "mechanisms.h"
#include "plotdata.h"
#include "provenance.h"
#include "setup.h"
#include "usersenable.h"
#include "verdict.h"

/* Fewer counted migrations than this per cell are flagged (the issue asks
 * for at least 5 repeats). */
#define MIN_REPEATS 5
/* A set-up fact with more values than this is summarised, its runs listed
 * in the appendix. */
#define SETUP_MAX_VALUES 3

char *verdict_block(const struct strlist *verdict)
{
	struct strbuf sb = { 0 };

	sb_addf(&sb, "%s\n", VERDICT_BEGIN);
	for (size_t i = 0; i < verdict->n; i++)
		sb_addf(&sb, "%s\n", verdict->v[i]);
	sb_addf(&sb, "%s\n", VERDICT_END);
	return sb_take(&sb);
}

/* ---- set-up, compact: one line per fact, the runs behind it in the appendix */

static void write_setup(FILE *f, const struct result_set *rs, const struct report_options *o)
{
	struct setup_fact *facts;
	size_t n = setup_facts(rs, &facts);
	char *prov = md_anchor(APPENDIX_PROVENANCE);

	fprintf(f, "## Set-up\n\nFrom the `run.json` of every run used; where runs differ, the "
		"runs behind each value are under [%s](%s#%s).\n\n| | |\n|---|---|\n",
		APPENDIX_PROVENANCE, o->appendix_name, prov);
	for (size_t k = 0; k < n; k++) {
		const struct setup_fact *sf = &facts[k];

		fprintf(f, "| %s | ", sf->what);
		if (!strcmp(sf->what, "link") && sf->values.n > 1) {
			double lo = min_over_runs(rs, "link.measured_gbit");
			double hi = max_over_runs(rs, "link.measured_gbit");

			fprintf(f, "measured %.2f–%.2f Gbit/s with iperf3 before each run; wire "
				"times use each run's own", lo, hi);
		} else if (sf->values.n > SETUP_MAX_VALUES) {
			fprintf(f, "%zu values across the runs", sf->values.n);
		} else {
			for (size_t i = 0; i < sf->values.n; i++) {
				fputs(i ? "; " : "", f);
				md_put_cell(f, sf->values.v[i]);
			}
		}
		fputs(" |\n", f);
	}
	fputs("\n", f);
	setup_facts_free(facts, n);
	free(prov);
}

/* ---- per case: one compact table ------------------------------------- */

/* A figure's cell: "median [min–max]", or "–". */
static char *range_cell(const struct method_stats *ms, enum metric m)
{
	return summary_range_text(&ms->s[m]);
}

/* The method against baseline on m, worded by comparison.h. */
static char *versus_cell(const struct case_stats *cs, const struct method_stats *ms, enum metric m)
{
	struct comparison c;

	if (!cs->baseline || ms == cs->baseline)
		return xstrdup("—");
	if (!compare_methods(cs, ms->method, "baseline", m, &c))
		return xstrdup("n/a");
	return comparison_cell(&c, ms->method);
}

static const char *plot_short_name(const struct plot_item *it)
{
	switch (it->kind) {
	case PLOT_BARS: return it->metric == M_TRANSFERRED_KB ? "transferred RAM (GiB)"
							       : metric_defs[it->metric].label;
	case PLOT_END_TO_END: return "end-to-end = preparation + migration";
	case PLOT_SCATTER: return "downtime against total time";
	case PLOT_REMAINING: return "remaining RAM";
	case PLOT_THROUGHPUT: return "guest throughput";
	case PLOT_BREAKDOWN: return "where the time went";
	case PLOT_SPEEDUP: return "speed-up over baseline";
	}
	return it->name;
}

/* The case's main images, embedded; the rest as links. */
static void write_plot_links(FILE *f, const struct case_stats *cs, const struct report_options *o)
{
	struct plot_plan plan;
	char *heading = cs->c->description ? xasprintf("%s: %s", cs->c->name, cs->c->description)
					   : xstrdup(cs->c->name);
	char *anchor = md_anchor(heading);
	size_t linked = 0;

	plot_plan_make(cs, &plan);
	for (size_t i = 0; i < plan.n; i++)
		if (plan.items[i].in_main)
			fprintf(f, "![%s](%s%s.png)\n\n", plan.items[i].title, o->image_prefix,
				plan.items[i].name);
	for (size_t i = 0; i < plan.n; i++) {
		if (plan.items[i].in_main)
			continue;
		fprintf(f, "%s [%s](%s%s.png)", linked++ ? " ·" : "More plots:",
			plot_short_name(&plan.items[i]), o->image_prefix, plan.items[i].name);
	}
	fprintf(f, "%sFull tables, findings and failures: [%s](%s#%s).\n\n", linked ? ". " : "",
		o->appendix_name, o->appendix_name, anchor);
	plot_plan_free(&plan);
	free(anchor);
	free(heading);
}

/* The figures across cases, right under the verdict they illustrate. */
static void write_cross_plots(FILE *f, const struct case_stats *cases, size_t ncases,
			      const struct report_options *o)
{
	struct plot_plan plan;

	plot_cross_plan_make(cases, ncases, &plan);
	for (size_t i = 0; i < plan.n; i++)
		fprintf(f, "![%s](%s%s.png)\n\n", plan.items[i].title, o->image_prefix,
			plan.items[i].name);
	plot_plan_free(&plan);
}

static void write_case(FILE *f, const struct case_stats *cs, const struct report_options *o)
{
	static const enum metric versus[] = { M_TOTAL_TIME, M_END_TO_END, M_TRANSFERRED_KB };
	const struct case_data *c = cs->c;

	if (c->description)
		fprintf(f, "## %s: %s\n\n", c->name, c->description);
	else
		fprintf(f, "## %s\n\n", c->name);
	if (!c->nruns || !cs->has[M_TOTAL_TIME]) {
		fprintf(f, "%s\n\n", c->nruns ? "No migration completed." :
			c->nignored ? "No usable run (see the appendix's runs used)." :
			"No runs yet.");
		return;
	}
	fprintf(f, "%zu run%s (harness ", c->nruns, c->nruns == 1 ? "" : "s");
	for (size_t i = 0; i < c->harness_versions.n; i++) {
		fputs(i ? ", " : "", f);
		md_put_cell(f, c->harness_versions.v[i]);
	}
	fprintf(f, "), destination memory %s. Times in ms; ratios against baseline as in the "
		"verdict.\n\n", regime_text(c->prealloc));
	fprintf(f, "| method | completed | total time | vs baseline | end-to-end | vs baseline | "
		"downtime | GiB sent | vs baseline |\n|---|---|---|---|---|---|---|---|---|\n");
	for (size_t i = 0; i < cs->nm; i++) {
		const struct method_stats *ms = &cs->m[i];
		char *cells[3], *total = range_cell(ms, M_TOTAL_TIME), *e2e = range_cell(ms, M_END_TO_END);
		char *down = range_cell(ms, M_DOWNTIME);
		double kb = method_median(ms, M_TRANSFERRED_KB);

		for (size_t k = 0; k < ARRAY_SIZE(versus); k++)
			cells[k] = versus_cell(cs, ms, versus[k]);
		fprintf(f, "| %s | %zu / %zu | %s | %s | %s | %s | %s | ", ms->method, ms->completed,
			ms->attempted, total, cells[0], e2e, cells[1], down);
		if (isnan(kb))
			fputs("–", f);
		else
			fprintf(f, "%.2f", kb / 1048576.0);
		fprintf(f, " | %s |\n", cells[2]);
		for (size_t k = 0; k < ARRAY_SIZE(versus); k++)
			free(cells[k]);
		free(total);
		free(e2e);
		free(down);
	}
	fputs("\n", f);
	{
		char *note = downtime_main_note(cs);

		if (note)
			fprintf(f, "%s See [%s](%s#%s).\n\n", note, DOWNTIME_WHY,
				o->appendix_name, DOWNTIME_WHY_ANCHOR);
		free(note);
	}
	write_plot_links(f, cs, o);
}

/* ---- caveats, from what the runs recorded ----------------------------- */

static void write_caveats(FILE *f, const struct result_set *rs, const struct case_stats *cases,
			  const struct report_options *o)
{
	double cpus = min_over_runs(rs, "host.cpus"), link = min_over_runs(rs, "link.measured_gbit");
	struct strbuf few = { 0 };
	char *regimes = md_anchor("Destination regimes");

	fprintf(f, "## Caveats\n\n");
	if (any_run_has(rs, "accel.name", "tcg"))
		fprintf(f, "- **TCG.** Runs used QEMU's TCG, not KVM (the probe's reason is in the "
			"set-up). QEMU's migration path — dirty bitmap, page scanning, zero-page "
			"detection, the socket — is the same native code under TCG, so migration times "
			"and bytes measure it as on KVM. What TCG slows is the guest itself: workloads, "
			"the driver's free-list walk (hint latency), balloon inflation and the guest "
			"service, so preparation times and guest ops are pessimistic against KVM; the "
			"verdict gives balloon's end-to-end time at the thread's KVM inflation rate "
			"where that decides it. One exception reaches into migration time: `fph`'s "
			"guest driver allocates every free page while the bulk stage runs, so its vCPU "
			"work competes with the migration.\n");
	if (any_run_has(rs, "params.dst_prealloc", "on"))
		fprintf(f, "- **Destination preallocation.** The tables' destination QEMU "
			"preallocated its memory (`-mem-prealloc`), as hosts with preallocated "
			"hugepages have it. Without it, the destination's page faults on fresh memory, "
			"not the link, bound the migration rate on this kind of machine: see "
			"[Destination regimes](%s#%s).\n", o->appendix_name, regimes);
	if (!isnan(cpus))
		fprintf(f, "- **%.0f-core host.** Source QEMU, destination QEMU, the shaped veth "
			"link and the harness share %.0f CPUs on one machine, so they compete with "
			"each other; CPU figures include that contention and times carry its noise. "
			"The appendix projects each time to a core per busy thread.\n", cpus, cpus);
	if (!isnan(link) && link < 9.0)
		fprintf(f, "- **Link below 10 Gbit/s.** The slowest measured link was %.2f Gbit/s; "
			"wire times use each run's measured rate, the seed's used its nominal "
			"10 Gbit/s.\n", link);
	fprintf(f, "- **Two hosts, one machine.** \"Hosts\" are network namespaces joined by a "
		"veth pair shaped with `tc`; there is no physical NIC.\n");
	for (size_t ci = 0; ci < rs->ncases; ci++)
		for (size_t i = 0; i < cases[ci].nm; i++)
			if (cases[ci].m[i].completed < MIN_REPEATS)
				sb_addf(&few, "%s%s/%s (%zu)", few.len ? ", " : "", rs->cases[ci].name,
					cases[ci].m[i].method, cases[ci].m[i].completed);
	if (few.len)
		fprintf(f, "- **Few repeats.** Fewer than %d counted migrations in: %s. Medians and "
			"intervals of so few are indicative only.\n", MIN_REPEATS, few.s);
	free(few.s);
	fprintf(f, "- **Medians and intervals.** Every figure is a median with its full "
		"min–max range; outliers are kept. An interval describes the migrations of these "
		"runs on this host, not every host.\n");
	fprintf(f, "- **The seed's numbers** are single figures from a 2016 thread on other "
		"hardware; compare ratios, not absolute times.\n\n");
	free(regimes);
}

int mainpage_write(FILE *f, const struct result_set *rs, const struct case_stats *cases,
		   const struct strlist *verdict, const struct report_options *o)
{
	char *block = verdict_block(verdict);
	size_t nruns = 0;

	fprintf(f, "%s\n\n%s\n", REPORT_TITLE, block);
	free(block);
	write_generated_note(f, o->results_dir);
	fprintf(f, "*Generated by `make report` from `%s/`; do not edit this file by hand. "
		"Everything behind these figures (provenance, pooling rules, the full per-case "
		"tables and findings, the mechanisms, the probes) is in [%s](%s).*\n\n",
		o->results_dir, o->appendix_name, o->appendix_name);
	if (rs->include_uncommitted)
		write_uncommitted_note(f, rs, o);
	write_cross_plots(f, cases, rs->ncases, o);
	for (size_t i = 0; i < rs->ncases; i++)
		nruns += rs->cases[i].nruns + rs->cases[i].nignored;
	if (!nruns) {
		fprintf(f, "No results yet: no case directory of `%s/` holds a run.\n\n",
			o->results_dir);
		glossary_write(f, o->appendix_name);
		return ferror(f) ? -1 : 0;
	}
	write_setup(f, rs, o);
	for (size_t i = 0; i < rs->ncases; i++)
		write_case(f, &cases[i], o);
	users_enable_write(f, cases, rs->ncases);
	write_caveats(f, rs, cases, o);
	glossary_write(f, o->appendix_name);
	return ferror(f) ? -1 : 0;
}

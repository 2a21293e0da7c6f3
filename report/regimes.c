#include "regimes.h"

#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "provenance.h"
#include "util.h"

static const struct {
	enum metric m;
	const char *what;
} figures[] = {
	{ M_TOTAL_TIME, "total time(ms)" },
	{ M_PROJECTED, "projected(ms)" },
	{ M_TRANSFERRED_KB, "transferred(KB)" },
	{ M_DST_MAIN_CPU, "destination main thread CPU(ms)" },
	{ M_DST_MINFLT, "destination minor faults" },
	{ M_DST_HUGE_MIB, "destination huge pages after(MiB)" },
};

/* The distinct THP modes of a pool's runs, "; "-joined. */
static char *thp_of(const struct case_data *c)
{
	struct strlist seen = { 0 };
	struct strbuf sb = { 0 };

	for (size_t i = 0; i < c->nruns; i++) {
		char *t = run_thp_text(c->runs[i].doc);

		if (strlist_find(&seen, t) < 0)
			strlist_add(&seen, t);
		else
			free(t);
	}
	for (size_t i = 0; i < seen.n; i++)
		sb_addf(&sb, "%s%s", i ? "; " : "", seen.v[i]);
	strlist_free(&seen);
	return sb_take(&sb);
}

static void put_median(FILE *f, const struct case_stats *cs, const char *method, enum metric m)
{
	char *v = method_median_cell(cs, method, m);

	fprintf(f, " %s |", v);
	free(v);
}

static void write_pair(FILE *f, const struct case_stats *on, const struct case_stats *off)
{
	struct strlist methods = { 0 };
	char *thp_on = thp_of(on->c), *thp_off = thp_of(off->c);

	fprintf(f, "Preallocated: %zu run%s (scenario %s); not preallocated: %zu run%s (scenario "
		"%s). Host transparent hugepages: preallocated runs %s; not preallocated runs "
		"%s.\n\n", on->c->nruns, on->c->nruns == 1 ? "" : "s", on->c->runs[0].scenario,
		off->c->nruns, off->c->nruns == 1 ? "" : "s", off->c->runs[0].scenario, thp_on,
		thp_off);
	for (size_t i = 0; i < on->nm; i++)
		strlist_add(&methods, xstrdup(on->m[i].method));
	for (size_t i = 0; i < off->nm; i++)
		if (strlist_find(&methods, off->m[i].method) < 0)
			strlist_add(&methods, xstrdup(off->m[i].method));
	{
		enum metric m[ARRAY_SIZE(figures)];
		const char *labels[ARRAY_SIZE(figures)];

		for (size_t k = 0; k < ARRAY_SIZE(figures); k++) {
			m[k] = figures[k].m;
			labels[k] = figures[k].what;
		}
		regime_pair_table(f, on, off, &methods, m, labels, ARRAY_SIZE(figures), "prealloc",
				  "noprealloc");
	}
	strlist_free(&methods);
	free(thp_on);
	free(thp_off);
}

void regime_pair_table(FILE *f, const struct case_stats *a, const struct case_stats *b,
		       const struct strlist *methods, const enum metric *m,
		       const char *const *labels, size_t n, const char *a_name,
		       const char *b_name)
{
	fprintf(f, "| method |");
	for (size_t k = 0; k < n; k++)
		fprintf(f, " %s, %s | %s, %s |", labels[k], a_name, labels[k], b_name);
	fprintf(f, "\n|---|");
	for (size_t k = 0; k < n; k++)
		fprintf(f, "---|---|");
	fprintf(f, "\n");
	for (size_t i = 0; i < methods->n; i++) {
		fprintf(f, "| %s |", methods->v[i]);
		for (size_t k = 0; k < n; k++) {
			put_median(f, a, methods->v[i], m[k]);
			put_median(f, b, methods->v[i], m[k]);
		}
		fprintf(f, "\n");
	}
	fprintf(f, "\n");
}

void regimes_write(FILE *f, const struct result_set *rs, const struct case_stats *cases,
		   const struct host_zeroing *hz)
{
	fprintf(f, "## Destination regimes\n\nThe tables above measure one destination regime "
		"(preallocated whenever a run has it). Here each case's pooled runs stand beside "
		"the runs of the same scenario, host and QEMU in the other regime: medians over "
		"completed migrations. Without preallocation the destination faults its memory in "
		"as pages arrive; its minor faults count that, and the host's transparent hugepage "
		"mode decides how many there are. Its huge pages after the migration, read from "
		"its smaps (AnonHugePages), say how much of its memory came in 2 MiB faults, each "
		"of which zeroes 2 MiB; that zeroing is CPU time of the destination's main thread, "
		"which receives the stream, so the projection keeps it.\n\n");
	host_zeroing_write(f, hz);
	for (size_t i = 0; i < rs->ncases; i++) {
		const struct case_data *c = &rs->cases[i];
		const char *have, *missing;

		fprintf(f, "### %s\n\n", c->name);
		if (!c->nruns) {
			fprintf(f, "No run used in this case.\n\n");
			continue;
		}
		if (c->alt && c->alt->nruns) {
			struct case_stats alt;

			case_stats_compute(c->alt, &alt);
			if (c->prealloc == 0)
				write_pair(f, &alt, &cases[i]);
			else
				write_pair(f, &cases[i], &alt);
			case_stats_free(&alt);
			continue;
		}
		have = c->prealloc == 1 ? "preallocated" : c->prealloc == 0 ? "not preallocated" :
			"of unknown regime";
		missing = c->prealloc == 1 ? "without destination preallocation" :
			  c->prealloc == 0 ? "with destination preallocation" : "in another regime";
		if (c->alt_scenario)
			fprintf(f, "Only %s runs: no run %s (scenario %s) on the same host and QEMU.\n\n",
				have, missing, c->alt_scenario);
		else
			fprintf(f, "Only %s runs: the scenario %s names no destination regime, so no "
				"run of the other can be matched to it.\n\n", have,
				c->runs[0].scenario);
	}
}

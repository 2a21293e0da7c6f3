#include "modecompare.h"

#include <math.h>
#include <stdlib.h>

#include "format.h"
#include "util.h"

/* What orchestration could move: the migration's own figures. */
static const enum metric compared[] = { M_TOTAL_TIME, M_TRANSFERRED_KB, M_DOWNTIME };

static void put_cell(FILE *f, const struct method_stats *ms, enum metric m)
{
	char *r = summary_range_text(&ms->s[m]);

	fprintf(f, " %s | %zu |", r, ms->s[m].n);
	free(r);
}

static void write_case(FILE *f, const struct case_data *c, const struct case_stats *netns,
		       const struct case_stats *hosts)
{
	fprintf(f, "### %s\n\nnetns: %zu run%s of `%s`; hosts: %zu run%s of `%s` (%s).\n\n",
		c->name, c->nruns, c->nruns == 1 ? "" : "s", c->runs[c->nruns - 1].scenario,
		c->hosts->nruns, c->hosts->nruns == 1 ? "" : "s",
		c->hosts->runs[c->hosts->nruns - 1].scenario, c->hosts->host);
	fprintf(f, "| method | figure | netns: median [min–max] | n | hosts: median [min–max] | n "
		"| hosts vs netns |\n|---|---|---|---|---|---|---|\n");
	for (size_t i = 0; i < hosts->nm; i++) {
		const struct method_stats *h = &hosts->m[i];
		const struct method_stats *n = case_stats_method(netns, h->method);

		for (size_t k = 0; k < ARRAY_SIZE(compared); k++) {
			enum metric m = compared[k];
			double p = n ? percent_change(h->s[m].median, n->s[m].median) : NAN;

			fprintf(f, "| %s | %s |", h->method, metric_defs[m].label);
			if (n)
				put_cell(f, n, m);
			else
				fprintf(f, " not run | |");
			put_cell(f, h, m);
			if (isnan(p)) {
				fprintf(f, " – |\n");
			} else {
				char *pc = fmt_pct(p);

				/* Disjoint ranges: more than run-to-run spread. */
				fprintf(f, " %s (%s) |\n", pc,
					n->s[m].max < h->s[m].min || h->s[m].max < n->s[m].min ?
					"beyond the spread" : "within the spread");
				free(pc);
			}
		}
	}
	fprintf(f, "\n");
}

void modecompare_write(FILE *f, const struct result_set *rs, const struct case_stats *cases)
{
	bool any = false;

	for (size_t i = 0; i < rs->ncases; i++)
		any |= rs->cases[i].nruns && rs->cases[i].hosts && rs->cases[i].hosts->nruns;
	if (!any)
		return;
	fprintf(f, "## Orchestration: two hosts over ssh against network namespaces\n\n"
		"The same scenario on this machine in both modes of the harness: `netns`, where "
		"the harness starts both QEMUs itself inside two network namespaces, and `hosts` "
		"(`--src-host`/`--dst-host`), where each namespace runs its own sshd and "
		"everything the harness does on a \"host\" (starting QEMU, QMP and the guest "
		"agent through forwarded Unix sockets, iperf3, reading files) goes over one "
		"multiplexed OpenSSH connection per host. The migration stream takes the same "
		"shaped veth in both. A difference beyond the run-to-run spread would be what "
		"orchestrating over ssh adds (medians over completed migrations, lower is "
		"better).\n\n");
	for (size_t i = 0; i < rs->ncases; i++) {
		const struct case_data *c = &rs->cases[i];
		struct case_stats hosts;

		if (!c->nruns || !c->hosts || !c->hosts->nruns)
			continue;
		case_stats_compute(c->hosts, &hosts);
		write_case(f, c, &cases[i], &hosts);
		case_stats_free(&hosts);
	}
}

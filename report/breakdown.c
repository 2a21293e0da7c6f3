#include "breakdown.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "util.h"

const char *const bd_part_label[BD_COUNT] = {
	[BD_WIRE] = "a: wire",
	[BD_SRC_CPU] = "b: source CPU beyond wire",
	[BD_SRC_WAIT] = "c: source waiting for a CPU",
	[BD_DST] = "d: destination beyond source",
	[BD_REST] = "e: rest",
};

bool breakdown_of(const struct mig_row *r, struct breakdown *b)
{
	const double *v = r->v;
	double wire = v[M_WIRE_MS], src = v[M_SRC_MIG_CPU], wait = v[M_SRC_MIG_WAIT];
	double dst = v[M_DST_MAIN_CPU], total = v[M_TOTAL_TIME], sum;

	if (!r->ok || isnan(wire) || isnan(src) || isnan(wait) || isnan(dst) || isnan(total))
		return false;
	double raw[BD_REST] = {
		[BD_WIRE] = wire,
		[BD_SRC_CPU] = fmax(0, src - wire),
		[BD_SRC_WAIT] = wait,
		[BD_DST] = fmax(0, dst - fmax(src, wire)),
	};

	/* Stacked in order, each segment gets only what still fits under the
	 * measured total: components that ran at the same time as others
	 * must not be drawn as if they added up.  What did not fit is the
	 * overlap, said beside the numbers. */
	sum = 0;
	for (int p = 0; p < BD_REST; p++) {
		b->part[p] = fmin(raw[p], fmax(0, total - sum));
		sum += raw[p];
	}
	b->part[BD_REST] = fmax(0, total - sum);
	b->overlap_ms = fmax(0, sum - total);
	b->total = total;
	return true;
}

struct method_breakdown *breakdown_case(const struct case_stats *cs, bool *any)
{
	const struct case_data *c = cs->c;
	struct method_breakdown *out = xcalloc(cs->nm ? cs->nm : 1, sizeof(*out));
	const struct mig_row **rows = xmalloc((c->nrows ? c->nrows : 1) * sizeof(*rows));

	*any = false;
	for (size_t i = 0; i < cs->nm; i++) {
		struct breakdown tmp;
		size_t n = 0;

		out[i].ms = &cs->m[i];
		for (size_t r = 0; r < c->nrows; r++)
			if (!strcmp(c->rows[r].method, cs->m[i].method) &&
			    breakdown_of(&c->rows[r], &tmp))
				rows[n++] = &c->rows[r];
		out[i].measured = n;
		if (!n)
			continue;
		/* The lower middle for an even count, as the representative
		 * migration of the progress plot. */
		qsort(rows, n, sizeof(*rows), mig_row_cmp_total);
		out[i].row = rows[(n - 1) / 2];
		breakdown_of(out[i].row, &out[i].b);
		*any = true;
	}
	free(rows);
	return out;
}

static void put_ms(FILE *f, double v)
{
	char *s = fmt_num(v);

	fprintf(f, " %s |", s);
	free(s);
}

void breakdown_write(FILE *f, const struct case_stats *cs, const char *image_link)
{
	bool any;
	struct method_breakdown *mb = breakdown_case(cs, &any);
	struct strbuf overlap = { 0 };

	fprintf(f, "#### Where the time went\n\n");
	if (!any) {
		fprintf(f, "Not measured: no counted migration of the runs used has the per-thread "
			"figures (`src_mig_cpu_ms`, `src_mig_wait_ms`, `dst_main_cpu_ms`) and a wire "
			"time.\n\n");
		free(mb);
		return;
	}
	fprintf(f, "| method | migration | total time(ms) |");
	for (int p = 0; p < BD_COUNT; p++)
		fprintf(f, " %s |", bd_part_label[p]);
	fprintf(f, " overlapping, not stacked | measured / completed |\n|---|---|---|---|");
	for (int p = 0; p < BD_COUNT; p++)
		fprintf(f, "---|");
	fprintf(f, "---|\n");
	for (size_t i = 0; i < cs->nm; i++) {
		const struct method_breakdown *m = &mb[i];

		fprintf(f, "| %s |", m->ms->method);
		if (!m->row) {
			fprintf(f, " not measured | | |");
			for (int p = 0; p < BD_COUNT; p++)
				fprintf(f, " |");
			fprintf(f, " 0 / %zu |\n", m->ms->completed);
			continue;
		}
		fprintf(f, " `%s` repeat %d |", cs->c->runs[m->row->run].id, m->row->repeat);
		put_ms(f, m->b.total);
		for (int p = 0; p < BD_COUNT; p++)
			put_ms(f, m->b.part[p]);
		put_ms(f, m->b.overlap_ms);
		fprintf(f, " %zu / %zu |\n", m->measured, m->ms->completed);
		if (m->b.overlap_ms > 0) {
			char *o = fmt_num(m->b.overlap_ms);

			sb_addf(&overlap, "%s%s (by %s ms)",
				overlap.len ? ", " : "", m->ms->method, o);
			free(o);
		}
	}
	fprintf(f, "\n");
	if (overlap.len)
		fprintf(f, "The components overlapped in time for %s: the segments as defined add "
			"up to more than the measured total, so the migration thread's wait for a CPU "
			"or the destination's share ran while another stage did. Each stack stops at "
			"the measured total; the part that did not fit is the overlapping column, not "
			"drawn.\n\n", overlap.s);
	if (image_link)
		fprintf(f, "![%s: where the time went](%s)\n\n", cs->c->name, image_link);
	free(overlap.s);
	free(mb);
}

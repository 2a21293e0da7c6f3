#include "downtime.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "comparison.h"
#include "format.h"

static double num_or_nan(json_t *v)
{
	return json_is_number(v) ? json_number_value(v) : NAN;
}

/* When the status became "device" (the guest stopped), in the clock of
 * the progress samples; NAN when not recorded. */
static double stop_ms(const struct mig_row *r)
{
	json_t *ev = json_object_get(r->json, "migration_events"), *e;
	size_t k;

	json_array_foreach(ev, k, e) {
		json_t *st = json_object_get(e, "status");

		if (json_is_string(st) && !strcmp(json_string_value(st), "device"))
			return num_or_nan(json_object_get(e, "t_ms"));
	}
	return NAN;
}

bool stop_point_of(const struct mig_row *r, struct stop_point *out)
{
	json_t *p = r && r->json ? json_object_get(r->json, "progress") : NULL, *s;
	double stop = r && r->json ? stop_ms(r) : NAN;
	bool found = false;
	size_t k;

	if (isnan(stop))
		return false;
	json_array_foreach(p, k, s) {
		double t = num_or_nan(json_object_get(s, "t_ms"));
		double rem = num_or_nan(json_object_get(s, "remaining"));
		double pass = num_or_nan(json_object_get(s, "dirty-sync-count"));

		if (isnan(t) || t > stop || isnan(rem) || isnan(pass))
			continue;
		out->pass = pass;
		out->left_mib = rem / 1048576.0;
		out->before_ms = stop - t;
		found = true;
	}
	if (!found)
		return false;
	out->left_link_ms = isnan(r->v[M_LINK_GBIT]) ? NAN :
			    wire_time_ms(out->left_mib * 1024.0, r->v[M_LINK_GBIT]);
	return true;
}

struct stop_summary {
	size_t n;		/* migrations with a stop point */
	size_t in_bulk;		/* of them, stopped in the first pass */
	struct summary left, before, link, down;
};

static void summarize_method(const struct case_stats *cs, const char *method,
			     struct stop_summary *out)
{
	const struct case_data *c = cs->c;
	double *left = xcalloc(c->nrows + 1, sizeof(double));
	double *before = xcalloc(c->nrows + 1, sizeof(double));
	double *link = xcalloc(c->nrows + 1, sizeof(double));
	double *down = xcalloc(c->nrows + 1, sizeof(double));

	memset(out, 0, sizeof(*out));
	for (size_t r = 0; r < c->nrows; r++) {
		struct stop_point sp;

		if (!c->rows[r].ok || strcmp(c->rows[r].method, method) ||
		    !stop_point_of(&c->rows[r], &sp))
			continue;
		left[out->n] = sp.left_mib;
		before[out->n] = sp.before_ms;
		link[out->n] = sp.left_link_ms;
		down[out->n] = c->rows[r].v[M_DOWNTIME];
		out->in_bulk += sp.pass <= 1;
		out->n++;
	}
	out->left = summarize(left, out->n);
	out->before = summarize(before, out->n);
	out->link = summarize(link, out->n);
	out->down = summarize(down, out->n);
	free(left);
	free(before);
	free(link);
	free(down);
}

/* Every method's summary, in the case's method order; NULL when no
 * migration of the case has a stop point.  Caller frees. */
static struct stop_summary *summarize_case(const struct case_stats *cs)
{
	struct stop_summary *all = xcalloc(cs->nm + 1, sizeof(*all));
	bool any = false;

	for (size_t i = 0; i < cs->nm; i++) {
		summarize_method(cs, cs->m[i].method, &all[i]);
		any |= all[i].n > 0;
	}
	if (!any) {
		free(all);
		return NULL;
	}
	return all;
}

void downtime_write(FILE *f, const struct case_stats *cs)
{
	struct stop_summary *all = summarize_case(cs);

	if (!all)
		return;
	fprintf(f, "#### Downtime, from the counters\n\n"
		"QEMU stops the guest once what is left fits in the downtime limit at its "
		"bandwidth estimate, and sends the rest while the guest is stopped (see "
		"[Why downtimes differ](#why-downtimes-differ)). Per method, medians over its "
		"migrations with a progress sample before the stop: the pass the stop came in "
		"(pass 1 is the bulk stage, still unfinished), what was left at the last sample "
		"before the stop, and that amount's time on the measured link.\n\n"
		"| method | downtime (ms) | stops in pass 1 | MiB left before the stop | "
		"sampled ms before the stop | its link time (ms) |\n|---|---|---|---|---|---|\n");
	for (size_t i = 0; i < cs->nm; i++) {
		const struct stop_summary *s = &all[i];
		char *down, *left, *before, *link;

		if (!s->n)
			continue;
		down = summary_range_text(&s->down);
		left = summary_range_text(&s->left);
		before = summary_range_text(&s->before);
		link = summary_range_text(&s->link);
		fprintf(f, "| %s | %s | %zu / %zu | %s | %s | %s |\n", cs->m[i].method, down,
			s->in_bulk, s->n, left, before, link);
		free(down);
		free(left);
		free(before);
		free(link);
	}
	fputs("\n", f);
	free(all);
}

/* The summary of one method out of summarize_case()'s array; NULL when the
 * case lacks the method or none of its migrations has a stop point. */
static const struct stop_summary *summary_of(const struct case_stats *cs,
					     const struct stop_summary *all, const char *method)
{
	const struct method_stats *m = case_stats_method(cs, method);

	return m && all[m - cs->m].n ? &all[m - cs->m] : NULL;
}

char *downtime_main_note(const struct case_stats *cs)
{
	const struct stop_summary *pv, *base;
	struct stop_summary *all;
	struct comparison c;
	char *note = NULL;

	if (!compare_methods(cs, "pv-bitmap", "baseline", M_DOWNTIME, &c) || !c.clear ||
	    strcmp(c.loser, "pv-bitmap"))
		return NULL;
	all = summarize_case(cs);
	pv = all ? summary_of(cs, all, "pv-bitmap") : NULL;
	base = all ? summary_of(cs, all, "baseline") : NULL;
	if (pv && base && pv->in_bulk * 2 > pv->n)
		note = xasprintf("pv-bitmap's longer downtime is QEMU's switch-over rule, not "
				 "lost work: its bulk stage sends only used pages, at the link's "
				 "rate, so QEMU's bandwidth estimate is high and it stops the guest "
				 "early, in the first pass in %zu of %zu migrations, with a median "
				 "%.0f MiB still to send at the last sample before the stop (%.0f ms "
				 "on the link), which then goes out while the guest is stopped; "
				 "baseline, whose estimate stays low while it walks zero pages, "
				 "stopped with %.0f MiB left. Both stay under the limit; under a "
				 "lower one QEMU would send more of it while the guest runs.",
				 pv->in_bulk, pv->n, pv->left.median, pv->link.median,
				 base->left.median);
	free(all);
	return note;
}

#include "plotdata.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "breakdown.h"
#include "comparison.h"
#include "../harness/src/methods/methods.h"

/* ---- what to plot ---------------------------------------------------- */

static char *metric_label(const struct case_stats *cs, enum metric m)
{
	if (m == M_TRANSFERRED_KB)
		return xstrdup("transferred RAM (GiB)");
	return case_metric_label(cs, m);
}

/* Bytes are plotted in GiB: seven-digit KB ticks do not read. */
static double plot_scale(enum metric m)
{
	return m == M_TRANSFERRED_KB ? 1.0 / 1048576.0 : 1.0;
}

/* Progress samples of a migration that say how much was left, or NULL. */
static json_t *progress_of(const struct mig_row *r)
{
	json_t *p = r ? json_object_get(r->json, "progress") : NULL;

	return json_is_array(p) && json_array_size(p) ? p : NULL;
}

/* The guest service's throughput series of one migration.  Accepted shapes
 * (the harness adds it for case3): "guest_throughput": [{t_ms, ops}, ...]
 * with "migration_start_ms"/"migration_end_ms" beside it in the migration,
 * or "guest_throughput": {"samples": [...], "migration_start_ms": ...,
 * "migration_end_ms": ...}.  A missing start is 0 (the clock of the progress
 * history, which starts at the migrate command); a missing end is start plus
 * the total time. */
struct throughput {
	json_t *samples;
	double start_ms, end_ms;
};

static double number_or(json_t *v, double fallback)
{
	return json_is_number(v) ? json_number_value(v) : fallback;
}

static int throughput_of(const struct mig_row *r, struct throughput *tp)
{
	json_t *g = r ? json_object_get(r->json, "guest_throughput") : NULL;
	json_t *holder = r ? r->json : NULL;
	double total = r && !isnan(r->v[M_TOTAL_TIME]) ? r->v[M_TOTAL_TIME] : 0;

	if (json_is_object(g)) {
		holder = g;
		g = json_object_get(g, "samples");
	}
	if (!json_is_array(g) || !json_array_size(g))
		return 0;
	tp->samples = g;
	tp->start_ms = number_or(json_object_get(holder, "migration_start_ms"),
				 number_or(json_object_get(r->json, "migration_start_ms"), 0));
	tp->end_ms = number_or(json_object_get(holder, "migration_end_ms"),
			       number_or(json_object_get(r->json, "migration_end_ms"),
					 tp->start_ms + total));
	return 1;
}

static void plan_add(struct plot_plan *plan, enum plot_kind kind, enum metric m, bool in_main,
		     char *name, char *title, char *ylabel)
{
	plan->items = xrealloc(plan->items, (plan->n + 1) * sizeof(*plan->items));
	plan->items[plan->n++] = (struct plot_item){ kind, m, in_main, name, title, ylabel };
}

static bool case_has_progress(const struct case_stats *cs)
{
	for (size_t r = 0; r < cs->c->nrows; r++)
		if (cs->c->rows[r].ok && progress_of(&cs->c->rows[r]))
			return true;
	return false;
}

void plot_plan_make(const struct case_stats *cs, struct plot_plan *plan)
{
	const struct case_data *c = cs->c;
	/* Plot titles carry the case name only: the report's heading above
	 * each image gives the description, and long titles get cut off. */
	const char *title = c->name;
	int has_throughput = 0;

	memset(plan, 0, sizeof(*plan));
	for (int m = 0; m < M_COUNT; m++) {
		if (!metric_defs[m].plotted || !cs->has[m])
			continue;
		if (m == M_END_TO_END) {
			plan_add(plan, PLOT_END_TO_END, M_END_TO_END, true,
				 xasprintf("%s-%s", c->name, metric_defs[m].slug),
				 xasprintf("%s: end-to-end time = preparation + migration, medians "
					   "(log scale)", title),
				 xstrdup("time (ms, log scale)"));
			continue;
		}
		plan_add(plan, PLOT_BARS, (enum metric)m, false,
			 xasprintf("%s-%s", c->name, metric_defs[m].slug),
			 xasprintf("%s: %s, median with min-max", title,
				   m == M_TRANSFERRED_KB ? "transferred RAM (GiB)" : metric_defs[m].label),
			 metric_label(cs, (enum metric)m));
	}
	if (cs->has[M_TOTAL_TIME] && cs->has[M_DOWNTIME])
		plan_add(plan, PLOT_SCATTER, M_DOWNTIME, true, xasprintf("%s-downtime_vs_total", c->name),
			 xasprintf("%s: downtime against total time, one point per migration (log scales)",
				   title),
			 xstrdup("downtime (ms, log scale)"));
	for (size_t i = 0; i < cs->nm; i++) {
		struct throughput tp;

		has_throughput |= throughput_of(cs->m[i].representative, &tp);
	}
	if (case_has_progress(cs))
		plan_add(plan, PLOT_REMAINING, M_TOTAL_TIME, false, xasprintf("%s-remaining", c->name),
			 xasprintf("%s: remaining RAM, every migration, a panel per method family",
				   title),
			 xstrdup("remaining (MiB)"));
	if (has_throughput)
		plan_add(plan, PLOT_THROUGHPUT, M_TOTAL_TIME, false, xasprintf("%s-throughput", c->name),
			 xasprintf("%s: guest service throughput, a panel per method", title),
			 xstrdup("guest service ops/s"));
	{
		bool any;

		free(breakdown_case(cs, &any));
		if (any)
			plan_add(plan, PLOT_BREAKDOWN, M_TOTAL_TIME, false,
				 xasprintf("%s-breakdown", c->name),
				 xasprintf("%s: where the time went (median-total-time migration)",
					   title),
				 xstrdup("ms"));
	}
}

/* A case can say how much faster than baseline a method is on m. */
static bool case_has_speedup(const struct case_stats *cs, enum metric m)
{
	if (!cs->baseline || isnan(method_median(cs->baseline, m)))
		return false;
	for (size_t i = 0; i < cs->nm; i++)
		if (&cs->m[i] != cs->baseline && !isnan(method_median(&cs->m[i], m)))
			return true;
	return false;
}

void plot_cross_plan_make(const struct case_stats *cases, size_t ncases, struct plot_plan *plan)
{
	static const enum metric figures[] = { M_TOTAL_TIME, M_END_TO_END };

	memset(plan, 0, sizeof(*plan));
	for (size_t k = 0; k < ARRAY_SIZE(figures); k++) {
		bool any = false;

		for (size_t ci = 0; ci < ncases && !any; ci++)
			any = case_has_speedup(&cases[ci], figures[k]);
		if (any)
			plan_add(plan, PLOT_SPEEDUP, figures[k], true,
				 xasprintf("cases-speedup_%s", metric_defs[figures[k]].slug),
				 xasprintf("Speed-up over baseline in %s, per case: baseline median / "
					   "method median, 95%% bootstrap interval (log scale)",
					   figures[k] == M_TOTAL_TIME ? "migration time" : "end-to-end time"),
				 xstrdup("speed-up over baseline (x, log scale; above 1 is faster)"));
	}
}

void plot_plan_free(struct plot_plan *plan)
{
	for (size_t i = 0; i < plan->n; i++) {
		free(plan->items[i].name);
		free(plan->items[i].title);
		free(plan->items[i].ylabel);
	}
	free(plan->items);
	memset(plan, 0, sizeof(*plan));
}

/* ---- colours: method families ----------------------------------------- */

/* The family a method is drawn in (its linetype in plots/common.gp): the
 * harness table's, or one past the last for a name the table no longer
 * has (an archived run's). */
static int family_of(const char *method)
{
	const struct method *m = method_find(method);

	return m && m->family ? (int)m->family : FAMILY_COUNT + 1;
}

static const char *family_label(int f)
{
	return f >= 1 && f <= FAMILY_COUNT ? method_family_name((enum method_family)f) : "other";
}

/* The method's place among the case's methods of its family, from 1: the
 * point type or panel colour that tells family members apart. */
static int member_of(const struct case_stats *cs, size_t i)
{
	int f = family_of(cs->m[i].method), k = 1;

	for (size_t j = 0; j < i; j++)
		k += family_of(cs->m[j].method) == f;
	return k;
}

/* The downtime limit the case's newest run asked for, or NAN. */
static double downtime_limit(const struct case_stats *cs)
{
	json_t *doc = case_stats_newest_doc(cs);
	json_t *v = doc ? json_object_get(json_object_get(doc, "params"), "downtime_limit_ms") : NULL;

	return json_is_number(v) ? json_number_value(v) : NAN;
}

/* ---- writing files ---------------------------------------------------- */

/* Files are written beside their final name and renamed into place, so a
 * reader never sees half a file. */
struct outfile {
	FILE *f;
	char *path, *tmp;
};

static int out_open(struct outfile *o, const char *path, struct error *e)
{
	o->path = xstrdup(path);
	o->tmp = xasprintf("%s.tmp", path);
	o->f = fopen(o->tmp, "w");
	if (!o->f) {
		error_set(e, "%s: cannot write: %s", o->tmp, strerror(errno));
		free(o->path);
		free(o->tmp);
		return -1;
	}
	return 0;
}

static int out_close(struct outfile *o, struct error *e)
{
	int bad = ferror(o->f);

	if (fclose(o->f) != 0 || bad) {
		bad = 1;
		error_set(e, "%s: write failed", o->tmp);
		unlink(o->tmp);
	} else if (rename(o->tmp, o->path) != 0) {
		error_set(e, "%s: cannot rename to %s: %s", o->tmp, o->path, strerror(errno));
		unlink(o->tmp);
		bad = 1;
	}
	free(o->path);
	free(o->tmp);
	return bad ? -1 : 0;
}

/* gnuplot single-quoted string: a quote is written twice. */
static void gp_quote(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s; s++) {
		if (*s == '\'')
			fputc('\'', f);
		fputc(*s, f);
	}
	fputc('\'', f);
}

static void write_num(FILE *f, double v)
{
	if (isnan(v))
		fprintf(f, "\tNaN");
	else
		fprintf(f, "\t%.10g", v);
}

/* gnuplot variables the scripts read, set in the driver right before each
 * call: every script's header lists the ones it reads, and every call sets
 * all of them, so nothing carries over from the image before. */
static void var_str(struct strbuf *vars, const char *name, const char *value)
{
	sb_addf(vars, "%s = '", name);
	for (const char *p = value; *p; p++) {
		if (*p == '\'')
			sb_addf(vars, "'");
		sb_addf(vars, "%c", *p);
	}
	sb_addf(vars, "'\n");
}

static void var_num(struct strbuf *vars, const char *name, double v)
{
	sb_addf(vars, "%s = %.10g\n", name, isnan(v) ? -1.0 : v);
}

/* A space-separated word list, the form the gnuplot scripts index with
 * word(): append one word, then write the list as a variable and free it. */
static void __attribute__((format(printf, 2, 3)))
words_add(struct strbuf *words, const char *fmt, ...)
{
	va_list ap;

	if (words->len)
		sb_addf(words, " ");
	va_start(ap, fmt);
	sb_vaddf(words, fmt, ap);
	va_end(ap);
}

static void var_words(struct strbuf *vars, const char *name, struct strbuf *words)
{
	char *s = sb_take(words);

	var_str(vars, name, s);
	free(s);
}

/* fams/famnames: the families present in the case, for the legend. */
static void var_families(struct strbuf *vars, const struct case_stats *cs)
{
	struct strbuf fams = { 0 }, names = { 0 };
	bool seen[FAMILY_COUNT + 2] = { false };

	for (size_t i = 0; i < cs->nm; i++)
		seen[family_of(cs->m[i].method)] = true;
	for (int f = 1; f <= FAMILY_COUNT + 1; f++)
		if (seen[f]) {
			words_add(&fams, "%d", f);
			words_add(&names, "%s", family_label(f));
		}
	var_words(vars, "fams", &fams);
	var_words(vars, "famnames", &names);
}

/* A log axis when the medians span a factor of 20 or more: on a linear one
 * the fast methods' bars vanish. */
static bool wants_log(double lo, double hi)
{
	return lo > 0 && isfinite(lo) && hi / lo >= 20;
}

/* Block 0: one line per method (x, method, median, min, max, n, family);
 * methods with nothing to show keep their slot with NaN so the axis still
 * names them.  Block 1: every counted migration (x, value), so outliers are
 * shown.  Values in the plot's unit (plot_scale). */
static void write_bars(FILE *f, const struct case_stats *cs, const struct plot_item *it,
		       struct strbuf *vars)
{
	const struct case_data *c = cs->c;
	double scale = plot_scale(it->metric), lo = INFINITY, hi = 0;

	fprintf(f, "# %s: %s\n# generated by report-gen from results/; do not edit\n",
		c->name, metric_defs[it->metric].label);
	fprintf(f, "# x\tmethod\tmedian\tmin\tmax\tn\tfamily\n");
	for (size_t i = 0; i < cs->nm; i++) {
		const struct summary *s = &cs->m[i].s[it->metric];

		fprintf(f, "%zu\t%s", i, cs->m[i].method);
		write_num(f, s->median * scale);
		write_num(f, s->min * scale);
		write_num(f, s->max * scale);
		fprintf(f, "\t%zu\t%d\n", s->n, family_of(cs->m[i].method));
		if (s->median > 0 && s->median * scale < lo)
			lo = s->median * scale;
		if (s->median * scale > hi)
			hi = s->median * scale;
	}
	fprintf(f, "\n\n# every counted migration\n# x\tvalue\n");
	for (size_t i = 0; i < cs->nm; i++)
		for (size_t r = 0; r < c->nrows; r++)
			if (c->rows[r].ok && !strcmp(c->rows[r].method, cs->m[i].method) &&
			    !isnan(c->rows[r].v[it->metric]))
				fprintf(f, "%zu\t%.10g\n", i, c->rows[r].v[it->metric] * scale);
	var_families(vars, cs);
	var_num(vars, "ref_baseline", cs->baseline && cs->baseline->s[it->metric].n ?
				       cs->baseline->s[it->metric].median * scale : NAN);
	var_num(vars, "ref_limit", it->metric == M_DOWNTIME ? downtime_limit(cs) : NAN);
	var_num(vars, "logy", wants_log(lo, hi));
}

/* End-to-end time as preparation plus migration.  Block 0: x, method,
 * end-to-end median, min, max, n, family, migration-time median; block 1:
 * every counted migration's end-to-end time. */
static void write_end_to_end(FILE *f, const struct case_stats *cs, struct strbuf *vars)
{
	const struct case_data *c = cs->c;

	fprintf(f, "# %s: end-to-end and migration time (ms)\n"
		"# generated by report-gen from results/; do not edit\n"
		"# x\tmethod\tmedian\tmin\tmax\tn\tfamily\tmigration\n", c->name);
	for (size_t i = 0; i < cs->nm; i++) {
		const struct summary *s = &cs->m[i].s[M_END_TO_END];

		fprintf(f, "%zu\t%s", i, cs->m[i].method);
		write_num(f, s->median);
		write_num(f, s->min);
		write_num(f, s->max);
		fprintf(f, "\t%zu\t%d", s->n, family_of(cs->m[i].method));
		write_num(f, method_median(&cs->m[i], M_TOTAL_TIME));
		fprintf(f, "\n");
	}
	fprintf(f, "\n\n# every counted migration's end-to-end time\n# x\tvalue\n");
	for (size_t i = 0; i < cs->nm; i++)
		for (size_t r = 0; r < c->nrows; r++)
			if (c->rows[r].ok && !strcmp(c->rows[r].method, cs->m[i].method) &&
			    !isnan(c->rows[r].v[M_END_TO_END]))
				fprintf(f, "%zu\t%.10g\n", i, c->rows[r].v[M_END_TO_END]);
	var_families(vars, cs);
	var_num(vars, "ref_baseline", method_median(cs->baseline, M_END_TO_END));
}

/* Point types that tell a family's members apart, filled then open. */
#define MEMBER_POINT_TYPES "7 5 9 13 6 4 8 12"

/* Downtime against total time.  One block per method with a point (total,
 * downtime); methods without one are left out, so no block is empty. */
static void write_scatter(FILE *f, const struct case_stats *cs, struct strbuf *vars)
{
	const struct case_data *c = cs->c;
	struct strbuf names = { 0 }, fams = { 0 }, members = { 0 };
	int block = 0;

	fprintf(f, "# %s: downtime (ms) against total time (ms), every counted migration\n"
		"# generated by report-gen from results/; do not edit\n", c->name);
	for (size_t i = 0; i < cs->nm; i++) {
		int n = 0;

		for (size_t r = 0; r < c->nrows; r++) {
			const struct mig_row *row = &c->rows[r];

			if (!row->ok || strcmp(row->method, cs->m[i].method) ||
			    isnan(row->v[M_TOTAL_TIME]) || isnan(row->v[M_DOWNTIME]) ||
			    row->v[M_TOTAL_TIME] <= 0 || row->v[M_DOWNTIME] <= 0)
				continue;
			if (!n++)
				fprintf(f, "%s# %s\n", block ? "\n\n" : "", cs->m[i].method);
			fprintf(f, "%.10g\t%.10g\n", row->v[M_TOTAL_TIME], row->v[M_DOWNTIME]);
		}
		if (!n)
			continue;
		words_add(&names, "%s", cs->m[i].method);
		words_add(&fams, "%d", family_of(cs->m[i].method));
		words_add(&members, "%d", member_of(cs, i));
		block++;
	}
	var_words(vars, "methods", &names);
	var_words(vars, "blockfams", &fams);
	var_words(vars, "members", &members);
	var_str(vars, "member_pts", MEMBER_POINT_TYPES);
	var_num(vars, "ref_limit", downtime_limit(cs));
}

/* Every counted migration's remaining RAM against time since migrate, a
 * block each, grouped by family (a panel each): t_ms, remaining MiB, and
 * the remaining MiB again where a pass starts (the first sample of a new
 * dirty-sync-count; NaN elsewhere), so the passes are marked.  Samples at
 * t <= 0 are left out: the time axis is logarithmic. */
static void write_remaining(FILE *f, const struct case_stats *cs, struct strbuf *vars)
{
	const struct case_data *c = cs->c;
	struct strbuf pnames = { 0 }, first = { 0 }, last = { 0 };
	struct strbuf titles = { 0 }, members = { 0 };
	int block = 0;

	fprintf(f, "# %s: remaining RAM (MiB) against time since migrate (ms), every counted "
		"migration\n# generated by report-gen from results/; do not edit\n"
		"# t_ms\tremaining\tpass_start\n", c->name);
	for (int fam = 1; fam <= FAMILY_COUNT + 1; fam++) {
		int first_block = block;

		for (size_t i = 0; i < cs->nm; i++) {
			bool titled = false;

			if (family_of(cs->m[i].method) != fam)
				continue;
			for (size_t r = 0; r < c->nrows; r++) {
				const struct mig_row *row = &c->rows[r];
				json_t *p = row->ok && !strcmp(row->method, cs->m[i].method) ?
					    progress_of(row) : NULL, *smp;
				double prev_sync = -1;
				size_t k;
				int n = 0;

				json_array_foreach(p, k, smp) {
					json_t *t = json_object_get(smp, "t_ms");
					json_t *rem = json_object_get(smp, "remaining");
					double sync = number_or(json_object_get(smp, "dirty-sync-count"), -1);

					if (!json_is_number(t) || !json_is_number(rem) ||
					    json_number_value(t) <= 0)
						continue;
					if (!n++)
						fprintf(f, "%s# %s: %s repeat %d\n", block ? "\n\n" : "",
							row->method, c->runs[row->run].id, row->repeat);
					fprintf(f, "%.10g\t%.10g", json_number_value(t),
						json_number_value(rem) / 1048576.0);
					if (sync != prev_sync)
						fprintf(f, "\t%.10g\n", json_number_value(rem) / 1048576.0);
					else
						fprintf(f, "\tNaN\n");
					prev_sync = sync;
				}
				if (!n)
					continue;
				words_add(&titles, "%s", titled ? "-" : row->method);
				words_add(&members, "%d", member_of(cs, i));
				titled = true;
				block++;
			}
		}
		if (block > first_block) {
			words_add(&pnames, "%s", family_label(fam));
			words_add(&first, "%d", first_block + 1);
			words_add(&last, "%d", block);
		}
	}
	var_words(vars, "panelnames", &pnames);
	var_words(vars, "panel_first", &first);
	var_words(vars, "panel_last", &last);
	var_words(vars, "block_titles", &titles);
	var_words(vars, "block_members", &members);
}

/* Blocks 0..n-1: per method with a series, its representative migration's
 * throughput, seconds since its migration started and ops.  The window
 * covers every method's preparation (inflation, the reporting settle), from
 * 10 s before the longest to 10 s after the last migration ends, within the
 * samples there are. */
static void write_throughput(FILE *f, const struct case_stats *cs, struct strbuf *vars)
{
	struct strbuf names = { 0 }, fams = { 0 }, prep = { 0 }, ends = { 0 };
	double xmin = -20, xmax = 0, first_t = INFINITY, last_t = -INFINITY, ymax = 0;
	int block = 0;

	fprintf(f, "# %s: guest service throughput against time since migration start (s)\n"
		"# generated by report-gen from results/; do not edit\n", cs->c->name);
	for (size_t i = 0; i < cs->nm; i++) {
		const struct mig_row *r = cs->m[i].representative;
		struct throughput tp;
		double p = r && !isnan(r->v[M_PREP_TIME]) ? r->v[M_PREP_TIME] / 1000.0 : 0;
		json_t *s;
		size_t k;

		if (!throughput_of(r, &tp))
			continue;
		fprintf(f, "%s# %s: %s repeat %d\n", block ? "\n\n" : "", cs->m[i].method,
			cs->c->runs[r->run].id, r->repeat);
		json_array_foreach(tp.samples, k, s) {
			json_t *t = json_object_get(s, "t_ms"), *ops = json_object_get(s, "ops");
			double ts;

			if (!json_is_number(t) || !json_is_number(ops))
				continue;
			ts = (json_number_value(t) - tp.start_ms) / 1000.0;
			fprintf(f, "%.10g\t%.10g\n", ts, json_number_value(ops));
			first_t = ts < first_t ? ts : first_t;
			last_t = ts > last_t ? ts : last_t;
			ymax = json_number_value(ops) > ymax ? json_number_value(ops) : ymax;
		}
		if (-(p + 10) < xmin)
			xmin = -(p + 10);
		if ((tp.end_ms - tp.start_ms) / 1000.0 + 10 > xmax)
			xmax = (tp.end_ms - tp.start_ms) / 1000.0 + 10;
		words_add(&names, "%s", cs->m[i].method);
		words_add(&fams, "%d", family_of(cs->m[i].method));
		words_add(&prep, "%.10g", p);
		words_add(&ends, "%.10g", (tp.end_ms - tp.start_ms) / 1000.0);
		block++;
	}
	var_words(vars, "methods", &names);
	var_words(vars, "blockfams", &fams);
	var_words(vars, "prep_s", &prep);
	var_words(vars, "mig_end_s", &ends);
	var_num(vars, "xmin", xmin > first_t ? xmin : first_t);
	var_num(vars, "xmax", xmax < last_t ? xmax : last_t);
	var_num(vars, "ymax", ymax > 0 ? ymax * 1.05 : 1);
}

/* One line per method with a split: x, method, the five segments (a-e),
 * the measured total.  Methods without one are left out: a stacked bar of
 * nothing would read as zero. */
static void write_breakdown(FILE *f, const struct case_stats *cs)
{
	bool any;
	struct method_breakdown *mb = breakdown_case(cs, &any);
	int x = 0;

	fprintf(f, "# %s: where the time went (ms), per method's median-total-time migration\n"
		"# generated by report-gen from results/; do not edit\n# x\tmethod", cs->c->name);
	for (int p = 0; p < BD_COUNT; p++)
		fprintf(f, "\t%c", 'a' + p);
	fprintf(f, "\ttotal\n");
	for (size_t i = 0; i < cs->nm; i++) {
		if (!mb[i].row)
			continue;
		fprintf(f, "%d\t%s", x++, mb[i].ms->method);
		for (int p = 0; p < BD_COUNT; p++)
			write_num(f, mb[i].b.part[p]);
		write_num(f, mb[i].b.total);
		fprintf(f, "\n");
	}
	free(mb);
}

/* Across cases: block 0 names every method but baseline in the table's
 * order (x, method: the axis); then one block per case with a ratio (x,
 * speed-up, interval low, high), where the speed-up is baseline's median
 * over the method's, with the bootstrap interval of that ratio
 * (bootstrap.h, the report's one ratio function). */
static void write_speedup(FILE *f, const struct case_stats *cases, size_t ncases,
			  const struct plot_item *it, struct strbuf *vars)
{
	struct strlist axis = { 0 };
	struct strbuf names = { 0 }, axis_words = { 0 };
	int block = 0;

	for (size_t ci = 0; ci < ncases; ci++)
		for (size_t i = 0; i < cases[ci].nm && case_has_speedup(&cases[ci], it->metric); i++)
			if (&cases[ci].m[i] != cases[ci].baseline &&
			    !isnan(method_median(&cases[ci].m[i], it->metric)) &&
			    strlist_find(&axis, cases[ci].m[i].method) < 0)
				strlist_add(&axis, xstrdup(cases[ci].m[i].method));
	/* The harness table's order, whatever order the cases met them in;
	 * names the table no longer has go last. */
	{
		struct strlist sorted = { 0 };
		const struct method *m;

		for (int k = 0; (m = method_at(k)); k++)
			if (strlist_find(&axis, m->name) >= 0)
				strlist_add(&sorted, xstrdup(m->name));
		for (size_t k = 0; k < axis.n; k++)
			if (strlist_find(&sorted, axis.v[k]) < 0)
				strlist_add(&sorted, xstrdup(axis.v[k]));
		strlist_free(&axis);
		axis = sorted;
	}
	fprintf(f, "# speed-up over baseline in %s, per case\n"
		"# generated by report-gen from results/; do not edit\n# x\tmethod\n",
		metric_defs[it->metric].label);
	for (size_t k = 0; k < axis.n; k++)
		fprintf(f, "%zu\t%s\n", k, axis.v[k]);
	for (size_t ci = 0; ci < ncases; ci++) {
		const struct case_stats *cs = &cases[ci];
		double *base = NULL;
		size_t nbase;
		int n = 0;

		if (!case_has_speedup(cs, it->metric))
			continue;
		nbase = case_method_samples(cs->c, "baseline", it->metric, &base);
		for (size_t k = 0; k < axis.n; k++) {
			double *v = NULL;
			size_t nv;
			struct ratio_interval ri;

			if (!case_stats_method_with(cs, axis.v[k], it->metric))
				continue;
			nv = case_method_samples(cs->c, axis.v[k], it->metric, &v);
			ri = bootstrap_ratio_of_medians(base, nbase, v, nv, BOOTSTRAP_RESAMPLES,
							BOOTSTRAP_SEED, BOOTSTRAP_LEVEL);
			free(v);
			if (!ri.valid || !isfinite(ri.point) || ri.point <= 0)
				continue;
			if (!n++)
				fprintf(f, "\n\n# %s\n# x\tspeedup\tlo\thi\n", cs->c->name);
			fprintf(f, "%zu\t%.10g\t%.10g\t%.10g\n", k, ri.point,
				isfinite(ri.lo) ? ri.lo : ri.point, isfinite(ri.hi) ? ri.hi : ri.point);
		}
		free(base);
		if (n) {
			words_add(&names, "%s", cs->c->name);
			block++;
		}
	}
	var_words(vars, "cases", &names);
	for (size_t k = 0; k < axis.n; k++)
		words_add(&axis_words, "%s", axis.v[k]);
	var_words(vars, "axis", &axis_words);
	strlist_free(&axis);
}

/* Remove the .dat files of an earlier run (a case or metric may be gone). */
static int clear_old_data(const char *dir, struct error *e)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d) {
		error_set(e, "%s: cannot open directory: %s", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);

		if (n > 4 && !strcmp(de->d_name + n - 4, ".dat")) {
			char *p = xasprintf("%s/%s", dir, de->d_name);

			unlink(p);
			free(p);
		}
	}
	closedir(d);
	return 0;
}

static int has_quote(const char *s)
{
	return strchr(s, '\'') != NULL;
}

static const char *script_of(enum plot_kind kind)
{
	switch (kind) {
	case PLOT_BARS: return "bars.gp";
	case PLOT_END_TO_END: return "endtoend.gp";
	case PLOT_SCATTER: return "scatter.gp";
	case PLOT_REMAINING: return "remaining.gp";
	case PLOT_THROUGHPUT: return "throughput.gp";
	case PLOT_BREAKDOWN: return "breakdown.gp";
	case PLOT_SPEEDUP: return "speedup.gp";
	}
	return "bars.gp";
}

/* One image: its .dat file, then in the driver its variables and the call
 * of its script.  cs is the case (NULL for a figure across cases). */
static int write_item(FILE *drv, const struct plot_item *it, struct case_stats *cs,
		      struct case_stats *cases, size_t ncases, const struct plot_paths *paths,
		      struct error *e)
{
	char *dat = xasprintf("%s/%s.dat", paths->data_dir, it->name);
	char *img = xasprintf("%s/%s", paths->image_dir, it->name);
	char *script = xasprintf("%s/%s", paths->script_dir, script_of(it->kind));
	struct strbuf vars = { 0 };
	struct outfile o;
	int rc = -1;

	if (out_open(&o, dat, e) < 0)
		goto out;
	switch (it->kind) {
	case PLOT_BARS:
		write_bars(o.f, cs, it, &vars);
		break;
	case PLOT_END_TO_END:
		write_end_to_end(o.f, cs, &vars);
		break;
	case PLOT_SCATTER:
		write_scatter(o.f, cs, &vars);
		break;
	case PLOT_REMAINING:
		write_remaining(o.f, cs, &vars);
		break;
	case PLOT_THROUGHPUT:
		write_throughput(o.f, cs, &vars);
		break;
	case PLOT_BREAKDOWN:
		write_breakdown(o.f, cs);
		break;
	case PLOT_SPEEDUP:
		write_speedup(o.f, cases, ncases, it, &vars);
		break;
	}
	if (out_close(&o, e) < 0)
		goto out;
	fputs(vars.s ? vars.s : "", drv);	/* NULL when no script variable was set */
	fprintf(drv, "call ");
	gp_quote(drv, script);
	fprintf(drv, " ");
	gp_quote(drv, dat);
	fprintf(drv, " ");
	gp_quote(drv, img);
	fprintf(drv, " ");
	gp_quote(drv, it->title);
	fprintf(drv, " ");
	gp_quote(drv, it->ylabel);
	/* The segments' legend, one argument each (their names have
	 * spaces); breakdown.gp takes them as ARG5-ARG9. */
	for (int p = 0; it->kind == PLOT_BREAKDOWN && p < BD_COUNT; p++) {
		fprintf(drv, " ");
		gp_quote(drv, bd_part_label[p]);
	}
	fprintf(drv, "\n");
	rc = 0;
out:
	free(sb_take(&vars));
	free(script);
	free(dat);
	free(img);
	return rc;
}

int plotdata_write(struct case_stats *cases, size_t ncases, const struct plot_paths *paths,
		   struct error *e)
{
	struct outfile drv;
	struct plot_plan plan;
	char *drv_path;

	if (has_quote(paths->data_dir) || has_quote(paths->image_dir) || has_quote(paths->script_dir)) {
		error_set(e, "plot paths must not contain a single quote");
		return -1;
	}
	if (mkdir(paths->data_dir, 0755) < 0 && errno != EEXIST) {
		error_set(e, "%s: cannot create: %s", paths->data_dir, strerror(errno));
		return -1;
	}
	if (clear_old_data(paths->data_dir, e) < 0)
		return -1;
	drv_path = xasprintf("%s/plots.gp", paths->data_dir);
	if (out_open(&drv, drv_path, e) < 0) {
		free(drv_path);
		return -1;
	}
	free(drv_path);
	fprintf(drv.f, "# Generated by report-gen from results/: one call per image, each after\n"
		"# the variables its script reads.  Do not edit; run `make plots`.  Paths\n"
		"# are relative to the directory make runs in.\n");
	fprintf(drv.f, "plotscripts = ");
	gp_quote(drv.f, paths->script_dir);
	fprintf(drv.f, "\n");

	for (size_t ci = 0; ci < ncases; ci++) {
		plot_plan_make(&cases[ci], &plan);
		for (size_t i = 0; i < plan.n; i++)
			if (write_item(drv.f, &plan.items[i], &cases[ci], cases, ncases, paths, e) < 0)
				goto fail;
		plot_plan_free(&plan);
	}
	plot_cross_plan_make(cases, ncases, &plan);
	for (size_t i = 0; i < plan.n; i++)
		if (write_item(drv.f, &plan.items[i], NULL, cases, ncases, paths, e) < 0)
			goto fail;
	plot_plan_free(&plan);
	return out_close(&drv, e);
fail:
	plot_plan_free(&plan);
	fclose(drv.f);
	unlink(drv.tmp);
	free(drv.path);
	free(drv.tmp);
	return -1;
}

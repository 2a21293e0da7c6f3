#include "plotdata.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "breakdown.h"

/* ---- what to plot ---------------------------------------------------- */

static char *metric_label(const struct case_stats *cs, enum metric m)
{
	if ((m == M_SRC_CPU || m == M_DST_CPU) && cs->cpu_unit[0])
		return xasprintf("%s (%s)", metric_defs[m].label, cs->cpu_unit);
	return xstrdup(metric_defs[m].label);
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

static void plan_add(struct plot_plan *plan, enum plot_kind kind, enum metric m, char *name,
		     char *title, char *ylabel)
{
	plan->items = xrealloc(plan->items, (plan->n + 1) * sizeof(*plan->items));
	plan->items[plan->n++] = (struct plot_item){ kind, m, name, title, ylabel };
}

void plot_plan_make(const struct case_stats *cs, struct plot_plan *plan)
{
	const struct case_data *c = cs->c;
	/* Plot titles carry the case name only: the report's heading above
	 * each image gives the description, and long titles get cut off. */
	const char *title = c->name;
	int has_progress = 0, has_throughput = 0;

	memset(plan, 0, sizeof(*plan));
	for (int m = 0; m < M_COUNT; m++) {
		if (!metric_defs[m].plotted || !cs->has[m])
			continue;
		plan_add(plan, PLOT_BARS, (enum metric)m,
			 xasprintf("%s-%s", c->name, metric_defs[m].slug),
			 xasprintf("%s: %s, median with min-max", title, metric_defs[m].label),
			 metric_label(cs, (enum metric)m));
	}
	for (size_t i = 0; i < cs->nm; i++) {
		struct throughput tp;

		has_progress |= progress_of(cs->m[i].representative) != NULL;
		has_throughput |= throughput_of(cs->m[i].representative, &tp);
	}
	if (has_progress)
		plan_add(plan, PLOT_REMAINING, M_TOTAL_TIME, xasprintf("%s-remaining", c->name),
			 xasprintf("%s: remaining RAM (median-total-time migration per method)",
				   title),
			 xstrdup("remaining (MiB)"));
	if (has_throughput)
		plan_add(plan, PLOT_THROUGHPUT, M_TOTAL_TIME, xasprintf("%s-throughput", c->name),
			 xasprintf("%s: guest service throughput, migration window shaded", title),
			 xstrdup("guest service ops/s"));
	{
		bool any;

		free(breakdown_case(cs, &any));
		if (any)
			plan_add(plan, PLOT_BREAKDOWN, M_TOTAL_TIME,
				 xasprintf("%s-breakdown", c->name),
				 xasprintf("%s: where the time went (median-total-time migration)",
					   title),
				 xstrdup("ms"));
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

/* Block 0: one line per method (x, method, median, min, max, n); methods
 * with nothing to show keep their slot with NaN so the axis still names
 * them.  Block 1: every counted migration (x, value), so outliers are shown. */
static void write_bars(FILE *f, const struct case_stats *cs, const struct plot_item *it)
{
	const struct case_data *c = cs->c;

	fprintf(f, "# %s: %s\n# generated by report-gen from results/; do not edit\n",
		c->name, metric_defs[it->metric].label);
	fprintf(f, "# x\tmethod\tmedian\tmin\tmax\tn\n");
	for (size_t i = 0; i < cs->nm; i++) {
		const struct summary *s = &cs->m[i].s[it->metric];

		fprintf(f, "%zu\t%s", i, cs->m[i].method);
		write_num(f, s->median);
		write_num(f, s->min);
		write_num(f, s->max);
		fprintf(f, "\t%zu\n", s->n);
	}
	fprintf(f, "\n\n# every counted migration\n# x\tvalue\n");
	for (size_t i = 0; i < cs->nm; i++)
		for (size_t r = 0; r < c->nrows; r++)
			if (c->rows[r].ok && !strcmp(c->rows[r].method, cs->m[i].method) &&
			    !isnan(c->rows[r].v[it->metric]))
				fprintf(f, "%zu\t%.10g\n", i, c->rows[r].v[it->metric]);
}

/* One block per method that has a progress history: t_ms, remaining MiB.
 * Returns the method names in block order (for the legend). */
static char *write_remaining(FILE *f, const struct case_stats *cs)
{
	struct strbuf names = { 0 };
	int block = 0;

	fprintf(f, "# %s: remaining RAM (MiB) against time since migrate (ms), per method\n"
		"# generated by report-gen from results/; do not edit\n", cs->c->name);
	for (size_t i = 0; i < cs->nm; i++) {
		const struct mig_row *r = cs->m[i].representative;
		json_t *p = progress_of(r), *s;
		size_t k;

		if (!p)
			continue;
		fprintf(f, "%s# %s: %s repeat %d\n", block ? "\n\n" : "", cs->m[i].method,
			cs->c->runs[r->run].id, r->repeat);
		json_array_foreach(p, k, s) {
			json_t *t = json_object_get(s, "t_ms"), *rem = json_object_get(s, "remaining");

			if (json_is_number(t) && json_is_number(rem))
				fprintf(f, "%.10g\t%.10g\n", json_number_value(t),
					json_number_value(rem) / 1048576.0);
		}
		sb_addf(&names, "%s%s", block ? " " : "", cs->m[i].method);
		block++;
	}
	return sb_take(&names);
}

/* Blocks 0..n-1: per method, seconds since its migration started, ops.
 * Blocks n..2n-1: the migration window of each as two points above the
 * data, drawn as a shaded area down to zero with a solid top edge. */
static char *write_throughput(FILE *f, const struct case_stats *cs)
{
	struct strbuf names = { 0 };
	struct throughput *tps = xcalloc(cs->nm, sizeof(*tps));
	double ymax = 0;
	int block = 0;

	fprintf(f, "# %s: guest service throughput against time since migration start (s)\n"
		"# generated by report-gen from results/; do not edit\n", cs->c->name);
	for (size_t i = 0; i < cs->nm; i++) {
		json_t *s;
		size_t k;

		if (!throughput_of(cs->m[i].representative, &tps[i]))
			continue;
		json_array_foreach(tps[i].samples, k, s) {
			double ops = number_or(json_object_get(s, "ops"), NAN);

			if (ops > ymax)
				ymax = ops;
		}
	}
	ymax = ymax > 0 ? ymax * 1.05 : 1;
	for (size_t i = 0; i < cs->nm; i++) {
		const struct mig_row *r = cs->m[i].representative;
		json_t *s;
		size_t k;

		if (!tps[i].samples)
			continue;
		fprintf(f, "%s# %s: %s repeat %d\n", block ? "\n\n" : "", cs->m[i].method,
			cs->c->runs[r->run].id, r->repeat);
		json_array_foreach(tps[i].samples, k, s) {
			json_t *t = json_object_get(s, "t_ms"), *ops = json_object_get(s, "ops");

			if (json_is_number(t) && json_is_number(ops))
				fprintf(f, "%.10g\t%.10g\n",
					(json_number_value(t) - tps[i].start_ms) / 1000.0,
					json_number_value(ops));
		}
		sb_addf(&names, "%s%s", block ? " " : "", cs->m[i].method);
		block++;
	}
	/* Each window's top edge sits at its own height, so windows that
	 * overlap still show each method's colour and extent. */
	block = 0;
	for (size_t i = 0; i < cs->nm; i++) {
		double top = ymax * (1.0 + 0.04 * block);

		if (!tps[i].samples)
			continue;
		fprintf(f, "\n\n# %s: migration window\n0\t%.10g\n%.10g\t%.10g\n", cs->m[i].method,
			top, (tps[i].end_ms - tps[i].start_ms) / 1000.0, top);
		block++;
	}
	free(tps);
	return sb_take(&names);
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

int plotdata_write(struct case_stats *cases, size_t ncases, const struct plot_paths *paths,
		   struct error *e)
{
	struct outfile drv;
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
	fprintf(drv.f, "# Generated by report-gen from results/: one call per image.  Do not edit;\n"
		"# run `make plots`.  Paths are relative to the directory make runs in.\n");
	fprintf(drv.f, "plotscripts = ");
	gp_quote(drv.f, paths->script_dir);
	fprintf(drv.f, "\n");

	for (size_t ci = 0; ci < ncases; ci++) {
		struct plot_plan plan;

		plot_plan_make(&cases[ci], &plan);
		for (size_t i = 0; i < plan.n; i++) {
			const struct plot_item *it = &plan.items[i];
			char *dat = xasprintf("%s/%s.dat", paths->data_dir, it->name);
			char *img = xasprintf("%s/%s", paths->image_dir, it->name);
			char *methods = NULL, *script;
			struct outfile o;

			if (out_open(&o, dat, e) < 0) {
				free(dat);
				free(img);
				plot_plan_free(&plan);
				fclose(drv.f);
				unlink(drv.tmp);
				return -1;
			}
			switch (it->kind) {
			case PLOT_BARS:
				write_bars(o.f, &cases[ci], it);
				break;
			case PLOT_REMAINING:
				methods = write_remaining(o.f, &cases[ci]);
				break;
			case PLOT_THROUGHPUT:
				methods = write_throughput(o.f, &cases[ci]);
				break;
			case PLOT_BREAKDOWN:
				write_breakdown(o.f, &cases[ci]);
				break;
			}
			if (out_close(&o, e) < 0) {
				free(dat);
				free(img);
				free(methods);
				plot_plan_free(&plan);
				fclose(drv.f);
				unlink(drv.tmp);
				return -1;
			}
			script = xasprintf("%s/%s", paths->script_dir,
					   it->kind == PLOT_BARS ? "bars.gp" :
					   it->kind == PLOT_REMAINING ? "remaining.gp" :
					   it->kind == PLOT_BREAKDOWN ? "breakdown.gp" : "throughput.gp");
			fprintf(drv.f, "call ");
			gp_quote(drv.f, script);
			free(script);
			fprintf(drv.f, " ");
			gp_quote(drv.f, dat);
			fprintf(drv.f, " ");
			gp_quote(drv.f, img);
			fprintf(drv.f, " ");
			gp_quote(drv.f, it->title);
			fprintf(drv.f, " ");
			gp_quote(drv.f, it->ylabel);
			if (methods) {
				fprintf(drv.f, " ");
				gp_quote(drv.f, methods);
			}
			/* The segments' legend, one argument each (their names
			 * have spaces); breakdown.gp takes them as ARG5-ARG9. */
			for (int p = 0; it->kind == PLOT_BREAKDOWN && p < BD_COUNT; p++) {
				fprintf(drv.f, " ");
				gp_quote(drv.f, bd_part_label[p]);
			}
			fprintf(drv.f, "\n");
			free(methods);
			free(dat);
			free(img);
		}
		plot_plan_free(&plan);
	}
	return out_close(&drv, e);
}

#include "stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "../harness/src/measure/cpucost.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

struct summary summarize(const double *v, size_t n)
{
	struct summary s = { 0, NAN, NAN, NAN };
	double *sorted = xmalloc(n * sizeof(*sorted));

	for (size_t i = 0; i < n; i++)
		if (!isnan(v[i]))
			sorted[s.n++] = v[i];
	if (s.n) {
		qsort(sorted, s.n, sizeof(*sorted), cmp_double);
		s.min = sorted[0];
		s.max = sorted[s.n - 1];
		s.median = s.n % 2 ? sorted[s.n / 2] : (sorted[s.n / 2 - 1] + sorted[s.n / 2]) / 2;
	}
	free(sorted);
	return s;
}

double percent_change(double value, double base)
{
	if (isnan(value) || isnan(base) || base == 0)
		return NAN;
	return (value - base) / base * 100.0;
}

bool clearly_below(const struct summary *a, const struct summary *b)
{
	return a->n && b->n && a->max < b->min;
}

int mig_row_cmp_total(const void *a, const void *b)
{
	const struct mig_row *x = *(const struct mig_row *const *)a;
	const struct mig_row *y = *(const struct mig_row *const *)b;
	double tx = x->v[M_TOTAL_TIME], ty = y->v[M_TOTAL_TIME];

	if (tx != ty)
		return (tx > ty) - (tx < ty);
	/* Equal times: the earlier run, then the earlier line wins, so the
	 * choice is stable. */
	if (x->run != y->run)
		return (x->run > y->run) - (x->run < y->run);
	return (x->line > y->line) - (x->line < y->line);
}

size_t case_method_samples(const struct case_data *c, const char *method, enum metric m,
			   double **out)
{
	size_t n = 0;

	*out = xmalloc((c->nrows ? c->nrows : 1) * sizeof(**out));
	for (size_t i = 0; i < c->nrows; i++)
		if (c->rows[i].ok && !strcmp(c->rows[i].method, method) && !isnan(c->rows[i].v[m]))
			(*out)[n++] = c->rows[i].v[m];
	return n;
}

static void compute_method(const struct case_data *c, struct method_stats *ms)
{
	double *vals = xmalloc(c->nrows * sizeof(*vals));
	const struct mig_row **timed = xmalloc(c->nrows * sizeof(*timed));
	size_t ntimed = 0;

	for (int m = 0; m < M_COUNT; m++) {
		size_t n = 0;

		for (size_t i = 0; i < c->nrows; i++)
			if (c->rows[i].ok && !strcmp(c->rows[i].method, ms->method))
				vals[n++] = c->rows[i].v[m];
		ms->s[m] = summarize(vals, n);
	}
	for (size_t i = 0; i < c->nrows; i++) {
		const struct mig_row *r = &c->rows[i];

		if (strcmp(r->method, ms->method))
			continue;
		ms->attempted++;
		if (!r->ok)
			continue;
		ms->completed++;
		if (!isnan(r->v[M_TOTAL_TIME]))
			timed[ntimed++] = r;
	}
	if (ntimed) {
		qsort(timed, ntimed, sizeof(*timed), mig_row_cmp_total);
		ms->representative = timed[(ntimed - 1) / 2];
	}
	free(timed);
	free(vals);
}

static bool metric_in_cpu_unit(enum metric m)
{
	return m == M_SRC_CPU || m == M_DST_CPU;
}

char *case_metric_label(const struct case_stats *cs, enum metric m)
{
	if (metric_in_cpu_unit(m) && cs->cpu_unit[0])
		return xasprintf("%s (%s)", metric_defs[m].label, cs->cpu_unit);
	return xstrdup(metric_defs[m].label);
}

double mig_row_cpu_ms(const struct mig_row *r, enum metric m)
{
	if (metric_in_cpu_unit(m) && strcmp(r->cpu_unit, CPUCOST_UNIT_TASK_CLOCK_MS))
		return NAN;
	return r->v[m];
}

static char *cpu_unit_of(const struct case_data *c)
{
	struct strlist units = { 0 };
	struct strbuf sb = { 0 };

	for (size_t i = 0; i < c->nrows; i++)
		if (c->rows[i].ok && c->rows[i].cpu_unit[0] &&
		    strlist_find(&units, c->rows[i].cpu_unit) < 0)
			strlist_add(&units, xstrdup(c->rows[i].cpu_unit));
	if (units.n == 1) {
		sb_addf(&sb, "%s", units.v[0]);
	} else if (units.n > 1) {
		sb_addf(&sb, "mixed (");
		for (size_t i = 0; i < units.n; i++)
			sb_addf(&sb, "%s%s", i ? ", " : "", units.v[i]);
		sb_addf(&sb, ")");
	}
	strlist_free(&units);
	return sb_take(&sb);
}

void case_stats_compute(const struct case_data *c, struct case_stats *cs)
{
	memset(cs, 0, sizeof(*cs));
	cs->c = c;
	cs->nm = c->methods.n;
	cs->m = xcalloc(cs->nm, sizeof(*cs->m));
	for (size_t i = 0; i < cs->nm; i++) {
		cs->m[i].method = c->methods.v[i];
		compute_method(c, &cs->m[i]);
		for (int m = 0; m < M_COUNT; m++)
			if (cs->m[i].s[m].n)
				cs->has[m] = true;
	}
	cs->baseline = case_stats_method(cs, "baseline");
	cs->cpu_unit = cpu_unit_of(c);
}

const struct method_stats *case_stats_method(const struct case_stats *cs, const char *method)
{
	for (size_t i = 0; i < cs->nm; i++)
		if (!strcmp(cs->m[i].method, method))
			return &cs->m[i];
	return NULL;
}

const struct method_stats *case_stats_method_with(const struct case_stats *cs, const char *method,
						  enum metric m)
{
	const struct method_stats *ms = case_stats_method(cs, method);

	return ms && ms->s[m].n ? ms : NULL;
}

double method_median(const struct method_stats *ms, enum metric m)
{
	return ms && ms->s[m].n ? ms->s[m].median : NAN;
}

json_t *case_stats_newest_doc(const struct case_stats *cs)
{
	return cs->c->nruns ? cs->c->runs[cs->c->nruns - 1].doc : NULL;
}

void case_stats_free(struct case_stats *cs)
{
	free(cs->m);
	free(cs->cpu_unit);
	memset(cs, 0, sizeof(*cs));
}

char *summary_range_text(const struct summary *s)
{
	char *a, *b, *c, *out;

	if (!s->n)
		return xstrdup("–");
	a = fmt_num(s->median);
	b = fmt_num(s->min);
	c = fmt_num(s->max);
	out = s->min == s->max ? xstrdup(a) : xasprintf("%s [%s–%s]", a, b, c);
	free(a);
	free(b);
	free(c);
	return out;
}

char *method_median_cell(const struct case_stats *cs, const char *method, enum metric m)
{
	const struct method_stats *ms = case_stats_method(cs, method);

	if (!ms)
		return xstrdup("not run");
	if (!ms->s[m].n)
		return xstrdup(ms->completed ? "not measured" : "–");
	return fmt_num(ms->s[m].median);
}

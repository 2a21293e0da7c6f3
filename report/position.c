#include "position.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"

double position_median(const struct case_data *c, const char *method, int position,
		       size_t *count)
{
	double *v = xmalloc((c->nrows ? c->nrows : 1) * sizeof(*v));
	size_t n = 0;
	struct summary s;

	for (size_t i = 0; i < c->nrows; i++) {
		const struct mig_row *r = &c->rows[i];

		if (r->ok && !strcmp(r->method, method) && r->v[M_POSITION] == position &&
		    !isnan(r->v[M_TOTAL_TIME]))
			v[n++] = r->v[M_TOTAL_TIME];
	}
	s = summarize(v, n);
	free(v);
	*count = n;
	return s.median;
}

static int last_position(const struct case_data *c)
{
	double last = 0;

	for (size_t i = 0; i < c->nrows; i++)
		if (c->rows[i].ok && c->rows[i].v[M_POSITION] > last)
			last = c->rows[i].v[M_POSITION];
	return (int)last;
}

void position_write(FILE *f, const struct case_stats *cases, size_t n)
{
	bool any = false;

	for (size_t ci = 0; ci < n; ci++)
		any |= cases[ci].has[M_POSITION];
	if (!any)
		return;
	fprintf(f, "## Position effect\n\nEach repeat runs every method once, in an order "
		"shuffled for that repeat. Median total time (ms) by the migration's position in "
		"its repeat (1 = first), with the count in brackets; a method whose figure climbs "
		"or falls with its position is sensitive to what ran before it.\n\n");
	for (size_t ci = 0; ci < n; ci++) {
		const struct case_stats *cs = &cases[ci];
		int last = last_position(cs->c);

		if (!cs->has[M_POSITION] || last < 1)
			continue;
		fprintf(f, "### %s\n\n| method |", cs->c->name);
		for (int p = 1; p <= last; p++)
			fprintf(f, " %d |", p);
		fprintf(f, "\n|---|");
		for (int p = 1; p <= last; p++)
			fprintf(f, "---|");
		fprintf(f, "\n");
		for (size_t i = 0; i < cs->nm; i++) {
			fprintf(f, "| %s |", cs->m[i].method);
			for (int p = 1; p <= last; p++) {
				size_t k;
				double med = position_median(cs->c, cs->m[i].method, p, &k);
				char *t = fmt_num(med);

				if (k)
					fprintf(f, " %s (%zu) |", t, k);
				else
					fprintf(f, " – |");
				free(t);
			}
			fprintf(f, "\n");
		}
		fprintf(f, "\n");
	}
}

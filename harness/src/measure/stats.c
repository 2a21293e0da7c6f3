#include "stats.h"

#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

struct summary summarize(const double *vals, size_t n)
{
	struct summary s = { 0, 0, 0, 0 };
	double *v = malloc((n ? n : 1) * sizeof(double));

	if (!v)
		return s;
	for (size_t i = 0; i < n; i++)
		if (vals[i] != NA)
			v[s.n++] = vals[i];
	if (s.n) {
		qsort(v, s.n, sizeof(double), cmp_double);
		s.min = v[0];
		s.max = v[s.n - 1];
		s.median = s.n % 2 ? v[s.n / 2] : (v[s.n / 2 - 1] + v[s.n / 2]) / 2;
	}
	free(v);
	return s;
}

enum metric { M_TOTAL, M_KB, M_DOWNTIME, M_SETUP, M_E2E };

static double metric_of(const struct mig_record *r, enum metric m)
{
	switch (m) {
	case M_TOTAL: return (double)r->total_time_ms;
	case M_KB: return r->transferred_bytes == NA ? NA : (double)(r->transferred_bytes / 1024);
	case M_DOWNTIME: return (double)r->downtime_ms;
	case M_SETUP: return (double)r->setup_time_ms;
	case M_E2E: return (double)r->end_to_end_ms;
	}
	return NA;
}

void print_table(FILE *out, const char *title, const struct mig_record *recs, size_t nrecs,
                 char methods[][32], int nmethods)
{
	static const struct { const char *label; enum metric m; } rows[] = {
		{ "total time(ms)", M_TOTAL },
		{ "transferred ram(KB)", M_KB },
		{ "downtime(ms)", M_DOWNTIME },
		{ "setup time(ms)", M_SETUP },
		{ "end-to-end(ms)", M_E2E },
	};
	double *vals = malloc((nrecs ? nrecs : 1) * sizeof(double));

	if (!vals)
		return;
	fprintf(out, "\n%s\n", title);
	fprintf(out, "%-22s", "");
	for (int j = 0; j < nmethods; j++)
		fprintf(out, "| %-30s", methods[j]);
	fprintf(out, "\n");
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		fprintf(out, "%-22s", rows[i].label);
		for (int j = 0; j < nmethods; j++) {
			size_t n = 0;
			struct summary s;
			char cell[64];

			for (size_t k = 0; k < nrecs; k++)
				if (!strcmp(recs[k].method, methods[j]) &&
				    !strcmp(recs[k].status, "completed"))
					vals[n++] = metric_of(&recs[k], rows[i].m);
			s = summarize(vals, n);
			if (s.n)
				snprintf(cell, sizeof(cell), "%.0f [%.0f-%.0f] n=%zu", s.median,
					 s.min, s.max, s.n);
			else
				snprintf(cell, sizeof(cell), "-");
			fprintf(out, "| %-30s", cell);
		}
		fprintf(out, "\n");
	}
	fprintf(out, "(median [min-max] over completed migrations; lower is better)\n");
	free(vals);
}

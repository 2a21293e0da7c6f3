/* Statistics per case and method: median, minimum and maximum over the
 * migrations that count (completed, no error), plus the counts of attempted
 * and completed migrations so failures are never silently dropped.  The
 * median is the mean of the middle two for an even count. */
#ifndef REPORT_STATS_H
#define REPORT_STATS_H

#include <stdbool.h>
#include <stddef.h>

#include "metrics.h"
#include "results.h"

struct summary {
	size_t n;		/* values that were present */
	double median, min, max;	/* NAN when n == 0 */
};

/* Summarise v[0..n), skipping NAN (not measured). */
struct summary summarize(const double *v, size_t n);

/* "median [min–max]" as in the tables, the median alone when all agree,
 * "–" when nothing was measured.  Caller frees. */
char *summary_range_text(const struct summary *s);

/* (value - base) / base in percent; NAN when either is missing or base is 0. */
double percent_change(double value, double base);

/* True when the two min-max ranges are disjoint and a's is entirely below
 * b's: the difference is larger than the run-to-run spread. */
bool clearly_below(const struct summary *a, const struct summary *b);

struct method_stats {
	const char *method;		/* borrowed from case_data.methods */
	size_t attempted, completed;	/* completed = counted in statistics */
	struct summary s[M_COUNT];
	/* The completed migration with the median total time (the lower middle
	 * one for an even count): the one whose progress history is plotted. */
	const struct mig_row *representative;
};

struct case_stats {
	const struct case_data *c;
	struct method_stats *m;		/* one per method, in column order */
	size_t nm;
	const struct method_stats *baseline;	/* NULL when the case has none */
	bool has[M_COUNT];		/* any method has a value */
	char *cpu_unit;			/* the cpu_unit column, "mixed (a, b)" if it varies, "" if absent */
};

/* The values of m over the method's migrations that count (completed, no
 * error), in file order, NAN (not measured) left out: the samples behind
 * its summary, which the bootstrap resamples.  *out is a new array the
 * caller frees (never NULL); returns the count. */
size_t case_method_samples(const struct case_data *c, const char *method, enum metric m,
			   double **out);

void case_stats_compute(const struct case_data *c, struct case_stats *cs);
/* qsort order of struct mig_row pointers by total time; equal times keep
 * file order (earlier run, then earlier line), so choices are stable. */
int mig_row_cmp_total(const void *a, const void *b);
const struct method_stats *case_stats_method(const struct case_stats *cs, const char *method);
/* src_cpu and dst_cpu are in their row's cpu_unit (task-clock ms or
 * cycles): the label with the case's unit appended, and a row's value in
 * ms, NAN when that row counted cycles. */
char *case_metric_label(const struct case_stats *cs, enum metric m);
double mig_row_cpu_ms(const struct mig_row *r, enum metric m);
/* The method, only if it has a value for m; else NULL. */
const struct method_stats *case_stats_method_with(const struct case_stats *cs, const char *method,
						  enum metric m);
/* The median of m, NAN when ms is NULL or has no value for it. */
double method_median(const struct method_stats *ms, enum metric m);
/* A method's median of m as a table cell: the number, or "not run" (no
 * such method), "not measured" (completed migrations without the figure),
 * "–" (none completed).  Caller frees. */
char *method_median_cell(const struct case_stats *cs, const char *method, enum metric m);
/* The run.json of the case's newest used run (its parameters describe the
 * case), or NULL when no run is used. */
json_t *case_stats_newest_doc(const struct case_stats *cs);
void case_stats_free(struct case_stats *cs);

#endif

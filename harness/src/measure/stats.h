/* Summary statistics over repeats: median (the mean of the middle two for
 * an even count), minimum and maximum.  Missing values are skipped. */
#ifndef PVMIG_STATS_H
#define PVMIG_STATS_H

#include <stddef.h>
#include <stdio.h>

#include "record.h"

struct summary {
	size_t n;
	double median;
	double min;
	double max;
};

/* Summarise vals[0..n), ignoring NA entries. n == 0 in the result if none. */
struct summary summarize(const double *vals, size_t n);

/*
 * Print the seed-shaped table: one column per method, rows total time,
 * transferred ram (KB) and downtime, "median [min-max]" over completed
 * migrations.  methods[] gives the column order.
 */
void print_table(FILE *out, const char *title, const struct mig_record *recs, size_t nrecs,
                 char methods[][32], int nmethods);

#endif

/* The position effect: whether a migration's place in its repeat's
 * shuffled order (runs.csv's "position", 1 = first; newer runs only)
 * moves its total time.  On a host whose cost of memory depends on what
 * ran just before, a method that always ran first or last would be biased;
 * the harness shuffles the order per repeat, and this table shows what the
 * shuffle averaged out.  Nothing is written when no run has the column. */
#ifndef REPORT_POSITION_H
#define REPORT_POSITION_H

#include <stddef.h>
#include <stdio.h>

#include "stats.h"

/* The section, one table per case that has positions. */
void position_write(FILE *f, const struct case_stats *cases, size_t n);

/* The median total time of a method's counted migrations at one position,
 * NAN where none ran there; *count gets how many did. */
double position_median(const struct case_data *c, const char *method, int position,
		       size_t *count);

#endif

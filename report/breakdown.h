/* "Where the time went": one migration's total time split into stacked
 * components, per case and method, for a table and a stacked bar plot.
 *
 *   a = wire_ms                                   the bytes at the measured link rate
 *   b = max(0, src_mig_cpu_ms - wire_ms)          source CPU beyond the wire floor
 *   c = src_mig_wait_ms                           the migration thread waiting for a CPU
 *   d = max(0, dst_main_cpu_ms - max(src_mig_cpu_ms, wire_ms))
 *                                                 the destination's share beyond the source
 *   e = total_time_ms - (a + b + c + d)           the rest
 *
 * e below zero means the components overlap in time (the source waited for
 * a CPU while the link or the destination was the bottleneck anyway).  They
 * must not be stacked as if they added up: the segments are stacked in
 * order a, b, c, d, each cut to what still fits under the measured total,
 * e is 0, and the part cut off is overlap_ms, said beside the numbers.  A
 * stack is never taller than its migration's total.
 *
 * Per method the split is of one real migration, the median-total-time one
 * among those with every component measured, so the segments add up to a
 * total that was measured (medians of components would not). */
#ifndef REPORT_BREAKDOWN_H
#define REPORT_BREAKDOWN_H

#include <stdbool.h>
#include <stdio.h>

#include "stats.h"

enum bd_part { BD_WIRE, BD_SRC_CPU, BD_SRC_WAIT, BD_DST, BD_REST, BD_COUNT };

/* Short names of the segments, for table headers and the plot legend. */
extern const char *const bd_part_label[BD_COUNT];

struct breakdown {
	double part[BD_COUNT];	/* as stacked: they add up to total */
	double total;		/* total_time_ms */
	double overlap_ms;	/* how far a+b+c+d as defined exceeded the total, cut off */
};

/* The split of one migration; false when it did not count in statistics or
 * lacks total time, wire time or one of the per-thread figures. */
bool breakdown_of(const struct mig_row *r, struct breakdown *b);

struct method_breakdown {
	const struct method_stats *ms;
	const struct mig_row *row;	/* NULL when no migration had every component */
	struct breakdown b;
	size_t measured;		/* completed migrations with every component */
};

/* One entry per method of cs, in column order (cs->nm entries, caller
 * frees); *any says whether some method has a split. */
struct method_breakdown *breakdown_case(const struct case_stats *cs, bool *any);

/* The case's "Where the time went" subsection: the table of the splits,
 * the overlap notes, and the stacked bar plot when image_link is not NULL. */
void breakdown_write(FILE *f, const struct case_stats *cs, const char *image_link);

#endif

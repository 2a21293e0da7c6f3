/* The "Destination regimes" section: each case's pooled runs beside the
 * runs of the same scenario, host and QEMU in the other destination regime
 * (memory preallocated with -mem-prealloc, or faulted in as pages arrive).
 *
 * The main tables measure one regime (preallocated when any run has it,
 * results.h); this section shows what the other changes, per method:
 * median total time, projected time, transferred bytes and destination
 * minor faults (the page faults preallocation avoids), with each side's
 * host transparent hugepage mode, which decides how many faults a
 * non-preallocated destination takes. */
#ifndef REPORT_REGIMES_H
#define REPORT_REGIMES_H

#include <stdio.h>

#include "hostzeroing.h"
#include "results.h"
#include "stats.h"

/* A table of one row per method in methods and, per figure m[k], two
 * columns "labels[k], a_name" and "labels[k], b_name": the medians of a and
 * of b (stats.h's method_median_cell()).  Shared with the source regimes
 * (srcregime.c). */
void regime_pair_table(FILE *f, const struct case_stats *a, const struct case_stats *b,
		       const struct strlist *methods, const enum metric *m,
		       const char *const *labels, size_t n, const char *a_name,
		       const char *b_name);

/* hz, the host's own cost of a fresh 2 MiB page, follows the introduction
 * when a probe was run. */
void regimes_write(FILE *f, const struct result_set *rs, const struct case_stats *cases,
		   const struct host_zeroing *hz);

#endif

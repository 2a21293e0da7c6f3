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

/* hz, the host's own cost of a fresh 2 MiB page, follows the introduction
 * when a probe was run. */
void regimes_write(FILE *f, const struct result_set *rs, const struct case_stats *cases,
		   const struct host_zeroing *hz);

#endif

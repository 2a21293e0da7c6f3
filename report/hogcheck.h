/* The "Projection check" section: a case's pooled runs beside the same
 * scenario run with a CPU hog on the host (harness --host-cpu-hog N; run id
 * suffix "_hog<N>", same host and QEMU).  The hog takes CPU from every
 * thread of both QEMUs, so the raw time must move; the dedicated-core
 * projection describes the method and must not, by more than
 * HOGCHECK_MAX_MOVE_PCT.  Per method: both medians of each, the change,
 * and whether the projection held. */
#ifndef REPORT_HOGCHECK_H
#define REPORT_HOGCHECK_H

#include <stdio.h>

#include "results.h"
#include "stats.h"

#define HOGCHECK_MAX_MOVE_PCT 15.0

/* Nothing is written when no case has runs with a hog. */
void hogcheck_write(FILE *f, const struct result_set *rs, const struct case_stats *cases);

#endif

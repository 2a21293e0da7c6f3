/* "Postcopy, from the counters": per case, what each postcopy method did.
 *
 * A postcopy method switches to postcopy once the first precopy pass is
 * done (or at --postcopy-after-ms); a migration whose precopy converges
 * before that never switches, and is precopy under another name.  Per
 * method, from run.json's "postcopy" record: how many migrations
 * switched, the precopy and postcopy phases, the pages the destination
 * asked for (the source's count), the destination's own timed requests
 * with their latency (median of the migrations' medians, and the largest
 * maximum), and the time QEMU counted the destination's vCPUs blocked on
 * missing pages. */
#ifndef REPORT_POSTCOPY_H
#define REPORT_POSTCOPY_H

#include <stdio.h>

#include "stats.h"

/* Nothing when the case has no postcopy method with a record. */
void postcopy_write(FILE *f, const struct case_stats *cs);

#endif

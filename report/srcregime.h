/* The "Source regimes" section: each case's pooled runs beside the runs of
 * the same scenario, host and QEMU with the source's RAM preallocated
 * (harness --src-prealloc on, run id suffix "_srcprealloc").
 *
 * Why it exists: the migration thread's zero-page check reads every page
 * it does not skip.  On a host whose kernel maps the shared zero page on a
 * read fault, reading never-written guest RAM costs a cheap fault; on a
 * host that allocates and zeroes a page instead (make host-zeroing-probe
 * says which this one is), it costs a page's zeroing, and an idle
 * baseline measures mostly that.  With the source preallocated the check
 * reads resident memory and faults nothing: the floor both kinds of host
 * come down to.  The section gives, per method, the figures in both source
 * regimes and pv-bitmap's speed-up over baseline in each. */
#ifndef REPORT_SRCREGIME_H
#define REPORT_SRCREGIME_H

#include <stdio.h>

#include "results.h"
#include "stats.h"

#define SRCREGIME_HEADING "Source regimes"

/* Nothing when no case has source-preallocated runs. */
void srcregime_write(FILE *f, const struct result_set *rs, const struct case_stats *cases);

/* The reading for the verdict's "On this host" line, as its item "(c)
 * ...": pv-bitmap against baseline in migration time with the source
 * preallocated.  NULL when the case has no such pool.  Caller frees. */
char *srcregime_verdict_reading(const struct case_stats *cs);

#endif

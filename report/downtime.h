/* Why a method's downtime is what it is, from QEMU's progress counters.
 *
 * QEMU stops the guest as soon as what is left to send fits in the downtime
 * limit at its bandwidth estimate, and then sends the rest while the guest
 * is stopped.  The estimate is the rate at which the migration put bytes on
 * the wire over the last 100 ms: near the link's rate for a method whose
 * pages carry data, far below it while the migration thread walks zero
 * pages (a few bytes each).  So a method whose bulk stage sends only used
 * pages at full speed gets stopped early, with its first pass unfinished,
 * and its downtime is the time to send that rest; a baseline that spends
 * seconds on zero pages stops only when almost nothing is left.
 *
 * The harness samples query-migrate while migrating (run.json "progress")
 * and records when the status became "device" (the stop).  From those, per
 * migration: the pass the stop came in (dirty-sync-count at the last sample
 * before it; 1 is the bulk stage) and how much was left then. */
#ifndef REPORT_DOWNTIME_H
#define REPORT_DOWNTIME_H

#include <stdbool.h>
#include <stdio.h>

#include "stats.h"

struct stop_point {
	double pass;		/* dirty-sync-count at the last sample before the stop */
	double left_mib;	/* remaining then */
	double before_ms;	/* how long before the stop that sample was taken */
	double left_link_ms;	/* left_mib at the run's measured link rate */
};

/* The stop of one migration; false when it has no progress sample before
 * a recorded "device" event. */
bool stop_point_of(const struct mig_row *r, struct stop_point *out);

/* "#### Downtime, from the counters" for the appendix: per method, the
 * medians of downtime, pass at the stop, MiB left and its link time. */
void downtime_write(FILE *f, const struct case_stats *cs);

/* One sentence for the main page when pv-bitmap's downtime is clearly
 * above baseline's (a 95% interval above 1) and its stops came in the
 * bulk stage; NULL otherwise.  Caller frees. */
char *downtime_main_note(const struct case_stats *cs);

#endif

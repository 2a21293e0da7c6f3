/* The dedicated-core projection of one migration: how long it would have
 * taken had every busy thread had a core of its own.
 *
 * Source sender (the live_migration thread), the link and the destination's
 * receiver (its main thread, which reads the incoming stream) form a
 * pipeline; with a core each, the slowest stage sets the pace, so
 *
 *   projected_ms = max(src_mig_cpu_ms, dst_main_cpu_ms, wire_ms,
 *                      src_send_max_cpu_ms, dst_recv_max_cpu_ms) + hint_wait_ms
 *
 * where the last two are multifd's busiest send and receive channel (their
 * threads are stages of the pipeline too; absent without multifd).
 *
 * Time the migration thread spent waiting for a CPU, and time the guest's
 * vCPUs took from it, do not appear: on its own core neither happens.  What
 * does stay is the wait for the guest's free page bitmap (hint_wait_ms =
 * hint_latency_ms for methods whose migration thread blocks on the guest's
 * answer, else 0): that is the guest's work, paid inside the migration. */
#ifndef REPORT_PROJECTION_H
#define REPORT_PROJECTION_H

#include <stdbool.h>

#include "metrics.h"

/* True for methods whose migration thread waits for the guest's free page
 * bitmap inside the migration (pv-bitmap and its combinations). */
bool projection_waits_for_hints(const char *method);

/* projected_ms from a migration's figures (indexed by enum metric, NAN where
 * not measured); M_WIRE_MS must already be derived.  NAN ("not measured")
 * when src_mig_cpu_ms is missing, or when the method waits for hints and no
 * hint latency was recorded.  A missing destination or wire figure is a
 * stage not measured and drops out of the max. */
double projection_ms(const char *method, const double *v);

#endif

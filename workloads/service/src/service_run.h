/* SPDX-License-Identifier: GPL-2.0 */
/*
 * service_run.h - the service itself: set up, run ops at the paced rate,
 * log every interval, answer signals, shut down.
 */
#ifndef PVMIG_SERVICE_RUN_H
#define PVMIG_SERVICE_RUN_H

#include "service_options.h"

/*
 * Pacing step: at rates of more than one op per step, the loop wakes once
 * per step and runs the ops due, rather than sleeping once per op (16384
 * sleeps a second at the default rate).  1 ms keeps the dirtying smooth at
 * any log interval the harness uses while costing ~1000 wake-ups a second.
 */
#define SERVICE_PACING_STEP_NS (1000ull * 1000)

/* Run until SIGTERM/SIGINT or --duration-s.  Returns the exit code:
 * 0 stopped cleanly, 1 set-up failure (reported in the status file when it
 * can be written, and on stderr). */
int service_run(const struct service_options *opt);

#endif

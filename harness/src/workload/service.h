/*
 * case3's live service in the guest (workloads/service): start it, read
 * its throughput log, and reduce it to before/during/after figures around
 * the migration window.
 */
#ifndef PVMIG_SERVICE_H
#define PVMIG_SERVICE_H

#include <jansson.h>
#include <stdint.h>

#include "qmp.h"

struct service_window {
	int64_t start_ms;	/* migration window, guest CLOCK_MONOTONIC */
	int64_t end_ms;
};

struct service_figures {
	double before;		/* ops/s, mean over the warm-up's second half */
	double during;		/* ops/s inside the window */
	double after;		/* ops/s after it */
	double dip;		/* lowest interval rate in or just after the window */
	int64_t recovery_ms;	/* from window end until a rate >= 90% of before */
	json_t *series;		/* [{t_ms, ops}] relative to the window start */
};

int service_start(struct qmp *ga, long wss_mib, long dirty_mib_s);

/* Guest CLOCK_MONOTONIC in ms, -1 on failure. */
int64_t service_guest_now(struct qmp *ga);

/* Fetch the log; caller frees. */
char *service_fetch_log(struct qmp *ga);

/*
 * Reduce log text ("t_ms ops ops_per_s" per line) around the window (pure;
 * unit-tested).  Returns 0, or -1 if the log has no usable line.
 */
int service_reduce(const char *log, const struct service_window *w, struct service_figures *f);

#endif

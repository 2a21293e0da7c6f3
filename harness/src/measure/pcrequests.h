/*
 * Postcopy's on-demand page requests, timed on the destination.
 *
 * A destination vCPU that touches a page not received yet faults into
 * userfaultfd; QEMU asks the source for the page and records the request
 * (trace event postcopy_page_req_add, once per page), and marks it
 * resolved when the page is placed (postcopy_page_req_del), whichever
 * stream brought it.  With both events on QEMU's log backend and
 * -msg timestamp=on, each goes to the destination's log as
 *
 *   TID@SECONDS.MICROSECONDS:postcopy_page_req_add new page req 0x7f.. total N
 *
 * A request's latency is its del's time minus its add's, for the same
 * host address: what a faulting vCPU waits, plus the fault's own entry.
 * QEMU's postcopy-blocktime gives the vCPUs' total; this gives the
 * distribution per request.
 */
#ifndef PVMIG_PCREQUESTS_H
#define PVMIG_PCREQUESTS_H

#include <stddef.h>

/* QEMU arguments for the destination: the two events, with timestamps,
 * NULL-terminated; then "-D" and the host's path of PC_REQUESTS_LOG, a
 * file of this QEMU's own (QEMU opens it anew), where they go. */
extern const char *const pc_requests_qemu_args[];
#define PC_REQUESTS_LOG "dst-postcopy-trace.log"

struct pc_requests {
	long requested;		/* distinct pages asked for */
	long resolved;		/* of them, placed while the log was read */
	double median_us;	/* over the resolved; -1 when none */
	double max_us;
};

/* Pair the events of log (the destination QEMU's log text, other lines
 * ignored).  Returns 0, or -1 when log is NULL. */
int pc_requests_parse(const char *log, struct pc_requests *out);

#endif

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * op_pacer.h - hold the service's operations to a rate, so that its memory
 * dirtying rate (one 4 KiB page per op) is the --dirty-mib-s the experiment
 * asked for, smoothly rather than in once-a-second bursts.
 *
 * Pure arithmetic on times the caller passes in: the unit tests drive it
 * with made-up clocks.
 */
#ifndef PVMIG_SERVICE_OP_PACER_H
#define PVMIG_SERVICE_OP_PACER_H

#include <stdint.h>

/*
 * Most ops the pacer hands out at once.  The loop reads the clock between
 * batches, so this bounds how late a log line can be: 64 ops are well under
 * a millisecond natively and a few milliseconds under TCG.
 */
#define OP_PACER_MAX_BATCH 64u

/*
 * Most schedule the pacer lets the service fall behind and then make up.
 * Short hiccups (a preempted vCPU, a page fault) are caught up so the
 * average rate stays exact; a long stall (VM paused, vCPUs starved during
 * dirty logging) is not: making it up would be a dirtying burst above the
 * cap, and would paint a throughput spike the service never really had.
 */
#define OP_PACER_MAX_BACKLOG_NS (10ull * 1000 * 1000)

struct op_pacer {
	double ops_per_sec;         /* 0: unthrottled */
	uint64_t epoch_ns;          /* schedule origin */
	uint64_t ops_since_epoch;   /* ops done since epoch_ns */
	uint64_t reanchors;         /* times a stall's backlog was dropped */
};

/* Ops per second that dirty @mib_per_sec MiB/s, one @page_size page per op. */
double op_pacer_rate_for(double mib_per_sec, unsigned page_size);

void op_pacer_init(struct op_pacer *p, double ops_per_sec, uint64_t now_ns);

/*
 * Ops that may run at @now_ns without getting ahead of the schedule, at most
 * OP_PACER_MAX_BATCH (unthrottled: always that).  Drops any backlog beyond
 * OP_PACER_MAX_BACKLOG_NS, which is why it takes a mutable pacer.
 */
uint64_t op_pacer_ops_allowed(struct op_pacer *p, uint64_t now_ns);

/* Note @ops just done. */
void op_pacer_account(struct op_pacer *p, uint64_t ops);

/* Time at which the next op is due.  Unthrottled: the epoch (always due). */
uint64_t op_pacer_next_due_ns(const struct op_pacer *p);

/*
 * When the caller should wake to run ops again: when the next op is due,
 * but never sooner than @now_ns + @step_ns, so that at high rates ops run
 * in one batch per step instead of one sleep per op.
 */
uint64_t op_pacer_wake_ns(const struct op_pacer *p, uint64_t now_ns, uint64_t step_ns);

#endif

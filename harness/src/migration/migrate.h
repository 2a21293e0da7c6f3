/* One precopy migration between two running QEMUs, sampled as it goes. */
#ifndef PVMIG_MIGRATE_H
#define PVMIG_MIGRATE_H

#include <stdint.h>

#include "methods.h"
#include "migsettings.h"
#include "record.h"
#include "vm.h"

struct migrate_params {
	const char *uri;		/* tcp:DST:PORT */
	int64_t max_bandwidth;		/* bytes/s, as QEMU wants it */
	int64_t downtime_limit_ms;
	int timeout_ms;			/* give up (and cancel) after this */
	int sample_interval_ms;		/* query-migrate period */
	const char *label;		/* for the live progress line */
	struct migsettings settings;	/* the method's, on both sides */
	enum switchover switchover;
	int postcopy_after_ms;		/* -1: switch once the first pass is done */
	/* Called at each sample with the elapsed ms (the harness polls CPU
	 * counters and injects test faults there); the return value is
	 * informational, sampling goes on to a final state. */
	int (*on_sample)(void *opaque, int64_t elapsed_ms, const char *status);
	void *opaque;
};

/*
 * Set parameters (and read them back) on both sides, start the destination
 * listening, migrate, switch to postcopy if the method says so, sample
 * until a final state, wait for the destination to run.  Fills r; returns
 * 0 when the migration completed.  A capability or parameter QEMU refuses
 * leaves r->status "refused" with QEMU's message in r->error.
 */
int migrate_run(struct vm *src, struct vm *dst, const struct migrate_params *p,
                struct mig_record *r);

/* Parse query-migrate's reply into r's figures (pure; unit-tested). */
void migrate_parse_info(json_t *info, struct mig_record *r);

/* QEMU's MIGRATION events (each with QEMU's own timestamp) after t0_us
 * (realtime, microseconds) into r->mig_events and r->stop_copy_ms, the
 * span from "device" (the VM stopped) to "completed" (pure; unit-tested). */
void migrate_parse_events(json_t *events, int64_t t0_us, struct mig_record *r);

#endif

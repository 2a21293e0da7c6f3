/*
 * Each method's own steps around a migration, as its table entry
 * (methods.h) asks for them: the preparation before migrating (inflating
 * the balloon, letting free page reporting settle), and afterwards the
 * counters the method has (the free page bitmap's statistics, the balloon's
 * sizing and outcome, the reporting RSS) and the balloon given back on the
 * destination.  onemigration.c runs the phases; what a method does in
 * them is here.
 */
#ifndef PVMIG_METHODSTEPS_H
#define PVMIG_METHODSTEPS_H

#include <jansson.h>
#include <stdint.h>

#include "balloon.h"
#include "methods.h"
#include "record.h"
#include "vm.h"

/* What the steps of one migration carry from preparation to recording. */
struct method_state {
	struct balloon_outcome bo;	/* inflate: its sizing and outcome */
	/* inflate: the source QEMU's CPU over the inflation, in user mode
	 * (under TCG this includes emulating the guest) and in the host
	 * kernel; NA when not read. */
	int64_t inflate_user_ms, inflate_sys_ms;
	json_t *reporting;		/* reporting_settle: RSS before and after */
};

/* The method's preparation on the source; sets r->prep_time_ms.  -1 with
 * r->error (and the balloon's counters) set when inflation failed. */
int method_prepare(const struct method *m, struct vm *src, int64_t mem_bytes,
		   struct method_state *st, struct mig_record *r);

/* After the migration: the method's counters into r->counters (and the
 * figures taken from them into r), and the balloon deflated on the
 * destination when its guest answered (r->dst_agent_ok). */
void method_record(const struct method *m, struct vm *src, struct vm *dst, int64_t mem_bytes,
		   struct method_state *st, struct mig_record *r);

void method_state_free(struct method_state *st);

#endif

/*
 * One migration of a run: boot source and destination, load the guest
 * with the case's workload, prepare with the method (balloon, reporting
 * settle), migrate, then check the guest and collect the figures.
 */
#ifndef PVMIG_ONEMIGRATION_H
#define PVMIG_ONEMIGRATION_H

#include "methods.h"
#include "record.h"
#include "runenv.h"

/* Fills r; a failure is recorded in r->error, never returned.  Both
 * guests are stopped on return. */
void one_migration(struct env *e, const struct method *m, int repeat,
                   struct mig_record *r);

#endif

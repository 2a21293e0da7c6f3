/*
 * The guest memory checker (workloads/memcheck) around a migration: start
 * it in the source guest before migrating, and afterwards make whichever
 * guest now runs (the destination, or the source after a failed migration)
 * verify every page it holds.
 */
#ifndef PVMIG_INTEGRITY_H
#define PVMIG_INTEGRITY_H

#include <stdint.h>

#include "qmp.h"

struct integrity {
	long pid;			/* checker's pid in the guest */
	int64_t pages_verified;
	int64_t pages_written;
	int64_t mismatches;		/* -1: not verified */
	char error[256];
};

/* Start the checker holding up to mib MiB; waits until it reports running. */
int integrity_start(struct qmp *ga, long mib, struct integrity *it);

/* SIGUSR1, then wait (bounded) for its full verification. */
int integrity_verify(struct qmp *ga, struct integrity *it);

/* Parse the checker's status JSON (pure; unit-tested). 0 if well-formed. */
int integrity_parse_status(const char *text, char *state, size_t statelen,
                           struct integrity *it);

#endif

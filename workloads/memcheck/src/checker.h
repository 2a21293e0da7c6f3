/* SPDX-License-Identifier: GPL-2.0 */
/*
 * checker.h - the long-running part: churn the working set until told to
 * verify, verify everything on SIGUSR1, stop on SIGTERM.
 */
#ifndef PVMIG_CHECKER_H
#define PVMIG_CHECKER_H

#include <stddef.h>
#include <stdint.h>

#include "test_corruption.h"

struct checker_options {
	size_t mem_bytes;            /* hard ceiling on mapped chunk memory */
	size_t chunk_bytes;
	uint64_t rate_bytes_per_s;   /* 0: unthrottled */
	uint64_t seed;
	unsigned low_water_pct;      /* shrink down to this share of mem_bytes, then regrow */
	size_t reserve_bytes;        /* do not grow if MemAvailable would fall below this */
	const char *status_path;
	enum test_corruption test_corrupt; /* TEST ONLY, applied before the first full pass */
	/* Called once the first status file exists (used to release a daemon's parent). */
	void (*on_started)(void *arg);
	void *on_started_arg;
};

/* Run until SIGTERM/SIGINT.  Returns the process exit code. */
int checker_run(const struct checker_options *opt);

#endif

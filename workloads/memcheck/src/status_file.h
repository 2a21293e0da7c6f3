/* SPDX-License-Identifier: GPL-2.0 */
/*
 * status_file.h - the checker's only output channel: a JSON object replaced
 * atomically (write a temporary file, rename over) so a reader polling it
 * through the guest agent never sees a half-written file.
 */
#ifndef PVMIG_STATUS_FILE_H
#define PVMIG_STATUS_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "check_stats.h"

#define MEMCHECK_TOOL_NAME "pvmig-memcheck"
#define MEMCHECK_VERSION "1.0"

/* Inputs echoed back so every status file describes its own run. */
struct status_config {
	uint64_t mem_mib;
	uint64_t chunk_kib;
	uint64_t rate_mib_s;
	uint64_t seed;
	unsigned low_water_pct;
	uint64_t reserve_mib;
	const char *test_corrupt;   /* NULL unless a test-only corruption is armed */
};

struct status_report {
	const char *state;          /* starting, running, verifying, verified, stopped, error */
	const char *error;          /* NULL, or what went wrong */
	long pid;
	uint64_t uptime_ms;
	uint64_t seq;               /* bumps on every write: a liveness sign */
	struct status_config config;
	uint64_t held_bytes;
	uint64_t held_pages;
	uint64_t chunks_held;
	double write_mib_s;         /* since the previous status write */
	const struct check_stats *stats;
};

/* Render @report as JSON into @buf.  Returns the length, or -1 if too small. */
int status_render(const struct status_report *report, char *buf, size_t size);

/* Render and atomically replace @path.  Returns 0 or -errno. */
int status_file_write(const char *path, const struct status_report *report);

#endif

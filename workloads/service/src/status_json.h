/* SPDX-License-Identifier: GPL-2.0 */
/*
 * status_json.h - the machine-readable summary: one JSON object, written at
 * start, on SIGUSR1 and at exit, and replaced atomically (temporary file,
 * then rename) so a reader polling it through the guest agent never sees a
 * half-written file.  It echoes every input, so it describes its own run.
 */
#ifndef PVMIG_SERVICE_STATUS_JSON_H
#define PVMIG_SERVICE_STATUS_JSON_H

#include <stddef.h>
#include <stdint.h>

struct service_status {
	const char *state;          /* populating, running, stopped, error */
	const char *error;          /* NULL, or what went wrong */
	long pid;
	/* inputs */
	uint64_t wss_mib;
	double dirty_mib_s;
	uint64_t interval_ms;
	uint64_t duration_s;
	uint64_t seed;
	const char *log_path;
	/* progress */
	uint64_t ops_total;
	uint64_t uptime_ms;         /* since the process started */
	uint64_t running_ms;        /* since ops began (0 while populating) */
	uint64_t t_ms;              /* CLOCK_MONOTONIC when this was written */
	uint64_t start_t_ms;        /* CLOCK_MONOTONIC when ops began, 0 before */
	double achieved_dirty_mib_s;
	uint64_t log_lines;
	uint64_t intervals_skipped;
	uint64_t longest_interval_ms;
	uint64_t pacer_stalls;      /* stalls whose backlog was dropped */
	uint64_t log_write_errors;
};

/* Render @s into @buf.  Returns the length, or -1 if @buf is too small. */
int status_json_render(const struct service_status *s, char *buf, size_t size);

/* Render and atomically replace @path.  Returns 0 or -errno. */
int status_json_write(const char *path, const struct service_status *s);

#endif

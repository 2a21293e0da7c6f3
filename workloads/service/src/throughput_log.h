/* SPDX-License-Identifier: GPL-2.0 */
/*
 * throughput_log.h - the log file: one line per interval, each handed to
 * the kernel with its own write(2) as soon as it exists, so a crash, an OOM
 * kill or a reader polling through the guest agent loses nothing and never
 * sees a half line (short writes aside, which regular files do not make).
 */
#ifndef PVMIG_SERVICE_THROUGHPUT_LOG_H
#define PVMIG_SERVICE_THROUGHPUT_LOG_H

#include <stdint.h>

#include "interval_report.h"

struct throughput_log {
	int fd;
	uint64_t write_errors;  /* lines that did not make it: counted, not fatal */
};

/* Create or truncate @path: one run, one log.  Returns 0 or -errno. */
int throughput_log_open(struct throughput_log *log, const char *path);

/* Append the line for @s.  A failure is counted and returns -errno; the
 * service keeps running, since the status file still tells the totals. */
int throughput_log_append(struct throughput_log *log, const struct interval_sample *s);

void throughput_log_close(struct throughput_log *log);

#endif

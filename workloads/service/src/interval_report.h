/* SPDX-License-Identifier: GPL-2.0 */
/*
 * interval_report.h - cut the op count into reporting intervals and format
 * one log line per interval: "<t_ms> <ops_in_interval> <ops_per_s>\n".
 *
 * The point of the log is to show the migration's effect on the service, so
 * every figure comes from what really happened:
 *  - ops_per_s is the interval's ops over its real length, so an interval
 *    stretched by a paused or slowed guest shows the lower rate;
 *  - an interval the process never ran in gets no line of its own: the next
 *    line's t_ms shows the gap, and its ops_per_s spans all of it.
 *
 * Pure arithmetic on times the caller passes in, for the unit tests.
 */
#ifndef PVMIG_SERVICE_INTERVAL_REPORT_H
#define PVMIG_SERVICE_INTERVAL_REPORT_H

#include <stddef.h>
#include <stdint.h>

/* Longest line interval_line_format() can produce, plus its NUL. */
#define INTERVAL_LINE_MAX 80

struct interval_sample {
	uint64_t t_ms;          /* CLOCK_MONOTONIC at the end of the interval */
	uint64_t ops;           /* ops since the previous line */
	uint64_t elapsed_ns;    /* real length of the interval */
	double ops_per_s;       /* ops / elapsed */
	uint64_t skipped;       /* planned boundaries that passed with no line */
};

struct interval_clock {
	uint64_t interval_ns;
	uint64_t next_boundary_ns;  /* on the grid start + k * interval */
	uint64_t last_line_ns;
	uint64_t ops_at_last_line;
	/* Run totals, for the status file. */
	uint64_t lines;
	uint64_t skipped_total;
	uint64_t longest_ns;        /* longest interval seen */
};

void interval_clock_init(struct interval_clock *ic, uint64_t interval_ns, uint64_t start_ns);

/* Non-zero when a line is due at @now_ns. */
int interval_clock_due(const struct interval_clock *ic, uint64_t now_ns);

/*
 * End the current interval at @now_ns with @ops_total ops done since start;
 * fill @out and move to the next boundary.  The next boundary is the first
 * grid point at least half an interval after @now_ns: lines stay on a fixed
 * cadence, and an interval after a stall is never a sliver whose rate would
 * be noise.
 */
void interval_clock_close(struct interval_clock *ic, uint64_t now_ns, uint64_t ops_total,
			  struct interval_sample *out);

/* Render @s as a log line into @buf.  Returns its length, or -1 if too small. */
int interval_line_format(const struct interval_sample *s, char *buf, size_t size);

#endif

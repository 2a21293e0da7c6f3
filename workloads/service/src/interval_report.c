// SPDX-License-Identifier: GPL-2.0
/*
 * interval_report.c - interval bookkeeping and the log line format.
 */
#include "interval_report.h"

#include <inttypes.h>
#include <stdio.h>

#include "monotonic_clock.h"

void interval_clock_init(struct interval_clock *ic, uint64_t interval_ns, uint64_t start_ns)
{
	ic->interval_ns = interval_ns ? interval_ns : 1;
	ic->next_boundary_ns = start_ns + ic->interval_ns;
	ic->last_line_ns = start_ns;
	ic->ops_at_last_line = 0;
	ic->lines = 0;
	ic->skipped_total = 0;
	ic->longest_ns = 0;
}

int interval_clock_due(const struct interval_clock *ic, uint64_t now_ns)
{
	return now_ns >= ic->next_boundary_ns;
}

void interval_clock_close(struct interval_clock *ic, uint64_t now_ns, uint64_t ops_total,
			  struct interval_sample *out)
{
	uint64_t passed = 0;  /* boundaries at or before now */
	uint64_t next = ic->next_boundary_ns;

	out->t_ms = ns_to_ms(now_ns);
	out->ops = ops_total - ic->ops_at_last_line;
	out->elapsed_ns = now_ns > ic->last_line_ns ? now_ns - ic->last_line_ns : 0;
	out->ops_per_s = out->elapsed_ns
		? (double)out->ops * (double)NSEC_PER_SEC / (double)out->elapsed_ns
		: 0;

	if (now_ns >= next) {
		passed = (now_ns - next) / ic->interval_ns + 1;
		next += passed * ic->interval_ns;
	}
	/* Too close to now: that interval would be a sliver; skip to the next. */
	if (next - now_ns < ic->interval_ns / 2) {
		next += ic->interval_ns;
		passed++;
	}
	/* One passed boundary is the one this line stands for; any more, and
	 * the one just skipped for being too close, had no line. */
	out->skipped = passed > 1 ? passed - 1 : 0;

	ic->next_boundary_ns = next;
	ic->last_line_ns = now_ns;
	ic->ops_at_last_line = ops_total;
	ic->lines++;
	ic->skipped_total += out->skipped;
	if (out->elapsed_ns > ic->longest_ns)
		ic->longest_ns = out->elapsed_ns;
}

int interval_line_format(const struct interval_sample *s, char *buf, size_t size)
{
	int n = snprintf(buf, size, "%" PRIu64 " %" PRIu64 " %.1f\n", s->t_ms, s->ops,
			 s->ops_per_s);

	return n < 0 || (size_t)n >= size ? -1 : n;
}

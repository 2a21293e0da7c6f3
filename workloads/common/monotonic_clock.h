/* SPDX-License-Identifier: GPL-2.0 */
/*
 * monotonic_clock.h - the one time source of the guest programs: pacing,
 * interval boundaries, status cadence, uptimes and log timestamps.
 *
 * CLOCK_MONOTONIC keeps counting across a live migration (the guest clock
 * is carried over), so times stay comparable on both hosts, and the harness
 * can map host time onto log lines with a single reading of the guest
 * clock ("pvmig-service now").  A wall-clock step (date, NTP) can never
 * bend the pacing.
 */
#ifndef PVMIG_COMMON_MONOTONIC_CLOCK_H
#define PVMIG_COMMON_MONOTONIC_CLOCK_H

#include <errno.h>
#include <stdint.h>
#include <time.h>

#define NSEC_PER_USEC 1000ull
#define NSEC_PER_MSEC 1000000ull
#define NSEC_PER_SEC 1000000000ull

static inline uint64_t monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

/* Milliseconds as printed in the log and by "now": truncated, never rounded
 * up, so a line's t_ms is never later than the moment it describes. */
static inline uint64_t ns_to_ms(uint64_t ns)
{
	return ns / NSEC_PER_MSEC;
}

/* Sleep up to @ns; a signal cuts it short, which is what callers want. */
static inline void sleep_ns(uint64_t ns)
{
	struct timespec ts = {
		.tv_sec = (time_t)(ns / NSEC_PER_SEC),
		.tv_nsec = (long)(ns % NSEC_PER_SEC),
	};

	nanosleep(&ts, NULL);
}

/*
 * Sleep until the absolute CLOCK_MONOTONIC time @deadline_ns.  Returns 0 when
 * the deadline passed, -EINTR when a signal cut the sleep short (the caller
 * wants that: it looks at its signal flags and comes back).  Absolute
 * deadlines keep the schedule from drifting by the loop's own run time.
 */
static inline int sleep_until_ns(uint64_t deadline_ns)
{
	struct timespec ts = {
		.tv_sec = (time_t)(deadline_ns / NSEC_PER_SEC),
		.tv_nsec = (long)(deadline_ns % NSEC_PER_SEC),
	};
	int rc = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);

	return rc == 0 ? 0 : -rc;
}

#endif

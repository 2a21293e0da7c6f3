/* SPDX-License-Identifier: GPL-2.0 */
/*
 * monotonic_clock.h - one time source for pacing, status cadence and uptime.
 *
 * CLOCK_MONOTONIC keeps counting across a live migration (the guest clock is
 * carried over), so uptime_ms in the status stays comparable on both hosts.
 */
#ifndef PVMIG_MONOTONIC_CLOCK_H
#define PVMIG_MONOTONIC_CLOCK_H

#include <stdint.h>
#include <time.h>

#define NSEC_PER_MSEC 1000000ull
#define NSEC_PER_SEC 1000000000ull

static inline uint64_t monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
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

#endif

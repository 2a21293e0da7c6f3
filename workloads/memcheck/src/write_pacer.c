// SPDX-License-Identifier: GPL-2.0
/*
 * write_pacer.c - byte-rate schedule for the checker's writes.
 */
#include "write_pacer.h"

#include "monotonic_clock.h"

/* Unthrottled: pause this long after this much uninterrupted work. */
#define UNTHROTTLED_WORK_NS (50 * NSEC_PER_MSEC)
#define UNTHROTTLED_PAUSE_NS (1 * NSEC_PER_MSEC)

/*
 * Throttled: never bank more than this much idle time as credit, so a pause
 * (a full verify pass, a stopped guest during migration downtime) is not
 * followed by an unthrottled burst.
 */
#define MAX_CREDIT_NS (200 * NSEC_PER_MSEC)

void write_pacer_init(struct write_pacer *p, uint64_t bytes_per_sec)
{
	p->bytes_per_sec = bytes_per_sec;
	p->epoch_ns = monotonic_ns();
	p->bytes_since_epoch = 0;
	p->last_pause_ns = p->epoch_ns;
}

void write_pacer_account(struct write_pacer *p, uint64_t bytes)
{
	p->bytes_since_epoch += bytes;
}

uint64_t write_pacer_delay_ns(struct write_pacer *p)
{
	uint64_t now = monotonic_ns();
	uint64_t due;

	if (p->bytes_per_sec == 0) {
		if (now - p->last_pause_ns < UNTHROTTLED_WORK_NS)
			return 0;
		p->last_pause_ns = now + UNTHROTTLED_PAUSE_NS;
		return UNTHROTTLED_PAUSE_NS;
	}

	/* Time at which the bytes written so far are allowed to be done. */
	due = p->epoch_ns + (uint64_t)((double)p->bytes_since_epoch * NSEC_PER_SEC /
				       (double)p->bytes_per_sec);
	if (due > now)
		return due - now;
	if (now - due > MAX_CREDIT_NS) {
		p->epoch_ns = now - MAX_CREDIT_NS;
		p->bytes_since_epoch = 0;
	}
	return 0;
}

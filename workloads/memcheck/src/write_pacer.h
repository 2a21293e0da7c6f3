/* SPDX-License-Identifier: GPL-2.0 */
/*
 * write_pacer.h - keep the write rate at --rate-mib-s, or, unthrottled, give
 * the CPU away briefly now and then so the guest agent keeps answering.
 */
#ifndef PVMIG_WRITE_PACER_H
#define PVMIG_WRITE_PACER_H

#include <stdint.h>

struct write_pacer {
	uint64_t bytes_per_sec;   /* 0: unthrottled */
	uint64_t epoch_ns;        /* schedule origin */
	uint64_t bytes_since_epoch;
	uint64_t last_pause_ns;
};

void write_pacer_init(struct write_pacer *p, uint64_t bytes_per_sec);

/* Note @bytes just written. */
void write_pacer_account(struct write_pacer *p, uint64_t bytes);

/*
 * How long the caller should sleep now (0: carry on).  Callers sleep in
 * short slices and ask again, so signals and status updates stay timely.
 */
uint64_t write_pacer_delay_ns(struct write_pacer *p);

#endif

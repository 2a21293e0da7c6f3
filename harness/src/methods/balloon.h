/*
 * The reply's method: inflate the balloon to what the guest can spare
 * before migrating, sized from the guest's available-memory statistic, with
 * deflate-on-oom for safety; deflate on the destination afterwards.
 */
#ifndef PVMIG_BALLOON_H
#define PVMIG_BALLOON_H

#include <stdint.h>

#include "qmp.h"

/*
 * Safety margin kept out of the balloon: 5% of guest RAM, at least 64 MiB.
 * MemAvailable is an estimate and the guest's own services keep allocating
 * while the balloon grows; the margin is what they may use meanwhile.
 */
int64_t balloon_margin_bytes(int64_t mem_bytes);

/*
 * Guest RAM size to ask QEMU's `balloon` for: everything the guest reports
 * available, less the margin, is taken away.  Returns mem_bytes (no
 * inflation) when there is nothing to spare.  Never below the margin.
 */
int64_t balloon_target_bytes(int64_t mem_bytes, int64_t avail_bytes, int64_t margin_bytes);

struct balloon_outcome {
	int64_t avail_bytes;	/* stat-available-memory before inflating */
	int64_t target_bytes;
	int64_t actual_bytes;	/* what the guest reached */
	int64_t inflate_ms;
	int64_t deflate_ms;
	char outcome[64];	/* "reached", "stalled", "no-stats", ... */
};

/* Inflate on the source; bounded; the outcome says how far it got. */
int balloon_inflate(struct qmp *qmp, int64_t mem_bytes, int timeout_ms,
                    struct balloon_outcome *out);

/* Give the memory back on the destination (bounded). */
int balloon_deflate(struct qmp *qmp, int64_t mem_bytes, int timeout_ms,
                    struct balloon_outcome *out);

#endif

// SPDX-License-Identifier: GPL-2.0
/*
 * check_stats.c - bookkeeping for what the checker has written and found.
 */
#include "check_stats.h"

#include <string.h>

#include "monotonic_clock.h"

void check_stats_init(struct check_stats *stats)
{
	memset(stats, 0, sizeof(*stats));
	stats->start_ns = monotonic_ns();
}

uint64_t check_stats_uptime_ms(const struct check_stats *stats)
{
	return (monotonic_ns() - stats->start_ns) / NSEC_PER_MSEC;
}

void check_stats_record_mismatch(struct check_stats *stats,
				 const struct mismatch_record *record)
{
	stats->mismatches++;
	if ((unsigned)record->detail.kind < PAGE_CONTENT_KIND_COUNT)
		stats->mismatches_by_kind[record->detail.kind]++;
	if (!stats->have_first_mismatch) {
		stats->first_mismatch = *record;
		stats->have_first_mismatch = 1;
	}
}

const char *check_site_name(enum check_site site)
{
	static const char *const names[CHECK_SITE_COUNT] = {
		[CHECK_SITE_RANDOM] = "random_check",
		[CHECK_SITE_REWRITE] = "before_rewrite",
		[CHECK_SITE_RELEASE] = "before_free",
		[CHECK_SITE_FULL_PASS] = "full_pass",
	};

	if ((unsigned)site >= CHECK_SITE_COUNT)
		return "unknown";
	return names[site];
}

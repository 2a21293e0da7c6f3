/* SPDX-License-Identifier: GPL-2.0 */
/*
 * check_stats.h - counters and the first-mismatch record that the status
 * file reports.  Kept apart from the working set so the status writer and
 * the tests can read them without knowing how memory is held.
 */
#ifndef PVMIG_CHECK_STATS_H
#define PVMIG_CHECK_STATS_H

#include <stdint.h>

#include "page_pattern.h"

/* Where a mismatch was noticed; tells the reader how old the loss may be. */
enum check_site {
	CHECK_SITE_RANDOM = 0,   /* spot check of a random held page */
	CHECK_SITE_REWRITE,      /* check done just before giving a page a new generation */
	CHECK_SITE_RELEASE,      /* check of a whole chunk just before munmap */
	CHECK_SITE_FULL_PASS,    /* the SIGUSR1 pass over everything held */
	CHECK_SITE_COUNT
};

const char *check_site_name(enum check_site site);

struct mismatch_record {
	uint64_t chunk_id;
	uint64_t page_index;
	uint64_t vaddr;
	uint64_t expected_generation;
	uint64_t uptime_ms;          /* when it was found */
	enum check_site site;
	struct page_mismatch detail;
};

struct full_pass_result {
	uint64_t pages;
	uint64_t mismatches;
	uint64_t duration_ms;
	int complete;               /* 0 when SIGTERM cut the pass short */
};

struct check_stats {
	uint64_t start_ns;
	uint64_t pages_written;
	uint64_t pages_verified;
	uint64_t mismatches;        /* pages found wrong, each counted once per finding */
	uint64_t mismatches_by_kind[PAGE_CONTENT_KIND_COUNT];
	uint64_t allocs;            /* chunks mapped */
	uint64_t frees;             /* chunks unmapped */
	uint64_t alloc_deferrals;   /* growth held back to keep MemAvailable above the reserve */
	uint64_t alloc_failures;    /* mmap refused */
	uint64_t full_passes;
	int have_last_pass;
	struct full_pass_result last_pass;
	int have_first_mismatch;
	struct mismatch_record first_mismatch;
};

void check_stats_init(struct check_stats *stats);
uint64_t check_stats_uptime_ms(const struct check_stats *stats);

/* Count one wrong page; remembers the first one in full. */
void check_stats_record_mismatch(struct check_stats *stats,
				 const struct mismatch_record *record);

#endif

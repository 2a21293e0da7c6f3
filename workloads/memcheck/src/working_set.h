/* SPDX-License-Identifier: GPL-2.0 */
/*
 * working_set.h - the memory the checker holds: chunks of anonymous memory,
 * each page carrying page_pattern content, with the expected generation of
 * every page kept in a separate table.
 *
 * The table is what makes an old-but-intact page detectable: the page's own
 * header would happily describe an older generation of itself, so the
 * expected generation must live elsewhere.
 */
#ifndef PVMIG_WORKING_SET_H
#define PVMIG_WORKING_SET_H

#include <stddef.h>
#include <stdint.h>

#include "check_stats.h"

struct chunk {
	unsigned char *addr;
	uint64_t id;                /* unique for the whole run, never reused */
	size_t filled_pages;        /* pages [0, filled_pages) hold checked content */
	uint32_t *generation;       /* expected generation of each page */
};

struct working_set {
	uint64_t seed;
	size_t chunk_pages;
	size_t max_chunks;          /* --mem / --chunk: the hard ceiling */
	struct chunk *pool;         /* max_chunks descriptors, allocated once */
	struct chunk **held;        /* held[0..nheld): mapped chunks */
	struct chunk **spare;       /* spare[0..nspare): unused descriptors */
	size_t nheld;
	size_t nspare;
	uint32_t *generation_store; /* backing for every descriptor's table */
	uint64_t next_chunk_id;
	struct check_stats *stats;
};

/*
 * Reserve bookkeeping for at most @max_bytes of held memory in chunks of
 * @chunk_bytes (a multiple of PAGE_PATTERN_SIZE).  Maps no chunk memory yet.
 * Returns 0 or -errno.
 */
int working_set_init(struct working_set *ws, size_t max_bytes, size_t chunk_bytes,
		     uint64_t seed, struct check_stats *stats);
/* Unmap everything without checking it. */
void working_set_destroy(struct working_set *ws);

size_t working_set_chunk_bytes(const struct working_set *ws);
size_t working_set_held_bytes(const struct working_set *ws);  /* mapped */
size_t working_set_held_pages(const struct working_set *ws);  /* filled */

/*
 * Map a fresh chunk (untouched: its pages are first faulted in by the
 * writes that fill it).  Returns NULL when the ceiling is reached or mmap
 * fails (the latter is counted in stats->alloc_failures).
 */
struct chunk *working_set_map_chunk(struct working_set *ws);

/* Write the next unfilled page of @c with generation 1. */
void working_set_fill_next_page(struct working_set *ws, struct chunk *c);

/*
 * Check one page against its expected content.  A wrong page is counted,
 * recorded with @site, and then rewritten with a new generation so that one
 * loss is counted once.  Returns 1 if the page was wrong, else 0.
 */
int working_set_verify_page(struct working_set *ws, struct chunk *c, size_t page,
			    enum check_site site);

/* Check a page, then give it the next generation. */
void working_set_rewrite_page(struct working_set *ws, struct chunk *c, size_t page);

/* Check every filled page of held[@slot], then munmap it and forget it. */
void working_set_release_chunk(struct working_set *ws, size_t slot);

static inline unsigned char *chunk_page(const struct chunk *c, size_t page)
{
	return c->addr + page * 4096u;
}

#endif

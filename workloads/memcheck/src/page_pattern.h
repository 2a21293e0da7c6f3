/* SPDX-License-Identifier: GPL-2.0 */
/*
 * page_pattern.h - the content every checked page must hold, and how a page
 * that holds something else is recognised.
 *
 * A page's full 4 KiB content is a pure function of its key (run seed, chunk
 * id, page index, generation).  Verification regenerates that content and
 * compares every byte, so there is no checksum collision to worry about: any
 * difference at all is a mismatch.  Because chunk ids are never reused within
 * a run and the seed differs between runs, every earlier content a physical
 * page could fall back to after a lost migration transfer is different from
 * the expected one:
 *   - the zero page (page skipped, destination never wrote it),
 *   - an older generation of the same page (a rewrite was lost),
 *   - a page of an earlier owner (a freed chunk of this run, or another run).
 *
 * Layout of a page (64-bit words, little endian as the CPU stores them):
 *   word 0  magic PAGE_PATTERN_MAGIC
 *   word 1  seed
 *   word 2  chunk id
 *   word 3  page index within the chunk
 *   word 4  generation
 *   word 5  checksum over every other word of the page
 *   word 6.. pseudo-random words derived from the key
 * The header and checksum are not needed to detect a mismatch; they let the
 * checker say WHAT it found instead (see page_classify()).
 */
#ifndef PVMIG_PAGE_PATTERN_H
#define PVMIG_PAGE_PATTERN_H

#include <stddef.h>
#include <stdint.h>

#define PAGE_PATTERN_SIZE 4096u
#define PAGE_PATTERN_WORDS (PAGE_PATTERN_SIZE / sizeof(uint64_t))
#define PAGE_PATTERN_MAGIC 0x314b434d474d5650ull /* "PVMGMCK1" */

/* Word positions of the header fields. */
enum page_header_word {
	PAGE_WORD_MAGIC = 0,
	PAGE_WORD_SEED = 1,
	PAGE_WORD_CHUNK = 2,
	PAGE_WORD_INDEX = 3,
	PAGE_WORD_GENERATION = 4,
	PAGE_WORD_CHECKSUM = 5,
	PAGE_WORD_FIRST_BODY = 6,
};

struct page_key {
	uint64_t seed;
	uint64_t chunk_id;
	uint64_t page_index;
	uint64_t generation;
};

/* What a mismatching page turned out to contain. */
enum page_content_kind {
	PAGE_CONTENT_EXPECTED = 0,   /* no mismatch */
	PAGE_CONTENT_ZERO,           /* all 4096 bytes zero */
	PAGE_CONTENT_OLDER_GENERATION, /* intact copy of an earlier write of this page */
	PAGE_CONTENT_NEWER_GENERATION, /* intact, but ahead of what we wrote: table lost */
	PAGE_CONTENT_OTHER_PAGE,     /* intact page of another chunk/index of this run */
	PAGE_CONTENT_OTHER_RUN,      /* intact page written with another seed */
	PAGE_CONTENT_CORRUPT,        /* anything else: torn, flipped, foreign data */
	PAGE_CONTENT_KIND_COUNT
};

struct page_mismatch {
	size_t offset;           /* first differing byte, 0..4095 */
	uint64_t expected_word;  /* aligned 64-bit word containing that byte */
	uint64_t found_word;
	enum page_content_kind kind;
	struct page_key found_key; /* valid when kind is an "intact page" kind */
};

/* Stable lower-case name of a kind, used as a JSON key. */
const char *page_content_kind_name(enum page_content_kind kind);

/* Write the content for @key into @page (PAGE_PATTERN_SIZE bytes, 8-aligned). */
void page_fill(void *page, const struct page_key *key);

/*
 * Compare @page with the content for @key.  Returns 0 when all bytes match.
 * Otherwise returns 1 and, if @mismatch is not NULL, describes the first
 * difference and classifies what the page holds.
 */
int page_verify(const void *page, const struct page_key *key,
		struct page_mismatch *mismatch);

/*
 * Say what @page holds, relative to the @expected key.  Cheap enough to call
 * only on pages already known to mismatch.
 */
enum page_content_kind page_classify(const void *page,
				     const struct page_key *expected,
				     struct page_key *found_key);

#endif

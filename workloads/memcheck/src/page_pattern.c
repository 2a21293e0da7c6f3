// SPDX-License-Identifier: GPL-2.0
/*
 * page_pattern.c - generate and check the deterministic content of one page.
 *
 * See page_pattern.h for the layout and why it detects reverted pages.
 */
#include "page_pattern.h"

#include <string.h>

/* splitmix64 finaliser: a cheap bijective mixer with good avalanche. */
static inline uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

#define GOLDEN_GAMMA 0x9e3779b97f4a7c15ull

/*
 * Fold every key field through the mixer in turn, so that two keys that
 * differ in any one field give unrelated bases (and thus unrelated bodies).
 */
static uint64_t key_base(const struct page_key *key)
{
	uint64_t h = mix64(key->seed ^ 0x6d656d636865636bull);

	h = mix64(h ^ key->chunk_id);
	h = mix64((h + GOLDEN_GAMMA) ^ key->page_index);
	h = mix64((h + 2 * GOLDEN_GAMMA) ^ key->generation);
	return h;
}

/* Body word i is the i-th output of a splitmix64 stream started at base. */
static inline uint64_t body_word(uint64_t base, size_t i)
{
	return mix64(base + (uint64_t)i * GOLDEN_GAMMA);
}

/*
 * Order-sensitive running checksum.  It only has to tell an intact page from
 * a damaged one when classifying; detection itself compares every byte.
 */
static inline uint64_t checksum_step(uint64_t h, uint64_t word)
{
	h ^= word;
	h *= GOLDEN_GAMMA;
	return h ^ (h >> 29);
}

#define CHECKSUM_INIT 0x636b73756d763121ull

static void header_words(const struct page_key *key, uint64_t hdr[PAGE_WORD_CHECKSUM])
{
	hdr[PAGE_WORD_MAGIC] = PAGE_PATTERN_MAGIC;
	hdr[PAGE_WORD_SEED] = key->seed;
	hdr[PAGE_WORD_CHUNK] = key->chunk_id;
	hdr[PAGE_WORD_INDEX] = key->page_index;
	hdr[PAGE_WORD_GENERATION] = key->generation;
}

void page_fill(void *page, const struct page_key *key)
{
	uint64_t *w = page;
	uint64_t hdr[PAGE_WORD_CHECKSUM];
	uint64_t base = key_base(key);
	uint64_t sum = CHECKSUM_INIT;
	size_t i;

	header_words(key, hdr);
	for (i = 0; i < PAGE_WORD_CHECKSUM; i++) {
		w[i] = hdr[i];
		sum = checksum_step(sum, hdr[i]);
	}
	for (i = PAGE_WORD_FIRST_BODY; i < PAGE_PATTERN_WORDS; i++) {
		uint64_t v = body_word(base, i);

		w[i] = v;
		sum = checksum_step(sum, v);
	}
	w[PAGE_WORD_CHECKSUM] = sum;
}

/* Whole-page comparison without building the expected page: the hot path. */
static int page_matches(const uint64_t *w, const struct page_key *key)
{
	uint64_t hdr[PAGE_WORD_CHECKSUM];
	uint64_t base = key_base(key);
	uint64_t sum = CHECKSUM_INIT;
	uint64_t diff = 0;
	size_t i;

	header_words(key, hdr);
	for (i = 0; i < PAGE_WORD_CHECKSUM; i++) {
		diff |= w[i] ^ hdr[i];
		sum = checksum_step(sum, hdr[i]);
	}
	/*
	 * Accumulate differences rather than branch per word: the loop stays
	 * tight and a mismatching page is rare enough to re-scan slowly.
	 */
	for (i = PAGE_WORD_FIRST_BODY; i < PAGE_PATTERN_WORDS; i++) {
		uint64_t v = body_word(base, i);

		diff |= w[i] ^ v;
		sum = checksum_step(sum, v);
	}
	diff |= w[PAGE_WORD_CHECKSUM] ^ sum;
	return diff == 0;
}

static void describe_first_difference(const void *page, const struct page_key *key,
				      struct page_mismatch *mm)
{
	uint64_t expected[PAGE_PATTERN_WORDS];
	const unsigned char *found_bytes = page;
	const unsigned char *expected_bytes = (const unsigned char *)expected;
	size_t off, word;

	page_fill(expected, key);
	for (off = 0; off < PAGE_PATTERN_SIZE; off++)
		if (found_bytes[off] != expected_bytes[off])
			break;
	if (off == PAGE_PATTERN_SIZE) /* cannot happen: caller saw a difference */
		off = 0;
	word = off / sizeof(uint64_t);
	mm->offset = off;
	mm->expected_word = expected[word];
	mm->found_word = ((const uint64_t *)page)[word];
}

int page_verify(const void *page, const struct page_key *key,
		struct page_mismatch *mismatch)
{
	if (page_matches(page, key))
		return 0;
	if (mismatch) {
		memset(mismatch, 0, sizeof(*mismatch));
		describe_first_difference(page, key, mismatch);
		mismatch->kind = page_classify(page, key, &mismatch->found_key);
	}
	return 1;
}

static int page_is_zero(const uint64_t *w)
{
	uint64_t any = 0;
	size_t i;

	for (i = 0; i < PAGE_PATTERN_WORDS; i++)
		any |= w[i];
	return any == 0;
}

/* True when @w is a complete, undamaged page as page_fill() writes it. */
static int page_is_intact(const uint64_t *w, struct page_key *key)
{
	if (w[PAGE_WORD_MAGIC] != PAGE_PATTERN_MAGIC)
		return 0;
	key->seed = w[PAGE_WORD_SEED];
	key->chunk_id = w[PAGE_WORD_CHUNK];
	key->page_index = w[PAGE_WORD_INDEX];
	key->generation = w[PAGE_WORD_GENERATION];
	return page_matches(w, key);
}

enum page_content_kind page_classify(const void *page,
				     const struct page_key *expected,
				     struct page_key *found_key)
{
	const uint64_t *w = page;
	struct page_key found;

	memset(&found, 0, sizeof(found));
	if (found_key)
		memset(found_key, 0, sizeof(*found_key));
	if (page_matches(w, expected))
		return PAGE_CONTENT_EXPECTED;
	if (page_is_zero(w))
		return PAGE_CONTENT_ZERO;
	if (!page_is_intact(w, &found))
		return PAGE_CONTENT_CORRUPT;
	if (found_key)
		*found_key = found;
	if (found.seed != expected->seed)
		return PAGE_CONTENT_OTHER_RUN;
	if (found.chunk_id != expected->chunk_id ||
	    found.page_index != expected->page_index)
		return PAGE_CONTENT_OTHER_PAGE;
	/* Same page, same run, intact, not equal: only the generation differs. */
	return found.generation < expected->generation ?
		PAGE_CONTENT_OLDER_GENERATION : PAGE_CONTENT_NEWER_GENERATION;
}

const char *page_content_kind_name(enum page_content_kind kind)
{
	static const char *const names[PAGE_CONTENT_KIND_COUNT] = {
		[PAGE_CONTENT_EXPECTED] = "expected",
		[PAGE_CONTENT_ZERO] = "zero",
		[PAGE_CONTENT_OLDER_GENERATION] = "older_generation",
		[PAGE_CONTENT_NEWER_GENERATION] = "newer_generation",
		[PAGE_CONTENT_OTHER_PAGE] = "other_page",
		[PAGE_CONTENT_OTHER_RUN] = "other_run",
		[PAGE_CONTENT_CORRUPT] = "corrupt",
	};

	if ((unsigned)kind >= PAGE_CONTENT_KIND_COUNT)
		return "unknown";
	return names[kind];
}

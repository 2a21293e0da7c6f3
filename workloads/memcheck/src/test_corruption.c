// SPDX-License-Identifier: GPL-2.0
/*
 * test_corruption.c - TEST ONLY: simulate the losses an unsafe hinting mode
 * causes, without touching the checker's expected-generation table.
 */
#include "test_corruption.h"

#include <string.h>
#include <sys/mman.h>

#include "page_pattern.h"

static const char *const names[] = {
	[TEST_CORRUPT_NONE] = "none",
	[TEST_CORRUPT_BYTE] = "byte",
	[TEST_CORRUPT_ZERO] = "zero",
	[TEST_CORRUPT_STALE] = "stale",
	[TEST_CORRUPT_FOREIGN] = "foreign",
};

int test_corruption_parse(const char *name, enum test_corruption *kind)
{
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(name, names[i]) == 0) {
			*kind = (enum test_corruption)i;
			return 0;
		}
	}
	return -1;
}

const char *test_corruption_name(enum test_corruption kind)
{
	if ((unsigned)kind >= sizeof(names) / sizeof(names[0]))
		return "unknown";
	return names[kind];
}

int test_corruption_apply(struct working_set *ws, enum test_corruption kind)
{
	struct chunk *victim = NULL;
	struct page_key key;
	unsigned char *page;
	size_t i, index;

	for (i = 0; i < ws->nheld && !victim; i++)
		if (ws->held[(ws->nheld / 2 + i) % ws->nheld]->filled_pages > 0)
			victim = ws->held[(ws->nheld / 2 + i) % ws->nheld];
	if (!victim)
		return -1;
	index = victim->filled_pages / 2;
	page = chunk_page(victim, index);
	key.seed = ws->seed;
	key.chunk_id = victim->id;
	key.page_index = index;
	key.generation = victim->generation[index];

	switch (kind) {
	case TEST_CORRUPT_NONE:
		return 0;
	case TEST_CORRUPT_BYTE:
		page[PAGE_PATTERN_SIZE / 2 + 3] ^= 0x5a;
		break;
	case TEST_CORRUPT_ZERO:
		/* What a skipped page looks like on the destination. */
		if (madvise(page, PAGE_PATTERN_SIZE, MADV_DONTNEED) < 0)
			memset(page, 0, PAGE_PATTERN_SIZE);
		break;
	case TEST_CORRUPT_STALE:
		key.generation--;
		page_fill(page, &key);
		break;
	case TEST_CORRUPT_FOREIGN:
		/* Chunk id 0 is never issued: plainly a page some other owner left. */
		key.chunk_id = 0;
		page_fill(page, &key);
		break;
	}
	return 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * working_set.c - memory for the service and its operation.
 */
#include "working_set.h"

#include <errno.h>
#include <sys/mman.h>

/* splitmix64: a fast, well-mixed generator; quality matters here only in
 * that every page must be equally likely, which it gives. */
static uint64_t next_random(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

int working_set_map(struct working_set *ws, size_t bytes, uint64_t seed)
{
	void *p;

	if (bytes == 0 || bytes % WORKING_SET_PAGE_SIZE)
		return -EINVAL;
	p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -errno;
	/*
	 * Keep the kernel's view of this memory at 4 KiB, as the op model
	 * assumes.  With transparent huge pages, khugepaged may collapse
	 * pages later, copying 2 MiB at a time: dirtying memory the service
	 * never asked to, above its set rate, in the middle of a migration.
	 * It also keeps per-page dirty tracking (soft-dirty, used by the host
	 * test to check the rate independently) exact.  Fails harmlessly
	 * on kernels without THP.
	 */
	(void)madvise(p, bytes, MADV_NOHUGEPAGE);

	ws->base = p;
	ws->pages = bytes / WORKING_SET_PAGE_SIZE;
	ws->rng = seed;
	ws->digest = 0;
	return 0;
}

void working_set_populate(struct working_set *ws)
{
	uint64_t state = ws->rng ^ 0x5eed5eed5eed5eedull;
	size_t i, n = ws->pages * WORKING_SET_PAGE_WORDS;

	/* "| 1": no word is zero, so no page can be a zero page. */
	for (i = 0; i < n; i++)
		ws->base[i] = next_random(&state) | 1;
}

size_t working_set_op(struct working_set *ws)
{
	size_t page = (size_t)(next_random(&ws->rng) % ws->pages);
	uint64_t *w = ws->base + page * WORKING_SET_PAGE_WORDS;
	uint64_t h = 0xcbf29ce484222325ull;
	size_t i;

	/* Read: a hash of the whole page, the op's "compute". */
	for (i = 0; i < WORKING_SET_PAGE_WORDS; i++)
		h = (h ^ w[i]) * 0x100000001b3ull;

	/* Write: every word, each depending on the read, so neither half can
	 * be optimised away and the page's content really changes. */
	for (i = 0; i < WORKING_SET_PAGE_WORDS; i++)
		w[i] = (w[i] ^ (h + i)) | 1;

	ws->digest ^= h;
	return page;
}

void working_set_unmap(struct working_set *ws)
{
	if (ws->base)
		munmap(ws->base, ws->pages * WORKING_SET_PAGE_SIZE);
	ws->base = NULL;
	ws->pages = 0;
}

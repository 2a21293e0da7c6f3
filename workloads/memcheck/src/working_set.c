// SPDX-License-Identifier: GPL-2.0
/*
 * working_set.c - map, fill, check and unmap the chunks the checker holds.
 */
#include "working_set.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "page_pattern.h"

_Static_assert(PAGE_PATTERN_SIZE == 4096u, "chunk_page() assumes 4 KiB pages");

int working_set_init(struct working_set *ws, size_t max_bytes, size_t chunk_bytes,
		     uint64_t seed, struct check_stats *stats)
{
	size_t i;

	memset(ws, 0, sizeof(*ws));
	if (chunk_bytes == 0 || chunk_bytes % PAGE_PATTERN_SIZE || max_bytes < chunk_bytes)
		return -EINVAL;
	ws->seed = seed;
	ws->stats = stats;
	ws->chunk_pages = chunk_bytes / PAGE_PATTERN_SIZE;
	ws->max_chunks = max_bytes / chunk_bytes;
	ws->next_chunk_id = 1;

	/*
	 * All bookkeeping is allocated now, so the churn loop never calls
	 * malloc and cannot fail half-way through an operation.  It costs
	 * 4 bytes per page of --mem (0.1 %), outside the --mem budget.
	 */
	ws->pool = calloc(ws->max_chunks, sizeof(*ws->pool));
	ws->held = calloc(ws->max_chunks, sizeof(*ws->held));
	ws->spare = calloc(ws->max_chunks, sizeof(*ws->spare));
	ws->generation_store = calloc(ws->max_chunks * ws->chunk_pages,
				      sizeof(*ws->generation_store));
	if (!ws->pool || !ws->held || !ws->spare || !ws->generation_store) {
		working_set_destroy(ws);
		return -ENOMEM;
	}
	for (i = 0; i < ws->max_chunks; i++) {
		ws->pool[i].generation = ws->generation_store + i * ws->chunk_pages;
		ws->spare[ws->nspare++] = &ws->pool[i];
	}
	return 0;
}

void working_set_destroy(struct working_set *ws)
{
	size_t i;

	for (i = 0; i < ws->nheld; i++)
		munmap(ws->held[i]->addr, working_set_chunk_bytes(ws));
	free(ws->pool);
	free(ws->held);
	free(ws->spare);
	free(ws->generation_store);
	memset(ws, 0, sizeof(*ws));
}

size_t working_set_chunk_bytes(const struct working_set *ws)
{
	return ws->chunk_pages * PAGE_PATTERN_SIZE;
}

size_t working_set_held_bytes(const struct working_set *ws)
{
	return ws->nheld * working_set_chunk_bytes(ws);
}

size_t working_set_held_pages(const struct working_set *ws)
{
	size_t i, pages = 0;

	for (i = 0; i < ws->nheld; i++)
		pages += ws->held[i]->filled_pages;
	return pages;
}

struct chunk *working_set_map_chunk(struct working_set *ws)
{
	struct chunk *c;
	void *addr;

	if (ws->nspare == 0)
		return NULL;
	/*
	 * No MAP_POPULATE: the point is that pages get first touched by our
	 * writes, possibly while a migration is under way, straight out of the
	 * guest's free lists.
	 */
	addr = mmap(NULL, working_set_chunk_bytes(ws), PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (addr == MAP_FAILED) {
		ws->stats->alloc_failures++;
		return NULL;
	}
	c = ws->spare[--ws->nspare];
	c->addr = addr;
	c->id = ws->next_chunk_id++;
	c->filled_pages = 0;
	ws->held[ws->nheld++] = c;
	ws->stats->allocs++;
	return c;
}

static void page_key_of(const struct working_set *ws, const struct chunk *c,
			size_t page, struct page_key *key)
{
	key->seed = ws->seed;
	key->chunk_id = c->id;
	key->page_index = page;
	key->generation = c->generation[page];
}

static void write_page(struct working_set *ws, struct chunk *c, size_t page,
		       uint32_t generation)
{
	struct page_key key;

	c->generation[page] = generation;
	page_key_of(ws, c, page, &key);
	page_fill(chunk_page(c, page), &key);
	ws->stats->pages_written++;
}

void working_set_fill_next_page(struct working_set *ws, struct chunk *c)
{
	if (c->filled_pages >= ws->chunk_pages)
		return;
	write_page(ws, c, c->filled_pages, 1);
	c->filled_pages++;
}

int working_set_verify_page(struct working_set *ws, struct chunk *c, size_t page,
			    enum check_site site)
{
	struct mismatch_record rec;
	struct page_key key;

	page_key_of(ws, c, page, &key);
	ws->stats->pages_verified++;
	if (!page_verify(chunk_page(c, page), &key, &rec.detail))
		return 0;

	rec.chunk_id = c->id;
	rec.page_index = page;
	rec.vaddr = (uint64_t)(uintptr_t)chunk_page(c, page);
	rec.expected_generation = key.generation;
	rec.uptime_ms = check_stats_uptime_ms(ws->stats);
	rec.site = site;
	check_stats_record_mismatch(ws->stats, &rec);

	/* Repair, so the same lost page is not counted again by later checks. */
	write_page(ws, c, page, c->generation[page] + 1);
	return 1;
}

void working_set_rewrite_page(struct working_set *ws, struct chunk *c, size_t page)
{
	/*
	 * Check first: overwriting a page that had silently reverted would
	 * otherwise erase the evidence.  A repaired page is already new.
	 */
	if (working_set_verify_page(ws, c, page, CHECK_SITE_REWRITE))
		return;
	write_page(ws, c, page, c->generation[page] + 1);
}

void working_set_release_chunk(struct working_set *ws, size_t slot)
{
	struct chunk *c;
	size_t page;

	if (slot >= ws->nheld)
		return;
	c = ws->held[slot];
	for (page = 0; page < c->filled_pages; page++)
		working_set_verify_page(ws, c, page, CHECK_SITE_RELEASE);

	/* munmap, not a free list of our own: the pages must go back to the
	 * kernel so that hinting sees them free and other allocations reuse them. */
	munmap(c->addr, working_set_chunk_bytes(ws));
	c->addr = NULL;
	c->filled_pages = 0;
	ws->held[slot] = ws->held[--ws->nheld];
	ws->spare[ws->nspare++] = c;
	ws->stats->frees++;
}

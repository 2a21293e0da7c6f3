/* SPDX-License-Identifier: GPL-2.0 */
/*
 * working_set.h - the service's anonymous memory and the one thing it does
 * with it: an "operation" reads a random 4 KiB page, computes over it, and
 * writes it back changed, so every op dirties exactly one page.
 */
#ifndef PVMIG_SERVICE_WORKING_SET_H
#define PVMIG_SERVICE_WORKING_SET_H

#include <stddef.h>
#include <stdint.h>

/* The unit of dirtying: what one op writes, and what migration tracks. */
#define WORKING_SET_PAGE_SIZE 4096u
#define WORKING_SET_PAGE_WORDS (WORKING_SET_PAGE_SIZE / sizeof(uint64_t))

struct working_set {
	uint64_t *base;
	size_t pages;
	uint64_t rng;        /* picks the page of each op */
	uint64_t digest;     /* folds every op's result, so no op is dead code */
};

/*
 * Map @bytes (a multiple of the page size) of private anonymous memory.
 * Returns 0 or -errno.  Nothing is touched yet: see working_set_populate().
 */
int working_set_map(struct working_set *ws, size_t bytes, uint64_t seed);

/*
 * Write every page with non-zero pseudo-random data, so that the set is
 * resident before the first op and, like a real service's heap, is neither
 * zero pages nor trivially compressible for the migration stream.
 */
void working_set_populate(struct working_set *ws);

/* One operation on a random page.  Returns the page index it dirtied. */
size_t working_set_op(struct working_set *ws);

void working_set_unmap(struct working_set *ws);

#endif

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * test_corruption.h - TEST ONLY.  Deliberately damage one held page so a run
 * can prove, end to end, that the checker reports a loss.  Armed only by the
 * --test-corrupt option, and echoed in the status file (config.test_corrupt)
 * so such a run can never pass for a real one.
 */
#ifndef PVMIG_TEST_CORRUPTION_H
#define PVMIG_TEST_CORRUPTION_H

#include "working_set.h"

enum test_corruption {
	TEST_CORRUPT_NONE = 0,
	TEST_CORRUPT_BYTE,      /* flip one byte in the middle of a page */
	TEST_CORRUPT_ZERO,      /* drop the page (MADV_DONTNEED): reads back as zeros */
	TEST_CORRUPT_STALE,     /* put back the previous generation of the page */
	TEST_CORRUPT_FOREIGN,   /* put in a page of another chunk, as an earlier owner left it */
};

/* Parse a --test-corrupt argument; returns -1 if unknown. */
int test_corruption_parse(const char *name, enum test_corruption *kind);
const char *test_corruption_name(enum test_corruption kind);

/* Damage one filled page of @ws.  Returns 0, or -1 if nothing is held. */
int test_corruption_apply(struct working_set *ws, enum test_corruption kind);

#endif

/* README.md shows the verdict REPORT.md opens with: `make report` replaces
 * what stands between README.md's verdict markers (verdict.h) with the same
 * block, so the two cannot drift apart. */
#ifndef REPORT_README_H
#define REPORT_README_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

/* A marked block of README.md: what stands between the lines begin and end
 * (both included) is replaced by text.  A required block's markers must be
 * there; an optional one may be absent, both markers, but not one of them. */
struct readme_block {
	const char *begin, *end;
	const char *text;	/* markers included */
	const char *what;	/* for the error: "verdict" */
	bool required;
};

/* The text of path with each block replaced, in order; NULL with e set when
 * the file cannot be read or a block's markers are missing (required),
 * half there, out of order or doubled. */
char *readme_with_blocks(const char *path, const struct readme_block *blocks, size_t n,
			 struct error *e);

/* The block between the markers of a text (markers included), or NULL when
 * it has none: what the tests compare. */
char *readme_block_of(const char *text);

#endif

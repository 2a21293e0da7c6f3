/* README.md shows the verdict REPORT.md opens with: `make report` replaces
 * what stands between README.md's verdict markers (verdict.h) with the same
 * block, so the two cannot drift apart. */
#ifndef REPORT_README_H
#define REPORT_README_H

#include "util.h"

/* The text of path with the part from the begin marker's line to the end
 * marker's line (both included) replaced by block; NULL with e set when
 * the file cannot be read or lacks the markers, in order, once each. */
char *readme_with_block(const char *path, const char *block, struct error *e);

/* The block between the markers of a text (markers included), or NULL when
 * it has none: what the tests compare. */
char *readme_block_of(const char *text);

#endif

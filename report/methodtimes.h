/* README.md's table of methods: every method of the harness's table
 * (harness/src/methods/methods.c), what it does, and how long one migration of it
 * took in case1's committed results, so that a user choosing --methods
 * knows the cost of each before running it.  `make report` writes it
 * between README.md's methods markers, as it writes the verdict. */
#ifndef REPORT_METHODTIMES_H
#define REPORT_METHODTIMES_H

#include <stddef.h>

#include "stats.h"

#define METHODS_BEGIN "<!-- methods:begin -->"
#define METHODS_END "<!-- methods:end -->"

/* The block, markers included, from the case named "case1" among cases
 * (a method case1 has not run says so in its row). */
char *method_times_block(const struct case_stats *cases, size_t ncases);

#endif

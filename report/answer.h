/* The top of REPORT.md: the thread reply's two claims (ballooning does as
 * well; real guests have little free memory) set against the medians of
 * every case, so a reader gets the answer before the per-case detail. */
#ifndef REPORT_ANSWER_H
#define REPORT_ANSWER_H

#include <stdio.h>

#include "stats.h"

/* Writes nothing when no case has a completed migration. */
void answer_write(FILE *f, const struct case_stats *cases, size_t n);

#endif

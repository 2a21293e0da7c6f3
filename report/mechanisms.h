/* Findings that explain a method's time from the counters the harness
 * recorded, instead of guessing: why a ballooned guest migrates slower
 * than stock precopy, and why free page hinting (fph) does. */
#ifndef REPORT_MECHANISMS_H
#define REPORT_MECHANISMS_H

#include "stats.h"
#include "util.h"

void mechanisms_for_case(const struct case_stats *cs, struct strlist *out);

#endif

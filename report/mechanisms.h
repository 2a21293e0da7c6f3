/* Findings that explain a method's time from the counters the harness
 * recorded, instead of guessing: why a ballooned guest migrates slower
 * than stock precopy, and why free page hinting (fph) does. */
#ifndef REPORT_MECHANISMS_H
#define REPORT_MECHANISMS_H

#include <stdio.h>

#include "stats.h"
#include "util.h"

/* The explanations, written once in the appendix's "Mechanisms" section;
 * the per-case findings link to them by these headings' anchors. */
#define BALLOON_WHY "Why a ballooned guest migrates slower than its bytes"
#define BALLOON_WHY_ANCHOR "why-a-ballooned-guest-migrates-slower-than-its-bytes"
#define FPH_WHY "Why free page hinting waits on this host"
#define FPH_WHY_ANCHOR "why-free-page-hinting-waits-on-this-host"
#define DOWNTIME_WHY "Why downtimes differ"
#define DOWNTIME_WHY_ANCHOR "why-downtimes-differ"

void mechanisms_write_explanations(FILE *f);

/* Per case, the counters behind each explanation that applies. */
void mechanisms_for_case(const struct case_stats *cs, struct strlist *out);

#endif

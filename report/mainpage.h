/* REPORT.md, one page: the verdict (verdict.h, between the markers
 * README.md copies), the set-up in a few lines, per case one compact table
 * (total time, end-to-end, downtime, GiB sent, each with its ratio against
 * baseline from comparison.h) and links to its plots, the caveats, and the
 * glossary.  Everything else is in APPENDIX.md (appendix.h). */
#ifndef REPORT_MAINPAGE_H
#define REPORT_MAINPAGE_H

#include <stdio.h>

#include "output.h"
#include "results.h"
#include "stats.h"
#include "util.h"

/* The report's title, its first line. */
#define REPORT_TITLE "# PV free-page hinting vs ballooning for live migration: results"

/* Write REPORT.md to f with the verdict's lines; -1 if writing failed. */
int mainpage_write(FILE *f, const struct result_set *rs, const struct case_stats *cases,
		   const struct strlist *verdict, const struct report_options *o);

/* The verdict block as both REPORT.md and README.md carry it: the begin
 * marker, the lines, the end marker, each ending in a newline. */
char *verdict_block(const struct strlist *verdict);

#endif

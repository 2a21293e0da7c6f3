/* How numbers read in REPORT.md, in one place so tables and findings agree. */
#ifndef REPORT_FORMAT_H
#define REPORT_FORMAT_H

/* All return a new string the caller frees; NAN reads "n/a". */

/* Whole numbers as they are; others with enough decimals to be useful
 * (3 significant figures below 100, none from 1000 up). */
char *fmt_num(double v);
/* A signed percentage, e.g. "-77.8%". */
char *fmt_pct(double pct);
/* A ratio, e.g. "1.46x". */
char *fmt_ratio(double r);
/* KB (KiB) as MiB with one decimal, e.g. "43.7 MiB". */
char *fmt_kb_as_mib(double kb);

/* Markdown text: a table cell that cannot break its row (pipes escaped,
 * newlines flattened), and the anchor a heading gets on GitHub and most
 * renderers (lower case, spaces to hyphens, punctuation and non-ASCII dropped:
 * the report's headings are ASCII apart from dashes, which GitHub drops),
 * for links between REPORT.md and APPENDIX.md. */
#include <stdio.h>
void md_put_cell(FILE *f, const char *s);
char *md_anchor(const char *heading);

#endif

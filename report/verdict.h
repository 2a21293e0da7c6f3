/* The verdict REPORT.md opens with and README.md repeats: per case, which
 * of the seed's pv-bitmap, the reply's balloon and stock precopy wins on
 * migration time, end-to-end time, bytes and downtime, by how much
 * (comparison.h: loser's median over the winner's with its bootstrap
 * interval, no winner named where the interval includes 1.0), pv-bitmap
 * against the best other method on each figure, and where this host
 * distorts a verdict, the other reading:
 *
 *  - TCG makes balloon inflation slow.  Where balloon loses end to end only
 *    because of its inflation (it is not clearly slower to migrate), the
 *    line gives the verdict with inflation at the thread's KVM figure
 *    instead, computed from the migrations: each balloon migration's total
 *    time plus KVM_INFLATE_MS_PER_8GIB scaled to the guest's size.
 *  - A balloon sized from the guest's available memory takes page cache.
 *    Where it held clearly more than the free memory pv-bitmap found and
 *    wins on bytes, the line says so and that re-reading the cache after
 *    the migration is not in the figure.
 *
 * At most VERDICT_MAX_LINES lines: one that states the method, then per
 * case at most three. */
#ifndef REPORT_VERDICT_H
#define REPORT_VERDICT_H

#include <stddef.h>

#include "stats.h"
#include "util.h"

#define VERDICT_BEGIN "<!-- verdict:begin -->"
#define VERDICT_END "<!-- verdict:end -->"
#define VERDICT_MAX_LINES 15

/* The thread's KVM figure for inflating the balloon of an 8 GiB guest,
 * about 5 s.  Quoted from the qemu-devel thread (issue 21), not measured
 * here: this host runs TCG, where inflation takes several times longer. */
#define KVM_INFLATE_MS_PER_8GIB 5000.0

/* The verdict's lines (no markers, no trailing newlines) for the cases in
 * order.  glossary_link is where the word "glossary" points, written so it
 * works from README.md and REPORT.md alike (e.g. "REPORT.md#glossary"). */
void verdict_lines(const struct case_stats *cases, size_t n, const char *glossary_link,
		   struct strlist *out);

#endif

/* The QEMU base comparison: the runs archived from the previous QEMU base
 * (results/qemu-7.2/) beside the current runs in results/, for the seed's
 * two cases and the two methods the seed compared.  Both sides are chosen
 * by the same rules as the main tables (results.c); the archive enters no
 * other section. */
#ifndef REPORT_BASECOMPARE_H
#define REPORT_BASECOMPARE_H

#include <stddef.h>
#include <stdio.h>

#include "stats.h"

/* The archive, a directory of results/ laid out like results/ itself. */
#define BASE_ARCHIVE_DIR "qemu-7.2"
/* What the current side is called while none of its runs says which QEMU
 * it ran: the base the project moved to.  Once runs exist, their run.json
 * names it. */
#define BASE_CURRENT_LABEL "10.0"

struct base_side {
	const struct case_stats *cases;	/* sorted by name, as results_load gives them */
	size_t n;
	const char *dir;	/* as the reader sees it: "results", "results/qemu-7.2" */
};

/* "1:10.0.13+ds-0+deb13u1" -> "10.0", "1:7.2+dfsg-7+deb12u18" -> "7.2": the
 * upstream major.minor of a Debian source version, epoch dropped.  NULL
 * when s is NULL or does not start (after an epoch) with N.N.  Caller frees. */
char *qemu_short_version(const char *s);

/* The side's case of that name, only if it has runs used; else NULL. */
const struct case_stats *side_case(const struct base_side *side, const char *name);

/* The section "QEMU <current> against QEMU <archived>". */
void basecompare_write(FILE *f, const struct base_side *cur, const struct base_side *old);

#endif

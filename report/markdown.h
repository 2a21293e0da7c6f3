/* REPORT.md: the reply's claims answered (raw and projected), set-up, runs
 * used, the projection and breakdown definitions, per-case tables
 * (seed-shaped, with % against baseline and the projected time), the seed
 * side by side, the wire-time floor, where the time went, findings, failed
 * migrations, embedded plots, the destination regimes, the QEMU base
 * comparison against the archive, and caveats.  Everything comes from the
 * loaded results; the output has no timestamps, so regenerating it from the
 * same results gives the same bytes. */
#ifndef REPORT_MARKDOWN_H
#define REPORT_MARKDOWN_H

#include <stdio.h>

#include "hostzeroing.h"
#include "results.h"
#include "stats.h"

struct markdown_options {
	const char *results_dir;	/* as the reader should see it, e.g. "results" */
	const char *image_prefix;	/* prepended to "<case>-<plot>.png", e.g. "plots/" */
	/* The previous QEMU base's runs (results/qemu-7.2/), NULL when there is
	 * no archive: used by the base comparison only. */
	const struct case_stats *archive;
	size_t narchive;
	const char *archive_dir;	/* as the reader should see it, "results/qemu-7.2" */
	/* The newest host-zeroing probe; hz.present false without one. */
	const struct host_zeroing *zeroing;
};

/* Write the whole report to f; returns -1 if writing failed. */
int markdown_write(FILE *f, const struct result_set *rs, const struct case_stats *cases,
		   const struct markdown_options *o);

#endif

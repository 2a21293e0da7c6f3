/* What writing REPORT.md and APPENDIX.md needs besides the results: how
 * paths and links read, the archive of the previous QEMU base, and the
 * probes' summaries.  Both documents are written from one loaded result
 * set, so they cannot disagree. */
#ifndef REPORT_OUTPUT_H
#define REPORT_OUTPUT_H

#include <stddef.h>

#include "hostzeroing.h"
#include "kvmclear.h"
#include "stats.h"

struct report_options {
	const char *results_dir;	/* as the reader should see it, e.g. "results" */
	const char *image_prefix;	/* prepended to "<case>-<plot>.png", e.g. "plots/" */
	/* How the two documents link to each other: their file names as seen
	 * from the directory they (and README.md) sit in. */
	const char *main_name;		/* "REPORT.md" */
	const char *appendix_name;	/* "APPENDIX.md" */
	/* The previous QEMU base's runs (results/qemu-7.2/), NULL when there is
	 * no archive: used by the base comparison only. */
	const struct case_stats *archive;
	size_t narchive;
	const char *archive_dir;	/* as the reader should see it, "results/qemu-7.2" */
	/* The newest host-zeroing probe; present false without one. */
	const struct host_zeroing *zeroing;
	/* The newest KVM dirty-log clear cost probe; present false without one. */
	const struct kvm_clear *kvmclear;
};

#endif

/* The host's cost of a fresh 2 MiB page, from the newest summary that
 * `make host-zeroing-probe` wrote under results/host-zeroing/.
 *
 * A destination without preallocation takes each piece of guest RAM it
 * receives in a fault that zeroes a huge page, so that cost decides its
 * figures in "Destination regimes".  The probe measures it on the bare host
 * twice over: right after the memory was freed, and after it sat free long
 * enough for the host's own free page reporting to hand it to a hypervisor
 * below (when the host is a VM).  The report prints both, so a reader can
 * tell this host's zeroing rate from what a host that is not a VM pays. */
#ifndef REPORT_HOSTZEROING_H
#define REPORT_HOSTZEROING_H

#include <stdbool.h>
#include <stdio.h>

#include "util.h"

/* One probe round: "after-idle" (the memory sat free first) or "at-once"
 * (touched again as soon as the previous round freed it); a write per 4 KiB,
 * or, in the "read-" rounds, every byte read as the migration thread's
 * zero-page check reads a guest page nobody wrote. */
struct zeroing_round {
	bool after_idle;
	bool read;
	long nonzero_pages;		/* read rounds: pages that were not zero */
	double rescan_ms_per_2mib;	/* read rounds: the same scan again, no fault */
	bool small;			/* read-4k: huge pages advised against */
	long rss_mib;			/* read rounds: resident after the reads */
	double ms_per_2mib, gb_per_s;
	double wall_ms, cpu_ms;		/* the probe process's, over the round */
	long huge_mib;			/* of the process, after touching */
};

#define ZEROING_MAX_ROUNDS 8

struct host_zeroing {
	bool present;
	char *dir;			/* "<results>/host-zeroing/<date>", as shown */
	char *host;			/* the summary's host line */
	char *reporting;		/* whether the host reports free pages */
	long size_mib, wait_s;
	long zero_page_allocs;		/* vmstat thp_zero_page_alloc; -1 not recorded */
	struct zeroing_round r[ZEROING_MAX_ROUNDS];
	size_t n;
};

/* Read the newest probe under <root>/host-zeroing; none is not an error
 * (present stays false).  A summary without its size, wait, or an
 * after-idle and an at-once round fails with one line in e.  shown_root is
 * root as the reader should see it. */
int host_zeroing_load(const char *root, const char *shown_root, struct host_zeroing *hz,
		      struct error *e);

/* A paragraph for "Destination regimes"; nothing without a probe. */
void host_zeroing_write(FILE *f, const struct host_zeroing *hz);

void host_zeroing_free(struct host_zeroing *hz);

#endif

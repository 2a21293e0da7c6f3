#include "hostzeroing.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "results.h"

/* Below this ratio of idle to at-once cost the difference is not worth a
 * mechanism: both are then simply this host's zeroing rate. */
#define HANDED_BACK_RATIO 2.0

static char *after_prefix(const char *line, const char *prefix)
{
	size_t n = strlen(prefix);

	if (strncmp(line, prefix, n))
		return NULL;
	return xstrdup(line + n);
}

static int parse_line(struct host_zeroing *hz, const char *line)
{
	struct zeroing_round r;
	char name[16];
	long minflt;
	long long steal;
	const char *w;

	if (!hz->host && (hz->host = after_prefix(line, "host: ")))
		return 0;
	if (!hz->reporting &&
	    (hz->reporting = after_prefix(line, "free page reporting to the hypervisor: ")))
		return 0;
	if (sscanf(line, "huge zero page allocations so far (vmstat thp_zero_page_alloc): %ld",
		   &hz->zero_page_allocs) == 1)
		return 0;
	if (sscanf(line, "size: %ld MiB", &hz->size_mib) == 1) {
		w = strstr(line, "after-idle rounds: ");
		if (w)
			sscanf(w, "after-idle rounds: %ld s", &hz->wait_s);
		return 0;
	}
	if (sscanf(line, "%15s wall_ms %lf cpu_ms %lf minflt %ld huge_mib %ld steal_ticks %lld "
		   "gb_per_s %lf ms_per_2mib %lf", name, &r.wall_ms, &r.cpu_ms, &minflt, &r.huge_mib,
		   &steal, &r.gb_per_s, &r.ms_per_2mib) != 8)
		return 0;
	r.read = !strncmp(name, "read-", 5);
	r.small = !strcmp(name, "read-4k-at-once");
	if (!strcmp(name, "after-idle") || !strcmp(name, "read-after-idle"))
		r.after_idle = true;
	else if (!strcmp(name, "at-once") || !strcmp(name, "read-at-once") || r.small)
		r.after_idle = false;
	else
		return -1;
	r.nonzero_pages = r.rss_mib = -1;
	if (r.read) {
		const char *nz = strstr(line, " nonzero_pages ");

		if (!nz || sscanf(nz, " nonzero_pages %ld rescan_ms_per_2mib %lf rss_mib %ld",
				  &r.nonzero_pages, &r.rescan_ms_per_2mib, &r.rss_mib) != 3)
			return -1;
	}
	if (hz->n == ZEROING_MAX_ROUNDS || r.ms_per_2mib <= 0)
		return -1;
	hz->r[hz->n++] = r;
	return 0;
}

int host_zeroing_load(const char *root, const char *shown_root, struct host_zeroing *hz,
		      struct error *e)
{
	struct strlist dates = { 0 };
	char *dir = xasprintf("%s/host-zeroing", root), *path = NULL;
	char line[1024];
	bool idle = false, once = false;
	FILE *f = NULL;
	int rc = -1;

	memset(hz, 0, sizeof(*hz));
	hz->size_mib = hz->wait_s = hz->zero_page_allocs = -1;
	if (results_subdirs(dir, &dates, e) < 0)
		goto out;
	if (!dates.n) {
		rc = 0;
		goto out;
	}
	/* Directory names are UTC dates, so the last one is the newest. */
	path = xasprintf("%s/%s/summary.txt", dir, dates.v[dates.n - 1]);
	f = fopen(path, "r");
	if (!f) {
		error_set(e, "%s: %s", path, strerror(errno));
		goto out;
	}
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (parse_line(hz, line) < 0) {
			error_set(e, "%s: bad round line: %s", path, line);
			goto out;
		}
	}
	for (size_t i = 0; i < hz->n; i++) {
		idle |= hz->r[i].after_idle && !hz->r[i].read;
		once |= !hz->r[i].after_idle && !hz->r[i].read;
	}
	if (hz->size_mib <= 0 || hz->wait_s < 0 || !idle || !once) {
		error_set(e, "%s: not a host-zeroing-probe summary (needs its size, its wait and "
			  "an after-idle and an at-once round)", path);
		goto out;
	}
	hz->dir = xasprintf("%s/host-zeroing/%s", shown_root, dates.v[dates.n - 1]);
	hz->present = true;
	rc = 0;
out:
	if (f)
		fclose(f);
	if (rc < 0)
		host_zeroing_free(hz);
	strlist_free(&dates);
	free(path);
	free(dir);
	return rc;
}

/* The range of ms per 2 MiB (and GB/s) over the rounds of one kind. */
static void span(const struct host_zeroing *hz, bool after_idle, double *lo, double *hi,
		 double *gb_lo, double *gb_hi)
{
	*lo = *gb_lo = 1e300;
	*hi = *gb_hi = 0;
	for (size_t i = 0; i < hz->n; i++) {
		const struct zeroing_round *r = &hz->r[i];

		if (r->after_idle != after_idle || r->read)
			continue;
		if (r->ms_per_2mib < *lo)
			*lo = r->ms_per_2mib;
		if (r->ms_per_2mib > *hi)
			*hi = r->ms_per_2mib;
		if (r->gb_per_s < *gb_lo)
			*gb_lo = r->gb_per_s;
		if (r->gb_per_s > *gb_hi)
			*gb_hi = r->gb_per_s;
	}
}

static void put_span(FILE *f, double lo, double hi, double gb_lo, double gb_hi)
{
	if (lo == hi)
		fprintf(f, "%.2f ms per 2 MiB (%.2f GB/s)", lo, gb_lo);
	else
		fprintf(f, "%.2f–%.2f ms per 2 MiB (%.2f–%.2f GB/s)", lo, hi, gb_lo, gb_hi);
}

/* What a read of never-written memory costs here, and whether it leaves
 * memory behind: the source migration thread's zero-page check reads every
 * page of an idle guest that nobody wrote.  A kernel that maps its shared
 * zero page on a read fault (the huge one for memory advised for huge
 * pages) allocates nothing; one that does not allocates and zeroes every
 * page the check reads, and the scan pays for the zeroing. */
static void host_zeroing_write_reads(FILE *f, const struct host_zeroing *hz)
{
	const struct zeroing_round *idle = NULL, *once = NULL, *small = NULL;
	bool allocates;

	for (size_t i = 0; i < hz->n; i++) {
		const struct zeroing_round *r = &hz->r[i];

		if (r->read && r->small && !small)
			small = r;
		else if (r->read && !r->small && r->after_idle && !idle)
			idle = r;
		else if (r->read && !r->small && !r->after_idle && !once)
			once = r;
	}
	if (!idle && !once)
		return;
	fprintf(f, "**Reading memory nobody wrote**, as the source's zero-page check reads an "
		"idle guest: the same probe read every byte of %ld MiB of fresh memory advised "
		"for huge pages, 4 KiB at a time.", hz->size_mib);
	for (int k = 0; k < 2; k++) {
		const struct zeroing_round *r = k ? once : idle;

		if (!r)
			continue;
		fprintf(f, " %s: %.2f ms per 2 MiB (%.2f GB/s), and %ld MiB resident after it "
			"(%ld MiB of it huge pages).", k ? "Right after a round freed it" :
			"After it sat free", r->ms_per_2mib, r->gb_per_s, r->rss_mib, r->huge_mib);
	}
	if (small)
		fprintf(f, " Advised against huge pages, the same reads left %ld MiB resident.",
			small->rss_mib);
	fprintf(f, " Reading it all again, with nothing left to fault in, took %.3f ms per "
		"2 MiB: the zero-page check on its own.", (idle ? idle : once)->rescan_ms_per_2mib);
	if (hz->zero_page_allocs >= 0)
		fprintf(f, " The kernel's count of huge zero page allocations (vmstat "
			"`thp_zero_page_alloc`) was %ld.", hz->zero_page_allocs);
	allocates = (idle ? idle : once)->rss_mib >= hz->size_mib / 2;
	if (allocates)
		fprintf(f, " So this host's kernel maps no zero page on a read fault%s: it "
			"allocates and zeroes the memory instead. A migration thread that checks "
			"an idle guest's never-written pages pays that zeroing, fault by fault, "
			"and the source's memory grows to the guest's size; a kernel that maps "
			"the shared zero page pays only the check.\n\n",
			small && small->rss_mib >= hz->size_mib / 2 ? ", huge or small" : "");
	else
		fprintf(f, " The reads left (almost) nothing resident: a read fault maps the "
			"shared zero page here, so the zero-page check allocates nothing.\n\n");
}

void host_zeroing_write(FILE *f, const struct host_zeroing *hz)
{
	double idle_lo, idle_hi, idle_gb_lo, idle_gb_hi;
	double once_lo, once_hi, once_gb_lo, once_gb_hi;
	long least_huge = -1;
	bool counted_as_cpu = true;
	double ratio;

	if (!hz->present)
		return;
	span(hz, true, &idle_lo, &idle_hi, &idle_gb_lo, &idle_gb_hi);
	span(hz, false, &once_lo, &once_hi, &once_gb_lo, &once_gb_hi);
	for (size_t i = 0; i < hz->n; i++) {
		if (hz->r[i].read)
			continue;
		if (least_huge < 0 || hz->r[i].huge_mib < least_huge)
			least_huge = hz->r[i].huge_mib;
		/* Time lost below the host shows either as the thread's CPU
		 * or as wall time it did not run. */
		if (hz->r[i].after_idle && hz->r[i].cpu_ms < 0.9 * hz->r[i].wall_ms)
			counted_as_cpu = false;
	}
	fprintf(f, "**This host's cost of a fresh 2 MiB page** (`make host-zeroing-probe`, `%s`; "
		"host: %s; free page reporting to a hypervisor: %s). Faulting in %ld MiB of "
		"memory advised for huge pages, one write per 4 KiB, took ", hz->dir,
		hz->host ? hz->host : "not recorded",
		hz->reporting ? hz->reporting : "not recorded", hz->size_mib);
	put_span(f, idle_lo, idle_hi, idle_gb_lo, idle_gb_hi);
	fprintf(f, " after the memory sat free for %ld s, and ", hz->wait_s);
	put_span(f, once_lo, once_hi, once_gb_lo, once_gb_hi);
	fprintf(f, " right after the previous round freed it.");
	if (least_huge >= 0 && least_huge < hz->size_mib / 2)
		fprintf(f, " In one round only %ld MiB of it became huge pages, so not every "
			"fault was a 2 MiB one.", least_huge);
	ratio = idle_lo / once_hi;
	if (ratio >= HANDED_BACK_RATIO)
		fprintf(f, " Memory that sat free costs at least %.1fx more to take again, as when "
			"the host has handed it to the hypervisor below and the first touch faults "
			"at both levels. A destination's memory was freed by the guests before it, "
			"long before the migration, so a non-preallocated destination here pays the "
			"slower rate; on a host that is not a VM it would pay about the at-once "
			"rate. %s\n\n", ratio, counted_as_cpu ?
			"The probe's slow rounds count as its own CPU time, so the destination main "
			"thread's CPU and the projection in the tables below include this cost." :
			"The probe's slow rounds are partly time it did not run, which a "
			"thread's CPU figure does not count.");
	else
		fprintf(f, " Whether the memory sat free first changes its cost by less than "
			"%.0fx: the zeroing rate in the tables below is this host's own.\n\n", HANDED_BACK_RATIO);
	host_zeroing_write_reads(f, hz);
}

void host_zeroing_free(struct host_zeroing *hz)
{
	free(hz->dir);
	free(hz->host);
	free(hz->reporting);
	memset(hz, 0, sizeof(*hz));
}

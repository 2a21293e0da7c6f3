/* What one migration yields: one CSV row and one entry in run.json. */
#ifndef PVMIG_RECORD_H
#define PVMIG_RECORD_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#define NA (-1)		/* a figure that does not apply or was not measured */

struct mig_record {
	char method[32];
	int repeat;
	int position;		/* 1-based place in its repeat's (shuffled) order */
	char status[16];	/* completed, failed, cancelled, refused, error */
	char error[512];
	/* The error of a first attempt whose guest preparation failed before
	 * the method did anything; the migration then ran on fresh guests. */
	char prep_retry_error[512];
	long mem_mib;

	int64_t total_time_ms;	/* QEMU's, from query-migrate */
	int64_t downtime_ms;
	int64_t setup_time_ms;
	int64_t transferred_bytes;
	int64_t zero_pages;	/* "duplicate" in query-migrate */
	int64_t normal_pages;
	int64_t dirty_sync_count;
	double mbps;		/* QEMU's last throughput figure */
	int64_t wall_ms;	/* migrate command to completion, our clock */
	int64_t stop_copy_ms;	/* QEMU's MIGRATION events: "device" to "completed" */
	/* Postcopy (NA where the method has none or never switched): */
	int64_t postcopy_start_ms;	/* migrate-start-postcopy, from the migrate command */
	char postcopy_trigger[64];	/* what made the harness switch, or why it did not */
	int64_t postcopy_requests;	/* pages the destination asked for (source's count) */
	int64_t postcopy_blocktime_ms;	/* the destination's vCPUs blocked on missing pages */
	/* The destination's own requests, timed from its trace (pcrequests.h):
	 * pages asked for, and request-to-placement latency over the placed. */
	int64_t postcopy_dst_requests;
	double postcopy_req_median_us, postcopy_req_max_us;

	int64_t prep_time_ms;	/* balloon inflation, hint settling: before migrate */
	int64_t end_to_end_ms;	/* prep + total */

	int64_t skipped_pages;	/* free-page-bitmap: bits cleared */
	double hint_latency_ms;
	int64_t hint_rejects;

	int64_t guest_used_kb;	/* MemTotal - MemFree before migrating */
	int64_t stress_rss_kb;	/* peak RSS of the stress-ng job that prepared
				 * the guest (workload or churn): what it touched */
	bool dst_agent_ok;	/* destination guest answered after migration */

	double src_cpu;		/* CPU of the source QEMU during the migration, */
	double dst_cpu;		/* ... and of the destination, in cpucost_unit() */

	/* Per-thread /proc accounting over the same window (qemuthreads.h),
	 * NA where not measured: */
	double src_mig_cpu_ms;		/* the source's live_migration thread: CPU, */
	double src_mig_wait_ms;		/* ... and runnable but waiting for a CPU */
	double src_vcpu_cpu_ms;		/* the source's vCPU threads together */
	int64_t src_minflt, src_majflt;	/* page faults, all threads of a QEMU */
	int64_t dst_minflt, dst_majflt;
	double dst_main_cpu_ms;		/* the destination's main thread, which */
	double dst_main_wait_ms;	/* receives the incoming stream */
	double src_send_max_cpu_ms;	/* multifd: the busiest send channel's CPU, */
	double dst_recv_max_cpu_ms;	/* ... and the busiest receive channel's */

	double guest_ops_before;	/* case3 service throughput, ops/s */
	double guest_ops_during;
	double guest_ops_after;
	/* case3/case4, on the destination once the balloon was given back:
	 * the page cache left of the files the guest had read (meminfo
	 * Cached), then the time to read them all again.  What a method that
	 * evicted cache leaves the guest to pay. */
	int64_t dst_cached_kb;
	int64_t cache_reread_ms;

	int64_t memcheck_mismatches;	/* guest checker: pages that lost data */
	int64_t memcheck_verified;	/* pages it verified in the end */

	json_t *progress;	/* query-migrate samples */
	json_t *guest_throughput;	/* case3: [{t_ms, ops}], t relative to migration start */
	int64_t guest_window_ms;	/* migration window length in the guest's clock */
	json_t *counters;	/* method-specific counters, as read */
	json_t *threads;	/* {"src": [per-name rows]|null, "dst": ...}, or NULL */
	json_t *mig_events;	/* [{status, t_ms}] from QEMU's MIGRATION events */
	json_t *qemu_cmdline;	/* {"src": "...", "dst": "..."} */
	json_t *mig_settings;	/* {"src": applied, "dst": applied} (migsettings.h) */
};

void record_init(struct mig_record *r, const char *method, int repeat, long mem_mib);
void record_free(struct mig_record *r);

#endif

#include "record.h"

#include <stdio.h>
#include <string.h>

void record_init(struct mig_record *r, const char *method, int repeat, long mem_mib)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->method, sizeof(r->method), "%s", method);
	r->repeat = repeat;
	r->position = NA;	/* the run loop knows it */
	r->mem_mib = mem_mib;
	snprintf(r->status, sizeof(r->status), "error");
	r->total_time_ms = r->downtime_ms = r->setup_time_ms = NA;
	r->transferred_bytes = r->zero_pages = r->normal_pages = NA;
	r->dirty_sync_count = r->wall_ms = r->stop_copy_ms = NA;
	r->postcopy_start_ms = r->postcopy_requests = r->postcopy_blocktime_ms = NA;
	r->postcopy_dst_requests = NA;
	r->postcopy_req_median_us = r->postcopy_req_max_us = NA;
	r->mbps = NA;
	r->prep_time_ms = 0;
	r->end_to_end_ms = NA;
	r->skipped_pages = r->hint_rejects = NA;
	r->hint_latency_ms = NA;
	r->guest_used_kb = r->stress_rss_kb = NA;
	r->dst_cached_kb = r->cache_reread_ms = NA;
	r->memcheck_mismatches = r->memcheck_verified = NA;
	r->src_cpu = r->dst_cpu = NA;
	r->src_mig_cpu_ms = r->src_mig_wait_ms = r->src_vcpu_cpu_ms = NA;
	r->src_minflt = r->src_majflt = r->dst_minflt = r->dst_majflt = NA;
	r->dst_main_cpu_ms = r->dst_main_wait_ms = NA;
	r->src_send_max_cpu_ms = r->dst_recv_max_cpu_ms = NA;
	r->guest_ops_before = r->guest_ops_during = r->guest_ops_after = NA;
	r->progress = json_array();
	r->counters = NULL;
}

void record_free(struct mig_record *r)
{
	json_decref(r->progress);
	json_decref(r->counters);
	json_decref(r->guest_throughput);
	json_decref(r->threads);
	json_decref(r->mig_events);
	json_decref(r->qemu_cmdline);
	json_decref(r->mig_settings);
	r->progress = r->counters = r->guest_throughput = r->threads = NULL;
	r->mig_events = r->qemu_cmdline = r->mig_settings = NULL;
}

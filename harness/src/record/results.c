#include "results.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

const char *results_csv_header(void)
{
	return "case,method,mem_mib,repeat,status,total_time_ms,downtime_ms,setup_time_ms,"
	       "transferred_kb,zero_pages,normal_pages,dirty_sync_count,link_gbit,accel,"
	       "skipped_pages,hint_latency_ms,hint_rejects,prep_time_ms,end_to_end_ms,"
	       "wall_ms,mbps,guest_used_kb,dst_agent_ok,memcheck_mismatches,memcheck_verified,"
	       "src_cpu,dst_cpu,cpu_unit,guest_ops_before,guest_ops_during,guest_ops_after,error,"
	       "src_mig_cpu_ms,src_mig_wait_ms,src_vcpu_cpu_ms,src_minflt,src_majflt,dst_minflt,"
	       "dst_majflt,dst_main_cpu_ms,dst_main_wait_ms,stop_copy_ms,position,"
	       "postcopy_start_ms,postcopy_requests,postcopy_blocktime_ms,"
	       "src_send_max_cpu_ms,dst_recv_max_cpu_ms,dst_cached_kb,cache_reread_ms,"
	       "postcopy_req_median_us,postcopy_req_max_us";
}

/* Integers that do not apply are left empty, never written as -1. */
static void put_int(char **p, size_t *left, int64_t v)
{
	int n = v == NA ? snprintf(*p, *left, ",") : snprintf(*p, *left, ",%lld", (long long)v);

	if (n < 0 || (size_t)n >= *left)
		n = (int)(*left ? *left - 1 : 0);
	*p += n;
	*left -= (size_t)n;
}

static void put_num(char **p, size_t *left, double v, const char *fmt)
{
	char tmp[64];
	int n;

	if (v == NA) {
		tmp[0] = '\0';
	} else {
		snprintf(tmp, sizeof(tmp), fmt, v);
	}
	n = snprintf(*p, *left, ",%s", tmp);
	if (n < 0 || (size_t)n >= *left)
		n = (int)(*left ? *left - 1 : 0);
	*p += n;
	*left -= (size_t)n;
}

/* Free text, quoted; quotes doubled, newlines flattened.  The per-thread
 * columns came later and follow it: readers look columns up by name. */
static void put_text(char **p, size_t *left, const char *s)
{
	if (*left < 4)
		return;
	*(*p)++ = ',';
	*(*p)++ = '"';
	*left -= 2;
	for (; *s && *left > 3; s++) {
		char c = (*s == '\n' || *s == '\r') ? ' ' : *s;

		if (c == '"') {
			*(*p)++ = '"';
			(*left)--;
		}
		*(*p)++ = c;
		(*left)--;
	}
	*(*p)++ = '"';
	(*left)--;
	**p = '\0';
}

char *results_csv_row(const struct results *res, const struct mig_record *r,
                      char *buf, size_t len)
{
	char *p = buf;
	size_t left = len;
	int n = snprintf(p, left, "%s,%s,%ld,%d,%s", res->case_name, r->method, r->mem_mib,
			 r->repeat, r->status);

	p += n;
	left -= (size_t)n;
	put_int(&p, &left, r->total_time_ms);
	put_int(&p, &left, r->downtime_ms);
	put_int(&p, &left, r->setup_time_ms);
	put_int(&p, &left, r->transferred_bytes == NA ? NA : r->transferred_bytes / 1024);
	put_int(&p, &left, r->zero_pages);
	put_int(&p, &left, r->normal_pages);
	put_int(&p, &left, r->dirty_sync_count);
	put_num(&p, &left, res->link_gbit, "%.2f");
	n = snprintf(p, left, ",%s", res->accel);
	p += n;
	left -= (size_t)n;
	put_int(&p, &left, r->skipped_pages);
	put_num(&p, &left, r->hint_latency_ms, "%.3f");
	put_int(&p, &left, r->hint_rejects);
	put_int(&p, &left, r->prep_time_ms);
	put_int(&p, &left, r->end_to_end_ms);
	put_int(&p, &left, r->wall_ms);
	put_num(&p, &left, r->mbps, "%.1f");
	put_int(&p, &left, r->guest_used_kb);
	n = snprintf(p, left, ",%d", r->dst_agent_ok ? 1 : 0);
	p += n;
	left -= (size_t)n;
	put_int(&p, &left, r->memcheck_mismatches);
	put_int(&p, &left, r->memcheck_verified);
	put_num(&p, &left, r->src_cpu, "%.1f");
	put_num(&p, &left, r->dst_cpu, "%.1f");
	n = snprintf(p, left, ",%s", r->src_cpu == NA && r->dst_cpu == NA ? "" : res->cpu_unit);
	p += n;
	left -= (size_t)n;
	put_num(&p, &left, r->guest_ops_before, "%.1f");
	put_num(&p, &left, r->guest_ops_during, "%.1f");
	put_num(&p, &left, r->guest_ops_after, "%.1f");
	put_text(&p, &left, r->error);
	put_num(&p, &left, r->src_mig_cpu_ms, "%.1f");
	put_num(&p, &left, r->src_mig_wait_ms, "%.1f");
	put_num(&p, &left, r->src_vcpu_cpu_ms, "%.1f");
	put_int(&p, &left, r->src_minflt);
	put_int(&p, &left, r->src_majflt);
	put_int(&p, &left, r->dst_minflt);
	put_int(&p, &left, r->dst_majflt);
	put_num(&p, &left, r->dst_main_cpu_ms, "%.1f");
	put_num(&p, &left, r->dst_main_wait_ms, "%.1f");
	put_int(&p, &left, r->stop_copy_ms);
	put_int(&p, &left, r->position);
	put_int(&p, &left, r->postcopy_start_ms);
	put_int(&p, &left, r->postcopy_requests);
	put_int(&p, &left, r->postcopy_blocktime_ms);
	put_num(&p, &left, r->src_send_max_cpu_ms, "%.1f");
	put_num(&p, &left, r->dst_recv_max_cpu_ms, "%.1f");
	put_int(&p, &left, r->dst_cached_kb);
	put_int(&p, &left, r->cache_reread_ms);
	put_num(&p, &left, r->postcopy_req_median_us, "%.0f");
	put_num(&p, &left, r->postcopy_req_max_us, "%.0f");
	return buf;
}

static json_t *int_or_null(int64_t v)
{
	return v == NA ? json_null() : json_integer((json_int_t)v);
}

static json_t *num_or_null(double v)
{
	return v == NA ? json_null() : json_real(v);
}

json_t *results_record_json(const struct mig_record *r)
{
	json_t *o = json_object();

	json_object_set_new(o, "method", json_string(r->method));
	json_object_set_new(o, "repeat", json_integer(r->repeat));
	json_object_set_new(o, "position", int_or_null(r->position));
	json_object_set_new(o, "status", json_string(r->status));
	json_object_set_new(o, "error", r->error[0] ? json_string(r->error) : json_null());
	json_object_set_new(o, "prep_retry_error",
			    r->prep_retry_error[0] ? json_string(r->prep_retry_error) : json_null());
	json_object_set_new(o, "mem_mib", json_integer(r->mem_mib));
	json_object_set_new(o, "total_time_ms", int_or_null(r->total_time_ms));
	json_object_set_new(o, "downtime_ms", int_or_null(r->downtime_ms));
	json_object_set_new(o, "setup_time_ms", int_or_null(r->setup_time_ms));
	json_object_set_new(o, "transferred_bytes", int_or_null(r->transferred_bytes));
	json_object_set_new(o, "transferred_kb", int_or_null(r->transferred_bytes == NA ? NA :
							      r->transferred_bytes / 1024));
	json_object_set_new(o, "zero_pages", int_or_null(r->zero_pages));
	json_object_set_new(o, "normal_pages", int_or_null(r->normal_pages));
	json_object_set_new(o, "dirty_sync_count", int_or_null(r->dirty_sync_count));
	json_object_set_new(o, "mbps", num_or_null(r->mbps));
	json_object_set_new(o, "wall_ms", int_or_null(r->wall_ms));
	json_object_set_new(o, "stop_copy_ms", int_or_null(r->stop_copy_ms));
	if (r->mig_settings)
		json_object_set(o, "migration_settings", r->mig_settings);
	if (r->postcopy_trigger[0])
		json_object_set_new(o, "postcopy",
				    json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
					      "trigger", r->postcopy_trigger,
					      "precopy_phase_ms", int_or_null(r->postcopy_start_ms),
					      "postcopy_phase_ms",
					      int_or_null(r->postcopy_start_ms == NA || r->total_time_ms == NA ?
							  NA : r->total_time_ms - r->postcopy_start_ms),
					      "requests", int_or_null(r->postcopy_requests),
					      "blocktime_ms", int_or_null(r->postcopy_blocktime_ms),
					      "dst_requests", int_or_null(r->postcopy_dst_requests),
					      "request_median_us", num_or_null(r->postcopy_req_median_us),
					      "request_max_us", num_or_null(r->postcopy_req_max_us)));
	json_object_set_new(o, "prep_time_ms", int_or_null(r->prep_time_ms));
	json_object_set_new(o, "end_to_end_ms", int_or_null(r->end_to_end_ms));
	json_object_set_new(o, "skipped_pages", int_or_null(r->skipped_pages));
	json_object_set_new(o, "hint_latency_ms", num_or_null(r->hint_latency_ms));
	json_object_set_new(o, "hint_rejects", int_or_null(r->hint_rejects));
	json_object_set_new(o, "guest_used_kb", int_or_null(r->guest_used_kb));
	json_object_set_new(o, "stress_rss_kb", int_or_null(r->stress_rss_kb));
	json_object_set_new(o, "dst_cached_kb", int_or_null(r->dst_cached_kb));
	json_object_set_new(o, "cache_reread_ms", int_or_null(r->cache_reread_ms));
	json_object_set_new(o, "dst_agent_ok", json_boolean(r->dst_agent_ok));
	json_object_set_new(o, "memcheck_mismatches", int_or_null(r->memcheck_mismatches));
	json_object_set_new(o, "memcheck_verified", int_or_null(r->memcheck_verified));
	json_object_set_new(o, "src_cpu", num_or_null(r->src_cpu));
	json_object_set_new(o, "dst_cpu", num_or_null(r->dst_cpu));
	json_object_set_new(o, "src_mig_cpu_ms", num_or_null(r->src_mig_cpu_ms));
	json_object_set_new(o, "src_mig_wait_ms", num_or_null(r->src_mig_wait_ms));
	json_object_set_new(o, "src_vcpu_cpu_ms", num_or_null(r->src_vcpu_cpu_ms));
	json_object_set_new(o, "src_minflt", int_or_null(r->src_minflt));
	json_object_set_new(o, "src_majflt", int_or_null(r->src_majflt));
	json_object_set_new(o, "dst_minflt", int_or_null(r->dst_minflt));
	json_object_set_new(o, "dst_majflt", int_or_null(r->dst_majflt));
	json_object_set_new(o, "dst_main_cpu_ms", num_or_null(r->dst_main_cpu_ms));
	json_object_set_new(o, "src_send_max_cpu_ms", num_or_null(r->src_send_max_cpu_ms));
	json_object_set_new(o, "dst_recv_max_cpu_ms", num_or_null(r->dst_recv_max_cpu_ms));
	json_object_set_new(o, "dst_main_wait_ms", num_or_null(r->dst_main_wait_ms));
	json_object_set_new(o, "guest_ops_before", num_or_null(r->guest_ops_before));
	json_object_set_new(o, "guest_ops_during", num_or_null(r->guest_ops_during));
	json_object_set_new(o, "guest_ops_after", num_or_null(r->guest_ops_after));
	json_object_set_new(o, "counters", r->counters ? json_incref(r->counters) : json_null());
	json_object_set_new(o, "threads", r->threads ? json_incref(r->threads) : json_null());
	json_object_set_new(o, "migration_events",
			    r->mig_events ? json_incref(r->mig_events) : json_null());
	json_object_set_new(o, "qemu_cmdline",
			    r->qemu_cmdline ? json_incref(r->qemu_cmdline) : json_null());
	json_object_set_new(o, "progress", json_incref(r->progress));
	if (r->guest_throughput) {
		json_object_set_new(o, "guest_throughput", json_incref(r->guest_throughput));
		json_object_set_new(o, "migration_start_ms", json_integer(0));
		json_object_set_new(o, "migration_end_ms", json_integer(r->guest_window_ms));
	}
	return o;
}

int write_json_atomic(const char *path, json_t *doc)
{
	char tmp[1100];

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -1;
	if (json_dump_file(doc, tmp, JSON_INDENT(1) | JSON_PRESERVE_ORDER) < 0)
		return -1;
	return rename(tmp, path);
}

static int write_run(struct results *res)
{
	char path[1100];

	snprintf(path, sizeof(path), "%s/run.json", res->dir);
	return write_json_atomic(path, res->run);
}

int results_begin(struct results *res, const char *root, const char *case_name,
                  const char *run_id, json_t *run, char *err, size_t errlen)
{
	char parent[1024], path[1100];
	FILE *f;

	snprintf(res->case_name, sizeof(res->case_name), "%s", case_name);
	snprintf(parent, sizeof(parent), "%s/%s", root, case_name);
	if (snprintf(res->dir, sizeof(res->dir), "%s/%s", parent, run_id) >= (int)sizeof(res->dir)) {
		snprintf(err, errlen, "results path too long");
		return -1;
	}
	if (mkdir_p(parent) < 0) {
		snprintf(err, errlen, "cannot create %s", parent);
		return -1;
	}
	if (mkdir(res->dir, 0755) < 0) {
		snprintf(err, errlen, "cannot create %s: %s", res->dir,
			 errno == EEXIST ? "it exists (results are never overwritten)" : strerror(errno));
		return -1;
	}
	res->run = json_incref(run);
	json_object_set_new(res->run, "migrations", json_array());
	json_object_set_new(res->run, "error", json_null());
	snprintf(path, sizeof(path), "%s/runs.csv", res->dir);
	f = fopen(path, "w");
	if (!f || fprintf(f, "%s\n", results_csv_header()) < 0 || fclose(f) != 0) {
		snprintf(err, errlen, "cannot write %s", path);
		return -1;
	}
	if (write_run(res)) {
		snprintf(err, errlen, "cannot write run.json in %s", res->dir);
		return -1;
	}
	return 0;
}

int results_add(struct results *res, const struct mig_record *r)
{
	char path[1100];
	char row[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/runs.csv", res->dir);
	f = fopen(path, "a");
	if (!f)
		return -1;
	fprintf(f, "%s\n", results_csv_row(res, r, row, sizeof(row)));
	if (fclose(f) != 0)
		return -1;
	json_array_append_new(json_object_get(res->run, "migrations"), results_record_json(r));
	return write_run(res);
}

int results_finish(struct results *res, const char *error)
{
	int rc;

	if (!res->run)
		return 0;
	json_object_set_new(res->run, "error", error ? json_string(error) : json_null());
	rc = write_run(res);
	json_decref(res->run);
	res->run = NULL;
	return rc;
}

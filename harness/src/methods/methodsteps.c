/* The methods' own steps: see methodsteps.h. */
#include "methodsteps.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pcrequests.h"
#include "qmp.h"
#include "util.h"

/*
 * Free page reporting works in the background, 2 s after pages are freed,
 * a batch at a time; give it until the source's RSS stops shrinking (no
 * drop over 1% in 3 s), at most 60 s.
 */
static int64_t settle_reporting(struct vm *src, json_t **counters)
{
	int64_t t0 = now_ms(), start_kb = vm_proc_kb(src, "status", "VmRSS:");
	int64_t ref_kb = start_kb, ref_t = t0;

	sleep_ms(2500);	/* the guest's reporting delay */
	while (now_ms() - t0 < 60000 && !pvmig_interrupted) {
		int64_t kb = vm_proc_kb(src, "status", "VmRSS:");

		if (kb < ref_kb - ref_kb / 100) {
			ref_kb = kb;
			ref_t = now_ms();
		} else if (now_ms() - ref_t >= 3000) {
			break;
		}
		sleep_ms(250);
	}
	*counters = json_pack("{s:I, s:I}", "rss_before_kb", (json_int_t)start_kb,
			      "rss_after_kb", (json_int_t)vm_proc_kb(src, "status", "VmRSS:"));
	return now_ms() - t0;
}

static json_t *ms_or_null(int64_t v)
{
	return v == NA ? json_null() : json_integer(v);
}

static json_t *balloon_json(const struct method_state *st, int64_t mem_bytes)
{
	const struct balloon_outcome *b = &st->bo;

	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:s, s:o, s:o}",
			 "available_bytes", (json_int_t)b->avail_bytes,
			 "margin_bytes", (json_int_t)balloon_margin_bytes(mem_bytes),
			 "target_bytes", (json_int_t)b->target_bytes,
			 "actual_bytes", (json_int_t)b->actual_bytes,
			 "inflate_ms", (json_int_t)b->inflate_ms,
			 "deflate_ms", (json_int_t)b->deflate_ms, "outcome", b->outcome,
			 "inflate_user_ms", ms_or_null(st->inflate_user_ms),
			 "inflate_sys_ms", ms_or_null(st->inflate_sys_ms));
}

/* QAPI spells the counters with dashes (VirtioBalloonFreePageBitmapStats);
 * run.json has recorded them with underscores since before they were a
 * QAPI type, and keeps doing so, so that every result reads alike. */
static json_t *underscored_keys(json_t *obj)
{
	json_t *out = json_object(), *v;
	const char *k;

	json_object_foreach(obj, k, v) {
		char name[64];

		snprintf(name, sizeof(name), "%s", k);
		for (char *c = name; *c; c++)
			if (*c == '-')
				*c = '_';
		json_object_set(out, name, v);
	}
	return out;
}

static void read_pv_counters(struct vm *src, struct mig_record *r)
{
	json_t *reply = NULL, *ret;

	if (qmp_exec(&src->qmp, "qom-get",
		     json_pack("{s:s, s:s}", "path", "/machine/peripheral/balloon0",
			       "property", "free-page-bitmap-stats"), 5000, &reply))
		return;
	ret = underscored_keys(reply);
	json_decref(reply);
	if (!r->counters)
		r->counters = json_object();
	json_object_set(r->counters, "free_page_bitmap", ret);
	r->skipped_pages = json_integer_value(json_object_get(ret, "skipped_pages"));
	r->hint_rejects = json_integer_value(json_object_get(ret, "rejected"));
	if (json_integer_value(json_object_get(ret, "completed")) > 0)
		r->hint_latency_ms = (double)json_integer_value(json_object_get(ret, "latency_us")) / 1000;
	json_decref(ret);
}

int method_prepare(const struct method *m, struct vm *src, int64_t mem_bytes,
		   struct method_state *st, struct mig_record *r)
{
	st->inflate_user_ms = st->inflate_sys_ms = NA;
	if (m->inflate) {
		struct balloon_outcome *bo = &st->bo;
		int64_t u0, s0, u1, s1;
		bool cpu = vm_proc_cpu_ms(src, &u0, &s0) == 0;
		int rc = balloon_inflate(&src->qmp, mem_bytes, 600000, bo);

		if (cpu && vm_proc_cpu_ms(src, &u1, &s1) == 0) {
			st->inflate_user_ms = u1 - u0;
			st->inflate_sys_ms = s1 - s0;
		}
		if (rc && !pvmig_interrupted) {
			snprintf(r->error, sizeof(r->error), "balloon: %s", bo->outcome);
			r->counters = json_pack("{s:o}", "balloon", balloon_json(st, mem_bytes));
			return -1;
		}
		r->prep_time_ms = bo->inflate_ms;
		log_info("balloon: %s at %lld MiB (target %lld, available was %lld) in %lld ms "
			 "(source QEMU CPU: %lld ms user, %lld ms kernel)",
			 bo->outcome, (long long)(bo->actual_bytes >> 20), (long long)(bo->target_bytes >> 20),
			 (long long)(bo->avail_bytes >> 20), (long long)bo->inflate_ms,
			 (long long)st->inflate_user_ms, (long long)st->inflate_sys_ms);
	}
	if (m->reporting_settle)
		r->prep_time_ms = settle_reporting(src, &st->reporting);
	return 0;
}

/* Postcopy: the destination's page requests and their latency, from the
 * trace its QEMU wrote (fill_config() turned it on). */
static void read_postcopy_requests(struct vm *dst, struct mig_record *r)
{
	char path[512], *log;
	struct pc_requests pr;

	host_path(dst->host, PC_REQUESTS_LOG, path, sizeof(path));
	log = host_read_file(dst->host, path);
	if (!pc_requests_parse(log, &pr)) {
		r->postcopy_dst_requests = pr.requested;
		if (pr.resolved) {
			r->postcopy_req_median_us = pr.median_us;
			r->postcopy_req_max_us = pr.max_us;
		}
	}
	free(log);
}

void method_record(const struct method *m, struct vm *src, struct vm *dst, int64_t mem_bytes,
		   struct method_state *st, struct mig_record *r)
{
	if (m->switchover == SWITCHOVER_POSTCOPY && r->postcopy_start_ms != NA)
		read_postcopy_requests(dst, r);
	if (m->pv_counters && src->qmp_up)
		read_pv_counters(src, r);
	if (m->inflate && r->dst_agent_ok)
		balloon_deflate(&dst->qmp, mem_bytes, 300000, &st->bo);
	if (m->inflate || st->reporting) {
		json_t *c = r->counters ? r->counters : json_object();

		if (m->inflate)
			json_object_set_new(c, "balloon", balloon_json(st, mem_bytes));
		if (st->reporting)
			json_object_set_new(c, "reporting", st->reporting);
		st->reporting = NULL;
		r->counters = c;
	}
}

void method_state_free(struct method_state *st)
{
	json_decref(st->reporting);
	st->reporting = NULL;
}

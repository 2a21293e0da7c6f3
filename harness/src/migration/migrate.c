#include "migrate.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

#define QMP_TIMEOUT_MS 10000
#define DST_RUN_TIMEOUT_MS 30000

static int64_t jint(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);

	return json_is_integer(v) ? (int64_t)json_integer_value(v) : NA;
}

void migrate_parse_info(json_t *info, struct mig_record *r)
{
	json_t *ram = json_object_get(info, "ram");
	const char *st = json_string_value(json_object_get(info, "status"));
	json_t *mbps;

	if (st)
		snprintf(r->status, sizeof(r->status), "%s", st);
	r->total_time_ms = jint(info, "total-time");
	r->downtime_ms = jint(info, "downtime");
	r->setup_time_ms = jint(info, "setup-time");
	if (ram) {
		r->transferred_bytes = jint(ram, "transferred");
		r->zero_pages = jint(ram, "duplicate");
		r->normal_pages = jint(ram, "normal");
		r->dirty_sync_count = jint(ram, "dirty-sync-count");
		r->postcopy_requests = jint(ram, "postcopy-requests");
		mbps = json_object_get(ram, "mbps");
		r->mbps = json_is_number(mbps) ? json_number_value(mbps) : NA;
	}
}

static int64_t realtime_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/*
 * QEMU stamps each event with its own realtime clock when it happens, so
 * these times do not depend on when the harness got round to reading the
 * QMP socket; the stop-and-copy span in particular, which the BQL hides
 * from query-migrate.  Events older than the migrate command (t0_us,
 * realtime) belong to nothing of ours and are skipped.
 */
void migrate_parse_events(json_t *events, int64_t t0_us, struct mig_record *r)
{
	int64_t device_us = NA, completed_us = NA;
	size_t i;
	json_t *ev;

	json_decref(r->mig_events);
	r->mig_events = json_array();
	json_array_foreach(events, i, ev) {
		json_t *ts = json_object_get(ev, "timestamp");
		const char *name = json_string_value(json_object_get(ev, "event"));
		const char *st = json_string_value(json_object_get(json_object_get(ev, "data"), "status"));
		int64_t us;

		if (!name || strcmp(name, "MIGRATION") || !st || !json_is_object(ts))
			continue;
		us = (int64_t)json_integer_value(json_object_get(ts, "seconds")) * 1000000 +
		     (int64_t)json_integer_value(json_object_get(ts, "microseconds"));
		if (us < t0_us)
			continue;
		json_array_append_new(r->mig_events,
				      json_pack("{s:s, s:f}", "status", st,
						"t_ms", (double)(us - t0_us) / 1000));
		if (!strcmp(st, "device"))
			device_us = us;
		else if (!strcmp(st, "completed"))
			completed_us = us;
	}
	if (device_us != NA && completed_us != NA && completed_us >= device_us)
		r->stop_copy_ms = (completed_us - device_us + 500) / 1000;
}

/* One progress-history entry: what guestperf keeps per sample. */
static json_t *sample_of(json_t *info, int64_t t_ms)
{
	json_t *ram = json_object_get(info, "ram");
	json_t *s = json_pack("{s:I, s:s}", "t_ms", (json_int_t)t_ms, "status",
			      json_string_value(json_object_get(info, "status")) ?: "?");
	static const char *const top[] = { "total-time", "downtime", "setup-time", "expected-downtime",
					   "cpu-throttle-percentage" };
	static const char *const keys[] = {
		"transferred", "remaining", "total", "duplicate", "normal",
		"dirty-sync-count", "dirty-pages-rate", "mbps", "pages-per-second",
	};

	for (size_t i = 0; i < sizeof(top) / sizeof(top[0]); i++) {
		json_t *v = json_object_get(info, top[i]);

		if (v)
			json_object_set(s, top[i], v);
	}
	for (size_t i = 0; ram && i < sizeof(keys) / sizeof(keys[0]); i++) {
		json_t *v = json_object_get(ram, keys[i]);

		if (v)
			json_object_set(s, keys[i], v);
	}
	return s;
}

static void show_progress(const struct migrate_params *p, json_t *info, int64_t t_ms)
{
	json_t *ram = json_object_get(info, "ram");
	int64_t total = jint(ram, "total"), remaining = jint(ram, "remaining");
	double mbps = json_number_value(json_object_get(ram, "mbps"));
	double pct = total > 0 && remaining >= 0 ? 100.0 * (double)(total - remaining) / (double)total : 0;

	if (!isatty(STDERR_FILENO))
		return;
	fprintf(stderr, "\r  %-28s %-9s %5.1f%%  %7.0f MB/s  %6.1f s ", p->label,
		json_string_value(json_object_get(info, "status")) ?: "?", pct, mbps / 8,
		(double)t_ms / 1000);
	fflush(stderr);
}

static int set_and_check_params(struct vm *src, const struct migrate_params *p,
                                struct mig_record *r)
{
	json_t *caps = json_pack("{s:[{s:s, s:b}]}", "capabilities",
				 "capability", "events", "state", 1);
	json_t *ret = NULL;
	int ok;

	if (qmp_exec(&src->qmp, "migrate-set-capabilities", caps, QMP_TIMEOUT_MS, NULL) ||
	    qmp_exec(&src->qmp, "migrate-set-parameters",
		     json_pack("{s:I, s:I}", "max-bandwidth", (json_int_t)p->max_bandwidth,
			       "downtime-limit", (json_int_t)p->downtime_limit_ms),
		     QMP_TIMEOUT_MS, NULL) ||
	    qmp_exec(&src->qmp, "query-migrate-parameters", NULL, QMP_TIMEOUT_MS, &ret)) {
		snprintf(r->error, sizeof(r->error), "%s", src->qmp.error);
		return -1;
	}
	/* Set-then-read-back: a parameter QEMU clamped or ignored would make
	 * every figure of the run mean something else. */
	ok = jint(ret, "max-bandwidth") == p->max_bandwidth &&
	     jint(ret, "downtime-limit") == p->downtime_limit_ms;
	if (!ok)
		snprintf(r->error, sizeof(r->error),
			 "migration parameters not applied (max-bandwidth %lld, downtime-limit %lld)",
			 (long long)jint(ret, "max-bandwidth"), (long long)jint(ret, "downtime-limit"));
	json_decref(ret);
	return ok ? 0 : -1;
}

/* Wait for the destination to run the guest; fail fast on states that
 * mean it never will. */
static int wait_dst_running(struct vm *dst, struct mig_record *r)
{
	int64_t deadline = now_ms() + DST_RUN_TIMEOUT_MS;

	while (now_ms() < deadline && !pvmig_interrupted) {
		json_t *ret = NULL;
		const char *st;

		if (qmp_exec(&dst->qmp, "query-status", NULL, QMP_TIMEOUT_MS, &ret)) {
			snprintf(r->error, sizeof(r->error), "%s", dst->qmp.error);
			return -1;
		}
		st = json_string_value(json_object_get(ret, "status")) ?: "";
		if (!strcmp(st, "running")) {
			json_decref(ret);
			return 0;
		}
		if (!strcmp(st, "internal-error") || !strcmp(st, "shutdown") ||
		    !strcmp(st, "guest-panicked") || !strcmp(st, "io-error")) {
			snprintf(r->error, sizeof(r->error), "destination is in state %s", st);
			json_decref(ret);
			return -1;
		}
		json_decref(ret);
		sleep_ms(20);
	}
	snprintf(r->error, sizeof(r->error), "destination not running after %d ms",
		 DST_RUN_TIMEOUT_MS);
	return -1;
}

/* The method's capabilities and parameters on both sides, the destination
 * first (it must have them before migrate-incoming); recorded as QEMU reads
 * them back.  A refusal is the method's result, not the harness's error. */
static int apply_settings(struct vm *src, struct vm *dst, const struct migrate_params *p,
                          struct mig_record *r)
{
	struct { struct vm *vm; const char *side; } sides[] = { { dst, "dst" }, { src, "src" } };
	char err[400];

	r->mig_settings = json_object();
	for (size_t i = 0; i < 2; i++) {
		json_t *applied;
		int rc = migsettings_apply(&sides[i].vm->qmp, &p->settings, &applied, err, sizeof(err));

		if (rc == 1) {
			snprintf(r->status, sizeof(r->status), "refused");
			snprintf(r->error, sizeof(r->error), "QEMU refused the method's settings on the %s: %s",
				 sides[i].side, err);
			return -1;
		}
		if (rc) {
			snprintf(r->error, sizeof(r->error), "%s: %s", sides[i].side, err);
			return -1;
		}
		json_object_set_new(r->mig_settings, sides[i].side, applied);
	}
	return 0;
}

/* Postcopy: switch once the first pass is done (the bitmap's second sync)
 * or at the set time; noted in r either way. */
static void maybe_switch(struct vm *src, const struct migrate_params *p, json_t *info, int64_t t,
                         struct mig_record *r)
{
	json_t *ram = json_object_get(info, "ram");
	const char *st = json_string_value(json_object_get(info, "status")) ?: "";
	bool due;

	if (p->switchover != SWITCHOVER_POSTCOPY || r->postcopy_start_ms != NA || strcmp(st, "active"))
		return;
	due = p->postcopy_after_ms >= 0 ? t >= p->postcopy_after_ms : jint(ram, "dirty-sync-count") >= 2;
	if (!due)
		return;
	if (qmp_exec(&src->qmp, "migrate-start-postcopy", NULL, QMP_TIMEOUT_MS, NULL)) {
		snprintf(r->postcopy_trigger, sizeof(r->postcopy_trigger), "refused: %.50s",
			 src->qmp.error);
		r->postcopy_start_ms = t;
		return;
	}
	r->postcopy_start_ms = t;
	if (p->postcopy_after_ms >= 0)
		snprintf(r->postcopy_trigger, sizeof(r->postcopy_trigger), "at %d ms",
			 p->postcopy_after_ms);
	else
		snprintf(r->postcopy_trigger, sizeof(r->postcopy_trigger), "after the first pass");
}

/* The destination's own count of the time its vCPUs waited for pages
 * (capability postcopy-blocktime). */
static void read_blocktime(struct vm *dst, struct mig_record *r)
{
	json_t *info = NULL;

	if (qmp_exec(&dst->qmp, "query-migrate", NULL, QMP_TIMEOUT_MS, &info) == 0) {
		r->postcopy_blocktime_ms = jint(info, "postcopy-blocktime");
		json_decref(info);
	}
}

int migrate_run(struct vm *src, struct vm *dst, const struct migrate_params *p,
                struct mig_record *r)
{
	int64_t t0, t0_us, deadline;
	json_t *info = NULL;
	int rc = -1;

	snprintf(r->status, sizeof(r->status), "error");
	if (apply_settings(src, dst, p, r) || set_and_check_params(src, p, r))
		return -1;
	if (qmp_exec(&dst->qmp, "migrate-incoming", json_pack("{s:s}", "uri", p->uri),
		     QMP_TIMEOUT_MS, NULL)) {
		snprintf(r->error, sizeof(r->error), "%s", dst->qmp.error);
		return -1;
	}
	t0 = now_ms();
	t0_us = realtime_us();
	deadline = t0 + p->timeout_ms;
	if (qmp_exec(&src->qmp, "migrate", json_pack("{s:s}", "uri", p->uri),
		     QMP_TIMEOUT_MS, NULL)) {
		snprintf(r->error, sizeof(r->error), "%s", src->qmp.error);
		return -1;
	}

	for (;;) {
		int64_t t;
		const char *st;

		json_decref(info);
		info = NULL;
		if (qmp_exec(&src->qmp, "query-migrate", NULL, QMP_TIMEOUT_MS, &info)) {
			snprintf(r->error, sizeof(r->error), "%s", src->qmp.error);
			break;
		}
		/* Taken when the answer is in: during stop-and-copy the query
		 * waits for the BQL, and a time taken before asking would be
		 * early by as long as it waited. */
		t = now_ms() - t0;
		json_array_append_new(r->progress, sample_of(info, t));
		show_progress(p, info, t);
		st = json_string_value(json_object_get(info, "status")) ?: "";
		if (!strcmp(st, "completed")) {
			r->wall_ms = t;
			rc = 0;
			/* QEMU 7.2 sets the state before it computes total-time
			 * and downtime: a query in between reads zeros. */
			for (int i = 0; i < 50 && jint(info, "total-time") <= 0; i++) {
				sleep_ms(10);
				json_decref(info);
				info = NULL;
				if (qmp_exec(&src->qmp, "query-migrate", NULL, QMP_TIMEOUT_MS, &info))
					break;
			}
			break;
		}
		if (!strcmp(st, "failed") || !strcmp(st, "cancelled")) {
			const char *desc = json_string_value(json_object_get(info, "error-desc"));

			snprintf(r->error, sizeof(r->error), "migration %s%s%s", st,
				 desc ? ": " : "", desc ? desc : "");
			break;
		}
		maybe_switch(src, p, info, t, r);
		if (p->on_sample)
			p->on_sample(p->opaque, t, st);
		if (pvmig_interrupted) {
			qmp_exec(&src->qmp, "migrate_cancel", NULL, 2000, NULL);
			snprintf(r->error, sizeof(r->error), "interrupted");
			break;
		}
		if (now_ms() >= deadline) {
			qmp_exec(&src->qmp, "migrate_cancel", NULL, QMP_TIMEOUT_MS, NULL);
			snprintf(r->error, sizeof(r->error), "migration did not finish in %d ms",
				 p->timeout_ms);
			break;
		}
		sleep_ms(p->sample_interval_ms);
	}
	if (isatty(STDERR_FILENO))
		fputc('\n', stderr);
	if (info)
		migrate_parse_info(info, r);
	json_decref(info);
	/* Pick up events still in the socket; they carry their own time. */
	qmp_pump(&src->qmp, 0);
	migrate_parse_events(src->qmp.events, t0_us, r);
	if (rc == 0 && wait_dst_running(dst, r))
		rc = -1;
	if (p->switchover == SWITCHOVER_POSTCOPY) {
		if (r->postcopy_start_ms == NA)
			snprintf(r->postcopy_trigger, sizeof(r->postcopy_trigger),
				 "none: precopy ended before the switch");
		if (rc == 0)
			read_blocktime(dst, r);
	}
	if (rc != 0 && !strcmp(r->status, "completed"))
		snprintf(r->status, sizeof(r->status), "error");
	return rc;
}

#include "balloon.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

#define BALLOON_PATH "/machine/peripheral/balloon0"
#define STALL_MS 20000		/* no progress this long: the guest gives no more */
#define STATS_TIMEOUT_MS 15000

int64_t balloon_margin_bytes(int64_t mem_bytes)
{
	int64_t m = mem_bytes / 20;

	return m < (64LL << 20) ? (64LL << 20) : m;
}

int64_t balloon_target_bytes(int64_t mem_bytes, int64_t avail_bytes, int64_t margin_bytes)
{
	int64_t spare = avail_bytes - margin_bytes;
	int64_t target;

	if (spare <= 0)
		return mem_bytes;
	target = mem_bytes - spare;
	if (target < margin_bytes)
		target = margin_bytes;
	/* QEMU balloons in 4 KiB pages. */
	return target & ~4095LL;
}

static int64_t query_actual(struct qmp *qmp)
{
	json_t *ret = NULL;
	int64_t v = -1;

	if (qmp_exec(qmp, "query-balloon", NULL, 5000, &ret) == 0)
		v = (int64_t)json_integer_value(json_object_get(ret, "actual"));
	json_decref(ret);
	return v;
}

static int64_t stats_last_update(struct qmp *qmp, int64_t *avail)
{
	json_t *ret = NULL;
	int64_t t = -1;

	if (qmp_exec(qmp, "qom-get", json_pack("{s:s, s:s}", "path", BALLOON_PATH,
					       "property", "guest-stats"), 5000, &ret) == 0) {
		t = (int64_t)json_integer_value(json_object_get(ret, "last-update"));
		*avail = (int64_t)json_integer_value(json_object_get(json_object_get(ret, "stats"),
								     "stat-available-memory"));
	}
	json_decref(ret);
	return t;
}

/*
 * Ask the driver for statistics every second and wait for a set newer than
 * the one QEMU already holds: the driver sends one when it probes, so the
 * set on hand may date from boot, before the guest filled its memory.
 */
static int64_t available_memory(struct qmp *qmp)
{
	int64_t deadline = now_ms() + STATS_TIMEOUT_MS;
	int64_t avail = -1, first;

	first = stats_last_update(qmp, &avail);
	if (qmp_exec(qmp, "qom-set", json_pack("{s:s, s:s, s:i}", "path", BALLOON_PATH,
					       "property", "guest-stats-polling-interval", "value", 1),
		     5000, NULL))
		return -1;
	while (now_ms() < deadline && !pvmig_interrupted) {
		int64_t t = stats_last_update(qmp, &avail);

		if (t > first && t > 0 && avail > 0)
			return avail;
		sleep_ms(250);
	}
	return -1;
}

/* Drive `balloon` to value and wait until actual gets within 1% of it or
 * stops moving. */
static int drive(struct qmp *qmp, int64_t value, int timeout_ms, const char *verb,
                 struct balloon_outcome *out, int64_t *elapsed_ms)
{
	int64_t t0 = now_ms(), deadline = t0 + timeout_ms, last_change = t0;
	int64_t last = query_actual(qmp), tol = value / 100;

	if (qmp_exec(qmp, "balloon", json_pack("{s:I}", "value", (json_int_t)value), 5000, NULL)) {
		snprintf(out->outcome, sizeof(out->outcome), "balloon command failed");
		return -1;
	}
	for (;;) {
		int64_t now = now_ms(), actual = query_actual(qmp);

		if (actual < 0) {
			snprintf(out->outcome, sizeof(out->outcome), "query-balloon failed");
			return -1;
		}
		if (isatty(STDERR_FILENO))
			fprintf(stderr, "\r  balloon %s: %lld -> %lld MiB (%5.1f s) ", verb,
				(long long)(actual >> 20), (long long)(value >> 20),
				(double)(now - t0) / 1000);
		out->actual_bytes = actual;
		*elapsed_ms = now - t0;
		if (llabs(actual - value) <= tol) {
			snprintf(out->outcome, sizeof(out->outcome), "reached");
			break;
		}
		if (actual != last) {
			last = actual;
			last_change = now;
		}
		if (now - last_change > STALL_MS) {
			/* e.g. the guest hit OOM and deflate-on-oom gave pages back */
			snprintf(out->outcome, sizeof(out->outcome), "stalled");
			break;
		}
		if (now >= deadline || pvmig_interrupted) {
			snprintf(out->outcome, sizeof(out->outcome), pvmig_interrupted ?
				 "interrupted" : "timed out");
			break;
		}
		sleep_ms(100);
	}
	if (isatty(STDERR_FILENO))
		fputc('\n', stderr);
	return pvmig_interrupted ? -1 : 0;
}

int balloon_inflate(struct qmp *qmp, int64_t mem_bytes, int timeout_ms,
                    struct balloon_outcome *out)
{
	int64_t t0 = now_ms();

	memset(out, 0, sizeof(*out));
	out->avail_bytes = available_memory(qmp);
	if (out->avail_bytes < 0) {
		snprintf(out->outcome, sizeof(out->outcome), "no-stats");
		out->inflate_ms = now_ms() - t0;
		return -1;
	}
	out->target_bytes = balloon_target_bytes(mem_bytes, out->avail_bytes,
						 balloon_margin_bytes(mem_bytes));
	if (drive(qmp, out->target_bytes, timeout_ms, "inflate", out, &out->inflate_ms))
		return -1;
	/* The statistics wait is part of what the method costs. */
	out->inflate_ms = now_ms() - t0;
	return 0;
}

int balloon_deflate(struct qmp *qmp, int64_t mem_bytes, int timeout_ms,
                    struct balloon_outcome *out)
{
	struct balloon_outcome d = *out;
	int rc = drive(qmp, mem_bytes, timeout_ms, "deflate", &d, &out->deflate_ms);

	/* The inflation's outcome and size stay: the method is judged by them. */
	if (rc || strcmp(d.outcome, "reached"))
		snprintf(out->outcome + strlen(out->outcome),
			 sizeof(out->outcome) - strlen(out->outcome), ", deflate %s", d.outcome);
	return rc;
}

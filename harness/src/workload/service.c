#include "service.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "guestagent.h"
#include "record.h"
#include "util.h"

#define LOG_FILE "/tmp/service.log"

int service_start(struct qmp *ga, long wss_mib, long dirty_mib_s)
{
	char cmd[256];

	snprintf(cmd, sizeof(cmd), "rm -f " LOG_FILE "; exec pvmig-service --wss-mib %ld "
		 "--dirty-mib-s %ld --interval-ms 100 --log " LOG_FILE, wss_mib, dirty_mib_s);
	return ga_shell_bg(ga, cmd, 10000) > 0 ? 0 : -1;
}

int64_t service_guest_now(struct qmp *ga)
{
	char out[64];

	if (ga_shell(ga, "pvmig-service now", 10000, out, sizeof(out)) != 0)
		return -1;
	return strtoll(out, NULL, 10);
}

char *service_fetch_log(struct qmp *ga)
{
	size_t len = 1 << 20;
	char *buf = malloc(len);

	if (buf && ga_shell(ga, "cat " LOG_FILE, 30000, buf, len) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

struct acc {
	double ops;
	double ms;
};

static double rate(const struct acc *a)
{
	return a->ms > 0 ? a->ops * 1000.0 / a->ms : NA;
}

int service_reduce(const char *log, const struct service_window *w, struct service_figures *f)
{
	struct acc before = { 0, 0 }, during = { 0, 0 }, after = { 0, 0 };
	int64_t first = -1, prev_t = -1;
	const char *p = log;
	int n = 0;

	memset(f, 0, sizeof(*f));
	f->dip = NA;
	f->recovery_ms = NA;
	f->series = json_array();
	/* Pass 1: the first timestamp, to skip the warm-up's first half. */
	if (sscanf(p, "%lld", (long long *)&first) != 1)
		return -1;
	int64_t warm_from = first + (w->start_ms - first) / 2;

	for (; *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : p + strlen(p)) {
		long long t, ops;
		double rps;
		int64_t len;

		if (sscanf(p, "%lld %lld %lf", &t, &ops, &rps) != 3)
			continue;
		/* An interval is the time since the previous line: a paused
		 * guest shows as a long interval, never as a made-up line. */
		len = prev_t < 0 ? 100 : t - prev_t;
		prev_t = t;
		n++;
		json_array_append_new(f->series, json_pack("{s:I, s:f}", "t_ms",
							   (json_int_t)(t - w->start_ms), "ops", rps));
		if (t <= w->start_ms) {
			if (t >= warm_from) {
				before.ops += (double)ops;
				before.ms += (double)len;
			}
		} else if (t - len < w->end_ms) {
			during.ops += (double)ops;
			during.ms += (double)len;
		} else {
			after.ops += (double)ops;
			after.ms += (double)len;
		}
		if (t > w->start_ms && (f->dip == NA || rps < f->dip) && t <= w->end_ms + 2000)
			f->dip = rps;
	}
	if (!n)
		return -1;
	f->before = rate(&before);
	f->during = rate(&during);
	f->after = rate(&after);
	/* Recovery: first line after the window back at 90% of before. */
	prev_t = -1;
	for (p = log; *p && f->before != NA; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : p + strlen(p)) {
		long long t, ops;
		double rps;

		if (sscanf(p, "%lld %lld %lf", &t, &ops, &rps) != 3 || t <= w->end_ms)
			continue;
		if (rps >= 0.9 * f->before) {
			f->recovery_ms = t - w->end_ms;
			break;
		}
	}
	return 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * service_run.c - the service's life: populate, then the paced op loop.
 */
#include "service_run.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "interval_report.h"
#include "monotonic_clock.h"
#include "op_pacer.h"
#include "signals.h"
#include "status_json.h"
#include "stop_signal.h"
#include "throughput_log.h"
#include "working_set.h"

struct service {
	const struct service_options *opt;
	uint64_t seed;
	struct working_set ws;
	struct op_pacer pacer;
	struct interval_clock intervals;
	struct throughput_log log;
	uint64_t process_start_ns;
	uint64_t start_ns;          /* ops began; 0 while populating */
	uint64_t ops_total;
	const char *state;
	char error[256];            /* empty: no error */
	int status_failed;          /* reported the status file's failure once */
};

static int publish_status(struct service *svc)
{
	uint64_t now = monotonic_ns();
	uint64_t running = svc->start_ns ? now - svc->start_ns : 0;
	struct service_status s = {
		.state = svc->state,
		.error = svc->error[0] ? svc->error : NULL,
		.pid = (long)getpid(),
		.wss_mib = svc->opt->wss_mib,
		.dirty_mib_s = svc->opt->dirty_mib_s,
		.interval_ms = svc->opt->interval_ms,
		.duration_s = svc->opt->duration_s,
		.seed = svc->seed,
		.log_path = svc->opt->log_path,
		.ops_total = svc->ops_total,
		.uptime_ms = ns_to_ms(now - svc->process_start_ns),
		.running_ms = ns_to_ms(running),
		.t_ms = ns_to_ms(now),
		.start_t_ms = ns_to_ms(svc->start_ns),
		.achieved_dirty_mib_s = running ? (double)svc->ops_total * WORKING_SET_PAGE_SIZE /
							  1048576.0 * (double)NSEC_PER_SEC / (double)running
						: 0,
		.log_lines = svc->intervals.lines,
		.intervals_skipped = svc->intervals.skipped_total,
		.longest_interval_ms = ns_to_ms(svc->intervals.longest_ns),
		.pacer_stalls = svc->pacer.reanchors,
		.log_write_errors = svc->log.write_errors,
	};
	int rc = status_json_write(svc->opt->status_path, &s);

	if (rc && !svc->status_failed) {
		fprintf(stderr, SERVICE_TOOL_NAME ": cannot write %s: %s\n", svc->opt->status_path,
			strerror(-rc));
		svc->status_failed = 1;
	}
	return rc;
}

/* Set-up failure: say it on stderr and, if possible, in the status file. */
static int fail(struct service *svc, const char *what, int neg_errno)
{
	snprintf(svc->error, sizeof(svc->error), "%s: %s", what, strerror(-neg_errno));
	fprintf(stderr, SERVICE_TOOL_NAME ": %s\n", svc->error);
	svc->state = "error";
	publish_status(svc);
	return 1;
}

static uint64_t default_seed(void)
{
	return (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32) ^ monotonic_ns();
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static void log_interval(struct service *svc, uint64_t now)
{
	struct interval_sample sample;

	interval_clock_close(&svc->intervals, now, svc->ops_total, &sample);
	/* A failed line is counted in the status (log_write_errors). */
	(void)throughput_log_append(&svc->log, &sample);
}

static void op_loop(struct service *svc)
{
	uint64_t end_ns = svc->opt->duration_s
		? svc->start_ns + svc->opt->duration_s * NSEC_PER_SEC
		: UINT64_MAX;

	for (;;) {
		uint64_t now, n, i, wake;

		if (stop_signal_requested())
			return;
		if (signals_take_status_request())
			publish_status(svc);

		now = monotonic_ns();
		n = op_pacer_ops_allowed(&svc->pacer, now);
		if (n) {
			for (i = 0; i < n; i++)
				working_set_op(&svc->ws);
			svc->ops_total += n;
			op_pacer_account(&svc->pacer, n);
			now = monotonic_ns();
		}

		/* After the ops: the ops due by a boundary belong to the
		 * interval it ends.  Before the end check: a run of whole
		 * intervals logs them all. */
		if (interval_clock_due(&svc->intervals, now))
			log_interval(svc, now);
		if (now >= end_ns)
			return;
		if (n)
			continue;  /* more may be due already (backlog, unthrottled) */

		wake = op_pacer_wake_ns(&svc->pacer, now, SERVICE_PACING_STEP_NS);
		wake = min_u64(wake, svc->intervals.next_boundary_ns);
		wake = min_u64(wake, end_ns);
		/* -EINTR is fine: the loop head looks at the signal flags. */
		(void)sleep_until_ns(wake);
	}
}

int service_run(const struct service_options *opt)
{
	struct service svc;
	int rc;

	memset(&svc, 0, sizeof(svc));
	svc.opt = opt;
	svc.process_start_ns = monotonic_ns();
	svc.seed = opt->seed_given ? opt->seed : default_seed();
	svc.state = "populating";
	svc.log.fd = -1;

	rc = signals_install();
	if (rc)
		return fail(&svc, "installing signal handlers", rc);
	rc = throughput_log_open(&svc.log, opt->log_path);
	if (rc)
		return fail(&svc, opt->log_path, rc);
	if (publish_status(&svc))
		return 1;

	rc = working_set_map(&svc.ws, (size_t)opt->wss_mib << 20, svc.seed);
	if (rc) {
		throughput_log_close(&svc.log);
		return fail(&svc, "mapping the working set", rc);
	}
	working_set_populate(&svc.ws);

	svc.start_ns = monotonic_ns();
	op_pacer_init(&svc.pacer,
		      op_pacer_rate_for(opt->dirty_mib_s, WORKING_SET_PAGE_SIZE), svc.start_ns);
	interval_clock_init(&svc.intervals, opt->interval_ms * NSEC_PER_MSEC, svc.start_ns);
	svc.state = "running";
	publish_status(&svc);

	op_loop(&svc);

	/* Ops of the last, partial interval are in ops_total, not in the log:
	 * every log line stands for an interval that reached its boundary. */
	svc.state = "stopped";
	publish_status(&svc);
	throughput_log_close(&svc.log);
	working_set_unmap(&svc.ws);
	return 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * test_service.c - host tests for pvmig-service.
 *
 *   test-service [path/to/pvmig-service]
 *
 * Unit tests of the pacing and interval arithmetic (driven by made-up
 * clocks), the log line and status JSON formats, the option parser and the
 * working set; then, given the binary, runs it for real: its measured dirty
 * rate must be within 10% of the target, both by its own count and by the
 * kernel's (soft-dirty page bits, an independent witness), and its log lines
 * must come 100 ms apart.
 *
 * Prints one PASS/FAIL/SKIP line per check and "N passed, N failed" last;
 * exits non-zero if anything failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "interval_report.h"
#include "monotonic_clock.h"
#include "op_pacer.h"
#include "service_options.h"
#include "status_json.h"
#include "working_set.h"

#define MS NSEC_PER_MSEC

static int passed, failed, skipped;

static void check(int ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s: ", ok ? "PASS" : "FAIL");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (ok)
		passed++;
	else
		failed++;
}

static void skip(const char *fmt, ...)
{
	va_list ap;

	printf("SKIP: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	skipped++;
}

static int within_pct(double got, double want, double pct)
{
	return fabs(got - want) <= want * pct / 100.0;
}

/* ---- op_pacer ------------------------------------------------------------ */

/* Take every op the pacer allows at @now, as the service loop does. */
static uint64_t drain(struct op_pacer *p, uint64_t now)
{
	uint64_t n, total = 0;

	while ((n = op_pacer_ops_allowed(p, now)) > 0) {
		op_pacer_account(p, n);
		total += n;
	}
	return total;
}

/* Keep up with the schedule, a step every millisecond, from @from to @to. */
static uint64_t keep_up(struct op_pacer *p, uint64_t from, uint64_t to)
{
	uint64_t t, total = 0;

	for (t = from; t <= to; t += MS)
		total += drain(p, t);
	return total;
}

static void test_pacer_rate_conversion(void)
{
	check(op_pacer_rate_for(64, 4096) == 16384.0, "64 MiB/s of 4 KiB pages is 16384 ops/s");
	check(op_pacer_rate_for(0.5, 4096) == 128.0, "0.5 MiB/s is 128 ops/s");
}

static void test_pacer_holds_rate(void)
{
	struct op_pacer p;
	uint64_t t, done = 0, ahead = 0;

	op_pacer_init(&p, 16384, 1000 * MS);
	/* One step a millisecond for 10 s; the pacer must never allow more
	 * than the schedule (op n at n / rate, the first at once). */
	for (t = 1000 * MS; t <= 11000 * MS; t += MS) {
		done += drain(&p, t);
		if (done > (t - 1000 * MS) * 16384 / NSEC_PER_SEC + 1)
			ahead++;
	}
	check(done == 163841, "10 s at 16384 ops/s in 1 ms steps allows 163841 ops (got %" PRIu64 ")",
	      done);
	check(ahead == 0, "never ahead of the schedule (%" PRIu64 " steps ahead)", ahead);
}

static void test_pacer_fractional_rate(void)
{
	struct op_pacer p;
	uint64_t t, done = 0;

	op_pacer_init(&p, 128, 0);
	for (t = 0; t <= 10000 * MS; t += 7 * MS)
		done += drain(&p, t);
	/* Last step at 9996 ms: floor(9.996 * 128) + 1 = 1280. */
	check(done == 1280, "128 ops/s over 10 s in 7 ms steps: 1280 ops (got %" PRIu64 ")", done);
}

static void test_pacer_batch_cap(void)
{
	struct op_pacer p;

	op_pacer_init(&p, 1e6, 0);
	check(op_pacer_ops_allowed(&p, 5 * MS) == OP_PACER_MAX_BATCH,
	      "5 ms behind at 1M ops/s: one batch of %u, not 5000", OP_PACER_MAX_BATCH);
}

static void test_pacer_short_hiccup_made_up(void)
{
	struct op_pacer p;
	uint64_t got;

	op_pacer_init(&p, 1000, 0);
	keep_up(&p, 0, 100 * MS);     /* ops 0..100 */
	got = drain(&p, 105 * MS);    /* a 5 ms hiccup: ops 101..105 */
	check(got == 5 && p.reanchors == 0,
	      "5 ms hiccup at 1000 ops/s is made up: 5 ops (got %" PRIu64 "), no stall counted", got);
}

static void test_pacer_stall_not_made_up(void)
{
	struct op_pacer p;
	uint64_t got, backlog_ops = OP_PACER_MAX_BACKLOG_NS * 1000 / NSEC_PER_SEC;

	op_pacer_init(&p, 1000, 0);
	keep_up(&p, 0, 100 * MS);
	/* A 1 s stall (paused VM): only the allowed backlog, not 1000 ops. */
	got = drain(&p, 1100 * MS);
	check(got == backlog_ops + 1 && p.reanchors == 1,
	      "1 s stall at 1000 ops/s: %" PRIu64 " ops after it (want %" PRIu64 "), 1 stall counted",
	      got, backlog_ops + 1);
	got = drain(&p, 1101 * MS);
	check(got == 1, "after a stall the rate resumes at 1 op/ms (got %" PRIu64 ")", got);
}

static void test_pacer_unthrottled(void)
{
	struct op_pacer p;

	op_pacer_init(&p, 0, 42);
	op_pacer_account(&p, 1000000);
	check(op_pacer_ops_allowed(&p, 42) == OP_PACER_MAX_BATCH &&
	      op_pacer_next_due_ns(&p) == 42,
	      "unthrottled: always a full batch, always due");
}

static void test_pacer_wake(void)
{
	struct op_pacer p;
	uint64_t w;

	op_pacer_init(&p, 256, 0);   /* 1 MiB/s: an op every 3.90625 ms */
	drain(&p, 0);
	w = op_pacer_wake_ns(&p, 0, MS);
	check(w == 3906250, "slow rate: sleep until the next op (3906250 ns, got %" PRIu64 ")", w);

	op_pacer_init(&p, 16384, 0); /* an op every 61 us */
	drain(&p, 0);
	w = op_pacer_wake_ns(&p, 0, MS);
	check(w == MS, "fast rate: sleep one step and batch (1000000 ns, got %" PRIu64 ")", w);
}

/* Drive pacer and interval clock together with the wake times the service
 * computes, ops taking no time: the shape of a perfect run. */
static void test_simulated_loop(void)
{
	struct op_pacer p;
	struct interval_clock ic;
	uint64_t now = 0, ops = 0, wakeups = 0, lines = 0, bad_lines = 0;

	op_pacer_init(&p, 16384, 0);
	interval_clock_init(&ic, 100 * MS, 0);
	while (now < 1000 * MS) {
		uint64_t wake;

		/* The order of service_run.c: ops due, then the line. */
		ops += drain(&p, now);
		if (interval_clock_due(&ic, now)) {
			struct interval_sample s;

			interval_clock_close(&ic, now, ops, &s);
			lines++;
			/* 1638.4 ops per 100 ms: each line has 1638 or 1639,
			 * counting the ops due at its boundary. */
			if (s.ops < 1638 || s.ops > 1639 || s.elapsed_ns != 100 * MS)
				bad_lines++;
		}
		wake = op_pacer_wake_ns(&p, now, MS);
		if (wake > ic.next_boundary_ns)
			wake = ic.next_boundary_ns;
		now = wake;
		wakeups++;
	}
	check(lines == 9 && bad_lines == 0,
	      "simulated 1 s run: 9 lines of 1638..1639 ops, 100 ms each (%" PRIu64 " lines, %" PRIu64
	      " off)", lines, bad_lines);
	check(wakeups >= 990 && wakeups <= 1010,
	      "simulated 1 s run: ~1000 wake-ups, one per 1 ms step (got %" PRIu64 ")", wakeups);
}

/* ---- interval_report ----------------------------------------------------- */

static void test_interval_on_time(void)
{
	struct interval_clock ic;
	struct interval_sample s;

	interval_clock_init(&ic, 100 * MS, 5000 * MS);
	check(!interval_clock_due(&ic, 5099 * MS) && interval_clock_due(&ic, 5100 * MS),
	      "a line is due at start + interval, not before");
	interval_clock_close(&ic, 5100 * MS + 200000, 1638, &s);
	check(s.t_ms == 5100 && s.ops == 1638 && s.elapsed_ns == 100200000 && s.skipped == 0,
	      "on-time line: t_ms 5100, 1638 ops, 100.2 ms, nothing skipped");
	check(fabs(s.ops_per_s - 1638 / 0.1002) < 1e-6, "ops_per_s uses the real length (%.3f)",
	      s.ops_per_s);
	check(ic.next_boundary_ns == 5200 * MS, "next boundary stays on the 100 ms grid");
}

static void test_interval_stretched(void)
{
	struct interval_clock ic;
	struct interval_sample s;

	interval_clock_init(&ic, 100 * MS, 0);
	interval_clock_close(&ic, 100 * MS, 1000, &s);
	/* The guest was slowed: the next line comes at 280 ms. */
	interval_clock_close(&ic, 280 * MS, 1900, &s);
	check(s.t_ms == 280 && s.ops == 900 && fabs(s.ops_per_s - 5000) < 1e-6,
	      "stretched interval: 900 ops over 180 ms reported as 5000 ops/s (%.1f)", s.ops_per_s);
	check(ic.next_boundary_ns == 400 * MS && s.skipped == 1,
	      "after it, the 300 ms boundary (a 20 ms sliver) is skipped for 400 ms");
}

static void test_interval_missed(void)
{
	struct interval_clock ic;
	struct interval_sample s;

	interval_clock_init(&ic, 100 * MS, 0);
	interval_clock_close(&ic, 100 * MS, 1000, &s);
	/* The process did not run from 100 ms to 450 ms: one line, no fakes. */
	interval_clock_close(&ic, 450 * MS, 1500, &s);
	check(s.t_ms == 450 && s.elapsed_ns == 350 * MS && fabs(s.ops_per_s - 500 / 0.35) < 1e-6,
	      "missed intervals: one line at 450 ms spanning 350 ms (%.1f ops/s)", s.ops_per_s);
	check(s.skipped == 2 && ic.skipped_total == 2 && ic.lines == 2,
	      "missed intervals: 200 and 300 ms counted as skipped, 2 lines in all");
	check(ic.next_boundary_ns == 500 * MS, "missed intervals: back on the grid at 500 ms");
	check(ic.longest_ns == 350 * MS, "longest interval recorded (350 ms)");
}

static void test_line_format(void)
{
	struct interval_sample s = { .t_ms = 123456, .ops = 1638, .ops_per_s = 16380.04 };
	struct interval_sample big = { .t_ms = UINT64_MAX, .ops = UINT64_MAX, .ops_per_s = 1e15 };
	char buf[INTERVAL_LINE_MAX];
	int n;

	n = interval_line_format(&s, buf, sizeof(buf));
	check(n == 20 && strcmp(buf, "123456 1638 16380.0\n") == 0,
	      "line format: \"<t_ms> <ops> <ops_per_s>\\n\" (got \"%.*s\")", n > 0 ? n - 1 : 0, buf);
	check(interval_line_format(&big, buf, sizeof(buf)) > 0,
	      "largest possible line fits INTERVAL_LINE_MAX");
	check(interval_line_format(&s, buf, 10) == -1, "too small a buffer is refused");
}

/* ---- working_set --------------------------------------------------------- */

static void test_working_set(void)
{
	struct working_set ws;
	uint64_t *copy;
	unsigned hits[256] = { 0 };
	size_t i, zero_words = 0, changed_pages = 0, page, lo = SIZE_MAX, hi = 0;
	int wrong_page = 0;

	check(working_set_map(&ws, 4097, 1) == -EINVAL, "a size not a multiple of 4 KiB is refused");
	if (working_set_map(&ws, 256 * WORKING_SET_PAGE_SIZE, 1)) {
		check(0, "map 1 MiB working set");
		return;
	}
	working_set_populate(&ws);
	for (i = 0; i < ws.pages * WORKING_SET_PAGE_WORDS; i++)
		zero_words += ws.base[i] == 0;
	check(zero_words == 0, "populated set has no zero words, so no zero pages");

	copy = malloc(256 * WORKING_SET_PAGE_SIZE);
	memcpy(copy, ws.base, 256 * WORKING_SET_PAGE_SIZE);
	page = working_set_op(&ws);
	for (i = 0; i < 256; i++) {
		int differs = memcmp(copy + i * WORKING_SET_PAGE_WORDS,
				     ws.base + i * WORKING_SET_PAGE_WORDS, WORKING_SET_PAGE_SIZE) != 0;

		changed_pages += differs;
		if (differs && i != page)
			wrong_page = 1;
	}
	check(changed_pages == 1 && !wrong_page, "an op changes exactly the page it returns");
	free(copy);

	for (i = 0; i < 256 * 200; i++)
		hits[working_set_op(&ws)]++;
	for (i = 0; i < 256; i++) {
		lo = hits[i] < lo ? hits[i] : lo;
		hi = hits[i] > hi ? hits[i] : hi;
	}
	/* Mean 200, sd ~14: 140..260 is over 4 sd either way. */
	check(lo >= 140 && hi <= 260, "ops spread evenly over pages (hits per page %zu..%zu, mean 200)",
	      lo, hi);
	working_set_unmap(&ws);
}

/* ---- service_options ----------------------------------------------------- */

static int parse(struct service_options *o, char *err, ...)
{
	char *argv[16];
	int argc = 0;
	va_list ap;

	argv[argc++] = "pvmig-service";
	va_start(ap, err);
	while ((argv[argc] = va_arg(ap, char *)) != NULL)
		argc++;
	va_end(ap);
	return service_options_parse(argc, argv, o, err, 256);
}

static void test_options(void)
{
	static const char *const bad[][3] = {
		{ "--wss-mib", "0", NULL },       { "--wss-mib", "12x", NULL },
		{ "--wss-mib", "-5", NULL },      { "--dirty-mib-s", "-1", NULL },
		{ "--dirty-mib-s", "nan", NULL }, { "--dirty-mib-s", "fast", NULL },
		{ "--interval-ms", "0", NULL },   { "--duration-s", "1.5", NULL },
		{ "--bogus", NULL, NULL },        { "--wss-mib", NULL, NULL },
		{ "-x", NULL, NULL },             { "stray", NULL, NULL },
		{ "now", "--wss-mib", "1" },      { "--log", "", NULL },
	};
	struct service_options o;
	char err[256];
	size_t i;

	check(parse(&o, err, NULL) == 0 && o.command == CMD_RUN && o.wss_mib == 512 &&
	      o.dirty_mib_s == 64 && o.interval_ms == 100 && !strcmp(o.log_path, "/tmp/service.log") &&
	      !strcmp(o.status_path, "/tmp/service.json") && o.duration_s == 0 && !o.seed_given,
	      "defaults: 512 MiB, 64 MiB/s, 100 ms, /tmp/service.{log,json}");
	check(parse(&o, err, "run", "--wss-mib", "64", "--dirty-mib-s=0.5", "--interval-ms", "250",
		    "--log", "/a", "--status", "/b", "--duration-s", "3", "--seed", "7", NULL) == 0 &&
	      o.wss_mib == 64 && o.dirty_mib_s == 0.5 && o.interval_ms == 250 &&
	      !strcmp(o.log_path, "/a") && !strcmp(o.status_path, "/b") && o.duration_s == 3 &&
	      o.seed == 7 && o.seed_given,
	      "every option, after 'run', '=' form too");
	check(parse(&o, err, "--dirty-mib-s", "0", NULL) == 0 && o.dirty_mib_s == 0,
	      "--dirty-mib-s 0 (unthrottled) accepted");
	check(parse(&o, err, "now", NULL) == 0 && o.command == CMD_NOW, "'now' sub-command");
	check(parse(&o, err, "--wss-mib", "9", "--help", NULL) == 0 && o.command == CMD_HELP,
	      "--help");
	check(parse(&o, err, "--log", "/x", "--status", "/x", NULL) == -1,
	      "--log and --status on one file refused");

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = parse(&o, err, bad[i][0], bad[i][1], bad[i][2], NULL);

		check(rc == -1 && err[0] && !strchr(err, '\n'), "refused: %s %s %s -> \"%s\"",
		      bad[i][0], bad[i][1] ? bad[i][1] : "", bad[i][2] ? bad[i][2] : "", err);
	}
	/* getopt state must not leak from one parse into the next. */
	check(parse(&o, err, "--wss-mib", "3", NULL) == 0 && o.wss_mib == 3,
	      "parsing again after errors works");
}

/* ---- status_json --------------------------------------------------------- */

static void test_status_json(void)
{
	struct service_status s = {
		.state = "running", .pid = 99, .wss_mib = 512, .dirty_mib_s = 64,
		.interval_ms = 100, .log_path = "/tmp/we\"ird\\log\n", .ops_total = 12345,
		.uptime_ms = 7000,
	};
	static const char *const keys[] = {
		"\"state\": \"running\"", "\"wss_mib\": 512", "\"dirty_mib_s\": 64.000",
		"\"ops_total\": 12345", "\"uptime_ms\": 7000", "\"interval_ms\": 100",
		"\"error\": null", "\"tool\": \"pvmig-service\"",
		"\"log\": \"/tmp/we\\\"ird\\\\log\\u000a\"",
	};
	char buf[4096], small[64];
	size_t i;
	int n = status_json_render(&s, buf, sizeof(buf));
	int braces = 0;

	check(n > 0 && buf[0] == '{' && strstr(buf, "}\n") == buf + n - 2, "status renders one object");
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		check(n > 0 && strstr(buf, keys[i]) != NULL, "status has %s", keys[i]);
	for (i = 0; n > 0 && i < (size_t)n; i++)
		braces += buf[i] == '{' ? 1 : buf[i] == '}' ? -1 : 0;
	check(braces == 0, "status braces balance");
	check(status_json_render(&s, small, sizeof(small)) == -1, "too small a buffer is refused");
}

/* ---- the real binary ----------------------------------------------------- */

static char tmpdir[] = "/tmp/test-service.XXXXXX";

static char *tmp_path(const char *name)
{
	static char paths[8][512];
	static int next;
	char *p = paths[next++ % 8];

	snprintf(p, sizeof(paths[0]), "%s/%s", tmpdir, name);
	return p;
}

/* Start @argv with stdout and stderr into files in tmpdir. */
static pid_t spawn(char *const argv[], const char *out, const char *err)
{
	pid_t pid = fork();

	if (pid == 0) {
		int o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int e = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (o < 0 || e < 0)
			_exit(127);
		dup2(o, 1);
		dup2(e, 2);
		execv(argv[0], argv);
		_exit(127);
	}
	return pid;
}

static int wait_exit(pid_t pid)
{
	int st;

	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* Read @path into one of a few rotating buffers: a result stays valid
 * until the fourth call after it. */
static char *slurp(const char *path)
{
	static char bufs[4][1 << 18];
	static int next;
	char *buf = bufs[next++ % 4];
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return NULL;
	n = read(fd, buf, sizeof(bufs[0]) - 1);
	close(fd);
	if (n < 0)
		return NULL;
	buf[n] = '\0';
	return buf;
}

static size_t count_lines(const char *s)
{
	size_t n = 0;

	for (; s && *s; s++)
		n += *s == '\n';
	return n;
}

/* A number after "key": in a status file, or NAN. */
static double json_number(const char *json, const char *key)
{
	char pat[64];
	const char *p;

	snprintf(pat, sizeof(pat), "\"%s\": ", key);
	p = json ? strstr(json, pat) : NULL;
	return p ? strtod(p + strlen(pat), NULL) : NAN;
}

static int json_state_is(const char *json, const char *state)
{
	char pat[64];

	snprintf(pat, sizeof(pat), "\"state\": \"%s\"", state);
	return json && strstr(json, pat) != NULL;
}

static void test_binary_cli(char *bin)
{
	char *now_argv[] = { bin, "now", NULL };
	char *bad_argv[] = { bin, "--dirty-mib-s", "lots", NULL };
	char *help_argv[] = { bin, "--help", NULL };
	uint64_t before, after, got;
	char *out;
	int rc;

	before = ns_to_ms(monotonic_ns());
	rc = wait_exit(spawn(now_argv, tmp_path("now.out"), tmp_path("now.err")));
	after = ns_to_ms(monotonic_ns());
	out = slurp(tmp_path("now.out"));
	got = out ? strtoull(out, NULL, 10) : 0;
	check(rc == 0 && got >= before && got <= after,
	      "'now' prints CLOCK_MONOTONIC ms (%" PRIu64 " within %" PRIu64 "..%" PRIu64 ")", got,
	      before, after);

	rc = wait_exit(spawn(bad_argv, tmp_path("bad.out"), tmp_path("bad.err")));
	out = slurp(tmp_path("bad.err"));
	check(rc == 2 && count_lines(out) == 1, "bad option: exit 2 (got %d), one line on stderr",
	      rc);

	rc = wait_exit(spawn(help_argv, tmp_path("help.out"), tmp_path("help.err")));
	out = slurp(tmp_path("help.out"));
	check(rc == 0 && out && strstr(out, "--dirty-mib-s"), "--help: usage on stdout, exit 0");
}

/* Wait up to @timeout_ms for the status file to show @state. */
static char *wait_state(const char *path, const char *state, int timeout_ms)
{
	for (int i = 0; i < timeout_ms / 10; i++) {
		char *s = slurp(path);

		if (json_state_is(s, state))
			return s;
		usleep(10000);
	}
	return NULL;
}

/* The largest private anonymous mapping of @pid of at least @min_bytes. */
static int find_working_set(pid_t pid, size_t min_bytes, uint64_t *lo, uint64_t *hi)
{
	char path[64], line[512];
	FILE *f;
	int found = 0;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long a, b, inode;
		char perms[8];
		int n = 0;

		if (sscanf(line, "%llx-%llx %7s %*s %*s %llu %n", &a, &b, perms, &inode, &n) < 4)
			continue;
		if (strcmp(perms, "rw-p") || inode || (line[n] && line[n] != '\n'))
			continue;
		if (b - a >= min_bytes && (!found || b - a > *hi - *lo)) {
			*lo = a;
			*hi = b;
			found = 1;
		}
	}
	fclose(f);
	return found;
}

/* Clear the soft-dirty bits of @pid's pages; 0 or -1. */
static int clear_soft_dirty(pid_t pid)
{
	char path[64];
	int fd, ok;

	snprintf(path, sizeof(path), "/proc/%d/clear_refs", (int)pid);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -1;
	ok = write(fd, "4", 1) == 1;
	close(fd);
	return ok ? 0 : -1;
}

/* Pages in [lo, hi) of @pid with the soft-dirty bit (pagemap bit 55), or -1. */
static long count_soft_dirty(pid_t pid, uint64_t lo, uint64_t hi)
{
	static uint64_t entries[4096];
	char path[64];
	uint64_t page;
	long dirty = 0;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/pagemap", (int)pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	for (page = lo / 4096; page < hi / 4096;) {
		size_t want = hi / 4096 - page < 4096 ? hi / 4096 - page : 4096;
		ssize_t n = pread(fd, entries, want * 8, (off_t)(page * 8));

		if (n <= 0) {
			close(fd);
			return -1;
		}
		for (size_t i = 0; i < (size_t)n / 8; i++)
			dirty += (entries[i] >> 55) & 1;
		page += (size_t)n / 8;
	}
	close(fd);
	return dirty;
}

/*
 * Writes that dirtied @dirty distinct pages out of @pages, ops picking pages
 * uniformly: expected distinct = P (1 - e^(-N/P)), so N = -P ln(1 - D/P).
 */
static double writes_from_distinct(double dirty, double pages)
{
	return -pages * log(1 - dirty / pages);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

#define RUN_WSS_MIB 256
#define RUN_RATE_MIB_S 32.0
#define RUN_MS 2000
#define SOFT_DIRTY_WINDOW_MS 1000

static void check_log(const char *log, double start_t_ms, double rate_mib_s)
{
	static uint64_t t[1000], ops[1000], gaps[1000];
	static double rate[1000];
	size_t n = 0, i, near = 0, rate_off = 0;
	uint64_t sum = 0;
	const char *p = log;
	double measured;

	while (p && *p && n < 1000) {
		unsigned long long a, b;
		double r;
		int used;

		if (sscanf(p, "%llu %llu %lf%n", &a, &b, &r, &used) != 3)
			break;
		t[n] = a;
		ops[n] = b;
		rate[n++] = r;
		p += used;
		if (*p == '\n')
			p++;
	}
	check(n >= RUN_MS / 100 - 2 && n <= RUN_MS / 100 + 1 && p && !*p,
	      "log: %zu well-formed lines for ~%d ms", n, RUN_MS);
	if (n < 3)
		return;

	for (i = 0; i < n; i++) {
		double gap = (double)(t[i] - (i ? t[i - 1] : (uint64_t)start_t_ms));

		gaps[i] = t[i] - (i ? t[i - 1] : (uint64_t)start_t_ms);
		near += gaps[i] >= 90 && gaps[i] <= 110;
		/* t_ms is truncated to whole ms, the rate uses ns: 2% slack. */
		if (!gap || !within_pct(rate[i], (double)ops[i] * 1000 / gap, 2))
			rate_off++;
		sum += ops[i];
	}
	measured = (double)sum * 4096 / 1048576 * 1000 / ((double)t[n - 1] - start_t_ms);
	check(within_pct(measured, rate_mib_s, 10),
	      "log: dirty rate %.2f MiB/s within 10%% of %.0f (%+.2f%%)", measured, rate_mib_s,
	      (measured / rate_mib_s - 1) * 100);
	check(rate_off == 0, "log: every ops_per_s is its ops over its real interval (%zu off)",
	      rate_off);

	qsort(gaps, n, sizeof(gaps[0]), cmp_u64);
	check(gaps[n / 2] >= 99 && gaps[n / 2] <= 101 && gaps[0] >= 50 && gaps[n - 1] <= 250,
	      "log: lines 100 ms apart (median %" PRIu64 ", min %" PRIu64 ", max %" PRIu64 " ms)",
	      gaps[n / 2], gaps[0], gaps[n - 1]);
	check(near * 10 >= n * 9, "log: %zu of %zu gaps within 100 +- 10 ms", near, n);
}

/*
 * Ask for a status with SIGUSR1 and wait for the fresh one (t_ms at or after
 * the request).  Returns ops_total, or NAN; @sent_ns is when we asked, by
 * our own clock: two snapshots time the service from outside.
 */
static double snapshot_ops(pid_t pid, const char *status_path, uint64_t *sent_ns)
{
	uint64_t sent_ms;

	*sent_ns = monotonic_ns();
	sent_ms = ns_to_ms(*sent_ns);
	kill(pid, SIGUSR1);
	for (int i = 0; i < 500; i++) {
		char *s = slurp(status_path);

		if (json_state_is(s, "running") && json_number(s, "t_ms") >= (double)sent_ms)
			return json_number(s, "ops_total");
		usleep(2000);
	}
	return NAN;
}

/*
 * One paced run and what it measured.  The service is designed to show it
 * when it does not get the CPU (a stalled interval drops its backlog,
 * pacer_stalls counts it), so on a host busy with other work a run can
 * miss the rate through no fault of its pacing; such a run is retried.
 */
struct paced_run {
	int started, exit_code, stopped;
	double start_t_ms, ops0, ops1, ops_end, running_ms;
	uint64_t t0, t1;
	double outside_mib_s, achieved_mib_s, stalls;
	long dirty;
	uint64_t lo, hi;
	char log_path[512];
};

static void paced_run(char *bin, int attempt, struct paced_run *r)
{
	char wss[16], rate[16], log_name[32], status_name[32];
	char *status_path, *argv[13];
	char *status;
	int cleared;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	r->dirty = -1;
	snprintf(wss, sizeof(wss), "%d", RUN_WSS_MIB);
	snprintf(rate, sizeof(rate), "%.0f", RUN_RATE_MIB_S);
	snprintf(log_name, sizeof(log_name), "run%d.log", attempt);
	snprintf(status_name, sizeof(status_name), "run%d.json", attempt);
	snprintf(r->log_path, sizeof(r->log_path), "%s", tmp_path(log_name));
	status_path = tmp_path(status_name);
	argv[0] = bin;
	argv[1] = "--wss-mib";
	argv[2] = wss;
	argv[3] = "--dirty-mib-s";
	argv[4] = rate;
	argv[5] = "--log";
	argv[6] = r->log_path;
	argv[7] = "--status";
	argv[8] = status_path;
	argv[9] = "--seed";
	argv[10] = "1";
	argv[11] = NULL;

	pid = spawn(argv, tmp_path("run.out"), tmp_path("run.err"));
	status = wait_state(status_path, "running", 20000);
	if (!status) {
		kill(pid, SIGKILL);
		wait_exit(pid);
		return;
	}
	r->started = 1;
	r->start_t_ms = json_number(status, "start_t_ms");

	/* A 1 s window in the middle of the run, timed by us: the service's
	 * op count at both ends (SIGUSR1), and the kernel's own count of the
	 * pages written in between (soft-dirty bits). */
	usleep((RUN_MS - SOFT_DIRTY_WINDOW_MS) / 2 * 1000);
	cleared = find_working_set(pid, (size_t)RUN_WSS_MIB << 20, &r->lo, &r->hi) &&
		  clear_soft_dirty(pid) == 0;
	r->ops0 = snapshot_ops(pid, status_path, &r->t0);
	usleep(SOFT_DIRTY_WINDOW_MS * 1000);
	r->ops1 = snapshot_ops(pid, status_path, &r->t1);
	if (cleared)
		r->dirty = count_soft_dirty(pid, r->lo, r->hi);
	r->outside_mib_s = (r->ops1 - r->ops0) * 4096 / 1048576 /
			   ((double)(r->t1 - r->t0) / NSEC_PER_SEC);

	usleep((RUN_MS - SOFT_DIRTY_WINDOW_MS) / 2 * 1000);
	kill(pid, SIGTERM);
	r->exit_code = wait_exit(pid);
	status = slurp(status_path);
	r->stopped = json_state_is(status, "stopped");
	r->ops_end = json_number(status, "ops_total");
	r->running_ms = json_number(status, "running_ms");
	r->achieved_mib_s = json_number(status, "achieved_dirty_mib_s");
	r->stalls = json_number(status, "pacer_stalls");
}

#define PACED_RUN_ATTEMPTS 3

static void test_binary_paced_run(char *bin)
{
	struct paced_run r;
	int attempt;

	for (attempt = 1; attempt <= PACED_RUN_ATTEMPTS; attempt++) {
		paced_run(bin, attempt, &r);
		if (!r.started || r.stalls == 0 || attempt == PACED_RUN_ATTEMPTS ||
		    (within_pct(r.outside_mib_s, RUN_RATE_MIB_S, 10) &&
		     within_pct(r.achieved_mib_s, RUN_RATE_MIB_S, 10)))
			break;
		printf("note: paced run %d: the host starved the service (%.0f stalls, %.2f MiB/s); "
		       "retrying\n", attempt, r.stalls, r.outside_mib_s);
	}

	check(r.started, "paced run: status says running after populating %d MiB", RUN_WSS_MIB);
	if (!r.started)
		return;
	check(r.ops0 > 0 && r.ops1 > r.ops0,
	      "SIGUSR1: status rewritten while running (ops_total %.0f, %.0f)", r.ops0, r.ops1);
	check(within_pct(r.outside_mib_s, RUN_RATE_MIB_S, 10),
	      "timed from outside: %.0f ops in %.3f s = %.2f MiB/s, within 10%% of %.0f (%+.2f%%)",
	      r.ops1 - r.ops0, (double)(r.t1 - r.t0) / NSEC_PER_SEC, r.outside_mib_s,
	      RUN_RATE_MIB_S, (r.outside_mib_s / RUN_RATE_MIB_S - 1) * 100);
	check(r.exit_code == 0 && r.stopped && r.ops_end > r.ops1,
	      "SIGTERM: exit 0 (got %d), final status says stopped", r.exit_code);
	check(within_pct(r.achieved_mib_s, RUN_RATE_MIB_S, 10),
	      "status: achieved %.2f MiB/s within 10%% of %.0f (%+.2f%%), %.0f ops in %.0f ms, "
	      "%.0f stalls", r.achieved_mib_s, RUN_RATE_MIB_S,
	      (r.achieved_mib_s / RUN_RATE_MIB_S - 1) * 100, r.ops_end, r.running_ms, r.stalls);

	if (r.dirty > 0) {
		double pages = (double)(r.hi - r.lo) / 4096;
		double secs = (double)(r.t1 - r.t0) / NSEC_PER_SEC;
		double kernel_rate =
			writes_from_distinct((double)r.dirty, pages) * 4096 / 1048576 / secs;

		check(within_pct(kernel_rate, RUN_RATE_MIB_S, 10),
		      "kernel (soft-dirty): %ld distinct pages of %.0f in %.3f s = %.2f MiB/s of writes, "
		      "within 10%% of %.0f (%+.2f%%)", r.dirty, pages, secs, kernel_rate,
		      RUN_RATE_MIB_S, (kernel_rate / RUN_RATE_MIB_S - 1) * 100);
	} else if (r.dirty == 0) {
		skip("kernel (soft-dirty) rate: host lacks soft-dirty bits (none seen: a kernel "
		     "without CONFIG_MEM_SOFT_DIRTY?)");
	} else {
		skip("kernel (soft-dirty) rate: host lacks a usable "
		     "/proc/PID/{maps,clear_refs,pagemap} (cannot open or read them)");
	}

	check_log(slurp(r.log_path), r.start_t_ms, RUN_RATE_MIB_S);
}

static void test_binary_unthrottled(char *bin)
{
	char *argv[] = { bin, "--wss-mib", "64", "--dirty-mib-s", "0", "--duration-s", "1",
			 "--log", tmp_path("free.log"), "--status", tmp_path("free.json"), NULL };
	int rc = wait_exit(spawn(argv, tmp_path("free.out"), tmp_path("free.err")));
	char *status = slurp(tmp_path("free.json"));
	double achieved = json_number(status, "achieved_dirty_mib_s");
	size_t lines = count_lines(slurp(tmp_path("free.log")));

	check(rc == 0 && json_state_is(status, "stopped") && lines == 10,
	      "unthrottled, --duration-s 1: exit 0, stopped, 10 lines (got %zu)", lines);
	check(achieved > 64, "unthrottled runs faster than the default cap: %.0f MiB/s", achieved);
}

static void test_binary_unwritable_log(char *bin)
{
	char *argv[] = { bin, "--log", "/nonexistent-dir/x.log", "--status", tmp_path("nolog.json"),
			 NULL };
	int rc = wait_exit(spawn(argv, tmp_path("nolog.out"), tmp_path("nolog.err")));
	char *status = slurp(tmp_path("nolog.json"));

	check(rc == 1 && json_state_is(status, "error") && !strstr(status, "\"error\": null"),
	      "unwritable log: exit 1 (got %d), status says error and why", rc);
}

int main(int argc, char **argv)
{
	test_pacer_rate_conversion();
	test_pacer_holds_rate();
	test_pacer_fractional_rate();
	test_pacer_batch_cap();
	test_pacer_short_hiccup_made_up();
	test_pacer_stall_not_made_up();
	test_pacer_unthrottled();
	test_pacer_wake();
	test_simulated_loop();
	test_interval_on_time();
	test_interval_stretched();
	test_interval_missed();
	test_line_format();
	test_working_set();
	test_options();
	test_status_json();

	if (argc > 1) {
		if (!mkdtemp(tmpdir)) {
			check(0, "mkdtemp: %s", strerror(errno));
		} else {
			test_binary_cli(argv[1]);
			test_binary_paced_run(argv[1]);
			test_binary_unthrottled(argv[1]);
			test_binary_unwritable_log(argv[1]);
			if (!failed) {
				/* Keep the files of a failed run to look at. */
				char cmd[600];

				snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
				if (system(cmd) != 0)
					printf("note: could not remove %s\n", tmpdir);
			} else {
				printf("note: run files kept in %s\n", tmpdir);
			}
		}
	} else {
		skip("real binary runs: no binary path given (make test passes it)");
	}

	/* The summary is the last line, exactly "N passed, N failed". */
	if (skipped)
		printf("%d skipped\n", skipped);
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}

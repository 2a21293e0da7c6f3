/* threadstats: /proc text parsing, per-thread deltas, grouping by name,
 * and one window on a live child. */
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "host.h"
#include "testchild.h"
#include "threadstats.h"
#include "util.h"

/* A real line from a 6.1 kernel (a QEMU vCPU thread), wrapped here only. */
static const char stat_vcpu[] =
	"4242 (CPU 0/TCG) S 4200 4200 4200 0 -1 4194368 1234 0 56 0 789 321 0 0 20 0 "
	"7 0 98765 2147483648 12345 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 -1 1 "
	"0 0 0 0 0 0 0 0 0 0 0 0 0\n";

static void test_parse(void)
{
	struct stat_fields st;
	uint64_t a = 0, b = 0;
	static const char status[] =
		"Name:\tlive_migration\nUmask:\t0022\nState:\tR (running)\n"
		"nonvoluntary_ctxt_switches_x:\t5\n"
		"voluntary_ctxt_switches:\t1500\nnonvoluntary_ctxt_switches:\t42\n";

	CHECK(threadstats_parse_stat(stat_vcpu, &st) == 0 && !strcmp(st.comm, "CPU 0/TCG") &&
	      st.minflt == 1234 && st.majflt == 56 && st.utime == 789 && st.stime == 321 &&
	      st.start_time == 98765,
	      "threadstats: stat gives comm, minflt, majflt, utime, stime, starttime");
	CHECK(threadstats_parse_stat("4242 (x) S 1 2", &st) == -1,
	      "threadstats: a truncated stat line is malformed");
	CHECK(threadstats_parse_stat("garbage", &st) == -1, "threadstats: no comm, malformed");
	CHECK(threadstats_parse_schedstat("123456789 987654 321\n", &a, &b) == 0 &&
	      a == 123456789 && b == 987654,
	      "threadstats: schedstat gives run and wait ns");
	CHECK(threadstats_parse_schedstat("12\n", &a, &b) == -1,
	      "threadstats: schedstat without a wait field is malformed");
	CHECK(threadstats_parse_status(status, &a, &b) == 0 && a == 1500 && b == 42,
	      "threadstats: status gives voluntary %llu (1500), nonvoluntary %llu (42)",
	      (unsigned long long)a, (unsigned long long)b);
	CHECK(threadstats_parse_status("Name:\tx\nnonvoluntary_ctxt_switches:\t42\n", &a, &b) == -1,
	      "threadstats: 'voluntary' is not found inside 'nonvoluntary'");
}

/* A thread may name itself anything, parentheses and spaces included. */
static void test_comm_edge(void)
{
	struct stat_fields st;
	static const char tricky[] =
		"77 (a) b (c) d) R 1 77 77 0 -1 4194304 10 0 2 0 30 40 0 0 20 0 1 0 555 0 0\n";
	static const char empty[] = "78 () S 1 78 78 0 -1 0 1 0 0 0 0 0 0 0 20 0 1 0 9 0 0\n";

	CHECK(threadstats_parse_stat(tricky, &st) == 0 && !strcmp(st.comm, "a) b (c) d") &&
	      st.minflt == 10 && st.majflt == 2 && st.utime == 30 && st.stime == 40 &&
	      st.start_time == 555,
	      "threadstats: comm with spaces and ')' ends at the last ')': '%s'", st.comm);
	CHECK(threadstats_parse_stat(empty, &st) == 0 && st.comm[0] == '\0' && st.start_time == 9,
	      "threadstats: an empty comm parses");
}

static struct thread_sample sample(pid_t tid, const char *name, uint64_t cpu_ms,
                                   uint64_t wait_ms, uint64_t vcsw, uint64_t ivcsw,
                                   uint64_t minflt, uint64_t majflt)
{
	struct thread_sample s = { .tid = tid, .start_time = 1000 + (unsigned long long)tid };

	snprintf(s.name, sizeof(s.name), "%s", name);
	s.c.cpu_ns = cpu_ms * 1000000;
	s.c.wait_ns = wait_ms * 1000000;
	s.c.vcsw = vcsw;
	s.c.ivcsw = ivcsw;
	s.c.minflt = minflt;
	s.c.majflt = majflt;
	return s;
}

static void add(struct threadstats_log *log, struct thread_sample s)
{
	threadstats_log_add(log, &s);
}

static const struct thread_group *group(const struct threadstats_table *t, const char *name)
{
	return threadstats_find(t, name);
}

#define MS(ns) ((ns) / 1000000)

/*
 * Four scans of a process 100: main thread 100, vCPU 101, two "worker"s
 * (102 from the start, 104 born mid-window), live_migration 103 born in
 * scan 2 and gone after scan 3, a second "worker" 102 exits too.
 */
static void test_window_book_keeping(void)
{
	static struct threadstats_log log;	/* large: not on the stack */
	static struct threadstats_table t;
	const struct thread_group *g;

	memset(&log, 0, sizeof(log));
	threadstats_log_scan(&log);	/* the baseline */
	add(&log, sample(100, "qemu-system-x86", 5000, 100, 900, 30, 70000, 12));
	add(&log, sample(101, "CPU 0/TCG", 20000, 400, 50, 300, 1000, 0));
	add(&log, sample(102, "worker", 10, 1, 5, 0, 3, 0));

	threadstats_log_scan(&log);
	add(&log, sample(100, "qemu-system-x86", 5100, 110, 950, 31, 70100, 12));
	add(&log, sample(101, "CPU 0/TCG", 20200, 450, 55, 310, 1000, 0));
	add(&log, sample(102, "worker", 15, 1, 6, 0, 3, 0));
	/* Born in the window: a sample before its name was set, then named. */
	add(&log, sample(103, "qemu-system-x86", 2, 0, 1, 0, 10, 0));

	threadstats_log_scan(&log);
	add(&log, sample(100, "qemu-system-x86", 5300, 130, 1000, 33, 70200, 13));
	add(&log, sample(101, "CPU 0/TCG", 20400, 500, 60, 320, 1000, 0));
	add(&log, sample(103, "live_migration", 250, 40, 80, 9, 500, 1));
	add(&log, sample(104, "worker", 7, 2, 3, 1, 4, 0));

	threadstats_log_scan(&log);	/* the end: 102 and 103 are gone */
	add(&log, sample(100, "qemu-system-x86", 5400, 150, 1100, 35, 70300, 14));
	add(&log, sample(101, "CPU 0/TCG", 20600, 550, 65, 330, 1000, 0));
	add(&log, sample(104, "worker", 9, 3, 4, 1, 6, 0));

	t.has_wait = true;
	threadstats_aggregate(&log, 100, &t);
	CHECK(t.n == 4, "threadstats: four names (main, vCPU, worker, live_migration): %d", t.n);
	CHECK(t.n > 0 && t.g[0].main && !strcmp(t.g[0].name, "qemu-system-x86"),
	      "threadstats: the main thread's group comes first");

	g = threadstats_main(&t);
	CHECK(g && g->count == 1 && g->exited == 0 && MS(g->delta.cpu_ns) == 400 &&
	      MS(g->delta.wait_ns) == 50 && g->delta.vcsw == 200 && g->delta.ivcsw == 5 &&
	      g->delta.minflt == 300 && g->delta.majflt == 2,
	      "threadstats: deltas are last minus first sample (main: cpu 400 ms, wait 50 ms, "
	      "vcsw 200, ivcsw 5, minflt 300, majflt 2)");
	g = group(&t, "CPU 0/TCG");
	CHECK(g && MS(g->delta.cpu_ns) == 600 && g->delta.minflt == 0,
	      "threadstats: a thread present throughout counts only the window (vCPU 600 ms)");

	g = group(&t, "live_migration");
	CHECK(g && g->count == 1 && MS(g->delta.cpu_ns) == 250 && MS(g->delta.wait_ns) == 40 &&
	      g->delta.vcsw == 80 && g->delta.minflt == 500 && g->delta.majflt == 1,
	      "threadstats: a thread born mid-window counts from zero, under its latest name");
	CHECK(g && g->exited == 1,
	      "threadstats: a thread gone before the end keeps its last sample, marked exited");
	CHECK(threadstats_find(&t, "qemu-system-x86") == NULL,
	      "threadstats: no stray group under the name a new thread had before renaming");

	g = group(&t, "worker");
	CHECK(g && g->count == 2 && g->exited == 1,
	      "threadstats: same-named threads are one group with a count (2, one exited)");
	CHECK(g && MS(g->delta.cpu_ns) == 5 + 9 && g->delta.vcsw == 1 + 4 && g->delta.minflt == 0 + 6,
	      "threadstats: same-named threads are summed (cpu %llu ms, want 14)",
	      g ? (unsigned long long)MS(g->delta.cpu_ns) : 0ULL);
}

/* A tid reused by a new thread is a new thread, not a jump backwards. */
static void test_reused_tid(void)
{
	static struct threadstats_log log;
	static struct threadstats_table t;
	struct thread_sample s;
	const struct thread_group *g;

	memset(&log, 0, sizeof(log));
	threadstats_log_scan(&log);
	add(&log, sample(1, "main", 0, 0, 0, 0, 0, 0));
	add(&log, sample(7, "worker", 100, 0, 10, 0, 10, 0));
	threadstats_log_scan(&log);
	s = sample(7, "worker", 3, 0, 1, 0, 2, 0);
	s.start_time = 99999;	/* tid 7 again, another thread */
	threadstats_log_add(&log, &s);
	threadstats_aggregate(&log, 1, &t);
	g = threadstats_find(&t, "worker");
	CHECK(g && g->count == 2 && g->exited == 1 && MS(g->delta.cpu_ns) == 3 && g->delta.minflt == 2,
	      "threadstats: a reused tid is told apart by its start time");
}

/* Beyond the table's capacity the log says so rather than undercount. */
static void test_overflow(void)
{
	static struct threadstats_log log;

	memset(&log, 0, sizeof(log));
	threadstats_log_scan(&log);
	for (int i = 1; i <= THREADSTATS_MAX_THREADS + 1; i++)
		add(&log, sample(i, "worker", 1, 0, 0, 0, 0, 0));
	CHECK(log.overflow && log.n == THREADSTATS_MAX_THREADS,
	      "threadstats: more than %d threads is flagged", THREADSTATS_MAX_THREADS);
}

/* ---- one window on a live child --------------------------------------- */

#define BURN_MS 60



static void *named_burner(void *arg)
{
	(void)arg;
	prctl(PR_SET_NAME, "ts worker)", 0, 0, 0);	/* a ')' for good measure */
	testchild_await_go();
	testchild_burn_ms(BURN_MS);
	testchild_say('b');
	return NULL;
}

/* Two named threads wait for a go each, burn, report, and exit. */
static void two_burners(void)
{
	pthread_t a, b;

	if (pthread_create(&a, NULL, named_burner, NULL) != 0 ||
	    pthread_create(&b, NULL, named_burner, NULL) != 0)
		_exit(3);
	testchild_say('r');
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	for (;;)
		pause();
}


static void test_live_child(void)
{
	struct threadstats_window *w;
	struct threadstats_table *t;
	const struct thread_group *g;
	char err[256] = "";
	int go_wr = -1, st_rd = -1, heard = 0;
	pid_t pid = testchild_spawn(two_burners, &go_wr, &st_rd);

	if (pid < 0 || testchild_hear(st_rd, 3000) != 'r') {
		CHECK(0, "threadstats: child with two named threads ready");
		goto out;
	}
	w = threadstats_start(pid, err, sizeof(err));
	CHECK(w != NULL, "threadstats: window opens on a live child (%s)", w ? "ok" : err);
	if (!w)
		goto out;
	if (write(go_wr, "gg", 2) != 2)
		CHECK(0, "threadstats: tell the threads to go");
	/* Poll as the harness does while the threads burn and exit. */
	while (heard < 2) {
		char c = testchild_hear(st_rd, 20);

		threadstats_poll(w);
		if (c == 'b')
			heard++;
		else if (c)
			break;
	}
	usleep(50000);	/* both gone before the end */
	t = threadstats_stop(w, err, sizeof(err));
	CHECK(t != NULL, "threadstats: stop gives a table (%s)", t ? "ok" : err);
	if (!t)
		goto out;
	g = threadstats_find(t, "ts worker)");
	CHECK(g && g->count == 2 && g->exited == 2,
	      "threadstats: both named threads found under their name and exited (count %d)",
	      g ? g->count : -1);
	/* Each exited thread loses what it did after the last poll that saw
	 * it (the last ~20 ms): hence the lower bound below 2 x BURN_MS. */
	CHECK(g && MS(g->delta.cpu_ns) >= BURN_MS && MS(g->delta.cpu_ns) <= 4 * BURN_MS,
	      "threadstats: two threads burning %d ms each measure %llu ms (%d-%d)", BURN_MS,
	      g ? (unsigned long long)MS(g->delta.cpu_ns) : 0ULL, BURN_MS, 4 * BURN_MS);
	CHECK(threadstats_main(t) != NULL && threadstats_main(t)->count == 1 && t->n == 2,
	      "threadstats: the main thread is its own group (%d groups)", t->n);
	free(t);
out:
	testchild_reap(pid, go_wr, st_rd);
}

/* ---- the sampler's path, on this machine ------------------------------ */

#define LONG_BURN_MS 700

static void *long_burner(void *arg)
{
	(void)arg;
	prctl(PR_SET_NAME, "ts long", 0, 0, 0);
	testchild_await_go();
	testchild_burn_ms(LONG_BURN_MS);
	testchild_say('b');
	return NULL;
}

/* One named thread that outlives two sampler periods, then exits. */
static void one_long_burner(void)
{
	pthread_t a;

	if (pthread_create(&a, NULL, long_burner, NULL) != 0)
		_exit(3);
	testchild_say('r');
	pthread_join(a, NULL);
	for (;;)
		pause();
}

static void test_sampler(void)
{
	struct threadstats_window *w;
	struct threadstats_table *t;
	const struct thread_group *g;
	struct host h;
	char err[256] = "";
	int go_wr = -1, st_rd = -1;
	pid_t pid = testchild_spawn(one_long_burner, &go_wr, &st_rd);
	int64_t until;

	host_local_init(&h, "src", NULL, "/tmp", "/tmp");
	if (pid < 0 || testchild_hear(st_rd, 3000) != 'r') {
		CHECK(0, "threadstats sampler: child with a named thread ready");
		goto out;
	}
	w = threadstats_start_sampler(&h, pid, err, sizeof(err));
	CHECK(w != NULL, "threadstats sampler: window opens through the sampler (%s)",
	      w ? "ok" : err);
	if (!w)
		goto out;
	if (write(go_wr, "g", 1) != 1)
		CHECK(0, "threadstats sampler: tell the thread to go");
	/* Poll every 100 ms, as the migrate loop does, until it is done. */
	until = now_ms() + 10000;
	while (testchild_hear(st_rd, 100) != 'b' && now_ms() < until)
		threadstats_poll(w);
	usleep(100000);
	t = threadstats_stop(w, err, sizeof(err));
	CHECK(t != NULL, "threadstats sampler: stop gives a table (%s)", t ? "ok" : err);
	if (!t)
		goto out;
	g = threadstats_find(t, "ts long");
	/* Exited between two scans: up to one period of its tail is lost. */
	CHECK(g && g->count == 1 && g->exited == 1 &&
	      MS(g->delta.cpu_ns) >= LONG_BURN_MS - 2 * THREADSTATS_REMOTE_PERIOD_MS &&
	      MS(g->delta.cpu_ns) <= 2 * LONG_BURN_MS,
	      "threadstats sampler: the thread is seen, exited, with %llu ms of its %d ms",
	      g ? (unsigned long long)MS(g->delta.cpu_ns) : 0ULL, LONG_BURN_MS);
	CHECK(threadstats_main(t) != NULL && t->has_wait == (access("/proc/self/schedstat", R_OK) == 0),
	      "threadstats sampler: main thread and CPU source as a local window has them");
	free(t);
	CHECK(threadstats_start_sampler(&h, 999999999, err, sizeof(err)) == NULL && err[0],
	      "threadstats sampler: a pid that is not there is an error: %s", err);
out:
	testchild_reap(pid, go_wr, st_rd);
}

static void test_dead_pid(void)
{
	char err[256] = "";
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0)
		_exit(0);
	waitpid(pid, NULL, 0);
	CHECK(threadstats_start(pid, err, sizeof(err)) == NULL && err[0],
	      "threadstats: a dead pid is an error: %s", err);
	err[0] = '\0';
	CHECK(threadstats_stop(NULL, err, sizeof(err)) == NULL && err[0],
	      "threadstats: no window, no table: %s", err);
}

/* The remote scan's output: the process, schedstat readable, a complete
 * thread, a thread that exited between its stat and its status, and a
 * thread with a name of spaces and parentheses. */
static void test_parse_batch(void)
{
	static const char text[] =
		"== P\n"
		"4200 (qemu-system-x86) S 1 4200 4200 0 -1 4194368 10 0 0 0 5 5 0 0 20 0 "
		"9 0 11111 2147483648 12345 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 -1 1 "
		"0 0 0 0 0 0 0 0 0 0 0 0 0\n"
		"== S\n"
		"== 4242\n"
		"4242 (CPU 0/TCG) S 4200 4200 4200 0 -1 4194368 1234 0 56 0 789 321 0 0 20 0 "
		"7 0 98765 2147483648 12345 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 -1 1 "
		"0 0 0 0 0 0 0 0 0 0 0 0 0\n"
		"123456789 987654 321\n"
		"voluntary_ctxt_switches:\t1500\nnonvoluntary_ctxt_switches:\t42\n"
		"== 4243\n"
		"4243 (worker) S 4200 4200 4200 0 -1 4194368 1 0 0 0 1 1 0 0 20 0 "
		"7 0 98800 2147483648 12345 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 -1 1 "
		"0 0 0 0 0 0 0 0 0 0 0 0 0\n"
		"== 4244\n"
		"4244 (a (b) c) R 4200 4200 4200 0 -1 4194368 7 0 0 0 1 1 0 0 20 0 "
		"7 0 98900 2147483648 12345 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 -1 1 "
		"0 0 0 0 0 0 0 0 0 0 0 0 0\n"
		"5000 600 7\n"
		"voluntary_ctxt_switches:\t3\nnonvoluntary_ctxt_switches:\t4\n";
	struct thread_sample s[8];
	unsigned long long start = 0;
	bool sched = false;
	int n = threadstats_parse_batch(text, 10000000, &start, &sched, s, 8);

	CHECK(n == 2 && start == 11111 && sched,
	      "threadstats batch: the process's start time, schedstat read, and two complete "
	      "threads of three (%d)", n);
	CHECK(n == 2 && s[0].tid == 4242 && !strcmp(s[0].name, "CPU 0/TCG") &&
	      s[0].c.cpu_ns == 123456789 && s[0].c.wait_ns == 987654 && s[0].c.minflt == 1234 &&
	      s[0].c.vcsw == 1500 && s[0].c.ivcsw == 42,
	      "threadstats batch: a thread's CPU and wait from schedstat, faults, switches");
	CHECK(n == 2 && s[1].tid == 4244 && !strcmp(s[1].name, "a (b) c") && s[1].c.ivcsw == 4,
	      "threadstats batch: a thread whose block lacks a part is left out, the next is read");
	CHECK(threadstats_parse_batch("== 4242\nx\n", 10000000, &start, &sched, s, 8) == -1,
	      "threadstats batch: without the process block the scan is no reading");
	CHECK(threadstats_parse_batch(text, 10000000, &start, &sched, s, 1) == 1,
	      "threadstats batch: no more samples than room for them");
}

void suite_threadstats(void)
{
	test_parse();
	test_parse_batch();
	test_comm_edge();
	test_window_book_keeping();
	test_reused_tid();
	test_overflow();
	test_live_child();
	test_sampler();
	test_dead_pid();
}

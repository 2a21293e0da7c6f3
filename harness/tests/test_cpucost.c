/* cpucost: per-thread counting of a forked child, threads born mid-window. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "cpucost.h"

#define BURN_MS 100	/* CPU time each of the child's two threads burns */

static int go_rd, st_wr;	/* the child's ends of its two pipes */

/* Burn ms of this thread's CPU time (not wall time: the machine may be busy). */
static void burn_ms(int ms)
{
	struct timespec t0, t;
	volatile uint64_t sink = 0;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
	do {
		for (int i = 0; i < 10000; i++)
			sink += (uint64_t)i;
		clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	} while ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 < ms);
}

static void say(char c)
{
	if (write(st_wr, &c, 1) != 1)
		_exit(3);
}

static void await_go(void)
{
	char c;

	if (read(go_rd, &c, 1) != 1)
		_exit(3);
}

/* Exists when the window starts; burns, then exits before the window ends. */
static void *thread_a(void *arg)
{
	(void)arg;
	await_go();
	burn_ms(BURN_MS);
	return NULL;
}

/* Born in the window; burns before any counter is on it, then waits. */
static void *thread_b(void *arg)
{
	(void)arg;
	burn_ms(BURN_MS);
	say('b');
	await_go();
	return NULL;
}

static void burner_child(void)
{
	pthread_t a, b;

	if (pthread_create(&a, NULL, thread_a, NULL) != 0)
		_exit(3);
	say('r');
	pthread_join(a, NULL);
	say('a');
	if (pthread_create(&b, NULL, thread_b, NULL) != 0)
		_exit(3);
	pthread_join(b, NULL);
	say('d');
	for (;;)
		pause();
}

/* Fork a child running fn, with a go pipe to it and a status pipe from it;
 * the pid or -1. */
static pid_t spawn(void (*fn)(void), int *go_wr, int *st_rd)
{
	int go[2], st[2];
	pid_t pid;

	if (pipe(go) != 0)
		return -1;
	if (pipe(st) != 0) {
		close(go[0]);
		close(go[1]);
		return -1;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		close(go[1]);
		close(st[0]);
		go_rd = go[0];
		st_wr = st[1];
		fn();
		_exit(0);
	}
	close(go[0]);
	close(st[1]);
	*go_wr = go[1];
	*st_rd = st[0];
	return pid;
}

/* The child's next status byte within timeout_ms, or 0. */
static char hear(int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char c;

	if (poll(&p, 1, timeout_ms) != 1 || read(fd, &c, 1) != 1)
		return 0;
	return c;
}

static void reap(pid_t pid, int go_wr, int st_rd)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	close(go_wr);
	close(st_rd);
}

static void test_burner(int cycles)
{
	struct cpucost_window *w;
	struct cpucost_info info;
	int go_wr, st_rd, ret, added = -1;
	double v = -1;
	char err[256] = "", c = 0;
	pid_t pid = spawn(burner_child, &go_wr, &st_rd);

	if (pid < 0) {
		CHECK(0, "cpucost: fork the burner");
		return;
	}
	if (hear(st_rd, 3000) != 'r') {
		CHECK(0, "cpucost: burner child ready");
		reap(pid, go_wr, st_rd);
		return;
	}
	w = cpucost_start(pid, err, sizeof(err));
	CHECK(w != NULL, "cpucost: window opens on a live child (%s)", w ? "ok" : err);
	if (!w) {
		reap(pid, go_wr, st_rd);
		return;
	}
	if (write(go_wr, "g", 1) != 1)
		CHECK(0, "cpucost: tell thread A to go");
	/* Poll as the harness does while thread A burns and exits... */
	while ((c = hear(st_rd, 20)) == 0)
		cpucost_poll(w);
	/* ...but not while thread B burns, so B's CPU time all precedes its
	 * counter and only its schedstat record can account for it. */
	if (c == 'a')
		c = hear(st_rd, 5000);
	CHECK(c == 'b', "cpucost: thread B burned");
	added = cpucost_poll(w);
	CHECK(added == 1, "cpucost: poll finds the thread born in the window (added %d)", added);
	if (write(go_wr, "g", 1) != 1)
		CHECK(0, "cpucost: tell thread B to finish");
	CHECK(hear(st_rd, 3000) == 'd', "cpucost: both threads exited before the window ends");
	ret = cpucost_stop(w, &v, &info, err, sizeof(err));
	CHECK(ret == 0, "cpucost: stop reads all counters, exited threads too (%s)", ret ? err : "ok");
	CHECK(info.threads == 3 && info.late_threads == 1,
	      "cpucost: counted %d threads, %d late (want 3, 1)", info.threads, info.late_threads);
	if (cycles)
		CHECK(v > 0, "cpucost: two burning threads use %.0f cycles (> 0)", v);
	else
		CHECK(v >= 150 && v <= 400,
		      "cpucost: two threads burning %d ms each measure %.1f ms (150-400)", BURN_MS, v);
	CHECK(info.proc_cpu_ms >= 150 && info.proc_cpu_ms <= 400,
	      "cpucost: /proc cross-check %.0f ms (150-400)", info.proc_cpu_ms);
	reap(pid, go_wr, st_rd);
}

static void sleeper_child(void)
{
	for (;;)
		pause();
}

static void test_sleeper(int cycles)
{
	struct cpucost_window *w;
	struct timespec ts = { 0, 20 * 1000000 };
	int go_wr, st_rd, ret;
	double v = -1;
	char err[256] = "";
	pid_t pid = spawn(sleeper_child, &go_wr, &st_rd);

	if (pid < 0) {
		CHECK(0, "cpucost: fork the sleeper");
		return;
	}
	w = cpucost_start(pid, err, sizeof(err));
	CHECK(w != NULL, "cpucost: window opens on a sleeping child (%s)", w ? "ok" : err);
	if (w) {
		for (int i = 0; i < 10; i++) {
			nanosleep(&ts, NULL);
			cpucost_poll(w);
		}
		ret = cpucost_stop(w, &v, NULL, err, sizeof(err));
		CHECK(ret == 0, "cpucost: sleeper window stops cleanly (%s)", ret ? err : "ok");
		if (cycles)
			CHECK(v >= 0 && v < 1e7, "cpucost: a sleeping child measures %.0f cycles (< 1e7)", v);
		else
			CHECK(v >= 0 && v < 20, "cpucost: a sleeping child measures %.2f ms (< 20)", v);
	}
	reap(pid, go_wr, st_rd);
}

/* The source QEMU may quit, and be reaped, before its window is stopped. */
static void test_exit_in_window(void)
{
	struct cpucost_window *w;
	int go_wr, st_rd, ret;
	double v = -1;
	char err[256] = "";
	pid_t pid = spawn(sleeper_child, &go_wr, &st_rd);

	if (pid < 0) {
		CHECK(0, "cpucost: fork a child to end");
		return;
	}
	w = cpucost_start(pid, err, sizeof(err));
	reap(pid, go_wr, st_rd);
	CHECK(w != NULL, "cpucost: window opens on a child about to end (%s)", w ? "ok" : err);
	if (!w)
		return;
	CHECK(cpucost_poll(w) == 0, "cpucost: polling a vanished process adds nothing");
	ret = cpucost_stop(w, &v, NULL, err, sizeof(err));
	CHECK(ret == 0 && v >= 0, "cpucost: a process gone before stop still reads (%s)",
	      ret ? err : "ok");
}

static void *idle_thread(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

/* More threads than a window holds, already there when it starts. */
static void crowd_child(void)
{
	pthread_attr_t attr;
	pthread_t t;

	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	for (int i = 0; i < CPUCOST_MAX_THREADS + 10; i++)
		if (pthread_create(&t, &attr, idle_thread, NULL) != 0)
			_exit(3);
	say('r');
	for (;;)
		pause();
}

static void test_too_many_threads(void)
{
	struct cpucost_window *w;
	int go_wr, st_rd, ret;
	double v = 12345;
	char err[256] = "";
	pid_t pid = spawn(crowd_child, &go_wr, &st_rd);

	if (pid < 0) {
		CHECK(0, "cpucost: fork the crowd");
		return;
	}
	if (hear(st_rd, 3000) != 'r') {
		CHECK(0, "cpucost: crowd child ready");
		reap(pid, go_wr, st_rd);
		return;
	}
	w = cpucost_start(pid, err, sizeof(err));
	CHECK(w != NULL, "cpucost: window opens on a crowded child (%s)", w ? "ok" : err);
	if (w) {
		CHECK(cpucost_poll(w) == -1, "cpucost: poll reports the overflow");
		ret = cpucost_stop(w, &v, NULL, err, sizeof(err));
		CHECK(ret == -1 && v == 12345 && err[0],
		      "cpucost: more than %d threads is an error, not an undercount: %s",
		      CPUCOST_MAX_THREADS, err);
	}
	reap(pid, go_wr, st_rd);
}

static void test_errors(void)
{
	char err[256] = "";
	double v = 12345;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0)
		_exit(0);
	waitpid(pid, NULL, 0);
	CHECK(cpucost_start(pid, err, sizeof(err)) == NULL && err[0],
	      "cpucost: a dead pid is an error: %s", err);
	err[0] = '\0';
	CHECK(cpucost_stop(NULL, &v, NULL, err, sizeof(err)) == -1 && v == 12345 && err[0],
	      "cpucost: no window, no value: %s", err);
}

void suite_cpucost(void)
{
	char err[256] = "";
	const char *unit;
	int cycles;

	CHECK(cpucost_init(err, sizeof(err)) == 0, "cpucost: init (%s)", err[0] ? err : "ok");
	unit = cpucost_unit();
	if (!unit)
		return;
	cycles = strcmp(unit, "cycles") == 0;
	CHECK(cycles || strcmp(unit, "task-clock-ms") == 0, "cpucost: event %s, unit %s",
	      cpucost_event(), unit);
	CHECK(cpucost_init(err, sizeof(err)) == 0 && cpucost_unit() == unit,
	      "cpucost: init again keeps the choice");
	test_burner(cycles);
	test_sleeper(cycles);
	test_exit_in_window();
	test_too_many_threads();
	test_errors();
}

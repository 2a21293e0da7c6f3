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
#include "testchild.h"

#define BURN_MS 100	/* CPU time each of the child's two threads burns */





/* Exists when the window starts; burns, then exits before the window ends. */
static void *thread_a(void *arg)
{
	(void)arg;
	testchild_await_go();
	testchild_burn_ms(BURN_MS);
	return NULL;
}

/* Born in the window; burns before any counter is on it, then waits. */
static void *thread_b(void *arg)
{
	(void)arg;
	testchild_burn_ms(BURN_MS);
	testchild_say('b');
	testchild_await_go();
	return NULL;
}

static void burner_child(void)
{
	pthread_t a, b;

	if (pthread_create(&a, NULL, thread_a, NULL) != 0)
		_exit(3);
	testchild_say('r');
	pthread_join(a, NULL);
	testchild_say('a');
	if (pthread_create(&b, NULL, thread_b, NULL) != 0)
		_exit(3);
	pthread_join(b, NULL);
	testchild_say('d');
	for (;;)
		pause();
}




static void test_burner(int cycles)
{
	struct cpucost_window *w;
	struct cpucost_info info;
	int go_wr, st_rd, ret, added = -1;
	double v = -1;
	char err[256] = "", c = 0;
	pid_t pid = testchild_spawn(burner_child, &go_wr, &st_rd);

	if (pid < 0) {
		CHECK(0, "cpucost: fork the burner");
		return;
	}
	if (testchild_hear(st_rd, 3000) != 'r') {
		CHECK(0, "cpucost: burner child ready");
		testchild_reap(pid, go_wr, st_rd);
		return;
	}
	w = cpucost_start(pid, err, sizeof(err));
	CHECK(w != NULL, "cpucost: window opens on a live child (%s)", w ? "ok" : err);
	if (!w) {
		testchild_reap(pid, go_wr, st_rd);
		return;
	}
	if (write(go_wr, "g", 1) != 1)
		CHECK(0, "cpucost: tell thread A to go");
	/* Poll as the harness does while thread A burns and exits... */
	while ((c = testchild_hear(st_rd, 20)) == 0)
		cpucost_poll(w);
	/* ...but not while thread B burns, so B's CPU time all precedes its
	 * counter and only its schedstat record can account for it. */
	if (c == 'a')
		c = testchild_hear(st_rd, 5000);
	CHECK(c == 'b', "cpucost: thread B burned");
	added = cpucost_poll(w);
	CHECK(added == 1, "cpucost: poll finds the thread born in the window (added %d)", added);
	if (write(go_wr, "g", 1) != 1)
		CHECK(0, "cpucost: tell thread B to finish");
	CHECK(testchild_hear(st_rd, 3000) == 'd', "cpucost: both threads exited before the window ends");
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
	testchild_reap(pid, go_wr, st_rd);
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
	pid_t pid = testchild_spawn(sleeper_child, &go_wr, &st_rd);

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
	testchild_reap(pid, go_wr, st_rd);
}

/* The source QEMU may quit, and be reaped, before its window is stopped. */
static void test_exit_in_window(void)
{
	struct cpucost_window *w;
	int go_wr, st_rd, ret;
	double v = -1;
	char err[256] = "";
	pid_t pid = testchild_spawn(sleeper_child, &go_wr, &st_rd);

	if (pid < 0) {
		CHECK(0, "cpucost: fork a child to end");
		return;
	}
	w = cpucost_start(pid, err, sizeof(err));
	testchild_reap(pid, go_wr, st_rd);
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
	testchild_say('r');
	for (;;)
		pause();
}

static void test_too_many_threads(void)
{
	struct cpucost_window *w;
	int go_wr, st_rd, ret;
	double v = 12345;
	char err[256] = "";
	pid_t pid = testchild_spawn(crowd_child, &go_wr, &st_rd);

	if (pid < 0) {
		CHECK(0, "cpucost: fork the crowd");
		return;
	}
	if (testchild_hear(st_rd, 3000) != 'r') {
		CHECK(0, "cpucost: crowd child ready");
		testchild_reap(pid, go_wr, st_rd);
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
	testchild_reap(pid, go_wr, st_rd);
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

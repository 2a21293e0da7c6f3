#include "testchild.h"

#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int go_rd, st_wr;	/* the child's ends of its two pipes */

void testchild_burn_ms(int ms)
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

void testchild_say(char c)
{
	if (write(st_wr, &c, 1) != 1)
		_exit(3);
}

void testchild_await_go(void)
{
	char c;

	if (read(go_rd, &c, 1) != 1)
		_exit(3);
}

pid_t testchild_spawn(void (*fn)(void), int *go_wr, int *st_rd)
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

char testchild_hear(int st_rd, int timeout_ms)
{
	struct pollfd p = { .fd = st_rd, .events = POLLIN };
	char c;

	if (poll(&p, 1, timeout_ms) != 1 || read(st_rd, &c, 1) != 1)
		return 0;
	return c;
}

void testchild_reap(pid_t pid, int go_wr, int st_rd)
{
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	close(go_wr);
	close(st_rd);
}

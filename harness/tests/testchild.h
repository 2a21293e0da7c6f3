/* A child process for tests that measure a live process: it runs a given
 * function, takes "go" bytes on one pipe and reports status bytes on
 * another, and dies with the test (PR_SET_PDEATHSIG). */
#ifndef PVMIG_TESTCHILD_H
#define PVMIG_TESTCHILD_H

#include <sys/types.h>

/* In the child: burn ms of this thread's CPU time (not wall time: the
 * machine may be busy); send a status byte; wait for a go byte. */
void testchild_burn_ms(int ms);
void testchild_say(char c);
void testchild_await_go(void);

/* Fork a child running fn, with a go pipe to it and a status pipe from it;
 * the pid or -1. */
pid_t testchild_spawn(void (*fn)(void), int *go_wr, int *st_rd);

/* The child's next status byte within timeout_ms, or 0. */
char testchild_hear(int st_rd, int timeout_ms);

/* Kill and reap the child, close the test's ends of its pipes. */
void testchild_reap(pid_t pid, int go_wr, int st_rd);

#endif

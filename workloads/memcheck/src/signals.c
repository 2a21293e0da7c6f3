// SPDX-License-Identifier: GPL-2.0
/*
 * signals.c - async-signal-safe flags set by handlers, read by the main loop.
 */
#include "signals.h"

#include <errno.h>
#include <signal.h>
#include <string.h>

static volatile sig_atomic_t verify_requested;
static volatile sig_atomic_t resume_requested;
static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	switch (sig) {
	case SIGUSR1:
		verify_requested = 1;
		break;
	case SIGUSR2:
		resume_requested = 1;
		break;
	default:
		stop_requested = 1;
		break;
	}
}

int signals_install(void)
{
	static const int handled[] = { SIGUSR1, SIGUSR2, SIGTERM, SIGINT };
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: a signal must cut a pacing sleep short. */
	sa.sa_handler = on_signal;
	for (i = 0; i < sizeof(handled) / sizeof(handled[0]); i++)
		if (sigaction(handled[i], &sa, NULL) < 0)
			return -errno;

	/* The agent may close our stdout/stderr or drop the session. */
	sa.sa_handler = SIG_IGN;
	if (sigaction(SIGPIPE, &sa, NULL) < 0 || sigaction(SIGHUP, &sa, NULL) < 0)
		return -errno;
	return 0;
}

int signals_take_verify_request(void)
{
	if (!verify_requested)
		return 0;
	verify_requested = 0;
	return 1;
}

int signals_take_resume_request(void)
{
	if (!resume_requested)
		return 0;
	resume_requested = 0;
	return 1;
}

int signals_stop_requested(void)
{
	return stop_requested != 0;
}

int signals_pending(void)
{
	return verify_requested || resume_requested || stop_requested;
}

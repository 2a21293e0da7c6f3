// SPDX-License-Identifier: GPL-2.0
/*
 * signals.c - async-signal-safe flags.
 */
#include "signals.h"

#include <errno.h>
#include <signal.h>
#include <string.h>

static volatile sig_atomic_t status_requested;
static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		status_requested = 1;
	else
		stop_requested = 1;
}

int signals_install(void)
{
	static const int handled[] = { SIGUSR1, SIGTERM, SIGINT };
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: a signal must cut a pacing sleep short, so a stop
	 * or status request is served within one loop turn. */
	sa.sa_handler = on_signal;
	for (i = 0; i < sizeof(handled) / sizeof(handled[0]); i++)
		if (sigaction(handled[i], &sa, NULL) < 0)
			return -errno;

	sa.sa_handler = SIG_IGN;
	if (sigaction(SIGPIPE, &sa, NULL) < 0 || sigaction(SIGHUP, &sa, NULL) < 0)
		return -errno;
	return 0;
}

int signals_take_status_request(void)
{
	if (!status_requested)
		return 0;
	status_requested = 0;
	return 1;
}

int signals_stop_requested(void)
{
	return stop_requested != 0;
}

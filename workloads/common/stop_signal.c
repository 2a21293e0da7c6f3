// SPDX-License-Identifier: GPL-2.0
/*
 * stop_signal.c - the async-signal-safe stop flag.
 */
#include "stop_signal.h"

#include <errno.h>
#include <signal.h>
#include <string.h>

static volatile sig_atomic_t stop_requested;

static void on_stop(int sig)
{
	(void)sig;
	stop_requested = 1;
}

int stop_signal_catch(int sig, void (*handler)(int))
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = handler;
	return sigaction(sig, &sa, NULL) < 0 ? -errno : 0;
}

int stop_signal_install(void)
{
	struct sigaction sa;
	int err;

	err = stop_signal_catch(SIGTERM, on_stop);
	if (!err)
		err = stop_signal_catch(SIGINT, on_stop);
	if (err)
		return err;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = SIG_IGN;
	if (sigaction(SIGPIPE, &sa, NULL) < 0 || sigaction(SIGHUP, &sa, NULL) < 0)
		return -errno;
	return 0;
}

int stop_signal_requested(void)
{
	return stop_requested != 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * signals.c - async-signal-safe flags set by handlers, read by the main loop.
 */
#include "signals.h"

#include <signal.h>

#include "stop_signal.h"

static volatile sig_atomic_t verify_requested;
static volatile sig_atomic_t resume_requested;

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		verify_requested = 1;
	else
		resume_requested = 1;
}

int signals_install(void)
{
	int err;

	/* Without SA_RESTART (stop_signal_catch): a signal must cut a
	 * pacing sleep short. */
	err = stop_signal_catch(SIGUSR1, on_signal);
	if (!err)
		err = stop_signal_catch(SIGUSR2, on_signal);
	if (!err)
		err = stop_signal_install();
	return err;
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

int signals_pending(void)
{
	return verify_requested || resume_requested || stop_signal_requested();
}

// SPDX-License-Identifier: GPL-2.0
/*
 * signals.c - async-signal-safe flags.
 */
#include "signals.h"

#include <signal.h>

#include "stop_signal.h"

static volatile sig_atomic_t status_requested;

static void on_status(int sig)
{
	(void)sig;
	status_requested = 1;
}

int signals_install(void)
{
	int err;

	/* Without SA_RESTART (stop_signal_catch): a status request must cut
	 * a pacing sleep short, so it is served within one loop turn. */
	err = stop_signal_catch(SIGUSR1, on_status);
	if (!err)
		err = stop_signal_install();
	return err;
}

int signals_take_status_request(void)
{
	if (!status_requested)
		return 0;
	status_requested = 0;
	return 1;
}

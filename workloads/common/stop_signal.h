/* SPDX-License-Identifier: GPL-2.0 */
/*
 * stop_signal.h - how the guest programs are stopped: SIGTERM or SIGINT sets
 * a flag that the main loop reads outside signal context.  They run under
 * the guest agent with no tty, so signals are their only controls; each
 * program's signals.c adds its own on top with stop_signal_catch().
 */
#ifndef PVMIG_COMMON_STOP_SIGNAL_H
#define PVMIG_COMMON_STOP_SIGNAL_H

/*
 * SIGTERM, SIGINT: stop.  SIGPIPE, SIGHUP: ignored (the guest agent may
 * close our stdout/stderr or drop its session).  Returns 0 or -errno.
 */
int stop_signal_install(void);

/* Sticky: stays 1 once SIGTERM or SIGINT arrived. */
int stop_signal_requested(void);

/*
 * Catch @sig with @handler, without SA_RESTART: a signal must cut a pacing
 * sleep short, so the main loop sees the flag within one turn.  Returns 0
 * or -errno.
 */
int stop_signal_catch(int sig, void (*handler)(int));

#endif

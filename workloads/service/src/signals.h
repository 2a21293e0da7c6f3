/* SPDX-License-Identifier: GPL-2.0 */
/*
 * signals.h - signal handlers only set flags; the main loop acts on them,
 * outside signal context, between batches of ops.
 */
#ifndef PVMIG_SERVICE_SIGNALS_H
#define PVMIG_SERVICE_SIGNALS_H

/* SIGUSR1: status wanted.  SIGTERM, SIGINT: stop (stop_signal_requested(),
 * common/).  SIGPIPE, SIGHUP: ignored (the guest agent may drop our stdout
 * or its session).  Returns 0 or -errno. */
int signals_install(void);

/* Non-zero once per SIGUSR1 (or burst of them) received. */
int signals_take_status_request(void);

#endif

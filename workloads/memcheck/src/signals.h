/* SPDX-License-Identifier: GPL-2.0 */
/*
 * signals.h - the checker is controlled only by signals (it runs under the
 * guest agent with no tty): SIGUSR1 verify everything, SIGUSR2 resume
 * churning, SIGTERM/SIGINT stop (stop_signal_requested(), common/).
 */
#ifndef PVMIG_SIGNALS_H
#define PVMIG_SIGNALS_H

/* Install handlers; ignore SIGPIPE and SIGHUP.  Returns 0 or -errno. */
int signals_install(void);

/* Each returns 1 once per delivery (test and clear). */
int signals_take_verify_request(void);
int signals_take_resume_request(void);

/* Something arrived that the current long operation should yield to. */
int signals_pending(void);

#endif

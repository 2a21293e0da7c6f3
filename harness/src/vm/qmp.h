/*
 * Client for QEMU's QMP and for the guest agent, which speak the same
 * JSON framing.  Events that arrive while we wait for a reply are queued,
 * not lost.  Every call takes a timeout.
 */
#ifndef PVMIG_QMP_H
#define PVMIG_QMP_H

#include <jansson.h>
#include <stdbool.h>

#include "jsonstream.h"

struct qmp {
	int fd;
	char name[32];		/* for messages: "src", "dst-ga", ... */
	struct jsonstream in;
	json_t *events;		/* queued events, oldest first */
	long next_id;
	char error[512];	/* last error, human readable */
};

/*
 * Connect to a unix socket, retrying until timeout_ms while the socket does
 * not exist yet.  With greeting, expect QMP's greeting and negotiate
 * capabilities (QMP); without, nothing is exchanged (guest agent).
 */
int qmp_open(struct qmp *q, const char *name, const char *path, bool greeting,
             int timeout_ms);
/* Use an already connected fd (tests use a socketpair). */
void qmp_attach(struct qmp *q, const char *name, int fd);
void qmp_close(struct qmp *q);

/*
 * Execute cmd with args (stolen; may be NULL).  On success returns 0 and
 * *ret holds the "return" value (caller owns; ret may be NULL).  Returns -1
 * on an error reply (q->error has class and description), -2 on timeout,
 * I/O failure or interruption.
 */
int qmp_exec(struct qmp *q, const char *cmd, json_t *args, int timeout_ms,
             json_t **ret);

/*
 * Wait for an event called name (a queued one counts).  Returns it (caller
 * owns) or NULL on timeout/failure.
 */
json_t *qmp_wait_event(struct qmp *q, const char *name, int timeout_ms);

/* Read whatever is available within timeout_ms, queueing events. */
int qmp_pump(struct qmp *q, int timeout_ms);

/*
 * Guest agent: discard stale replies with guest-sync, so the next reply
 * read is ours.  0 on success.
 */
int ga_sync(struct qmp *q, int timeout_ms);

#endif

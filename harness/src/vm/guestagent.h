/* Guest commands through the QEMU guest agent (guest-exec and friends). */
#ifndef PVMIG_GUESTAGENT_H
#define PVMIG_GUESTAGENT_H

#include <stddef.h>

#include "qmp.h"

/* Connect (bounded) and sync; the agent answers only once the guest runs. */
int ga_connect(struct qmp *ga, const char *name, const char *path, int timeout_ms);

/* guest-ping within timeout_ms; 0 when the agent answered. */
int ga_ping(struct qmp *ga, int timeout_ms);

/*
 * Run a shell command line in the guest (/bin/sh -c) and wait for it.
 * Returns its exit code (>= 0), or -1 on failure/timeout.  Standard output
 * (decoded) goes to out when given.
 */
int ga_shell(struct qmp *ga, const char *cmdline, int timeout_ms,
             char *out, size_t outlen);

/* Start a shell command line in the background; returns the guest pid. */
long ga_shell_bg(struct qmp *ga, const char *cmdline, int timeout_ms);

/* Decode base64 (guest-exec's out-data); returns the length or -1. */
long base64_decode(const char *in, unsigned char *out, size_t outlen);

#endif

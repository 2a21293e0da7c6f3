/*
 * The two hosts of a run, in either mode:
 *   netns  both are network namespaces of this machine, joined by a veth
 *          shaped with tc (netns.c): the default, and what `make test` runs;
 *   hosts  --src-host/--dst-host: machines reached over ssh (or `local`),
 *          migrating over their own network to --migration-addr.
 * Everything that can refuse a hosts-mode run (an unknown host, refused
 * keys, a missing checkout, version skew, too little memory) is checked
 * before anything is started on either host.
 */
#ifndef PVMIG_HOSTPAIR_H
#define PVMIG_HOSTPAIR_H

#include <jansson.h>
#include <stdbool.h>

#include "runenv.h"

/* Connect and check both hosts, then set them up (namespaces or
 * supervisors, stale state of killed runs removed, shaping).  e->rundir
 * must exist.  Returns 0, or an exit status with one line printed
 * (EXIT_BAD_INPUT for what the user can fix). */
int hostpair_open(struct env *e);

/* The accelerator on each host (probe, cached per host boot); in hosts
 * mode both must agree, and on the CPU model with KVM.  0, or an exit
 * status with one line printed. */
int hostpair_accel(struct env *e);

/* Stop everything on both hosts; idempotent. */
void hostpair_close(struct env *e);

/* An ssh connection went away (message logged by host_ssh.c). */
bool hostpair_lost(struct env *e);

/* "netns" or "hosts". */
const char *hostpair_mode(const struct env *e);

/* For run.json: {mode, src: identity, dst: identity} with each host's
 * identity (hostinfo.h) in hosts mode; {mode} in netns mode, whose host
 * is run.json's "host". */
json_t *hostpair_json(struct env *e);

/* Copy the QEMU and serial logs of QEMUs on ssh hosts into dir (their
 * scratch directories go when the hosts are closed). */
void hostpair_fetch_logs(struct env *e, const char *dir);

/* "pvmig-a-pvmig-b": the two host names, for the run id (hosts mode). */
void hostpair_tag(const struct env *e, char *out, size_t len);

#endif

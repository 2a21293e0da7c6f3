/*
 * --pin: where each QEMU's threads run on its host.  Four roles, each on
 * its own core: the vCPU thread(s), the main loop (where the destination
 * receives the stream), the migration thread and the iothread (fph).
 *
 *   none       nothing is pinned;
 *   SRC/DST    PU lists for the source's and the destination's QEMU, in
 *              that role order ("2,3,4,5", or a range "2-5"; a shorter
 *              list repeats its last PU for the remaining roles);
 *   auto       the first PU of cores 1-4 of each host, read from hwloc
 *              (core 0 is left to the harness, ssh, iperf3 and the
 *              kernel), when each host has PIN_AUTO_MIN_CORES cores or
 *              more; in netns mode both QEMUs share one machine (cores
 *              1-4 and 5-8), which then needs twice as many.  Otherwise
 *              nothing, and run.json says why.
 *
 * Threads a QEMU starts later inherit their creator's CPU, so the roles
 * are placed twice: after boot (vCPU, main loop, iothread) and once the
 * migration thread exists; the second placement is recorded with each
 * migration.  On fewer cores, pinning would serialise threads that
 * otherwise run side by side and lengthen the migration.
 */
#ifndef PVMIG_PIN_H
#define PVMIG_PIN_H

#include <jansson.h>
#include <stddef.h>

#include "runenv.h"

#define PIN_ROLES 4
#define PIN_AUTO_MIN_CORES (PIN_ROLES + 1)

/* Expand a PU list ("2,3,4,5", "2-5", "7") into one PU per role.  Returns
 * 0, or -1 if malformed (pure). */
int pin_parse_list(const char *list, int pus[PIN_ROLES]);

/*
 * Decide from --pin and the hosts' core counts (pure): e->pin_src and
 * e->pin_dst become PU lists, "auto:N" (the first PUs of cores N to
 * N+3, resolved on the host by pin_resolve) or "" (not pinned), and
 * e->pin_why says what was decided and why.
 */
void pin_decide(struct env *e, int src_cores, int dst_cores);

/* Resolve "auto:N" into PU lists with hwloc on each host.  0, or -1 with
 * err. */
int pin_resolve(struct env *e, char *err, size_t errlen);

/* Cores of a host (hwloc), or -1. */
int pin_host_cores(struct host *h);

/*
 * Place the threads of QEMU pid on h by role (list: "" does nothing).  With
 * placed, *placed gets [{tid, thread, pu}] (caller owns).  0, or -1 with
 * err.
 */
int pin_apply(struct host *h, pid_t pid, const char *list, json_t **placed,
              char *err, size_t errlen);

#endif

/*
 * --pin: where each QEMU runs.  Every thread of a QEMU goes to its host's
 * CPU list (threads it starts later, the migration thread among them,
 * inherit it), so the two QEMUs, the link's softirqs and the harness stop
 * trading CPUs at random.
 *
 *   none       nothing is pinned;
 *   SRC/DST    the CPU lists (taskset syntax), e.g. 2-5/2-5;
 *   auto       PUs 1-4 of each host when it has PIN_AUTO_MIN_PUS or more
 *              (netns mode: PUs 1-4 and 5-8 of this machine, which then
 *              needs twice as many), leaving PU 0 to the harness and the
 *              rest; otherwise nothing, and run.json says why.
 *
 * Four PUs per QEMU: its vCPU, the migration thread, the main loop (the
 * destination receives the stream there) and the iothread of fph.  On
 * fewer, pinning serialises threads that would otherwise run side by
 * side and lengthens the migration.
 */
#ifndef PVMIG_PIN_H
#define PVMIG_PIN_H

#include <stddef.h>

#include "runenv.h"

#define PIN_QEMU_PUS 4
#define PIN_AUTO_MIN_PUS (PIN_QEMU_PUS + 1)

/* Decide from --pin and the hosts' PU counts: fills e->pin_src, e->pin_dst
 * ("" = not pinned) and e->pin_why. */
void pin_decide(struct env *e, int src_pus, int dst_pus);

/* Pin every thread of pid on h to cpus ("" : nothing).  0, or -1 with err. */
int pin_apply(struct host *h, pid_t pid, const char *cpus, char *err, size_t errlen);

#endif

/*
 * The machine a run was measured on, from hwloc: for run.json, and CPU
 * pinning of QEMU processes.
 */
#ifndef PVMIG_TOPOLOGY_H
#define PVMIG_TOPOLOGY_H

#include <jansson.h>
#include <sys/types.h>

/*
 * A new JSON object (caller owns it), or NULL if hwloc cannot load the
 * topology:
 *   cpu_model    string, or null if unknown
 *   packages, numa_nodes, cores, pus     counts (cores falls back to pus
 *                where hwloc sees no core objects)
 *   l3_bytes     size of one L3 cache, or null if there is none or it is
 *                unknown; l3_caches  how many there are
 *   cores_pus    per core, in hwloc's logical order, the OS indexes of its
 *                PUs (the numbers sched_setaffinity and taskset use)
 *   hwloc_api    runtime hwloc API version, "x.y.z"
 */
json_t *topology_json(void);

/* Number of PUs (hardware threads), or -1 if hwloc cannot load. */
int topology_pus(void);

/*
 * Bind every thread of process pid to the single PU whose OS index is
 * pu_os_index (threads it creates later inherit the binding).  Returns 0,
 * or -1 with errno set (EINVAL: no such PU).
 *
 * When to use it: pinning the source QEMU and the destination QEMU to
 * different cores stops them trading places and sharing caches at random,
 * which makes repeated runs steadier -- but only when each QEMU's busy
 * threads fit on its core(s).  A TCG QEMU has several busy threads (vCPU,
 * the migration thread, the main loop, with multifd more), so on a 2-core
 * host one core per QEMU serialises them and lengthens migration; and the
 * harness and the guest workload still need CPU too.  On such a host, do
 * not pin; pin on hosts with cores to spare for each side.
 */
int pin_pid_to_pu(pid_t pid, int pu_os_index);

#endif

/*
 * What QEMU's thread names mean for a migration's figures: the per-name
 * tables of both QEMUs (threadstats.h) become run.json's "threads" object
 * and the headline CSV columns.
 *
 * QEMU names its threads when started with -name ...,debug-threads=on
 * (vm.c does): vCPUs "CPU <n>/TCG" or "CPU <n>/KVM" ("ALL CPUs/TCG" for
 * single-threaded TCG), the source's sending thread "mig/src/main"
 * (QEMU 10.0; "live_migration" up to 8.2), multifd's channels
 * "mig/src/send_<n>" and "mig/dst/recv_<n>",
 * "IOThread (<id>)", "worker", "call_rcu", ...  The main thread keeps the
 * process name; the destination receives the incoming stream there, in a
 * coroutine of the main loop.
 */
#ifndef PVMIG_QEMUTHREADS_H
#define PVMIG_QEMUTHREADS_H

#include <stdbool.h>

#include "record.h"
#include "threadstats.h"

/* The source's migration thread, as QEMU 10.0 names it, and as 7.2 did. */
#define QEMU_MIGRATION_THREAD "mig/src/main"
#define QEMU_MIGRATION_THREAD_OLD "live_migration"

/* multifd's channel threads, one per channel on each side (10.0). */
#define QEMU_MULTIFD_SEND_PREFIX "mig/src/send_"
#define QEMU_MULTIFD_RECV_PREFIX "mig/dst/recv_"

/* A vCPU thread's name: "CPU 0/TCG", "CPU 1/KVM", "ALL CPUs/TCG". */
bool qemuthreads_is_vcpu(const char *name);

/* One QEMU's table as run.json rows (a new reference; null if t is NULL). */
json_t *qemuthreads_json(const struct threadstats_table *t);

/*
 * Fill r->threads ({"src": rows|null, "dst": rows|null}) and the headline
 * figures from each side's table; a side that was not measured is NULL and
 * leaves its figures missing (NA).
 */
void qemuthreads_record(const struct threadstats_table *src, const struct threadstats_table *dst,
                        struct mig_record *r);

#endif

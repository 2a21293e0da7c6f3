/* What a run is, as far as pooling cares: which harness tree produced it
 * (and whether that tree was committed), which host it ran on, and which
 * destination regime (preallocated memory or not) it measured.
 *
 * Runs are pooled only when they measured the same thing on the same kind
 * of machine: same scenario, same host identity (CPU model, CPU count,
 * memory, kernel: the hostname is a name, not a machine property; for a
 * run on two real hosts, both hosts' and their migration NICs'), same
 * QEMU source and patch series.  The harness version is not part of that
 * key (a harness fix that does not change what is measured should not split
 * the pool) but is named beside every pool, and runs from an uncommitted
 * tree are set aside by default because nothing records what they ran. */
#ifndef REPORT_PROVENANCE_H
#define REPORT_PROVENANCE_H

#include <jansson.h>
#include <stdbool.h>

/* versions.harness, or NULL when not recorded.  Borrowed from doc. */
const char *run_harness_version(json_t *doc);

/* True when versions.harness ends in "+local" (or "-dirty", what older
 * harnesses wrote): the tree had uncommitted changes when it ran. */
bool run_is_uncommitted(json_t *doc);

/* "netns" (also when not recorded: runs from before the hosts mode) or
 * "hosts" (harness --src-host/--dst-host).  Borrowed from doc. */
const char *run_mode(json_t *doc);

/* Host identity: the same mode; in netns mode the same cpu_model, cpus,
 * mem_mib and kernel of the harness's host; in hosts mode the same of
 * each of the two hosts, and the same driver, speed and MTU of the NIC
 * that carried the migration (a field missing on one side matches only a
 * missing field on the other).  So runs of different host pairs never
 * pool. */
bool run_same_host(json_t *a, json_t *b);

/* "AMD EPYC, 2 CPUs, 24105 MiB, kernel 6.18.44" with "?" for parts not
 * recorded; in hosts mode "two hosts: SRC -> DST", each with its NIC.
 * Caller frees. */
char *run_host_text(json_t *doc);

/* The destination regime: 1 preallocated, 0 not, -1 unknown.  From
 * params.dst_prealloc (a boolean, or "on"/"off"), else from the run id's
 * "_prealloc_" / "_noprealloc_" part. */
int run_prealloc(json_t *doc, const char *id);

/* The same scenario in the other destination regime ("_prealloc_" and
 * "_noprealloc_" swapped), or NULL when the name carries no regime.
 * Caller frees. */
char *scenario_other_regime(const char *scenario);

/* "preallocated", "not preallocated", "unknown". */
const char *regime_text(int prealloc);

/* "enabled always, defrag madvise" from host.thp_enabled and
 * host.thp_defrag, "not recorded" when neither is there.  Caller frees. */
char *run_thp_text(json_t *doc);

#endif

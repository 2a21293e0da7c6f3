/*
 * Everything the harness creates outside its own memory (QEMU and iperf3
 * processes, network namespaces with their veth and qdisc) is registered
 * here and torn down on every exit path, signals included.
 */
#ifndef PVMIG_CLEANUP_H
#define PVMIG_CLEANUP_H

#include <sys/types.h>

void cleanup_track_pid(pid_t pid);
void cleanup_untrack_pid(pid_t pid);
void cleanup_track_netns(const char *name);
void cleanup_untrack_netns(const char *name);

/* A host reached over ssh: closed (its supervisor cleans up there). */
struct host;
void cleanup_track_host(struct host *h);
void cleanup_untrack_host(struct host *h);

/* A scratch directory (sockets, QEMU logs) removed with its files at exit. */
void cleanup_track_dir(const char *path);

/* Stop every tracked process, then delete every tracked namespace. */
void cleanup_all(void);

/* SIGINT/SIGTERM set pvmig_interrupted; SIGPIPE is ignored. atexit(cleanup_all). */
void cleanup_install(void);

#endif

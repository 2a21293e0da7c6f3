/* One QEMU process: its command line, start, QMP and agent, stop. */
#ifndef PVMIG_VM_H
#define PVMIG_VM_H

#include <stdbool.h>
#include <sys/types.h>

#include "host.h"
#include "qmp.h"

#define VM_MAX_EXTRA 24

struct vm_config {
	const char *name;	/* "src" or "dst": names sockets and logs */
	const char *qemu;	/* binary */
	const char *kernel;	/* vmlinux */
	const char *initrd;
	struct host *host;	/* where it runs; sockets and logs go to its
				   scratch directory, paths are the host's */
	const char *accel;	/* "kvm" or "tcg" */
	long mem_mib;
	bool prealloc;		/* back all guest RAM before it runs */
	bool incoming;		/* -incoming defer */
	const char *cmdline_extra;	/* appended to the kernel command line */
	const char *extra[VM_MAX_EXTRA];	/* further QEMU arguments */
	int nextra;
};

struct vm {
	struct host *host;
	struct host_proc proc;	/* proc.pid: QEMU's pid on its host */
	struct qmp qmp;
	struct qmp ga;
	bool qmp_up;
	bool ga_up;
	char qmp_path[512];	/* on the host */
	char ga_path[512];
	char log_path[512];
	char serial_path[512];
	char qmp_local[512];	/* what this process connects to (forwarded) */
	char ga_local[512];
	char cmdline[8192];	/* the QEMU command line, for run.json */
};

/* Build argv into a NULL-terminated array of malloc'd strings. */
char **vm_argv(const struct vm_config *c, const struct vm *v);
void vm_argv_free(char **argv);

/* Start QEMU and connect QMP (bounded).  Tracked for cleanup. */
int vm_start(struct vm *v, const struct vm_config *c, int timeout_ms,
             char *err, size_t errlen);

/* Connect the guest agent and ping it (bounded). */
int vm_wait_agent(struct vm *v, int timeout_ms, char *err, size_t errlen);

/* quit through QMP, then signals; always reaps. */
void vm_stop(struct vm *v);

/* Kill -9 without ceremony (fault tests). */
void vm_kill(struct vm *v);

bool vm_alive(const struct vm *v);

/* A "Key: N kB" figure of the QEMU process from /proc/<pid>/<file> on its
 * host (status, smaps_rollup), in KiB; -1 (record.h's NA) when unreadable. */
int64_t vm_proc_kb(struct vm *v, const char *file, const char *key);
/* The QEMU process's CPU time so far, all its threads, in user mode and
 * in the kernel (/proc/PID/stat), in ms; -1 when it cannot be read. */
int vm_proc_cpu_ms(struct vm *v, int64_t *user_ms, int64_t *sys_ms);

#endif

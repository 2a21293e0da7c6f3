/*
 * What one `pvmig run` works with: the options, the case, the paths of the
 * built QEMU and guest, and the two hosts.  Shared by main.c and the steps
 * it calls (validate.c, runinfo.c, onemigration.c).
 */
#ifndef PVMIG_RUNENV_H
#define PVMIG_RUNENV_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "accel.h"
#include "casefile.h"
#include "host.h"
#include "link.h"
#include "netns.h"
#include "options.h"

#define MIGRATION_PORT "4444"

struct env {
	struct options opt;
	struct case_def cs;
	char top[PATH_MAX];
	char qemu[PATH_MAX];
	char qemu_stock[PATH_MAX];	/* the control build, method "stock" */
	char kernel[PATH_MAX];
	char initrd[PATH_MAX];
	char guest_kver[128];		/* the guest kernel chosen: build/guest/<guest_kver>/ */
	char guest_kver_default[128];	/* the build's default (build/kernel-version) */
	char rundir[256];
	struct accel_choice accel;
	struct accel_choice accel_src;	/* hosts mode: each host's verdict */
	struct accel_choice accel_dst;
	bool two_hosts;		/* mode "hosts" (--src-host/--dst-host), else "netns" */
	struct hosts hosts;	/* netns mode: the namespaces */
	struct host src_host;	/* where the source QEMU runs */
	struct host dst_host;
	char mig_addr[64];	/* the destination's address on the migration link */
	struct link link;
	char src_if[32];	/* hosts mode: the interfaces that carry the */
	char dst_if[32];	/* migration address, shaped with --shape */
	char pin_src[64];	/* CPU lists each QEMU is pinned to; "" none */
	char pin_dst[64];
	char pin_why[256];	/* what --pin decided, and why */
	bool cpu_ok;		/* cpucost works on this machine */
	char cache_disk[PATH_MAX];	/* case3's page-cache image; "" if none */
	uint64_t order_seed;	/* the methods' shuffle (order.h), recorded */
};

#endif

/*
 * What one `pvmig run` works with: the options, the case, the paths of the
 * built QEMU and guest, and the two hosts.  Shared by main.c and the steps
 * it calls (validate.c, runinfo.c, onemigration.c).
 */
#ifndef PVMIG_RUNENV_H
#define PVMIG_RUNENV_H

#include <limits.h>
#include <stdbool.h>

#include "accel.h"
#include "casefile.h"
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
	char rundir[256];
	struct accel_choice accel;
	struct hosts hosts;
	bool cpu_ok;		/* cpucost works on this machine */
	char cache_disk[PATH_MAX];	/* case3's page-cache image; "" if none */
};

#endif

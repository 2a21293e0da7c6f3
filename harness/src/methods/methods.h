/* The migration methods compared: one row each in every table. */
#ifndef PVMIG_METHODS_H
#define PVMIG_METHODS_H

#include <stdbool.h>

enum guest_driver {
	DRIVER_NONE,	/* no balloon driver loaded */
	DRIVER_STOCK,	/* Debian's virtio_balloon */
	DRIVER_PV,	/* impl/guest: pvmig_balloon */
};

/* What the harness does between the first pass and the end. */
enum switchover {
	SWITCHOVER_PRECOPY,	/* nothing: precopy converges by itself */
	SWITCHOVER_POSTCOPY,	/* migrate-start-postcopy once the first pass
				 * is done (dirty-sync-count 2), or at
				 * --postcopy-after-ms */
};

struct method {
	const char *name;
	const char *what;
	enum guest_driver driver;
	const char *balloon_props;	/* virtio-balloon-pci properties; NULL: no device */
	bool iothread;			/* device needs -object iothread,id=iot0 */
	bool inflate;			/* balloon inflated before migrating */
	bool reporting_settle;		/* give free page reporting time first */
	bool pv_counters;		/* read free-page-bitmap-stats */
	bool stock_qemu;		/* run build/qemu-stock: the same QEMU
					 * source built without our series */
	/* Migration capabilities and parameters, the same on both sides
	 * (migsettings.h: "@channels" is --multifd-channels). */
	const char *caps;
	const char *params;
	enum switchover switchover;
};

const struct method *method_find(const char *name);
/* "baseline, pv-bitmap, ..." for messages, from the table. */
const char *method_names(void);
/* The i-th method of the table, NULL past the end. */
const struct method *method_at(int i);
/* Does the method hint free pages to QEMU: the free page bitmap, upstream
 * free page hinting or free page reporting, alone or with other steps?
 * (Inflating the balloon is not hinting: the guest gives pages up.) */
bool method_hints_free_pages(const struct method *m);
/* Does the migration thread wait for the guest's answer before the bulk
 * stage: the free page bitmap in its default mode (free-page-bitmap-wait)? */
bool method_waits_for_hints(const struct method *m);

#endif

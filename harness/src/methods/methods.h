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

/* Which kind of answer to slow precopy a method is: the colour it gets in
 * every plot, and the panel it shares in small multiples.  A method that
 * combines the bitmap with something else is in the bitmap's family: the
 * plots ask what the bitmap adds. */
enum method_family {
	FAMILY_PRECOPY = 1,	/* stock precopy: baseline, stock */
	FAMILY_PV_BITMAP,	/* the seed's free page bitmap, alone or combined */
	FAMILY_UPSTREAM_HINTING,	/* free page hinting or reporting */
	FAMILY_BALLOON,		/* the reply: inflate before migrating */
	FAMILY_MULTIFD,		/* multifd channels, with or without compression */
	FAMILY_POSTCOPY,	/* postcopy after a first precopy pass */
	FAMILY_COUNT = FAMILY_POSTCOPY
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
	enum method_family family;
};

const struct method *method_find(const char *name);
/* A family's one-word name for legends and panel titles ("pv-bitmap"). */
const char *method_family_name(enum method_family f);
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

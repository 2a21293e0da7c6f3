#include "methods.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

static const struct method methods[] = {
	{
		.name = "baseline",
		.family = FAMILY_PRECOPY,
		.what = "stock precopy, no hints",
		.driver = DRIVER_NONE,
	},
	{
		/* The control for the series: if it cost anything when off,
		 * this row and baseline's would differ. */
		.name = "stock",
		.family = FAMILY_PRECOPY,
		.what = "stock precopy on the same QEMU source built without our series",
		.driver = DRIVER_NONE,
		.stock_qemu = true,
	},
	{
		.name = "pv-bitmap",
		.family = FAMILY_PV_BITMAP,
		.what = "the seed: guest free-page ranges skip the bulk stage",
		.driver = DRIVER_PV,
		.balloon_props = "free-page-bitmap=on",
		.pv_counters = true,
	},
	{
		/* The bulk stage does not wait for the answer; hints apply as
		 * they arrive (free-page-bitmap-wait=off).  The counters'
		 * hinted_pages - skipped_pages are the pages sent before their
		 * hint came. */
		.name = "pv-bitmap-async",
		.family = FAMILY_PV_BITMAP,
		.what = "the seed without the wait: hints apply during the bulk stage",
		.driver = DRIVER_PV,
		.balloon_props = "free-page-bitmap=on,free-page-bitmap-wait=off",
		.pv_counters = true,
	},
	{
		.name = "fph",
		.family = FAMILY_UPSTREAM_HINTING,
		.what = "upstream free page hinting",
		.driver = DRIVER_STOCK,
		.balloon_props = "free-page-hint=on,iothread=iot0",
		.iothread = true,
	},
	{
		.name = "fpr",
		.family = FAMILY_UPSTREAM_HINTING,
		.what = "upstream free page reporting, settled before migrating",
		.driver = DRIVER_STOCK,
		.balloon_props = "free-page-reporting=on",
		.reporting_settle = true,
	},
	{
		/* What an operator who overcommits would run: reporting gives
		 * free memory back all the time, the bitmap skips it (and the
		 * rest of the free memory) when a migration starts. */
		.name = "pv-bitmap+fpr",
		.family = FAMILY_PV_BITMAP,
		.what = "the seed beside upstream free page reporting, settled first, with our driver",
		.driver = DRIVER_PV,
		.balloon_props = "free-page-bitmap=on,free-page-reporting=on",
		.reporting_settle = true,
		.pv_counters = true,
	},
	{
		.name = "balloon",
		.family = FAMILY_BALLOON,
		.what = "inflate to what the guest can spare, deflate-on-oom",
		.driver = DRIVER_STOCK,
		.balloon_props = "deflate-on-oom=on",
		.inflate = true,
	},
	{
		.name = "pv-bitmap+balloon",
		.family = FAMILY_PV_BITMAP,
		.what = "both, with our driver",
		.driver = DRIVER_PV,
		.balloon_props = "free-page-bitmap=on,deflate-on-oom=on",
		.inflate = true,
		.pv_counters = true,
	},
	/*
	 * What operators turn on before they patch a guest.  Since QEMU 9.0
	 * zero-page-detection=multifd (the default with multifd) finds zero
	 * pages in the send channels and places them in the receive
	 * threads, away from the one migration thread and the destination's
	 * main thread that bound the idle baseline here.
	 */
	{
		.name = "multifd",
		.family = FAMILY_MULTIFD,
		.what = "multifd channels, zero pages found in the channels",
		.driver = DRIVER_NONE,
		.caps = "multifd",
		.params = "multifd-channels=@channels zero-page-detection=multifd",
	},
	{
		/* The same with 8.2's detection in the migration thread: what
		 * the channels' detection buys. */
		.name = "multifd-zp-legacy",
		.family = FAMILY_MULTIFD,
		.what = "multifd channels, zero pages found by the migration thread (legacy)",
		.driver = DRIVER_NONE,
		.caps = "multifd",
		.params = "multifd-channels=@channels zero-page-detection=legacy",
	},
	{
		.name = "multifd-zstd",
		.family = FAMILY_MULTIFD,
		.what = "multifd channels with zstd compression",
		.driver = DRIVER_NONE,
		.caps = "multifd",
		.params = "multifd-channels=@channels multifd-compression=zstd "
			  "zero-page-detection=multifd",
	},
	{
		.name = "pv-bitmap+multifd",
		.family = FAMILY_PV_BITMAP,
		.what = "the seed beside multifd channels",
		.driver = DRIVER_PV,
		.balloon_props = "free-page-bitmap=on",
		.pv_counters = true,
		.caps = "multifd",
		.params = "multifd-channels=@channels zero-page-detection=multifd",
	},
	{
		/* postcopy-blocktime: the destination counts how long its
		 * vCPUs waited for pages that were not there yet. */
		.name = "postcopy",
		.family = FAMILY_POSTCOPY,
		.what = "precopy's first pass, then postcopy",
		.driver = DRIVER_NONE,
		.caps = "postcopy-ram postcopy-blocktime",
		.switchover = SWITCHOVER_POSTCOPY,
	},
	{
		.name = "postcopy-preempt",
		.family = FAMILY_POSTCOPY,
		.what = "postcopy with a separate channel for requested pages",
		.driver = DRIVER_NONE,
		.caps = "postcopy-ram postcopy-preempt postcopy-blocktime",
		.switchover = SWITCHOVER_POSTCOPY,
	},
	{
		/* The bulk stage skips free pages; after the switch the
		 * source sends a skipped page when the destination asks for
		 * it (patch 0008, PROTOCOL.md rule 4). */
		.name = "pv-bitmap+postcopy",
		.family = FAMILY_PV_BITMAP,
		.what = "the seed, then postcopy",
		.driver = DRIVER_PV,
		.balloon_props = "free-page-bitmap=on",
		.pv_counters = true,
		.caps = "postcopy-ram postcopy-blocktime",
		.switchover = SWITCHOVER_POSTCOPY,
	},
	{
		/* Upstream hinting never starts with postcopy-ram on: the row
		 * records that. */
		.name = "fph+postcopy",
		.family = FAMILY_UPSTREAM_HINTING,
		.what = "upstream free page hinting, then postcopy",
		.driver = DRIVER_STOCK,
		.balloon_props = "free-page-hint=on,iothread=iot0",
		.iothread = true,
		.caps = "postcopy-ram postcopy-blocktime",
		.switchover = SWITCHOVER_POSTCOPY,
	},
	{
		/* QEMU 10.0 refuses the pair ("Postcopy is not yet compatible
		 * with multifd"): the row is that refusal, in QEMU's words. */
		.name = "postcopy+multifd",
		.family = FAMILY_POSTCOPY,
		.what = "postcopy with multifd channels",
		.driver = DRIVER_NONE,
		.caps = "multifd postcopy-ram",
		.params = "multifd-channels=@channels",
		.switchover = SWITCHOVER_POSTCOPY,
	},
};

#define N_METHODS ((int)(sizeof(methods) / sizeof(methods[0])))

const struct method *method_at(int i)
{
	return i >= 0 && i < N_METHODS ? &methods[i] : NULL;
}

bool method_hints_free_pages(const struct method *m)
{
	const char *p = m->balloon_props ? m->balloon_props : "";

	return strstr(p, "free-page-bitmap=on") || strstr(p, "free-page-hint=on") ||
	       strstr(p, "free-page-reporting=on");
}

bool method_waits_for_hints(const struct method *m)
{
	const char *p = m->balloon_props ? m->balloon_props : "";

	return strstr(p, "free-page-bitmap=on") && !strstr(p, "free-page-bitmap-wait=off");
}

const char *method_family_name(enum method_family f)
{
	switch (f) {
	case FAMILY_PRECOPY: return "precopy";
	case FAMILY_PV_BITMAP: return "pv-bitmap";
	case FAMILY_UPSTREAM_HINTING: return "upstream-hinting";
	case FAMILY_BALLOON: return "balloon";
	case FAMILY_MULTIFD: return "multifd";
	case FAMILY_POSTCOPY: return "postcopy";
	}
	return "other";
}

const struct method *method_find(const char *name)
{
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (!strcmp(methods[i].name, name))
			return &methods[i];
	return NULL;
}

const char *method_names(void)
{
	static char names[1024];

	if (!names[0])
		for (int i = 0; i < N_METHODS; i++)
			snprintf(names + strlen(names), sizeof(names) - strlen(names), "%s%s",
				 i ? ", " : "", methods[i].name);
	return names;
}

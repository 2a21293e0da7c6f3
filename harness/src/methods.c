#include "methods.h"

#include <stddef.h>
#include <string.h>

static const struct method methods[] = {
	{
		.name = "baseline",
		.what = "stock precopy, no hints",
		.driver = DRIVER_NONE,
	},
	{
		/* The control for the series: if it cost anything when off,
		 * this row and baseline's would differ. */
		.name = "stock",
		.what = "stock precopy on the same QEMU source built without our series",
		.driver = DRIVER_NONE,
		.stock_qemu = true,
	},
	{
		.name = "pv-bitmap",
		.what = "the seed: guest free-page ranges skip the bulk stage",
		.driver = DRIVER_PV,
		.balloon_props = "free-page-bitmap=on",
		.pv_counters = true,
	},
	{
		.name = "fph",
		.what = "upstream free page hinting",
		.driver = DRIVER_STOCK,
		.balloon_props = "free-page-hint=on,iothread=iot0",
		.iothread = true,
	},
	{
		.name = "fpr",
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
		.what = "the seed beside upstream free page reporting, settled first, with our driver",
		.driver = DRIVER_PV,
		.balloon_props = "free-page-bitmap=on,free-page-reporting=on",
		.reporting_settle = true,
		.pv_counters = true,
	},
	{
		.name = "balloon",
		.what = "inflate to what the guest can spare, deflate-on-oom",
		.driver = DRIVER_STOCK,
		.balloon_props = "deflate-on-oom=on",
		.inflate = true,
	},
	{
		.name = "pv-bitmap+balloon",
		.what = "both, with our driver",
		.driver = DRIVER_PV,
		.balloon_props = "free-page-bitmap=on,deflate-on-oom=on",
		.inflate = true,
		.pv_counters = true,
	},
};

const struct method *method_find(const char *name)
{
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (!strcmp(methods[i].name, name))
			return &methods[i];
	return NULL;
}

const char *method_names(void)
{
	return "baseline, stock, pv-bitmap, fph, fpr, pv-bitmap+fpr, balloon, pv-bitmap+balloon";
}

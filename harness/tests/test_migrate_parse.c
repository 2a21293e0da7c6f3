#include <string.h>

#include "check.h"
#include "migrate.h"

void suite_migrate_parse(void)
{
	struct mig_record r;
	json_t *info = json_loads(
		"{\"status\": \"completed\", \"total-time\": 1894, \"downtime\": 31,"
		" \"setup-time\": 4, \"ram\": {\"transferred\": 407569408, \"duplicate\": 2000000,"
		" \"normal\": 99000, \"dirty-sync-count\": 3, \"mbps\": 9400.5}}", 0, NULL);

	record_init(&r, "baseline", 1, 8192);
	migrate_parse_info(info, &r);
	CHECK(r.total_time_ms == 1894 && r.downtime_ms == 31 && r.setup_time_ms == 4,
	      "migrate: times from query-migrate");
	CHECK(r.transferred_bytes == 407569408 && r.zero_pages == 2000000 && r.normal_pages == 99000 &&
	      r.dirty_sync_count == 3 && r.mbps > 9400, "migrate: ram figures from query-migrate");
	json_decref(info);
	info = json_loads("{\"status\": \"failed\"}", 0, NULL);
	record_init(&r, "baseline", 1, 8192);
	migrate_parse_info(info, &r);
	CHECK(r.total_time_ms == NA && r.transferred_bytes == NA && !strcmp(r.status, "failed"),
	      "migrate: absent figures stay missing");
	json_decref(info);
	record_free(&r);
}

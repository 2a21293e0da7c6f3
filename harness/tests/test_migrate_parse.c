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

	/* QEMU's MIGRATION events: times are QEMU's own, relative to the
	 * migrate command; older events and other events are skipped. */
	json_t *ev = json_loads(
		"[{\"event\": \"MIGRATION\", \"data\": {\"status\": \"completed\"},"
		"  \"timestamp\": {\"seconds\": 99, \"microseconds\": 0}},"
		" {\"event\": \"MIGRATION\", \"data\": {\"status\": \"setup\"},"
		"  \"timestamp\": {\"seconds\": 100, \"microseconds\": 1000}},"
		" {\"event\": \"STOP\", \"timestamp\": {\"seconds\": 101, \"microseconds\": 0}},"
		" {\"event\": \"MIGRATION\", \"data\": {\"status\": \"device\"},"
		"  \"timestamp\": {\"seconds\": 101, \"microseconds\": 200000}},"
		" {\"event\": \"MIGRATION\", \"data\": {\"status\": \"completed\"},"
		"  \"timestamp\": {\"seconds\": 101, \"microseconds\": 512600}}]", 0, NULL);

	record_init(&r, "baseline", 1, 8192);
	migrate_parse_events(ev, 100000000, &r);
	CHECK(r.stop_copy_ms == 313, "migrate: stop-and-copy span from the device and completed events");
	CHECK(json_array_size(r.mig_events) == 3 &&
	      !strcmp(json_string_value(json_object_get(json_array_get(r.mig_events, 0), "status")), "setup") &&
	      json_real_value(json_object_get(json_array_get(r.mig_events, 0), "t_ms")) == 1.0,
	      "migrate: events before the migrate command and other events are skipped");
	record_free(&r);
	record_init(&r, "baseline", 1, 8192);
	json_array_remove(ev, 3);
	migrate_parse_events(ev, 100000000, &r);
	CHECK(r.stop_copy_ms == NA, "migrate: no device event, no stop-and-copy span");
	record_free(&r);
	json_decref(ev);
}

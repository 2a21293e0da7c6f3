/* CSV and JSON output, written for real into a temporary directory. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "results.h"
#include "util.h"

static int count_fields(const char *line)
{
	int n = 1, quoted = 0;

	for (; *line && *line != '\n'; line++) {
		if (*line == '"')
			quoted = !quoted;
		else if (*line == ',' && !quoted)
			n++;
	}
	return n;
}

void suite_results(void)
{
	char dir[] = "/tmp/pvmig-test-XXXXXX";
	char err[256], row[4096], path[1200];
	struct results res = { 0 };
	struct mig_record r;
	json_t *run, *doc;
	char *csv;

	if (!mkdtemp(dir)) {
		CHECK(0, "results: temporary directory");
		return;
	}
	snprintf(res.accel, sizeof(res.accel), "tcg");
	res.link_gbit = 9.57;
	run = json_pack("{s:s}", "run_id", "r1");
	CHECK(results_begin(&res, dir, "case1", "r1", run, err, sizeof(err)) == 0,
	      "results: begin creates the run directory");
	CHECK(results_begin(&res, dir, "case1", "r1", run, err, sizeof(err)) == -1 &&
	      strstr(err, "never overwritten"), "results: an existing run directory is refused");

	record_init(&r, "baseline", 1, 1024);
	snprintf(r.status, sizeof(r.status), "completed");
	r.total_time_ms = 240;
	r.transferred_bytes = 2048 * 1024;
	r.downtime_ms = 12;
	snprintf(r.error, sizeof(r.error), "say \"hi\", then\nstop");
	json_array_append_new(r.progress, json_pack("{s:i}", "t_ms", 0));
	CHECK(results_add(&res, &r) == 0, "results: a record is written");

	results_csv_row(&res, &r, row, sizeof(row));
	CHECK(count_fields(row) == count_fields(results_csv_header()),
	      "results: CSV row has as many fields as the header (%d)", count_fields(row));
	CHECK(strstr(row, "case1,baseline,1024,1,completed,240,12,,2048,") != NULL,
	      "results: CSV row values in header order, missing values empty");
	CHECK(strstr(row, "\"say \"\"hi\"\", then stop\"") != NULL,
	      "results: error text quoted, quotes doubled, newline flattened");
	CHECK(strstr(results_csv_header(), "case,method,mem_mib,repeat,status,total_time_ms,"
			"downtime_ms,setup_time_ms,transferred_kb,zero_pages,normal_pages,"
			"dirty_sync_count,link_gbit,accel") == results_csv_header(),
	      "results: CSV header starts with the agreed columns");
	results_finish(&res, NULL);

	snprintf(path, sizeof(path), "%s/case1/r1/run.json", dir);
	doc = json_load_file(path, 0, NULL);
	CHECK(doc && json_array_size(json_object_get(doc, "migrations")) == 1 &&
	      json_integer_value(json_object_get(json_array_get(json_object_get(doc, "migrations"), 0),
						 "transferred_kb")) == 2048 &&
	      json_is_null(json_object_get(doc, "error")),
	      "results: run.json holds the migration and a null error");
	CHECK(json_is_null(json_object_get(json_array_get(json_object_get(doc, "migrations"), 0),
					   "skipped_pages")),
	      "results: figures that do not apply are null in JSON");
	json_decref(doc);
	snprintf(path, sizeof(path), "%s/case1/r1/runs.csv", dir);
	csv = read_file(path);
	CHECK(csv && strchr(csv, '\n') && strstr(strchr(csv, '\n'), "case1,baseline"),
	      "results: runs.csv has header then row");
	free(csv);
	snprintf(path, sizeof(path), "%s/case1/r1/run.json.tmp", dir);
	CHECK(access(path, F_OK) != 0, "results: no temporary file is left");
	record_free(&r);
	json_decref(run);
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	if (system(path) != 0)
		printf("# could not remove %s\n", dir);
}

/*
 * results/<case>/<run-id>/run.json (self-describing: inputs, versions,
 * machine, link, every migration with its progress history) and runs.csv
 * (one row per migration).  run.json is rewritten atomically after every
 * migration, so an interrupted run still leaves a well-formed file.
 */
#ifndef PVMIG_RESULTS_H
#define PVMIG_RESULTS_H

#include <jansson.h>
#include <stdio.h>

#include "record.h"

struct results {
	char dir[1024];
	json_t *run;		/* the whole run.json document */
	char case_name[64];
	char accel[16];
	char cpu_unit[32];	/* of src_cpu/dst_cpu */
	double link_gbit;
};

/* Header line of runs.csv (no newline). */
const char *results_csv_header(void);

/* One CSV row for r (no newline) into buf; returns buf. */
char *results_csv_row(const struct results *res, const struct mig_record *r,
                      char *buf, size_t len);

/* The JSON object for one migration. */
json_t *results_record_json(const struct mig_record *r);

/*
 * Create results/<case>/<run_id>/ (it must not exist: earlier results are
 * never overwritten) and write the initial run.json and the CSV header.
 */
int results_begin(struct results *res, const char *root, const char *case_name,
                  const char *run_id, json_t *run, char *err, size_t errlen);

int results_add(struct results *res, const struct mig_record *r);

/* Record the run's error (NULL: none) and write the final run.json. */
int results_finish(struct results *res, const char *error);

/* Write json to path through a temporary file and rename. */
int write_json_atomic(const char *path, json_t *doc);

#endif

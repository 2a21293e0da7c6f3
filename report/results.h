/* Loading results/: which run directories count, their runs.csv rows and
 * run.json documents, grouped per case and method.
 *
 * Run selection, per case directory:
 *  - directories whose name contains "faultinjection" or "memcheck" are test
 *    runs and never used;
 *  - runs whose versions.harness says the tree was not committed ("+local",
 *    or "-dirty" from older harnesses) are ignored, unless the caller asks
 *    for them (report-gen --include-uncommitted);
 *  - of the rest, the newest run (ids start with a UTC timestamp, so the
 *    greatest name) among those with destination preallocation on, or the
 *    newest run when none has it, fixes the pooling key (a netns run when
 *    there is one: hosts-mode runs on this machine are a check, see
 *    case_data.hosts; in a results directory of hosts runs alone, theirs): its scenario (the
 *    id after its first '_', e.g. mem8192_link10_tcg_prealloc_dt300), its
 *    host identity (provenance.h) and its QEMU (versions.qemu_source and
 *    versions.qemu_series_sha256).  Every run with that key is used and
 *    pooled in the case's tables;
 *  - runs with the same key but the other destination regime (the scenario
 *    with "_prealloc_" and "_noprealloc_" swapped) are pooled apart, in
 *    case_data.alt, for the "Destination regimes" section only;
 *  - every other run is listed as ignored, with the reason.
 *
 * Preallocation on is preferred because it is the default regime: there the
 * link, not the destination's page faults, is the bottleneck (README.md).
 *
 * Directories of results/ named "qemu-*" (results/qemu-7.2/) are archives of
 * runs on an earlier QEMU base, laid out like results/ itself.  They are no
 * case: results_load() skips them, so an archived run never reaches a table,
 * plot or finding; basecompare.c loads one on its own.  Nor are the
 * folders of the device's review runs (results/sanitizers/, results/fuzz/,
 * results/kvm-clear-cost/), which carry summaries of their own. */
#ifndef REPORT_RESULTS_H
#define REPORT_RESULTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "metrics.h"
#include "util.h"

struct run_info {
	char *id;		/* directory name, e.g. 20261125T210202Z_mem8192_... */
	char *scenario;		/* id after its first '_' */
	char *dir;		/* path of the directory */
	json_t *doc;		/* run.json */
	char *error;		/* run.json's run-level "error", or NULL */
	size_t nrows;		/* migrations it has in runs.csv */
};

struct mig_row {
	size_t run;		/* index into case_data.runs */
	size_t line;		/* line in that run's runs.csv */
	char *method;
	int repeat;
	char *status;
	char *error;		/* "" when none */
	char *cpu_unit;		/* "" when CPU was not measured */
	double v[M_COUNT];	/* NAN where not measured or not applicable */
	bool ok;		/* status completed and no error: counts in statistics */
	json_t *json;		/* its run.json migrations[] entry (borrowed), or NULL */
};

struct ignored_run {
	char *id;
	char *reason;
};

struct case_data {
	char *name;
	/* Destination regime of the pooled runs: 1 preallocated, 0 not, -1
	 * unknown or no run. */
	int prealloc;
	char *description;	/* params.description of the newest run, or NULL */
	struct run_info *runs;	/* used runs, oldest first */
	size_t nruns;
	struct ignored_run *ignored;
	size_t nignored;
	struct mig_row *rows;	/* every migration of the used runs, in file order */
	size_t nrows;
	struct strlist methods;	/* table column order: the design's order, then others */
	/* versions.qemu_source and versions.qemu_series_sha256 every used run
	 * shares (the pooling rule makes them equal), or NULL when not recorded
	 * or no run is used. */
	char *qemu_source;
	char *qemu_series;
	char *host;		/* host identity of the pooled runs (provenance.h), or NULL */
	struct strlist harness_versions;	/* versions.harness of the used runs, first seen first */
	/* The pooled scenario in the other destination regime (NULL when the
	 * scenario names no regime) and its runs with the same host and QEMU,
	 * or NULL when there are none.  alt->alt is always NULL. */
	char *alt_scenario;
	struct case_data *alt;
	/* The pooled scenario run with CPU hogs on the host (run id suffix
	 * "_hog<N>", harness --host-cpu-hog), same host and QEMU: one pool per
	 * hog size N, in the order first met (names sort by time, so oldest
	 * first).  The check that the projection describes the method, not
	 * the host load.  A hog pool has no alt and no hogs of its own. */
	struct case_data **hogs;
	size_t nhogs;
	char *hog_scenario;	/* a hog pool's scenario; NULL otherwise */
	/* The pooled scenario run in hosts mode (run id suffix "_hosts-<pair>",
	 * harness --src-host/--dst-host) on this same machine (both "hosts"
	 * are namespaces with an sshd here), same QEMU, or NULL: the check
	 * that orchestrating over ssh adds nothing to the figures.  Runs of
	 * two other machines are never pooled with netns runs. */
	struct case_data *hosts;
	/* The pooled scenario with the source's RAM preallocated (run id
	 * suffix "_srcprealloc", harness --src-prealloc on), same host and
	 * QEMU, or NULL: the zero-page check then reads resident memory and
	 * takes no fault, the regime a host whose read faults map the shared
	 * zero page comes near.  Never the key. */
	struct case_data *srcpre;
};

struct result_set {
	struct case_data *cases;	/* sorted by name */
	size_t ncases;
	bool include_uncommitted;	/* as loaded */
};

struct load_options {
	/* Use runs from an uncommitted harness tree instead of ignoring them. */
	bool include_uncommitted;
};

/* Prefix of the archive directories in results/ (results/qemu-7.2/). */
#define RESULTS_ARCHIVE_PREFIX "qemu-"

/* True for a results/ entry that is an archive, not a case. */
bool results_is_archive(const char *name);

/* Load every case directory under root (archives skipped).  Any malformed
 * runs.csv row, missing or unparsable run.json or runs.csv fails the whole
 * load with one line in e. */
int results_load(const char *root, const struct load_options *lo, struct result_set *rs,
		 struct error *e);

/* Names of dir's subdirectories, sorted, hidden ones skipped; none if dir
 * does not exist.  -1 with e set if it cannot be read. */
int results_subdirs(const char *dir, struct strlist *out, struct error *e);

/* Add a case with no run, in name order, unless rs has it: a case that only
 * the archive holds is still named in the report, as not run yet. */
void results_add_empty_case(struct result_set *rs, const char *name);

/* The "versions.qemu_source", "versions.qemu_series_sha256" and
 * "versions.qemu_code_id" strings of a run.json, or NULL where not recorded
 * ("unknown" code ids too).  Borrowed from doc. */
const char *run_qemu_source(json_t *doc);
const char *run_qemu_series(json_t *doc);
const char *run_qemu_code(json_t *doc);
/* May the two runs' figures be pooled as far as QEMU goes? */
int run_same_qemu(json_t *a, json_t *b);
void results_free(struct result_set *rs);

/* The value at a dotted path ("link.measured_gbit") in a JSON object, or NULL. */
json_t *json_at(json_t *doc, const char *path);

/* A JSON scalar as report text (reals with two decimals, booleans as
 * on/off), or NULL for null, missing, arrays and objects.  Caller frees. */
char *json_scalar_text(json_t *v);

#endif

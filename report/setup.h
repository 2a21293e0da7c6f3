/* The set-up every used run recorded in its run.json: accelerator, link,
 * guest size, QEMU and host.  REPORT.md gives each fact compactly, the
 * appendix with the runs behind each value; the caveats ask whether any
 * run had a value. */
#ifndef REPORT_SETUP_H
#define REPORT_SETUP_H

#include <stddef.h>

#include "results.h"

/* Every used run: the pooled ones, then the other destination regime's
 * (used too, in their own section).  Caller frees the array. */
struct used_run {
	const struct case_data *c;
	const struct run_info *run;
};

size_t used_runs(const struct result_set *rs, struct used_run **out);

/* One fact and its distinct values, each with the runs ("case/run-id, ...")
 * that had it, first seen first. */
struct setup_fact {
	const char *what;
	struct strlist values, who;
};

/* The facts some used run recorded, in a fixed order; *out is freed with
 * setup_facts_free. */
size_t setup_facts(const struct result_set *rs, struct setup_fact **out);
void setup_facts_free(struct setup_fact *f, size_t n);

/* Whether a used run's run.json has value (as report text) at path. */
int any_run_has(const struct result_set *rs, const char *path, const char *value);
/* The least and greatest number at path over the used runs; NAN if none. */
double min_over_runs(const struct result_set *rs, const char *path);
double max_over_runs(const struct result_set *rs, const char *path);

#endif

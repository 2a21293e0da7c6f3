/* The "Findings" of a case: sentences computed from its statistics, so they
 * change when the numbers do.  They answer the thread's question (does PV
 * hinting beat ballooning?) and say where PV hinting does not help.
 *
 * "Beyond the run-to-run spread" means the min-max ranges do not overlap;
 * with 5 repeats that is the honest claim the data supports. */
#ifndef REPORT_FINDINGS_H
#define REPORT_FINDINGS_H

#include "stats.h"
#include "util.h"

/* Methods that hint free pages to QEMU (the "PV hinting" side). */
int is_hinting_method(const char *method);

/* Append one markdown sentence or short paragraph per finding to out. */
void findings_for_case(const struct case_stats *cs, struct strlist *out);

#endif

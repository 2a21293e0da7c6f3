/* The orchestration check: a case's pooled scenario run again in hosts mode
 * on this same machine (harness --src-host/--dst-host, each "host" a
 * network namespace with its own sshd) beside the netns runs, method by
 * method.  Everything the harness does on a host then goes over ssh; the
 * migration itself does not, so the figures should agree within their
 * spread. */
#ifndef REPORT_MODECOMPARE_H
#define REPORT_MODECOMPARE_H

#include <stdio.h>

#include "results.h"
#include "stats.h"

/* The section, or nothing when no case has a hosts pool. */
void modecompare_write(FILE *f, const struct result_set *rs, const struct case_stats *cases);

#endif

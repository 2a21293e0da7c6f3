/* The guest's state at migration across re-runs: the published set is re-run
 * on every new QEMU base or series (and a case's preparation may be made
 * quicker), and the guest must still reach the migration in the state the
 * archived runs had.  The baseline's normal and zero page counts are that
 * state as migration sees it; this section sets the current runs' counts
 * beside the archive's and says whether they stay within
 * GUESTSTATE_TOLERANCE_PCT. */
#ifndef REPORT_GUESTSTATE_H
#define REPORT_GUESTSTATE_H

#include <stdio.h>

#include <jansson.h>

#include "basecompare.h"

#define GUESTSTATE_TOLERANCE_PCT 5.0

/* "stress-ng vm over 88% of RAM for 150 s" and the like, from a run.json's
 * params; caller frees. */
char *guest_preparation_text(json_t *params);

/* The section "Guest state at migration". */
void gueststate_write(FILE *f, const struct base_side *cur, const struct base_side *old);

#endif

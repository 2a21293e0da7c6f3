/*
 * What stress-ng's --metrics table says about a guest job: the memory it
 * actually touched, which its time limit, not --vm-bytes, decides on a
 * slow guest.
 */
#ifndef PVMIG_STRESSNG_H
#define PVMIG_STRESSNG_H

#include <stdint.h>

/* The "RSS Max (KB)" column of STRESSOR's row in stress-ng's --metrics
 * output OUT, or -1 when the table or the row is not there (pure). */
int64_t stressng_rss_max_kb(const char *out, const char *stressor);

#endif

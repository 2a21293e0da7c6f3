/* "What users enable instead": the free page bitmap set against what an
 * operator turns on in QEMU today (multifd, its compression, postcopy),
 * alone and combined, per case. */
#ifndef REPORT_USERSENABLE_H
#define REPORT_USERSENABLE_H

#include <stdio.h>

#include "stats.h"

/* Writes nothing when no case ran any of those methods. */
void users_enable_write(FILE *f, const struct case_stats *cases, size_t n);

#endif

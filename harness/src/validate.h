/*
 * Input checks of `pvmig run`: everything that can be refused before
 * anything is created, so bad input never touches earlier results.
 */
#ifndef PVMIG_VALIDATE_H
#define PVMIG_VALIDATE_H

#include "runenv.h"

/* Print "pvmig: msg" and return EXIT_BAD_INPUT. */
int bad_input(const char *msg);

/* MemTotal of this machine, MiB (0 if unknown). */
long host_mem_mib(void);

/*
 * Load the case, apply the command line to it and check that it can run
 * here; fills in the QEMU and guest paths.  e->top must be set.  Returns 0
 * or EXIT_BAD_INPUT (message printed).
 */
int validate(struct env *e);

#endif

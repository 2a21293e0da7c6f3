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
 * The guest kernel @sel names, into @kver: a version in @top's
 * build/kernel-versions (what make guest built), or a prefix of exactly one
 * of them followed by '.', '-' or '+' ("6.12", "6.1"); NULL, "" or
 * "default": build/kernel-version.  The default's version goes to @dflt.
 * Returns 0, or -1 with a message in @err.
 */
int guest_kernel_resolve(const char *top, const char *sel, char *kver, size_t len,
			 char *dflt, size_t dlen, char *err, size_t errlen);

/*
 * @top/build/guest/<e->guest_kver>/@name, a file of the guest kernel chosen
 * (build/guest/@name, the default's, when the hosts mode left it empty).
 */
void guest_file(const struct env *e, const char *name, char *out, size_t len);

/*
 * Load the case, apply the command line to it and check that it can run
 * here; fills in the QEMU and guest paths.  e->top must be set.  Returns 0
 * or EXIT_BAD_INPUT (message printed).
 */
int validate(struct env *e);

#endif

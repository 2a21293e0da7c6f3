/* SPDX-License-Identifier: GPL-2.0 */
/*
 * atomic_file.h - replace a file so that a reader polling it (the harness,
 * through the guest agent) sees the old content or the new, never half of
 * it: write a temporary file beside it, then rename it over.
 */
#ifndef PVMIG_COMMON_ATOMIC_FILE_H
#define PVMIG_COMMON_ATOMIC_FILE_H

#include <stddef.h>

/* Replace @path with @len bytes of @buf, through "@path.tmp".  Returns 0 or
 * -errno (-ENAMETOOLONG if the temporary name does not fit). */
int atomic_file_write(const char *path, const char *buf, size_t len);

#endif

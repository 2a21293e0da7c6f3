/* SPDX-License-Identifier: GPL-2.0 */
/*
 * meminfo.h - the kernel's MemAvailable estimate, used to keep growth from
 * pushing the guest into the OOM killer (a balloon may own much of its RAM).
 */
#ifndef PVMIG_MEMINFO_H
#define PVMIG_MEMINFO_H

#include <stdint.h>

/* MemAvailable in bytes, or -1 when /proc/meminfo cannot be read. */
int64_t meminfo_available_bytes(void);

#endif

/*
 * Choosing the accelerator.  /dev/kvm may open and still be unusable
 * (under nested KVM a guest kernel can stall for minutes), so KVM is used
 * only if a short timed boot reaches the guest agent; otherwise TCG.
 */
#ifndef PVMIG_ACCEL_H
#define PVMIG_ACCEL_H

#include <stddef.h>

struct accel_choice {
	char name[8];		/* "kvm" or "tcg" */
	char how[256];		/* forced, or what the probe saw */
};

/*
 * want: "auto", "kvm" or "tcg".  The probe boots qemu/kernel/initrd under
 * KVM with a timeout; its verdict is cached in cache_path for the current
 * host boot.  Returns 0, or -1 with err set (e.g. kvm forced but absent).
 */
int accel_choose(const char *want, const char *qemu, const char *kernel,
                 const char *initrd, const char *rundir, const char *cache_path,
                 struct accel_choice *out, char *err, size_t errlen);

#endif

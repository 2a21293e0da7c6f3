/*
 * Choosing the accelerator.  /dev/kvm may open and still be unusable
 * (under nested KVM a guest kernel can stall for minutes), so KVM is used
 * only if a short timed boot reaches the guest agent; otherwise TCG.
 */
#ifndef PVMIG_ACCEL_H
#define PVMIG_ACCEL_H

#include <stdbool.h>
#include <stddef.h>

#include "host.h"

struct accel_choice {
	char name[8];		/* "kvm" or "tcg" */
	char how[256];		/* forced, or what the probe saw */
};

/*
 * want: "auto", "kvm" or "tcg".  The probe boots qemu/kernel/initrd (paths
 * on host h) under KVM on h with a timeout; its verdict is cached in
 * cache_path on h for h's current boot.  Returns 0, or -1 with err set
 * (e.g. kvm forced but absent).
 */
int accel_choose(const char *want, struct host *h, const char *qemu, const char *kernel,
                 const char *initrd, const char *cache_path,
                 struct accel_choice *out, char *err, size_t errlen);

/*
 * Whether KVM's device on h is a character device that opens read-write;
 * if not, why (one line).  Creates nothing.  Every check of the project
 * that needs KVM asks this (the probe above, `pvmig kvm-check` for the
 * tests).  The device is /dev/kvm, or $PVMIG_KVM_DEVICE: a path that does
 * not exist hides KVM from a run, as on a machine without it.
 */
bool accel_kvm_usable(struct host *h, char *why, size_t whylen);
const char *accel_kvm_device(void);

#endif

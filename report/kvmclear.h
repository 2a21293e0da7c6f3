/* The cost of the full KVM dirty-log re-protect, from the newest summary of
 * impl/qemu/tests/measure_clear_cost.py under results/kvm-clear-cost/.
 *
 * Before it asks the guest for its free page bitmap, our device
 * re-protects the dirty log of all guest RAM at once, where migration would
 * otherwise clear it chunk by chunk as it sends.  That work grows with the
 * guest's size and does not show in this project's TCG runs, so the probe
 * measures it under KVM with a tiny guest, driver present and absent, and
 * the appendix gives its medians per size and its fit per GiB. */
#ifndef REPORT_KVMCLEAR_H
#define REPORT_KVMCLEAR_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "util.h"

struct kvm_clear {
	bool present;
	char *dir;		/* "<results>/kvm-clear-cost/<date>", as shown */
	json_t *summary;	/* its summary.json */
};

/* Read the newest probe under <root>/kvm-clear-cost; none is not an error
 * (present stays false).  A summary that is not JSON or has no "rows"
 * array fails with one line in e. */
int kvm_clear_load(const char *root, const char *shown_root, struct kvm_clear *kc,
		   struct error *e);

/* The appendix section; nothing without a probe. */
void kvm_clear_write(FILE *f, const struct kvm_clear *kc);

void kvm_clear_free(struct kvm_clear *kc);

#endif

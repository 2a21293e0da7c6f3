/* Command line of `pvmig run CASE ...`: parsed and validated before
 * anything is created, so bad input never touches earlier results. */
#ifndef PVMIG_OPTIONS_H
#define PVMIG_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define OPTIONS_MAX_SETS 32
/* QEMU max-bandwidth high enough that the shaped link is the limit. */
#define OPTIONS_DEFAULT_MAX_BANDWIDTH_GBIT 100

/* --capability names, space-separated, with their terminator */
#define OPTIONS_MAX_CAPS_LEN 256

struct options {
	const char *case_name;
	const char *mem;		/* NULL: the case's */
	int repeat;			/* 0: the case's */
	const char *methods;		/* NULL: the case's */
	const char *accel;		/* auto, kvm, tcg */
	const char *guest_kernel;	/* NULL: the build's default (build/kernel-version) */
	double link_gbit;		/* tbf rate; 0 = unshaped */
	double min_link_gbit;		/* warn loudly below this */
	int downtime_ms;
	double max_bandwidth_gbit;	/* QEMU's max-bandwidth, in Gbit/s */
	int dst_prealloc;		/* 1 on, 0 off */
	/* 1: the source's RAM is backed before the guest boots, so the
	 * zero-page check reads resident memory and faults nothing */
	int src_prealloc;
	int settle_ms;			/* -1: the case's */
	int migrate_timeout_s;
	int boot_timeout_s;
	int iperf_s;			/* 0: do not measure */
	const char *results_root;	/* NULL: <top>/results */
	const char *top;		/* project directory */
	const char *cases_dir;		/* NULL: <top>/workloads/cases */
	long memcheck_mib;		/* -1: the case's */
	int host_cpu_hog;		/* stress-ng CPU workers during migrations */
	int multifd_channels;		/* methods with multifd: channels per side */
	int postcopy_after_ms;		/* postcopy methods: switch here; -1 after the first pass */
	/* --capability NAME: migration capabilities every method turns on
	 * besides its own, space-separated ("" when none) */
	char extra_caps[OPTIONS_MAX_CAPS_LEN];
	bool order_fixed;		/* --order fixed: the case's order in every repeat */
	long long order_seed;		/* --order-seed; -1: a new one per run */
	/* Two real hosts (NULL: the netns mode) */
	const char *src_host;		/* [user@]HOST or "local" */
	const char *dst_host;
	const char *migration_addr;	/* the destination's address on the fast link */
	const char *ssh_config;		/* ssh -F FILE; NULL: the user's own */
	const char *remote_top;		/* the checkout on the hosts; NULL: this one's path */
	bool shape;			/* tc on the real NICs (hosts mode) */
	const char *pin;		/* auto, none, or a CPU list per host */
	/* --set KEY=VALUE: any case-file key, applied in order after the file */
	const char *sets[OPTIONS_MAX_SETS];
	int nsets;
	/* Fault injection for tests (x- = not for measurements). */
	const char *x_driver;		/* none|stock|pv instead of the method's */
	const char *x_driver_args;	/* module parameters, a=1,b=2 */
	const char *x_device_props;	/* appended to the balloon device */
	int x_cancel_at_ms;		/* migrate_cancel after this long; -1 off */
	int x_kill_dst_at_ms;		/* SIGKILL the destination; -1 off */
	bool x_fail_prep_once;		/* fail each migration's first guest preparation */
};

/*
 * Parse argv (after the "run" word).  Returns 0, 1 for --help (usage
 * printed), or -1 with a one-line message in err.
 */
int options_parse(int argc, char **argv, struct options *o, char *err, size_t errlen);

void options_usage(FILE *out);

#endif

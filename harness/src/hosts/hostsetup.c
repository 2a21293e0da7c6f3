/*
 * pvmig hosts-setup A B: build the project on two hosts over ssh and check
 * that they built the same thing.  Each host needs a checkout of this
 * project (at this checkout's path, or HOST:DIR); there the usual targets
 * run, as ./run.sh would run them: make deps qemu qemu-stock guest
 * (qemu-stock because case1 and case2 run the stock method).  Then both
 * hosts must agree on the QEMU source, the patch series hash and the guest
 * kernel, which `pvmig run` checks again before every run.
 */
#include "hostsetup.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "host.h"
#include "util.h"
#include "validate.h"

/* The builds: QEMU takes minutes, and make deps may install packages. */
#define SETUP_TIMEOUT_MS (3 * 3600 * 1000)

/* Build stamps both hosts must share (what `pvmig run` compares). */
static const char *const stamps[][2] = {
	{ "build/qemu/source-version", "QEMU source" },
	{ "build/qemu/.series-stamp", "QEMU series" },
	{ "build/guest/kernel-version", "guest kernel" },
};

static void usage(FILE *out)
{
	fprintf(out,
"usage: pvmig hosts-setup [--ssh-config FILE] [--remote-top DIR] [--targets T] A B\n"
"  A, B                 [user@]HOST[:DIR] (DIR: the checkout there; default: this\n"
"                       checkout's path, or --remote-top), or 'local'\n"
"  --targets T          make targets to run on each host\n"
"                       (default: \"deps qemu qemu-stock guest\")\n"
"Runs make in each host's checkout over ssh, then checks that both hosts\n"
"built the same QEMU source and series and the same guest kernel.\n");
}

static int open_host(struct host *h, const char *role, const char *spec, const char *ssh_config,
                     const char *top, const char *rundir, char *err, size_t errlen)
{
	char target[256];
	const char *colon = strchr(spec, ':');

	if (!strcmp(spec, "local")) {
		host_local_init(h, role, NULL, rundir, top);
		return 0;
	}
	snprintf(target, sizeof(target), "%.*s", colon ? (int)(colon - spec) : (int)strlen(spec), spec);
	if (colon && colon[1] != '/') {
		snprintf(err, errlen, "bad host '%s': the checkout after ':' must be an absolute path", spec);
		return -1;
	}
	if (host_ssh_connect(h, role, target, ssh_config, colon ? colon + 1 : top, rundir, err, errlen))
		return -1;
	cleanup_track_host(h);
	return 0;
}

/* make TARGETS in the host's checkout; the tail of its output on failure. */
static int build_on(struct host *h, const char *targets)
{
	/* The full log stays on the host; the last lines come back. */
	char *argv[] = { "sh", "-c",
			 "cd \"$1\" || exit 3; mkdir -p build; "
			 "make $2 > build/hosts-setup.log 2>&1; rc=$?; tail -n 8 build/hosts-setup.log; exit $rc",
			 "sh", h->top, (char *)targets, NULL };
	static char out[8192];
	int rc;

	log_info("%s: make %s in %s (log: %s/build/hosts-setup.log there)", h->name, targets, h->top,
		 h->top);
	rc = host_run(h, argv, SETUP_TIMEOUT_MS, out, sizeof(out));
	if (rc == 3) {
		fprintf(stderr, "pvmig: hosts-setup: %s: no checkout at %s\n", h->name, h->top);
		return -1;
	}
	if (rc != 0) {
		fprintf(stderr, "pvmig: hosts-setup: %s: make %s failed (exit %d); its last lines:\n%s",
			h->name, targets, rc, out);
		return -1;
	}
	return 0;
}


int hosts_setup_main(int argc, char **argv, const char *local_top)
{
	static const struct option longopts[] = {
		{ "ssh-config", required_argument, 0, 'F' },
		{ "remote-top", required_argument, 0, 'T' },
		{ "targets", required_argument, 0, 't' },
		{ "help", no_argument, 0, 'h' },
		{ 0, 0, 0, 0 },
	};
	const char *ssh_config = NULL, *top = local_top, *targets = "deps qemu qemu-stock guest";
	struct host hosts[2];
	char rundir[64], err[512];
	int c, bad = 0;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'F': ssh_config = optarg; break;
		case 'T': top = optarg; break;
		case 't': targets = optarg; break;
		case 'h': usage(stdout); return 0;
		default:
			snprintf(err, sizeof(err), "hosts-setup: unknown option '%s'", argv[optind - 1]);
			return bad_input(err);
		}
	}
	if (argc - optind != 2)
		return bad_input("hosts-setup: expected two hosts (try --help)");
	if (strpbrk(targets, ";&|`$<>\"'\\"))
		return bad_input("hosts-setup: --targets takes make target names only");

	cleanup_install();
	snprintf(rundir, sizeof(rundir), "/tmp/pvmig-%d", (int)getpid());
	if (mkdir_p(rundir))
		return bad_input("hosts-setup: cannot create a run directory in /tmp");
	cleanup_track_dir(rundir);
	for (int i = 0; i < 2; i++) {
		if (open_host(&hosts[i], i ? "dst" : "src", argv[optind + i], ssh_config, top, rundir,
			      err, sizeof(err)))
			return bad_input(err);
	}
	for (int i = 0; i < 2; i++)
		if (build_on(&hosts[i], targets))
			return 1;
	for (size_t k = 0; k < sizeof(stamps) / sizeof(stamps[0]); k++) {
		char a[256], b[256];

		host_checkout_line(&hosts[0], stamps[k][0], a, sizeof(a));
		host_checkout_line(&hosts[1], stamps[k][0], b, sizeof(b));
		if (!a[0] || strcmp(a, b)) {
			fprintf(stderr, "pvmig: hosts-setup: version skew: %s %s on %s, %s on %s\n",
				stamps[k][1], a[0] ? a : "(none)", hosts[0].name, b[0] ? b : "(none)",
				hosts[1].name);
			bad = 1;
		} else {
			printf("%s: %s on both\n", stamps[k][1], a);
		}
	}
	for (int i = 0; i < 2; i++) {
		host_close(&hosts[i]);
		cleanup_untrack_host(&hosts[i]);
	}
	if (!bad)
		printf("hosts-setup: %s and %s are ready for pvmig run --src-host/--dst-host\n",
		       hosts[0].name, hosts[1].name);
	return bad;
}

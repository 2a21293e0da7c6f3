/* Checks of a run's input, done before anything is created. */
#include "validate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "methods.h"
#include "pin.h"
#include "util.h"

int bad_input(const char *msg)
{
	fprintf(stderr, "pvmig: %s\n", msg);
	return EXIT_BAD_INPUT;
}

long host_mem_mib(void)
{
	char *m = read_file("/proc/meminfo");
	long kb = 0;

	if (m) {
		char *p = strstr(m, "MemTotal:");

		if (p)
			kb = strtol(p + 9, NULL, 10);
		free(m);
	}
	return kb / 1024;
}

static bool qemu_has_property(const char *qemu, const char *prop)
{
	char *argv[] = { (char *)qemu, "-device", "virtio-balloon-pci,help", NULL };
	static char out[65536];

	return run_cmd(NULL, argv, 10000, out, sizeof(out)) == 0 && strstr(out, prop);
}

void guest_file(const struct env *e, const char *name, char *out, size_t len)
{
	if (e->guest_kver[0])
		snprintf(out, len, "%s/build/guest/%s/%s", e->top, e->guest_kver, name);
	else
		snprintf(out, len, "%s/build/guest/%s", e->top, name);
}

int guest_kernel_resolve(const char *top, const char *sel, char *kver, size_t len,
			 char *dflt, size_t dlen, char *err, size_t errlen)
{
	char path[PATH_MAX + 64], *def, *all, *line, *save = NULL;
	int hits = 0;

	snprintf(path, sizeof(path), "%s/build/kernel-version", top);
	def = read_file(path);
	if (!def) {
		snprintf(err, errlen, "no build/kernel-version: the guest is not built (make guest)");
		return -1;
	}
	def[strcspn(def, "\n")] = '\0';
	snprintf(dflt, dlen, "%s", def);
	free(def);
	if (!sel || !*sel || !strcmp(sel, "default")) {
		snprintf(kver, len, "%s", dflt);
		return 0;
	}
	snprintf(path, sizeof(path), "%s/build/kernel-versions", top);
	all = read_file(path);
	for (line = all ? strtok_r(all, "\n", &save) : NULL; line; line = strtok_r(NULL, "\n", &save)) {
		size_t n = strlen(sel);

		if (!strcmp(line, sel)) {
			snprintf(kver, len, "%s", line);
			hits = 1;
			break;
		}
		/* "6.1" names 6.1.0-57-amd64, not 6.12.118+deb12-amd64 */
		if (!strncmp(line, sel, n) && strchr(".-+", line[n]) && line[n]) {
			snprintf(kver, len, "%s", line);
			hits++;
		}
	}
	free(all);
	if (hits == 1)
		return 0;
	snprintf(err, errlen, "--guest-kernel %s: %s (see build/kernel-versions; make guest builds them)",
		 sel, hits ? "names more than one built kernel" : "no such guest kernel was built");
	return -1;
}

/* Everything that can be checked before anything is created. */
int validate(struct env *e)
{
	char err[512], path[PATH_MAX + 64];
	long host_mib;

	if (e->opt.cases_dir)
		snprintf(path, sizeof(path), "%s", e->opt.cases_dir);
	else
		snprintf(path, sizeof(path), "%s/workloads/cases", e->top);
	if (case_load(path, e->opt.case_name, &e->cs, err, sizeof(err)))
		return bad_input(err);
	for (int i = 0; i < e->opt.nsets; i++) {
		char key[64], kerr[256];
		const char *eq = strchr(e->opt.sets[i], '=');
		size_t klen = (size_t)(eq - e->opt.sets[i]);

		if (klen >= sizeof(key)) {
			snprintf(err, sizeof(err), "--set %s: key too long", e->opt.sets[i]);
			return bad_input(err);
		}
		memcpy(key, e->opt.sets[i], klen);
		key[klen] = '\0';
		if (!eq[1] || case_set(&e->cs, key, eq + 1, kerr, sizeof(kerr))) {
			snprintf(err, sizeof(err), "--set %s: %s", e->opt.sets[i],
				 eq[1] ? kerr : "empty value");
			return bad_input(err);
		}
	}
	if (e->opt.nsets && case_check(&e->cs, err, sizeof(err)))
		return bad_input(err);
	if (e->opt.mem) {
		int64_t m = parse_size_mib(e->opt.mem);

		if (m < 128 || m > 1024 * 1024) {
			snprintf(err, sizeof(err), "impossible guest size '%s'", e->opt.mem);
			return bad_input(err);
		}
		e->cs.mem_mib = (long)m;
	}
	if (e->opt.repeat)
		e->cs.repeat = e->opt.repeat;
	if (e->opt.settle_ms >= 0)
		e->cs.settle_ms = e->opt.settle_ms;
	if (e->opt.memcheck_mib >= 0)
		e->cs.memcheck_mib = e->opt.memcheck_mib;
	if (e->cs.workload == WORKLOAD_SERVICE &&
	    e->cs.mem_mib * e->cs.page_cache_pct / 100 + e->cs.service_wss_mib + e->cs.memcheck_mib >
	    e->cs.mem_mib * 85 / 100) {
		snprintf(err, sizeof(err), "page cache (%d%%) and service (%ld MiB) do not fit a %ld MiB guest",
			 e->cs.page_cache_pct, e->cs.service_wss_mib, e->cs.mem_mib);
		return bad_input(err);
	}
	if (e->cs.memcheck_mib >= e->cs.mem_mib / 2) {
		snprintf(err, sizeof(err), "memory checker of %ld MiB does not fit a %ld MiB guest",
			 e->cs.memcheck_mib, e->cs.mem_mib);
		return bad_input(err);
	}
	if (e->opt.methods && case_set_methods(&e->cs, e->opt.methods, err, sizeof(err)))
		return bad_input(err);
	e->two_hosts = e->opt.src_host != NULL;
	if (e->two_hosts && e->cs.workload == WORKLOAD_SERVICE)
		return bad_input("the long-running cases need one page-cache disk both hosts share: "
				 "not yet in hosts mode (--src-host/--dst-host)");
	if (e->two_hosts && e->opt.host_cpu_hog)
		return bad_input("--host-cpu-hog is for the netns mode");
	if (strchr(e->opt.pin, '/')) {
		int pus[PIN_ROLES];
		const char *slash = strchr(e->opt.pin, '/');
		char src[64];

		snprintf(src, sizeof(src), "%.*s", (int)(slash - e->opt.pin), e->opt.pin);
		if (pin_parse_list(src, pus) || pin_parse_list(slash + 1, pus))
			return bad_input("--pin SRC/DST: each side a PU list such as 2,3,4,5 or 2-5");
	}
	if (e->two_hosts && e->opt.shape && e->opt.link_gbit <= 0)
		return bad_input("--shape needs a rate: --link-gbit above 0");
	/* Real NICs run at their own rate unless --shape says otherwise;
	 * link0 in the run id says so. */
	if (e->two_hosts && !e->opt.shape)
		e->opt.link_gbit = 0;
	host_mib = host_mem_mib();
	/* Source and destination guests both live on this machine (hosts
	 * mode: each host is checked for its own guest once connected). */
	if (!e->two_hosts && 2 * e->cs.mem_mib + 1024 > host_mib) {
		snprintf(err, sizeof(err),
			 "impossible guest size: two guests of %ld MiB do not fit in %ld MiB of host RAM",
			 e->cs.mem_mib, host_mib);
		return bad_input(err);
	}
	if (strcmp(e->opt.accel, "auto") && strcmp(e->opt.accel, "kvm") && strcmp(e->opt.accel, "tcg")) {
		snprintf(err, sizeof(err), "unknown accelerator '%s' (auto, kvm, tcg)", e->opt.accel);
		return bad_input(err);
	}
	if (geteuid() != 0 && !e->two_hosts)
		return bad_input("must run as root (network namespaces, veth, tc)");

	/* PVMIG_QEMU_BIN: another build of the series instead of build/qemu
	 * (scripts/sanitizer-run.sh: a wrapper of build/qemu-asan). */
	if (getenv("PVMIG_QEMU_BIN") && *getenv("PVMIG_QEMU_BIN"))
		snprintf(e->qemu, sizeof(e->qemu), "%s", getenv("PVMIG_QEMU_BIN"));
	else
		snprintf(e->qemu, sizeof(e->qemu), "%s/build/qemu/qemu-system-x86_64", e->top);
	snprintf(e->qemu_stock, sizeof(e->qemu_stock), "%s/build/qemu-stock/qemu-system-x86_64", e->top);
	/*
	 * Each guest kernel has its own vmlinux, initramfs and driver, side
	 * by side (scripts/build-guest.sh).  The hosts mode without
	 * --guest-kernel boots the hosts' own default, build/guest/'s links,
	 * as before there was a choice ("": this checkout may have built
	 * nothing); with it, the version this checkout resolves it to, or as
	 * given, and each host is checked for that kernel's files
	 * (hostpair.c).
	 */
	if (e->two_hosts && !e->opt.guest_kernel) {
		e->guest_kver[0] = e->guest_kver_default[0] = '\0';
	} else if (guest_kernel_resolve(e->top, e->opt.guest_kernel, e->guest_kver,
					sizeof(e->guest_kver), e->guest_kver_default,
					sizeof(e->guest_kver_default), err, sizeof(err))) {
		if (!e->two_hosts)
			return bad_input(err);
		snprintf(e->guest_kver, sizeof(e->guest_kver), "%s", e->opt.guest_kernel);
		e->guest_kver_default[0] = '\0';
	}
	guest_file(e, "vmlinux", e->kernel, sizeof(e->kernel));
	guest_file(e, "initramfs.cpio", e->initrd, sizeof(e->initrd));
	/* The hosts' own builds are checked on the hosts (hostpair.c); every
	 * path above is needed there too, mapped onto each host's checkout. */
	if (e->two_hosts)
		return 0;
	if (access(e->qemu, X_OK) || access(e->kernel, R_OK) || access(e->initrd, R_OK))
		return bad_input("QEMU or the guest is not built (run make qemu guest)");
	for (int i = 0; i < e->cs.nmethods; i++) {
		const struct method *m = method_find(e->cs.methods[i]);

		if (m->stock_qemu && access(e->qemu_stock, X_OK)) {
			snprintf(err, sizeof(err),
				 "method '%s' needs QEMU built without the series (make qemu-stock)", m->name);
			return bad_input(err);
		}

		if (m->driver == DRIVER_PV) {
			guest_file(e, "pvmig_balloon.ko", path, sizeof(path));
			if (access(path, R_OK)) {
				snprintf(err, sizeof(err), "method '%s' needs the guest driver for %s (make guest)",
					 m->name, e->guest_kver);
				return bad_input(err);
			}
			if (!qemu_has_property(e->qemu, "free-page-bitmap")) {
				snprintf(err, sizeof(err),
					 "method '%s' needs QEMU built with impl/qemu's series (make qemu)", m->name);
				return bad_input(err);
			}
		}
	}
	return 0;
}

#include "accel.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"
#include "vm.h"

#define PROBE_TIMEOUT_MS 20000

/* The verdict holds for this host boot and this QEMU binary. */
static void cache_key(const char *qemu, char *buf, size_t len)
{
	char *s = read_file("/proc/sys/kernel/random/boot_id");
	struct stat st;

	if (stat(qemu, &st) < 0)
		st.st_mtime = 0;
	if (s)
		s[strcspn(s, "\n")] = '\0';
	snprintf(buf, len, "%s/%lld", s ? s : "unknown", (long long)st.st_mtime);
	free(s);
}

static int probe_kvm(const char *qemu, const char *kernel, const char *initrd,
                     const char *rundir, char *how, size_t howlen)
{
	struct vm_config c = {
		.name = "probe", .qemu = qemu, .kernel = kernel, .initrd = initrd,
		.rundir = rundir, .accel = "kvm", .mem_mib = 512,
	};
	struct vm v;
	char err[512];
	int64_t t0 = now_ms();
	int ok = 0;

	if (vm_start(&v, &c, 10000, err, sizeof(err)) == 0 &&
	    vm_wait_agent(&v, PROBE_TIMEOUT_MS, err, sizeof(err)) == 0) {
		ok = 1;
		snprintf(how, howlen, "probe: KVM guest answered the agent in %lld ms",
			 (long long)(now_ms() - t0));
	} else if (!vm_alive(&v)) {
		snprintf(how, howlen, "probe: QEMU with KVM exited early (%s)", err);
	} else {
		snprintf(how, howlen, "probe: KVM guest did not reach the agent within %d ms",
			 PROBE_TIMEOUT_MS);
	}
	vm_stop(&v);
	return ok;
}

int accel_choose(const char *want, const char *qemu, const char *kernel,
                 const char *initrd, const char *rundir, const char *cache_path,
                 struct accel_choice *out, char *err, size_t errlen)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	bool kvm_opens = fd >= 0;
	char bid[128], line[768];
	FILE *f;

	if (fd >= 0)
		close(fd);
	memset(out, 0, sizeof(*out));
	if (!strcmp(want, "tcg")) {
		snprintf(out->name, sizeof(out->name), "tcg");
		snprintf(out->how, sizeof(out->how), "forced with --accel tcg");
		return 0;
	}
	if (!strcmp(want, "kvm")) {
		if (!kvm_opens) {
			snprintf(err, errlen, "--accel kvm: /dev/kvm cannot be opened");
			return -1;
		}
		snprintf(out->name, sizeof(out->name), "kvm");
		snprintf(out->how, sizeof(out->how), "forced with --accel kvm");
		return 0;
	}
	if (strcmp(want, "auto")) {
		snprintf(err, errlen, "unknown accelerator '%s' (auto, kvm, tcg)", want);
		return -1;
	}
	if (!kvm_opens) {
		snprintf(out->name, sizeof(out->name), "tcg");
		snprintf(out->how, sizeof(out->how), "/dev/kvm cannot be opened");
		return 0;
	}

	cache_key(qemu, bid, sizeof(bid));
	f = fopen(cache_path, "r");
	if (f) {
		char cached_bid[128] = "", name[8] = "";

		if (fgets(line, sizeof(line), f) &&
		    sscanf(line, "%127s %7s", cached_bid, name) == 2 &&
		    !strcmp(cached_bid, bid) && (!strcmp(name, "kvm") || !strcmp(name, "tcg"))) {
			char *how = strchr(strchr(line, ' ') + 1, ' ');

			snprintf(out->name, sizeof(out->name), "%s", name);
			snprintf(out->how, sizeof(out->how), "%s (cached this boot)",
				 how ? how + 1 : "probe");
			out->how[strcspn(out->how, "\n")] = '\0';
			fclose(f);
			return 0;
		}
		fclose(f);
	}
	log_info("probing KVM with a timed boot (up to %d s)", PROBE_TIMEOUT_MS / 1000);
	snprintf(out->name, sizeof(out->name), "%s",
		 probe_kvm(qemu, kernel, initrd, rundir, out->how, sizeof(out->how)) ? "kvm" : "tcg");
	if (pvmig_interrupted) {
		snprintf(err, errlen, "interrupted");
		return -1;
	}
	f = fopen(cache_path, "w");
	if (f) {
		fprintf(f, "%s %s %s\n", bid, out->name, out->how);
		fclose(f);
	}
	return 0;
}

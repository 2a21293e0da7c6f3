#include "accel.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"
#include "vm.h"

#define PROBE_TIMEOUT_MS 20000

static long long mtime_of(struct host *h, const char *path)
{
	char *argv[] = { "stat", "-c", "%Y", (char *)path, NULL };
	char out[64];
	struct stat st;

	if (host_is_local(h))
		return stat(path, &st) < 0 ? 0 : (long long)st.st_mtime;
	return host_run(h, argv, 10000, out, sizeof(out)) == 0 ? atoll(out) : 0;
}

/* The verdict holds for this host boot and this QEMU binary. */
static void cache_key(struct host *h, const char *qemu, char *buf, size_t len)
{
	char *s = host_read_file(h, "/proc/sys/kernel/random/boot_id");

	if (s)
		s[strcspn(s, "\n")] = '\0';
	snprintf(buf, len, "%s/%lld", s ? s : "unknown", mtime_of(h, qemu));
	free(s);
}

/*
 * The one question every KVM check asks, on every host and in the same
 * words: is the device a character device that opens read-write?  A
 * shell's "<>" creates a file that is absent, so the type is tested
 * first: a probe must never leave a regular file named /dev/kvm behind,
 * which every later check would then trip over.  The open is done in a
 * subshell so that a failed redirection ends it, not the caller.
 */
static const char kvm_check_sh[] =
	"d=$1; "
	"if [ ! -e \"$d\" ]; then echo \"no $d on this host\"; exit 1; fi; "
	"if [ ! -c \"$d\" ]; then echo \"$d is not a character device\"; exit 1; fi; "
	"if ! (exec 3<>\"$d\") 2>/dev/null; then echo \"$d cannot be opened read-write\"; exit 1; fi";

const char *accel_kvm_device(void)
{
	const char *d = getenv("PVMIG_KVM_DEVICE");

	return d && *d ? d : "/dev/kvm";
}

bool accel_kvm_usable(struct host *h, char *why, size_t whylen)
{
	char *argv[] = { "sh", "-c", (char *)kvm_check_sh, "sh", (char *)accel_kvm_device(), NULL };
	char out[256] = "";

	if (host_run(h, argv, 10000, out, sizeof(out)) == 0)
		return true;
	out[strcspn(out, "\n")] = '\0';
	snprintf(why, whylen, "%s", out[0] ? out : "the KVM check did not run");
	return false;
}

static int probe_kvm(struct host *h, const char *qemu, const char *kernel, const char *initrd,
                     char *how, size_t howlen)
{
	struct vm_config c = {
		.name = "probe", .qemu = qemu, .kernel = kernel, .initrd = initrd,
		.host = h, .accel = "kvm", .mem_mib = 512,
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

int accel_choose(const char *want, struct host *h, const char *qemu, const char *kernel,
                 const char *initrd, const char *cache_path,
                 struct accel_choice *out, char *err, size_t errlen)
{
	char why[256] = "";
	bool kvm_ok = accel_kvm_usable(h, why, sizeof(why));
	char bid[128], line[768];
	char *cached;

	memset(out, 0, sizeof(*out));
	if (!strcmp(want, "tcg")) {
		snprintf(out->name, sizeof(out->name), "tcg");
		snprintf(out->how, sizeof(out->how), "forced with --accel tcg");
		return 0;
	}
	if (!strcmp(want, "kvm")) {
		if (!kvm_ok) {
			snprintf(err, errlen, "--accel kvm: %s: %s", h->name, why);
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
	if (!kvm_ok) {
		snprintf(out->name, sizeof(out->name), "tcg");
		snprintf(out->how, sizeof(out->how), "%s", why);
		return 0;
	}

	cache_key(h, qemu, bid, sizeof(bid));
	cached = host_read_file(h, cache_path);
	if (cached) {
		char cached_bid[128] = "", name[8] = "";

		snprintf(line, sizeof(line), "%s", cached);
		free(cached);
		if (sscanf(line, "%127s %7s", cached_bid, name) == 2 &&
		    !strcmp(cached_bid, bid) && (!strcmp(name, "kvm") || !strcmp(name, "tcg"))) {
			char *how = strchr(strchr(line, ' ') + 1, ' ');

			snprintf(out->name, sizeof(out->name), "%s", name);
			snprintf(out->how, sizeof(out->how), "%s (cached this boot)",
				 how ? how + 1 : "probe");
			out->how[strcspn(out->how, "\n")] = '\0';
			return 0;
		}
	}
	log_info("%s: probing KVM with a timed boot (up to %d s)", h->name, PROBE_TIMEOUT_MS / 1000);
	snprintf(out->name, sizeof(out->name), "%s",
		 probe_kvm(h, qemu, kernel, initrd, out->how, sizeof(out->how)) ? "kvm" : "tcg");
	if (pvmig_interrupted) {
		snprintf(err, errlen, "interrupted");
		return -1;
	}
	snprintf(line, sizeof(line), "%s %s %s\n", bid, out->name, out->how);
	host_write_file(h, cache_path, line);
	return 0;
}

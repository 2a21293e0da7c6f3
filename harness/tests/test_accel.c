/* The KVM question (accel_kvm_usable) on a local host, against paths the
 * test makes: an absent device is reported and never created (a shell's
 * "<>" would create it), a regular file is no device, and a character
 * device that opens read-write (/dev/null) is usable.  No KVM needed. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "accel.h"
#include "check.h"
#include "host.h"

static bool ask(struct host *h, const char *dev, char *why, size_t len)
{
	setenv("PVMIG_KVM_DEVICE", dev, 1);
	why[0] = '\0';
	return accel_kvm_usable(h, why, len);
}

void suite_accel(void)
{
	char dir[] = "/tmp/pvmig-accel-XXXXXX", dev[64], why[256];
	const char *saved = getenv("PVMIG_KVM_DEVICE");
	char *keep = saved ? strdup(saved) : NULL;
	struct host h;
	struct stat st;
	FILE *f;

	if (!mkdtemp(dir)) {
		CHECK(0, "kvm check: cannot make a scratch directory");
		return;
	}
	host_local_init(&h, "src", NULL, dir, ".");
	snprintf(dev, sizeof(dev), "%s/kvm", dir);

	CHECK(!ask(&h, dev, why, sizeof(why)) && strstr(why, "no ") && strstr(why, dev),
	      "kvm check: an absent device is not usable and says so (%s)", why);
	CHECK(stat(dev, &st) < 0, "kvm check: ... and the check created nothing at %s", dev);

	f = fopen(dev, "w");
	if (f)
		fclose(f);
	CHECK(!ask(&h, dev, why, sizeof(why)) && strstr(why, "not a character device"),
	      "kvm check: a regular file is no KVM device (%s)", why);
	unlink(dev);

	CHECK(ask(&h, "/dev/null", why, sizeof(why)),
	      "kvm check: a character device that opens read-write is usable (%s)", why);

	if (keep)
		setenv("PVMIG_KVM_DEVICE", keep, 1);
	else
		unsetenv("PVMIG_KVM_DEVICE");
	free(keep);
	rmdir(dir);
}

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "options.h"
#include "runinfo.h"
#include "validate.h"

/* options_parse() on an argument list written out in the call; shared with
 * the hosts mode's option checks. */
int parse_args_list(struct options *o, char *err, size_t len, int argc, ...)
{
	char *argv[32];
	va_list ap;

	va_start(ap, argc);
	for (int i = 0; i < argc; i++)
		argv[i] = va_arg(ap, char *);
	va_end(ap);
	argv[argc] = NULL;
	return options_parse(argc, argv, o, err, len);
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

/* guest_kernel_resolve() on a stand-in checkout with both kernels built. */
static void suite_guest_kernel(void)
{
	char top[] = "/tmp/pvmig-gk-XXXXXX", path[256], kver[128], dflt[128], err[256];
	int rc;

	if (!mkdtemp(top)) {
		CHECK(0, "guest kernel: mkdtemp");
		return;
	}
	snprintf(path, sizeof(path), "%s/build", top);
	mkdir(path, 0755);
	rc = guest_kernel_resolve(top, NULL, kver, sizeof(kver), dflt, sizeof(dflt), err, sizeof(err));
	CHECK(rc == -1 && strstr(err, "not built"), "guest kernel: none built is refused (%s)", err);
	snprintf(path, sizeof(path), "%s/build/kernel-version", top);
	write_text(path, "6.1.0-57-amd64\n");
	snprintf(path, sizeof(path), "%s/build/kernel-versions", top);
	write_text(path, "6.1.0-57-amd64\n6.12.118+deb12-amd64\n");
	rc = guest_kernel_resolve(top, NULL, kver, sizeof(kver), dflt, sizeof(dflt), err, sizeof(err));
	CHECK(rc == 0 && !strcmp(kver, "6.1.0-57-amd64") && !strcmp(dflt, kver),
	      "guest kernel: the default is build/kernel-version (%s)", kver);
	rc = guest_kernel_resolve(top, "6.12", kver, sizeof(kver), dflt, sizeof(dflt), err, sizeof(err));
	CHECK(rc == 0 && !strcmp(kver, "6.12.118+deb12-amd64") && !strcmp(dflt, "6.1.0-57-amd64"),
	      "guest kernel: 6.12 names the 6.12 kernel (%s)", kver);
	rc = guest_kernel_resolve(top, "6.1", kver, sizeof(kver), dflt, sizeof(dflt), err, sizeof(err));
	CHECK(rc == 0 && !strcmp(kver, "6.1.0-57-amd64"),
	      "guest kernel: 6.1 names 6.1, not 6.12 (%s)", kver);
	rc = guest_kernel_resolve(top, "6.12.118+deb12-amd64", kver, sizeof(kver), dflt, sizeof(dflt),
				  err, sizeof(err));
	CHECK(rc == 0 && !strcmp(kver, "6.12.118+deb12-amd64"), "guest kernel: a full version");
	rc = guest_kernel_resolve(top, "6", kver, sizeof(kver), dflt, sizeof(dflt), err, sizeof(err));
	CHECK(rc == -1 && strstr(err, "more than one"), "guest kernel: an ambiguous prefix is refused (%s)",
	      err);
	rc = guest_kernel_resolve(top, "5.10", kver, sizeof(kver), dflt, sizeof(dflt), err, sizeof(err));
	CHECK(rc == -1 && strstr(err, "no such"), "guest kernel: an unbuilt kernel is refused (%s)", err);
	snprintf(path, sizeof(path), "rm -rf '%s'", top);
	if (system(path))
		CHECK(0, "guest kernel: clean up %s", top);
}

/* The run id names a guest kernel other than the default, right after its
 * fixed part (the report's "_hosts-" and "_hog<N>" suffixes stay suffixes). */
static void suite_run_id_kernel(void)
{
	static struct env e;
	char err[256], id[256];

	memset(&e, 0, sizeof(e));
	parse_args_list(&e.opt, err, sizeof(err), 4, "run", "--host-cpu-hog", "2", "case1");
	e.cs.mem_mib = 1024;
	snprintf(e.accel.name, sizeof(e.accel.name), "tcg");
	snprintf(e.guest_kver, sizeof(e.guest_kver), "6.1.0-57-amd64");
	snprintf(e.guest_kver_default, sizeof(e.guest_kver_default), "6.1.0-57-amd64");
	make_run_id(&e, id, sizeof(id));
	CHECK(!strstr(id, "guestkernel") && strstr(id, "_dt300_hog2"),
	      "run id: the default guest kernel is not named (%s)", id);
	snprintf(e.guest_kver, sizeof(e.guest_kver), "6.12.118+deb12-amd64");
	make_run_id(&e, id, sizeof(id));
	CHECK(strstr(id, "_dt300_guestkernel-6.12.118-deb12-amd64_hog2") != NULL,
	      "run id: another guest kernel is named after the fixed part (%s)", id);
	parse_args_list(&e.opt, err, sizeof(err), 6, "run", "--capability", "auto-converge",
			"--capability", "xbzrle", "case1");
	snprintf(e.guest_kver, sizeof(e.guest_kver), "6.1.0-57-amd64");
	make_run_id(&e, id, sizeof(id));
	CHECK(strstr(id, "_dt300_capauto-converge+xbzrle") != NULL,
	      "run id: extra capabilities are part of the scenario (%s)", id);
	parse_args_list(&e.opt, err, sizeof(err), 6, "run", "--src-prealloc", "on",
			"--host-cpu-hog", "1", "case1");
	make_run_id(&e, id, sizeof(id));
	CHECK(strstr(id, "_dt300_srcprealloc_hog1") != NULL,
	      "run id: a preallocated source is named, before the hog (%s)", id);
	parse_args_list(&e.opt, err, sizeof(err), 2, "run", "case1");
	make_run_id(&e, id, sizeof(id));
	CHECK(!strstr(id, "srcprealloc"), "run id: a source as booted is not named (%s)", id);
}

void suite_options(void)
{
	struct options o;
	char err[256];
	int rc;

	rc = parse_args_list(&o, err, sizeof(err), 8, "run", "--mem", "1G", "--repeat", "2",
		   "--dst-prealloc", "off", "case1");
	CHECK(rc == 0 && !strcmp(o.case_name, "case1") && !strcmp(o.mem, "1G") && o.repeat == 2 &&
	      o.dst_prealloc == 0, "options: values are taken");
	CHECK(o.link_gbit == 10 && o.downtime_ms == 300 && !strcmp(o.accel, "auto"),
	      "options: defaults (10 Gbit/s link, 300 ms downtime, auto accel)");
	rc = parse_args_list(&o, err, sizeof(err), 3, "run", "--frob", "case1");
	CHECK(rc == -1 && strstr(err, "unknown option"), "options: unknown option is refused (%s)", err);
	rc = parse_args_list(&o, err, sizeof(err), 4, "run", "--repeat", "zero", "case1");
	CHECK(rc == -1 && strstr(err, "bad value"), "options: non-numeric repeat is refused (%s)", err);
	rc = parse_args_list(&o, err, sizeof(err), 4, "run", "--dst-prealloc", "maybe", "case1");
	CHECK(rc == -1, "options: dst-prealloc takes on|off only");
	CHECK(o.src_prealloc == 0, "options: the source is not preallocated by default");
	rc = parse_args_list(&o, err, sizeof(err), 4, "run", "--src-prealloc", "on", "case1");
	CHECK(rc == 0 && o.src_prealloc == 1, "options: --src-prealloc on is taken");
	rc = parse_args_list(&o, err, sizeof(err), 4, "run", "--src-prealloc", "yes", "case1");
	CHECK(rc == -1, "options: src-prealloc takes on|off only");
	rc = parse_args_list(&o, err, sizeof(err), 1, "run");
	CHECK(rc == -1 && strstr(err, "no case"), "options: a case is required");
	rc = parse_args_list(&o, err, sizeof(err), 3, "run", "case1", "case2");
	CHECK(rc == -1 && strstr(err, "unexpected"), "options: one case only");
	rc = parse_args_list(&o, err, sizeof(err), 4, "run", "--host-cpu-hog", "2", "case1");
	CHECK(rc == 0 && o.host_cpu_hog == 2, "options: --host-cpu-hog takes a worker count");
	rc = parse_args_list(&o, err, sizeof(err), 2, "run", "case1");
	CHECK(rc == 0 && o.host_cpu_hog == 0, "options: no CPU hog by default");
	CHECK(rc == 0 && !o.extra_caps[0], "options: no extra capability by default");
	rc = parse_args_list(&o, err, sizeof(err), 6, "run", "--capability", "auto-converge",
			     "--capability", "xbzrle", "case1");
	CHECK(rc == 0 && !strcmp(o.extra_caps, "auto-converge xbzrle"),
	      "options: --capability adds up (%s)", o.extra_caps);
	rc = parse_args_list(&o, err, sizeof(err), 4, "run", "--capability", "Auto converge", "case1");
	CHECK(rc == -1 && strstr(err, "bad value"), "options: a capability that is no name is refused (%s)", err);
	CHECK(!o.x_fail_prep_once, "options: no injected preparation failure by default");
	rc = parse_args_list(&o, err, sizeof(err), 3, "run", "--x-fail-prep-once", "case1");
	CHECK(rc == 0 && o.x_fail_prep_once, "options: --x-fail-prep-once is taken");
	rc = parse_args_list(&o, err, sizeof(err), 4, "run", "--host-cpu-hog", "1.5", "case1");
	CHECK(rc == -1 && strstr(err, "bad value"), "options: a fractional hog is refused (%s)", err);
	rc = parse_args_list(&o, err, sizeof(err), 4, "run", "--host-cpu-hog", "99", "case1");
	CHECK(rc == -1 && strstr(err, "bad value"), "options: an impossible hog is refused (%s)", err);
	rc = parse_args_list(&o, err, sizeof(err), 4, "run", "--guest-kernel", "6.12", "case1");
	CHECK(rc == 0 && !strcmp(o.guest_kernel, "6.12"), "options: --guest-kernel is taken");
	rc = parse_args_list(&o, err, sizeof(err), 2, "run", "case1");
	CHECK(rc == 0 && !o.guest_kernel, "options: the build's default guest kernel by default");
	rc = parse_args_list(&o, err, sizeof(err), 4, "run", "--guest-kernel", "../../etc", "case1");
	CHECK(rc == -1, "options: a guest kernel cannot name a path outside build/guest");
	suite_guest_kernel();
	suite_run_id_kernel();
}

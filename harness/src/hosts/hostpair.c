#include "hostpair.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "hostinfo.h"
#include "methods.h"
#include "netns.h"
#include "util.h"
#include "validate.h"

#define CHECK_TIMEOUT_MS 15000

const char *hostpair_mode(const struct env *e)
{
	return e->two_hosts ? "hosts" : "netns";
}

bool hostpair_lost(struct env *e)
{
	return host_lost(&e->src_host) || host_lost(&e->dst_host);
}

static int open_netns(struct env *e)
{
	char err[512];

	netns_reap_stale();
	if (hosts_up(&e->hosts, e->opt.link_gbit, err, sizeof(err))) {
		fprintf(stderr, "pvmig: setting up the hosts: %s\n", err);
		return 1;
	}
	host_local_init(&e->src_host, "src", e->hosts.src_ns, e->rundir, e->top);
	host_local_init(&e->dst_host, "dst", e->hosts.dst_ns, e->rundir, e->top);
	snprintf(e->mig_addr, sizeof(e->mig_addr), "%s", DST_ADDR);
	return 0;
}

/* spec: [user@]HOST[:DIR] (DIR: that host's checkout, as scp writes a
 * remote path), or "local". */
static int connect_one(struct env *e, struct host *h, const char *role, const char *spec,
                       char *err, size_t errlen)
{
	char target[256];
	const char *colon = strchr(spec, ':');
	const char *top = e->opt.remote_top ? e->opt.remote_top : e->top;

	if (!strcmp(spec, "local")) {
		host_local_init(h, role, NULL, e->rundir, e->top);
		return 0;
	}
	snprintf(target, sizeof(target), "%.*s", colon ? (int)(colon - spec) : (int)strlen(spec), spec);
	if (colon) {
		if (colon[1] != '/') {
			snprintf(err, errlen, "bad host '%s': the checkout after ':' must be an absolute path",
				 spec);
			return -1;
		}
		top = colon + 1;
	}
	if (host_ssh_connect(h, role, target, e->opt.ssh_config, top, e->rundir, err, errlen))
		return -1;
	cleanup_track_host(h);
	return 0;
}


static bool host_has(struct host *h, const char *test, const char *rel)
{
	char path[PATH_MAX + 64];
	char *argv[] = { "test", (char *)test, path, NULL };

	snprintf(path, sizeof(path), "%s/%s", h->top, rel);
	return host_run(h, argv, CHECK_TIMEOUT_MS, NULL, 0) == 0;
}

/* build/guest/<kver>/@name of the guest kernel chosen, relative to a
 * checkout (validate.c's guest_file() without the top). */
static void guest_rel(const struct env *e, const char *name, char *out, size_t len)
{
	if (e->guest_kver[0])
		snprintf(out, len, "build/guest/%s/%s", e->guest_kver, name);
	else
		snprintf(out, len, "build/guest/%s", name);
}

static bool qemu_has_series(struct env *e, struct host *h)
{
	char qemu[PATH_MAX];
	char *argv[] = { qemu, "-device", "virtio-balloon-pci,help", NULL };
	static char out[65536];

	host_project_path(h, e->top, e->qemu, qemu, sizeof(qemu));
	return host_run(h, argv, CHECK_TIMEOUT_MS, out, sizeof(out)) == 0 &&
	       strstr(out, "free-page-bitmap");
}

static int check_host(struct env *e, struct host *h, char *err, size_t errlen)
{
	char *mem = host_read_file(h, "/proc/meminfo");
	char *p = mem ? strstr(mem, "MemTotal:") : NULL;
	long mib = p ? strtol(p + 9, NULL, 10) / 1024 : 0;
	char vmlinux[256], initrd[256], driver[256];

	guest_rel(e, "vmlinux", vmlinux, sizeof(vmlinux));
	guest_rel(e, "initramfs.cpio", initrd, sizeof(initrd));
	guest_rel(e, "pvmig_balloon.ko", driver, sizeof(driver));

	free(mem);
	if (h->lost || !p) {
		snprintf(err, errlen, "host %s: cannot read /proc/meminfo", h->name);
		return -1;
	}
	if (!host_has(h, "-x", "build/qemu/qemu-system-x86_64") ||
	    !host_has(h, "-r", vmlinux) || !host_has(h, "-r", initrd)) {
		snprintf(err, errlen, "host %s: no built checkout at %s, or no guest kernel %s there "
			 "(run: pvmig hosts-setup)", h->name, h->top,
			 e->guest_kver[0] ? e->guest_kver : "(default)");
		return -1;
	}
	/* One guest per host, and the host's own needs. */
	if (e->cs.mem_mib + 1024 > mib) {
		snprintf(err, errlen, "host %s: not enough memory for a %ld MiB guest (%ld MiB)",
			 h->name, e->cs.mem_mib, mib);
		return -1;
	}
	for (int i = 0; i < e->cs.nmethods; i++) {
		const struct method *m = method_find(e->cs.methods[i]);

		if (m->stock_qemu && !host_has(h, "-x", "build/qemu-stock/qemu-system-x86_64")) {
			snprintf(err, errlen, "host %s: method '%s' needs make qemu-stock there",
				 h->name, m->name);
			return -1;
		}
		if (m->driver == DRIVER_PV && !host_has(h, "-r", driver)) {
			snprintf(err, errlen, "host %s: method '%s' needs make guest there", h->name, m->name);
			return -1;
		}
		if (m->driver == DRIVER_PV && !qemu_has_series(e, h)) {
			snprintf(err, errlen, "host %s: method '%s' needs QEMU built with impl/qemu's series "
				 "(make qemu there)", h->name, m->name);
			return -1;
		}
	}
	return 0;
}

/* Both hosts run the same QEMU series on the same source and boot the
 * same guest kernel, or the comparison means nothing. */
static int check_versions(struct env *e, char *err, size_t errlen)
{
	char kpkg[256];
	const char *const files[][2] = {
		{ "build/qemu/.series-stamp", "QEMU series" },
		{ "build/qemu/source-version", "QEMU source" },
		{ kpkg, "guest kernel package" },
	};

	/* The package version of the kernel chosen: same name, same build. */
	guest_rel(e, "kernel-package-version", kpkg, sizeof(kpkg));

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char a[256], b[256];

		host_checkout_line(&e->src_host, files[i][0], a, sizeof(a));
		host_checkout_line(&e->dst_host, files[i][0], b, sizeof(b));
		if (strcmp(a, b)) {
			snprintf(err, errlen, "version skew: %s %.16s on %s, %.16s on %s (run: pvmig hosts-setup)",
				 files[i][1], a[0] ? a : "(none)", e->src_host.name,
				 b[0] ? b : "(none)", e->dst_host.name);
			return -1;
		}
	}
	return 0;
}

static int open_two_hosts(struct env *e)
{
	char err[512];

	if (connect_one(e, &e->src_host, "src", e->opt.src_host, err, sizeof(err)) ||
	    connect_one(e, &e->dst_host, "dst", e->opt.dst_host, err, sizeof(err)) ||
	    check_host(e, &e->src_host, err, sizeof(err)) ||
	    check_host(e, &e->dst_host, err, sizeof(err)) ||
	    check_versions(e, err, sizeof(err)))
		return bad_input(err);
	snprintf(e->mig_addr, sizeof(e->mig_addr), "%s", e->opt.migration_addr);
	if (hostinfo_iface(&e->dst_host, e->mig_addr, 1, e->dst_if, sizeof(e->dst_if))) {
		snprintf(err, sizeof(err), "host %s: no interface has the migration address %s",
			 e->dst_host.name, e->mig_addr);
		return bad_input(err);
	}
	if (hostinfo_iface(&e->src_host, e->mig_addr, 0, e->src_if, sizeof(e->src_if))) {
		snprintf(err, sizeof(err), "host %s: no route to the migration address %s",
			 e->src_host.name, e->mig_addr);
		return bad_input(err);
	}

	/* Checks done: from here on, things exist on the hosts. */
	if (host_begin(&e->src_host, err, sizeof(err)) || host_begin(&e->dst_host, err, sizeof(err))) {
		fprintf(stderr, "pvmig: %s\n", err);
		return 1;
	}
	if (e->opt.shape &&
	    (host_shape(&e->src_host, e->src_if, e->opt.link_gbit, err, sizeof(err)) ||
	     host_shape(&e->dst_host, e->dst_if, e->opt.link_gbit, err, sizeof(err)))) {
		fprintf(stderr, "pvmig: shaping: %s\n", err);
		return 1;
	}
	log_info("hosts: %s -> %s, migrating to %s (%s -> %s), %s", e->src_host.name,
		 e->dst_host.name, e->mig_addr, e->src_if, e->dst_if,
		 e->opt.shape ? "shaped with tc" : "NICs not shaped");
	return 0;
}

int hostpair_open(struct env *e)
{
	return e->two_hosts ? open_two_hosts(e) : open_netns(e);
}

static int choose_on(struct env *e, struct host *h, struct accel_choice *c, char *err, size_t errlen)
{
	char qemu[PATH_MAX], kernel[PATH_MAX], initrd[PATH_MAX], cache[PATH_MAX + 32];

	host_project_path(h, e->top, e->qemu, qemu, sizeof(qemu));
	host_project_path(h, e->top, e->kernel, kernel, sizeof(kernel));
	host_project_path(h, e->top, e->initrd, initrd, sizeof(initrd));
	snprintf(cache, sizeof(cache), "%s/build/accel-probe", h->top);
	return accel_choose(e->opt.accel, h, qemu, kernel, initrd, cache, c, err, errlen);
}

int hostpair_accel(struct env *e)
{
	struct accel_choice s, d;
	char err[512];

	if (!e->two_hosts) {
		struct host here;

		/* The probe boots in the harness's own namespace. */
		host_local_init(&here, "probe", NULL, e->rundir, e->top);
		if (choose_on(e, &here, &e->accel, err, sizeof(err))) {
			fprintf(stderr, "pvmig: %s\n", err);
			return pvmig_interrupted ? 130 : EXIT_BAD_INPUT;
		}
		return 0;
	}
	if (choose_on(e, &e->src_host, &s, err, sizeof(err)) ||
	    choose_on(e, &e->dst_host, &d, err, sizeof(err))) {
		fprintf(stderr, "pvmig: %s\n", err);
		return pvmig_interrupted ? 130 : EXIT_BAD_INPUT;
	}
	if (strcmp(s.name, d.name)) {
		snprintf(err, sizeof(err), "the hosts disagree on the accelerator: %s on %s (%s), %s on %s (%s)",
			 s.name, e->src_host.name, s.how, d.name, e->dst_host.name, d.how);
		return bad_input(err);
	}
	if (!strcmp(s.name, "kvm")) {
		/* -cpu host on both sides: the guest sees the source's CPU,
		 * and the destination must offer the same one. */
		json_t *a = hostinfo_json(&e->src_host, NULL), *b = hostinfo_json(&e->dst_host, NULL);
		const char *ma = json_string_value(json_object_get(a, "cpu_model"));
		const char *mb = json_string_value(json_object_get(b, "cpu_model"));
		bool same = ma && mb && !strcmp(ma, mb);

		if (!same)
			snprintf(err, sizeof(err), "KVM with -cpu host needs one CPU model: %s on %s, %s on %s",
				 ma ? ma : "?", e->src_host.name, mb ? mb : "?", e->dst_host.name);
		json_decref(a);
		json_decref(b);
		if (!same)
			return bad_input(err);
	}
	e->accel = s;
	e->accel_src = s;
	e->accel_dst = d;
	snprintf(e->accel.how, sizeof(e->accel.how), "src: %.110s; dst: %.110s", s.how, d.how);
	return 0;
}

void hostpair_close(struct env *e)
{
	if (e->two_hosts) {
		if (e->opt.shape) {
			/* An unreachable host's supervisor removes it. */
			if (e->src_if[0] && !e->src_host.lost && !e->src_host.closed)
				host_unshape(&e->src_host, e->src_if);
			if (e->dst_if[0] && !e->dst_host.lost && !e->dst_host.closed)
				host_unshape(&e->dst_host, e->dst_if);
		}
		host_close(&e->src_host);
		host_close(&e->dst_host);
		cleanup_untrack_host(&e->src_host);
		cleanup_untrack_host(&e->dst_host);
		return;
	}
	hosts_down(&e->hosts);
}

json_t *hostpair_json(struct env *e)
{
	json_t *j = json_pack("{s:s}", "mode", hostpair_mode(e));

	if (e->two_hosts) {
		json_object_set_new(j, "src", hostinfo_json(&e->src_host, e->src_if) ?: json_null());
		json_object_set_new(j, "dst", hostinfo_json(&e->dst_host, e->dst_if) ?: json_null());
		json_object_set_new(j, "migration_addr", json_string(e->mig_addr));
		json_object_set_new(j, "shaped", json_boolean(e->opt.shape));
	}
	return j;
}

/* The host part of [user@]HOST, with anything but [A-Za-z0-9.-] as '-'. */
static void tag_of(const struct host *h, char *out, size_t len)
{
	const char *s = strchr(h->name, '@') ? strchr(h->name, '@') + 1 : h->name;
	size_t n = 0;

	for (; *s && n + 1 < len; s++)
		out[n++] = isalnum((unsigned char)*s) || *s == '.' || *s == '-' ? *s : '-';
	out[n] = '\0';
}

void hostpair_tag(const struct env *e, char *out, size_t len)
{
	char a[64], b[64];

	tag_of(&e->src_host, a, sizeof(a));
	tag_of(&e->dst_host, b, sizeof(b));
	snprintf(out, len, "%s-%s", a, b);
}

void hostpair_fetch_logs(struct env *e, const char *dir)
{
	static const char *const names[] = { "qemu.log", "serial.log" };
	struct host *hosts[] = { &e->src_host, &e->dst_host };

	/* Interrupted: commands are cut short; the user wants out, not logs. */
	if (!e->two_hosts || pvmig_interrupted)
		return;
	mkdir_p(dir);
	for (int i = 0; i < 2; i++) {
		struct host *h = hosts[i];

		if (host_is_local(h) || h->lost)
			continue;
		for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
			char name[64], remote[PATH_MAX + 64], local[PATH_MAX + 64];
			char *text;
			FILE *f;

			snprintf(name, sizeof(name), "%s-%s", h->role, names[k]);
			host_path(h, name, remote, sizeof(remote));
			text = host_read_file(h, remote);
			snprintf(local, sizeof(local), "%s/%s", dir, name);
			if (text && (f = fopen(local, "w"))) {
				fputs(text, f);
				fclose(f);
			}
			free(text);
		}
	}
}

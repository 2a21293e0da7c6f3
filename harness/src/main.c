/*
 * pvmig: boots guests on two "hosts" (network namespaces), migrates them
 * with each method of a case, and writes results/<case>/<run-id>/.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "accel.h"
#include "balloon.h"
#include "casefile.h"
#include "cpucost.h"
#include "cleanup.h"
#include "guestagent.h"
#include "integrity.h"
#include "methods.h"
#include "migrate.h"
#include "netns.h"
#include "options.h"
#include "results.h"
#include "service.h"
#include "stats.h"
#include "topology.h"
#include "util.h"
#include "vm.h"

#ifndef PVMIG_VERSION
#define PVMIG_VERSION "unknown"
#endif

#define MIGRATION_PORT "4444"

struct env {
	struct options opt;
	struct case_def cs;
	char top[PATH_MAX];
	char qemu[PATH_MAX];
	char kernel[PATH_MAX];
	char initrd[PATH_MAX];
	char rundir[256];
	struct accel_choice accel;
	struct hosts hosts;
	bool cpu_ok;		/* cpucost works on this machine */
	char cache_disk[PATH_MAX];	/* case3's page-cache image; "" if none */
};

static int bad_input(const char *msg)
{
	fprintf(stderr, "pvmig: %s\n", msg);
	return EXIT_BAD_INPUT;
}

static void find_top(struct env *e)
{
	char exe[PATH_MAX];
	ssize_t n;

	if (e->opt.top) {
		snprintf(e->top, sizeof(e->top), "%s", e->opt.top);
		return;
	}
	/* The binary lives in <top>/build/. */
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = '\0';
	for (int up = 0; up < 2; up++) {
		char *slash = strrchr(exe, '/');

		if (slash)
			*slash = '\0';
	}
	snprintf(e->top, sizeof(e->top), "%s", exe[0] ? exe : ".");
}

static char *slurp_trim(const char *path)
{
	char *s = read_file(path);

	if (s)
		s[strcspn(s, "\n")] = '\0';
	return s;
}

static long host_mem_mib(void)
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

/* Everything that can be checked before anything is created. */
static int validate(struct env *e)
{
	char err[512], path[PATH_MAX + 64];
	long host_mib;

	find_top(e);
	if (e->opt.cases_dir)
		snprintf(path, sizeof(path), "%s", e->opt.cases_dir);
	else
		snprintf(path, sizeof(path), "%s/workloads/cases", e->top);
	if (case_load(path, e->opt.case_name, &e->cs, err, sizeof(err)))
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
	host_mib = host_mem_mib();
	/* Source and destination guests both live on this machine. */
	if (2 * e->cs.mem_mib + 1024 > host_mib) {
		snprintf(err, sizeof(err),
			 "impossible guest size: two guests of %ld MiB do not fit in %ld MiB of host RAM",
			 e->cs.mem_mib, host_mib);
		return bad_input(err);
	}
	if (strcmp(e->opt.accel, "auto") && strcmp(e->opt.accel, "kvm") && strcmp(e->opt.accel, "tcg")) {
		snprintf(err, sizeof(err), "unknown accelerator '%s' (auto, kvm, tcg)", e->opt.accel);
		return bad_input(err);
	}
	if (geteuid() != 0)
		return bad_input("must run as root (network namespaces, veth, tc)");

	snprintf(e->qemu, sizeof(e->qemu), "%s/build/qemu/qemu-system-x86_64", e->top);
	snprintf(e->kernel, sizeof(e->kernel), "%s/build/guest/vmlinux", e->top);
	snprintf(e->initrd, sizeof(e->initrd), "%s/build/guest/initramfs.cpio", e->top);
	if (access(e->qemu, X_OK) || access(e->kernel, R_OK) || access(e->initrd, R_OK))
		return bad_input("QEMU or the guest is not built (run make qemu guest)");
	for (int i = 0; i < e->cs.nmethods; i++) {
		const struct method *m = method_find(e->cs.methods[i]);

		if (m->driver == DRIVER_PV) {
			snprintf(path, sizeof(path), "%s/impl/guest/pvmig_balloon.ko", e->top);
			if (access(path, R_OK)) {
				snprintf(err, sizeof(err), "method '%s' needs the guest driver (make guest)", m->name);
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

static json_t *host_json(void)
{
	struct utsname u;
	char *cpuinfo = read_file("/proc/cpuinfo");
	char model[256] = "unknown";

	if (cpuinfo) {
		char *p = strstr(cpuinfo, "model name");

		if (p && (p = strchr(p, ':')))
			sscanf(p + 1, " %255[^\n]", model);
		free(cpuinfo);
	}
	uname(&u);
	return json_pack("{s:i, s:I, s:s, s:s, s:s}", "cpus", (int)sysconf(_SC_NPROCESSORS_ONLN),
			 "mem_mib", (json_int_t)host_mem_mib(), "cpu_model", model,
			 "kernel", u.release, "hostname", u.nodename);
}

static json_t *versions_json(struct env *e)
{
	char path[PATH_MAX + 64];
	char *qsrc, *kver, *kpkg, *series;
	json_t *v;

	snprintf(path, sizeof(path), "%s/build/qemu/source-version", e->top);
	qsrc = slurp_trim(path);
	snprintf(path, sizeof(path), "%s/build/qemu/.series-stamp", e->top);
	series = slurp_trim(path);
	snprintf(path, sizeof(path), "%s/build/guest/kernel-version", e->top);
	kver = slurp_trim(path);
	snprintf(path, sizeof(path), "%s/build/guest/kernel-package-version", e->top);
	kpkg = slurp_trim(path);
	v = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}",
		      "harness", PVMIG_VERSION,
		      "qemu_source", qsrc ? qsrc : "unknown",
		      "qemu_series_sha256", series ? series : "unknown",
		      "guest_kernel", kver ? kver : "unknown",
		      "guest_kernel_package", kpkg ? kpkg : "unknown",
		      "iperf3", e->hosts.iperf_version[0] ? e->hosts.iperf_version : "unknown");
	free(qsrc);
	free(kver);
	free(kpkg);
	free(series);
	return v;
}

static json_t *params_json(struct env *e)
{
	json_t *methods = json_array();

	for (int i = 0; i < e->cs.nmethods; i++)
		json_array_append_new(methods, json_string(e->cs.methods[i]));
	json_t *x = json_pack("{s:s?, s:s?, s:s?, s:i, s:i}", "driver", e->opt.x_driver,
			      "driver_args", e->opt.x_driver_args, "device_props", e->opt.x_device_props,
			      "cancel_at_ms", e->opt.x_cancel_at_ms, "kill_dst_at_ms", e->opt.x_kill_dst_at_ms);

	return json_pack("{s:s, s:s, s:I, s:i, s:i, s:s, s:i, s:i, s:o, s:s, s:f, s:i, s:f, s:b, "
			 "s:i, s:i, s:I, s:o, s:o}",
			 "case", e->cs.name, "description", e->cs.description,
			 "mem_mib", (json_int_t)e->cs.mem_mib, "repeat", e->cs.repeat,
			 "settle_ms", e->cs.settle_ms, "workload", workload_name(e->cs.workload),
			 "workload_mem_pct", e->cs.workload_mem_pct, "workload_s", e->cs.workload_s,
			 "methods", methods, "accel_requested", e->opt.accel,
			 "link_gbit", e->opt.link_gbit, "downtime_limit_ms", e->opt.downtime_ms,
			 "max_bandwidth_gbit", e->opt.max_bandwidth_gbit,
			 "dst_prealloc", e->opt.dst_prealloc,
			 "migrate_timeout_s", e->opt.migrate_timeout_s,
			 "boot_timeout_s", e->opt.boot_timeout_s,
			 "memcheck_mib", (json_int_t)e->cs.memcheck_mib, "fault_injection", x,
			 "case3", e->cs.workload == WORKLOAD_SERVICE ?
			 json_pack("{s:i, s:I, s:I, s:i, s:i}", "page_cache_pct", e->cs.page_cache_pct,
				   "service_wss_mib", (json_int_t)e->cs.service_wss_mib,
				   "service_dirty_mib_s", (json_int_t)e->cs.service_dirty_mib_s,
				   "warmup_s", e->cs.warmup_s, "observe_after_s", e->cs.observe_after_s) :
			 json_null());
}

/* The scenario name is derived from the parameters, so it cannot lie. */
static void make_run_id(struct env *e, char *buf, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;
	char stamp[32];

	gmtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	bool faults = e->opt.x_driver || e->opt.x_driver_args || e->opt.x_device_props ||
		      e->opt.x_cancel_at_ms >= 0 || e->opt.x_kill_dst_at_ms >= 0;
	int n = snprintf(buf, len, "%s_mem%ld_link%g_%s_%s_dt%d", stamp, e->cs.mem_mib,
			 e->opt.link_gbit, e->accel.name,
			 e->opt.dst_prealloc ? "prealloc" : "noprealloc", e->opt.downtime_ms);

	if (e->cs.memcheck_mib > 0 && n > 0 && (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n, "_memcheck%ld", e->cs.memcheck_mib);
	/* Runs with injected faults must never pass for measurements. */
	if (faults && n > 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, "_faultinjection");
}

static int64_t meminfo_kb(const char *text, const char *key)
{
	const char *p = strstr(text, key);

	return p ? strtoll(p + strlen(key), NULL, 10) : NA;
}

static const char *driver_arg(enum guest_driver d)
{
	return d == DRIVER_PV ? "pv" : d == DRIVER_STOCK ? "stock" : "none";
}

static void fill_config(struct env *e, const struct method *m, struct vm_config *c,
                        const char *name, const char *netns, char *cmdline, size_t cmdlen,
                        char *balloon, size_t balloonlen, char *drive, size_t drivelen)
{
	memset(c, 0, sizeof(*c));
	c->name = name;
	c->qemu = e->qemu;
	c->kernel = e->kernel;
	c->initrd = e->initrd;
	c->netns = netns;
	c->rundir = e->rundir;
	c->accel = e->accel.name;
	c->mem_mib = e->cs.mem_mib;
	snprintf(cmdline, cmdlen, "pvmig.balloon=%s%s%s",
		 e->opt.x_driver ? e->opt.x_driver : driver_arg(m->driver),
		 e->opt.x_driver_args ? " pvmig.balloon_args=" : "",
		 e->opt.x_driver_args ? e->opt.x_driver_args : "");
	c->cmdline_extra = cmdline;
	if (e->cache_disk[0]) {
		/* Shared storage, as migration between hosts assumes; read-only
		 * so source and destination may both open it. */
		snprintf(drive, drivelen, "file=%s,if=none,id=cache0,format=raw,readonly=on",
			 e->cache_disk);
		c->extra[c->nextra++] = "-drive";
		c->extra[c->nextra++] = drive;
		c->extra[c->nextra++] = "-device";
		c->extra[c->nextra++] = "virtio-blk-pci,drive=cache0";
	}
	if (m->iothread) {
		c->extra[c->nextra++] = "-object";
		c->extra[c->nextra++] = "iothread,id=iot0";
	}
	if (m->balloon_props) {
		snprintf(balloon, balloonlen, "virtio-balloon-pci,id=balloon0,%s%s%s", m->balloon_props,
			 e->opt.x_device_props ? "," : "",
			 e->opt.x_device_props ? e->opt.x_device_props : "");
		c->extra[c->nextra++] = "-device";
		c->extra[c->nextra++] = balloon;
	}
}

static int run_workload(struct env *e, struct vm *src, struct mig_record *r)
{
	char cmd[512];
	long mib = e->cs.mem_mib * e->cs.workload_mem_pct / 100;
	int rc;

	if (e->cs.workload == WORKLOAD_NONE)
		return 0;
	if (e->cs.workload == WORKLOAD_SERVICE) {
		/* Earlier file I/O: every file of the disk read into the page
		 * cache; then the service, warmed up before migrating. */
		int64_t t0 = now_ms();

		rc = ga_shell(&src->ga, "mkdir -p /mnt && mount -o ro /dev/vda /mnt && "
			      "cat /mnt/data* > /dev/null", 1800000, NULL, 0);
		if (rc != 0) {
			snprintf(r->error, sizeof(r->error), "page cache fill failed (exit %d)", rc);
			return -1;
		}
		log_info("page cache: read %d%% of guest RAM from disk in %lld ms",
			 e->cs.page_cache_pct, (long long)(now_ms() - t0));
		if (service_start(&src->ga, e->cs.service_wss_mib, e->cs.service_dirty_mib_s)) {
			snprintf(r->error, sizeof(r->error), "cannot start the service");
			return -1;
		}
		sleep_ms(e->cs.warmup_s * 1000);
		return 0;
	}
	/* One vm worker, its region kept mapped and written until the
	 * timeout; the process then exits and frees it all, just before the
	 * migration, as in the seed's second case. */
	static char out[16384];

	snprintf(cmd, sizeof(cmd),
		 "stress-ng --vm 1 --vm-bytes %ldM --vm-keep --vm-method rand-set "
		 "--timeout %ds --metrics-brief 2>&1; echo MemFree-after: $(grep MemFree /proc/meminfo)",
		 mib, e->cs.workload_s);
	log_info("workload: %s", cmd);
	rc = ga_shell(&src->ga, cmd, (e->cs.workload_s + 120) * 1000, out, sizeof(out));
	log_info("workload output: %s", out);
	if (rc != 0) {
		snprintf(r->error, sizeof(r->error), "workload failed (exit %d): %s", rc, cmd);
		return -1;
	}
	return 0;
}

struct sample_ctx {
	struct env *e;
	struct vm *src;
	struct vm *dst;
	bool cancelled;
	bool killed;
	struct cpucost_window *src_cpu;
	struct cpucost_window *dst_cpu;
};

/* Called at every progress sample: pick up new QEMU threads for the CPU
 * figures, and inject the faults tests asked for. */
static int sample_hook(void *opaque, int64_t elapsed_ms, const char *status)
{
	struct sample_ctx *f = opaque;

	(void)status;
	if (f->src_cpu)
		cpucost_poll(f->src_cpu);
	if (f->dst_cpu)
		cpucost_poll(f->dst_cpu);
	if (f->e->opt.x_cancel_at_ms >= 0 && !f->cancelled && elapsed_ms >= f->e->opt.x_cancel_at_ms) {
		f->cancelled = true;
		log_info("fault: migrate_cancel at %lld ms", (long long)elapsed_ms);
		qmp_exec(&f->src->qmp, "migrate_cancel", NULL, 5000, NULL);
		return 1;
	}
	if (f->e->opt.x_kill_dst_at_ms >= 0 && !f->killed && elapsed_ms >= f->e->opt.x_kill_dst_at_ms) {
		f->killed = true;
		log_info("fault: killing the destination at %lld ms", (long long)elapsed_ms);
		vm_kill(f->dst);
		return 1;
	}
	return 0;
}

/* After a failed migration the source guest must still be running and
 * answering: recorded in the error text so tests can assert it. */
static void check_source_survived(struct vm *src, struct mig_record *r)
{
	json_t *ret = NULL;
	const char *st = "?";
	bool agent;

	if (qmp_exec(&src->qmp, "query-status", NULL, 5000, &ret) == 0)
		st = json_string_value(json_object_get(ret, "status")) ?: "?";
	agent = ga_ping(&src->ga, 10000) == 0;
	snprintf(r->error + strlen(r->error), sizeof(r->error) - strlen(r->error),
		 "; source %s, agent %s", st, agent ? "answers" : "silent");
	json_decref(ret);
}

static void verify_integrity(struct vm *v, struct integrity *it, struct mig_record *r)
{
	size_t n = strlen(r->error);

	if (integrity_verify(&v->ga, it)) {
		snprintf(r->error + n, sizeof(r->error) - n, "%s%s", n ? "; " : "", it->error);
		return;
	}
	r->memcheck_mismatches = it->mismatches;
	r->memcheck_verified = it->pages_verified;
	if (it->mismatches > 0)
		snprintf(r->error + n, sizeof(r->error) - n, "%sGUEST DATA LOST: %lld pages mismatched",
			 n ? "; " : "", (long long)it->mismatches);
}

/* Source QEMU's resident memory, KiB (free page reporting shrinks it). */
static int64_t rss_kb(pid_t pid)
{
	char path[64], *s, *p;
	int64_t kb = NA;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	s = read_file(path);
	if (s && (p = strstr(s, "VmRSS:")))
		kb = strtoll(p + 6, NULL, 10);
	free(s);
	return kb;
}

/*
 * Free page reporting works in the background, 2 s after pages are freed,
 * a batch at a time; give it until the source's RSS stops shrinking (no
 * drop over 1% in 3 s), at most 60 s.
 */
static int64_t settle_reporting(struct vm *src, json_t **counters)
{
	int64_t t0 = now_ms(), start_kb = rss_kb(src->pid), ref_kb = start_kb, ref_t = t0;

	sleep_ms(2500);	/* the guest's reporting delay */
	while (now_ms() - t0 < 60000 && !pvmig_interrupted) {
		int64_t kb = rss_kb(src->pid);

		if (kb < ref_kb - ref_kb / 100) {
			ref_kb = kb;
			ref_t = now_ms();
		} else if (now_ms() - ref_t >= 3000) {
			break;
		}
		sleep_ms(250);
	}
	*counters = json_pack("{s:I, s:I}", "rss_before_kb", (json_int_t)start_kb,
			      "rss_after_kb", (json_int_t)rss_kb(src->pid));
	return now_ms() - t0;
}

static json_t *balloon_json(const struct balloon_outcome *b, int64_t mem_bytes)
{
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:s}",
			 "available_bytes", (json_int_t)b->avail_bytes,
			 "margin_bytes", (json_int_t)balloon_margin_bytes(mem_bytes),
			 "target_bytes", (json_int_t)b->target_bytes,
			 "actual_bytes", (json_int_t)b->actual_bytes,
			 "inflate_ms", (json_int_t)b->inflate_ms,
			 "deflate_ms", (json_int_t)b->deflate_ms, "outcome", b->outcome);
}

static void read_pv_counters(struct vm *src, struct mig_record *r)
{
	json_t *ret = NULL;

	if (qmp_exec(&src->qmp, "qom-get",
		     json_pack("{s:s, s:s}", "path", "/machine/peripheral/balloon0",
			       "property", "free-page-bitmap-stats"), 5000, &ret))
		return;
	if (!r->counters)
		r->counters = json_object();
	json_object_set(r->counters, "free_page_bitmap", ret);
	r->skipped_pages = json_integer_value(json_object_get(ret, "skipped_pages"));
	r->hint_rejects = json_integer_value(json_object_get(ret, "rejected"));
	if (json_integer_value(json_object_get(ret, "completed")) > 0)
		r->hint_latency_ms = (double)json_integer_value(json_object_get(ret, "latency_us")) / 1000;
	json_decref(ret);
}

/* The service's view of the migration: its throughput log, from the
 * guest that runs now, after a further observation period. */
static void observe_service(struct env *e, struct vm *v, int64_t guest_t0, struct mig_record *r)
{
	struct service_window w = { guest_t0, service_guest_now(&v->ga) };
	struct service_figures f;
	char *log;

	if (w.end_ms < 0)
		return;
	sleep_ms(e->cs.observe_after_s * 1000);
	log = service_fetch_log(&v->ga);
	if (log && service_reduce(log, &w, &f) == 0) {
		r->guest_ops_before = f.before;
		r->guest_ops_during = f.during;
		r->guest_ops_after = f.after;
		r->guest_throughput = f.series;
		r->guest_window_ms = w.end_ms - w.start_ms;
		if (!r->counters)
			r->counters = json_object();
		json_object_set_new(r->counters, "service",
				    json_pack("{s:f, s:I, s:I, s:I}", "dip_ops_s", f.dip,
					      "recovery_ms", (json_int_t)f.recovery_ms,
					      "wss_mib", (json_int_t)e->cs.service_wss_mib,
					      "dirty_mib_s", (json_int_t)e->cs.service_dirty_mib_s));
	} else {
		log_warn("no service throughput log");
	}
	free(log);
}

static void stop_cpu(struct cpucost_window **w, double *out)
{
	char err[256];
	double v;

	if (!*w)
		return;
	if (cpucost_stop(*w, &v, NULL, err, sizeof(err)) == 0)
		*out = v;
	else
		log_warn("CPU cost not measured: %s", err);
	*w = NULL;
}

static void one_migration(struct env *e, const struct method *m, int repeat,
                          struct mig_record *r)
{
	struct vm_config sc, dc;
	struct vm src, dst;
	char scmd[512], dcmd[512], sballoon[512], dballoon[512], err[512], label[64];
	struct integrity it = { .mismatches = NA };
	struct balloon_outcome bo = { 0 };
	json_t *prep_counters = NULL;
	int64_t mem_bytes = (int64_t)e->cs.mem_mib << 20;
	char meminfo[8192], uri[64], sdrive[PATH_MAX + 128], ddrive[PATH_MAX + 128];
	int64_t guest_t0 = NA;
	struct sample_ctx hooks = { e, &src, &dst, false, false, NULL, NULL };
	struct migrate_params p = {
		.uri = uri,
		.max_bandwidth = (int64_t)(e->opt.max_bandwidth_gbit * 1e9 / 8),
		.downtime_limit_ms = e->opt.downtime_ms,
		.timeout_ms = e->opt.migrate_timeout_s * 1000,
		.sample_interval_ms = 20,
		.label = label,
		.on_sample = sample_hook,
		.opaque = &hooks,
	};
	int boot_ms = e->opt.boot_timeout_s * 1000;
	int rc;

	record_init(r, m->name, repeat, e->cs.mem_mib);
	snprintf(uri, sizeof(uri), "tcp:%s:%s", DST_ADDR, MIGRATION_PORT);
	snprintf(label, sizeof(label), "%s #%d", m->name, repeat);
	memset(&src, 0, sizeof(src));
	memset(&dst, 0, sizeof(dst));
	src.qmp.fd = src.ga.fd = dst.qmp.fd = dst.ga.fd = -1;

	fill_config(e, m, &sc, "src", e->hosts.src_ns, scmd, sizeof(scmd), sballoon, sizeof(sballoon),
		    sdrive, sizeof(sdrive));
	fill_config(e, m, &dc, "dst", e->hosts.dst_ns, dcmd, sizeof(dcmd), dballoon, sizeof(dballoon),
		    ddrive, sizeof(ddrive));
	dc.incoming = true;
	dc.prealloc = e->opt.dst_prealloc;

	/* The destination preallocates while the source boots. */
	if (vm_start(&src, &sc, 30000, err, sizeof(err)) ||
	    vm_start(&dst, &dc, boot_ms, err, sizeof(err)) ||
	    vm_wait_agent(&src, boot_ms, err, sizeof(err))) {
		snprintf(r->error, sizeof(r->error), "%s", err);
		goto out;
	}
	if (run_workload(e, &src, r))
		goto out;
	if (e->cs.settle_ms)
		sleep_ms(e->cs.settle_ms);
	if (ga_shell(&src.ga, "cat /proc/meminfo", 10000, meminfo, sizeof(meminfo)) == 0) {
		int64_t total = meminfo_kb(meminfo, "MemTotal:"), freekb = meminfo_kb(meminfo, "MemFree:");

		if (total != NA && freekb != NA)
			r->guest_used_kb = total - freekb;
	}
	if (e->cs.memcheck_mib > 0 && integrity_start(&src.ga, e->cs.memcheck_mib, &it)) {
		snprintf(r->error, sizeof(r->error), "%s", it.error);
		goto out;
	}
	if (m->inflate) {
		if (balloon_inflate(&src.qmp, mem_bytes, 600000, &bo) && !pvmig_interrupted) {
			snprintf(r->error, sizeof(r->error), "balloon: %s", bo.outcome);
			r->counters = json_pack("{s:o}", "balloon", balloon_json(&bo, mem_bytes));
			goto out;
		}
		r->prep_time_ms = bo.inflate_ms;
		log_info("balloon: %s at %lld MiB (target %lld, available was %lld) in %lld ms",
			 bo.outcome, (long long)(bo.actual_bytes >> 20), (long long)(bo.target_bytes >> 20),
			 (long long)(bo.avail_bytes >> 20), (long long)bo.inflate_ms);
	}
	if (m->reporting_settle)
		r->prep_time_ms = settle_reporting(&src, &prep_counters);
	if (pvmig_interrupted) {
		snprintf(r->error, sizeof(r->error), "interrupted");
		goto out;
	}

	log_info("migrating: %s, repeat %d", m->name, repeat);
	if (e->cpu_ok) {
		hooks.src_cpu = cpucost_start(src.pid, err, sizeof(err));
		hooks.dst_cpu = cpucost_start(dst.pid, err, sizeof(err));
	}
	if (e->cs.workload == WORKLOAD_SERVICE)
		guest_t0 = service_guest_now(&src.ga);
	rc = migrate_run(&src, &dst, &p, r);
	stop_cpu(&hooks.src_cpu, &r->src_cpu);
	stop_cpu(&hooks.dst_cpu, &r->dst_cpu);
	if (rc == 0) {
		if (vm_wait_agent(&dst, 30000, err, sizeof(err)) == 0)
			r->dst_agent_ok = true;
		else
			snprintf(r->error, sizeof(r->error), "%s", err);
		if (e->cs.memcheck_mib > 0 && r->dst_agent_ok)
			verify_integrity(&dst, &it, r);
	} else if (!pvmig_interrupted) {
		check_source_survived(&src, r);
		/* The source guest goes on: it must still hold every byte. */
		if (e->cs.memcheck_mib > 0)
			verify_integrity(&src, &it, r);
	}
	if (e->cs.workload == WORKLOAD_SERVICE && guest_t0 != NA && !pvmig_interrupted)
		observe_service(e, r->dst_agent_ok ? &dst : &src, guest_t0, r);
	if (m->pv_counters && src.qmp_up)
		read_pv_counters(&src, r);
	if (m->inflate && r->dst_agent_ok)
		balloon_deflate(&dst.qmp, mem_bytes, 300000, &bo);
	if (m->inflate || prep_counters) {
		json_t *c = r->counters ? r->counters : json_object();

		if (m->inflate)
			json_object_set_new(c, "balloon", balloon_json(&bo, mem_bytes));
		if (prep_counters)
			json_object_set_new(c, "reporting", prep_counters);
		prep_counters = NULL;
		r->counters = c;
	}
	if (r->total_time_ms != NA)
		r->end_to_end_ms = r->prep_time_ms + r->total_time_ms;
out:
	json_decref(prep_counters);
	if (r->error[0])
		log_warn("%s #%d: %s", m->name, repeat, r->error);
	vm_stop(&dst);
	vm_stop(&src);
}

static void keep_logs(const char *from, const char *results_dir)
{
	char to[PATH_MAX + 16];
	char *argv[] = { "sh", "-c", "mkdir -p \"$2\" && cp \"$1\"/*.log \"$2\"/", "sh",
			 (char *)from, to, NULL };

	snprintf(to, sizeof(to), "%s/logs", results_dir);
	if (run_cmd(NULL, argv, 10000, NULL, 0) == 0)
		log_info("QEMU and guest console logs kept in %s", to);
}

static int run_case(struct env *e)
{
	struct results res = { 0 };
	struct mig_record *recs;
	size_t nrecs = 0;
	char err[512], run_id[256], title[512], cache[PATH_MAX + 64];
	const char *root;
	char rootbuf[PATH_MAX + 16];
	json_t *run;
	int failures = 0;

	snprintf(e->rundir, sizeof(e->rundir), "/tmp/pvmig-%d", (int)getpid());
	if (mkdir_p(e->rundir)) {
		fprintf(stderr, "pvmig: cannot create %s\n", e->rundir);
		return 1;
	}
	cleanup_track_dir(e->rundir);
	netns_reap_stale();
	if (e->cs.workload == WORKLOAD_SERVICE) {
		long mib = e->cs.mem_mib * e->cs.page_cache_pct / 100;
		char mibs[32];
		char script[PATH_MAX + 64];
		char *argv[] = { script, mibs, e->cache_disk, NULL };

		snprintf(mibs, sizeof(mibs), "%ld", mib);
		snprintf(script, sizeof(script), "%s/scripts/build-cache-disk.sh", e->top);
		snprintf(e->cache_disk, sizeof(e->cache_disk), "%s/build/cache-disk-%ld.img", e->top, mib);
		log_info("page-cache disk: %ld MiB of files in %s", mib, e->cache_disk);
		if (run_cmd(NULL, argv, 1800000, NULL, 0) != 0) {
			fprintf(stderr, "pvmig: cannot build the page-cache disk\n");
			return 1;
		}
	}
	snprintf(cache, sizeof(cache), "%s/build/accel-probe", e->top);
	if (accel_choose(e->opt.accel, e->qemu, e->kernel, e->initrd, e->rundir, cache,
			 &e->accel, err, sizeof(err))) {
		fprintf(stderr, "pvmig: %s\n", err);
		return pvmig_interrupted ? 130 : EXIT_BAD_INPUT;
	}
	log_info("accelerator: %s (%s)", e->accel.name, e->accel.how);
	if (cpucost_init(err, sizeof(err)) == 0)
		e->cpu_ok = true;
	else
		log_warn("no CPU cost figures: %s", err);

	if (hosts_up(&e->hosts, e->opt.link_gbit, err, sizeof(err))) {
		fprintf(stderr, "pvmig: setting up the hosts: %s\n", err);
		return 1;
	}
	if (e->opt.iperf_s > 0) {
		if (hosts_measure(&e->hosts, e->opt.iperf_s, err, sizeof(err))) {
			fprintf(stderr, "pvmig: measuring the link: %s\n", err);
			return pvmig_interrupted ? 130 : 1;
		}
		log_info("link: %.2f Gbit/s measured by iperf3 (shaped to %g)", e->hosts.measured_gbit,
			 e->opt.link_gbit);
		if (e->hosts.measured_gbit < e->opt.min_link_gbit)
			log_warn("!!! LINK BELOW %.0f Gbit/s: %.2f Gbit/s measured; figures are not "
				 "comparable with a 10GbE link !!!", e->opt.min_link_gbit,
				 e->hosts.measured_gbit);
	}

	root = e->opt.results_root;
	if (!root) {
		snprintf(rootbuf, sizeof(rootbuf), "%s/results", e->top);
		root = rootbuf;
	}
	make_run_id(e, run_id, sizeof(run_id));
	run = json_pack("{s:s, s:s, s:o, s:o, s:o, s:{s:s, s:s}, s:{s:f, s:f, s:s}}",
			"run_id", run_id, "scenario", strchr(run_id, '_') + 1,
			"params", params_json(e), "host", host_json(), "versions", versions_json(e),
			"accel", "name", e->accel.name, "how", e->accel.how,
			"link", "shaped_gbit", e->opt.link_gbit,
			"measured_gbit", e->opt.iperf_s ? e->hosts.measured_gbit : -1.0,
			"tool", "iperf3");
	snprintf(res.accel, sizeof(res.accel), "%s", e->accel.name);
	snprintf(res.cpu_unit, sizeof(res.cpu_unit), "%s", e->cpu_ok ? cpucost_unit() : "");
	json_object_set_new(run, "cpu", json_pack("{s:s?, s:s?, s:s}",
						  "event", e->cpu_ok ? cpucost_event() : NULL,
						  "unit", e->cpu_ok ? cpucost_unit() : NULL,
						  "window", "migrate command to completion, all QEMU threads"));
	json_object_set_new(run, "topology", topology_json() ?: json_null());
	json_object_set_new(run, "pinning", json_string("none: each TCG QEMU has several busy "
							"threads; on 2 cores pinning serialises them"));
	res.link_gbit = e->opt.iperf_s ? e->hosts.measured_gbit : NA;
	if (results_begin(&res, root, e->cs.name, run_id, run, err, sizeof(err))) {
		json_decref(run);
		fprintf(stderr, "pvmig: %s\n", err);
		return 1;
	}
	json_decref(run);
	log_info("results: %s", res.dir);

	recs = calloc((size_t)e->cs.repeat * (size_t)e->cs.nmethods, sizeof(*recs));
	if (!recs)
		return 1;
	/* Methods alternate within each repeat so drift hits them alike. */
	for (int rep = 1; rep <= e->cs.repeat && !pvmig_interrupted; rep++) {
		for (int i = 0; i < e->cs.nmethods && !pvmig_interrupted; i++) {
			struct mig_record *r = &recs[nrecs++];

			one_migration(e, method_find(e->cs.methods[i]), rep, r);
			if (strcmp(r->status, "completed") || r->error[0])
				failures++;
			if (results_add(&res, r))
				log_warn("cannot write results to %s", res.dir);
		}
	}
	results_finish(&res, pvmig_interrupted ? "interrupted" : NULL);

	snprintf(title, sizeof(title), "%s: %s (guest %ld MiB, %s, link %.2f Gbit/s, dst %s)",
		 e->cs.name, e->cs.description, e->cs.mem_mib, e->accel.name,
		 e->hosts.measured_gbit, e->opt.dst_prealloc ? "preallocated" : "not preallocated");
	print_table(stdout, title, recs, nrecs, e->cs.methods, e->cs.nmethods);
	printf("results: %s\n", res.dir);
	for (size_t i = 0; i < nrecs; i++)
		record_free(&recs[i]);
	free(recs);
	hosts_down(&e->hosts);
	/* QEMU and serial logs are worth keeping only when something failed. */
	if (failures)
		keep_logs(e->rundir, res.dir);
	if (pvmig_interrupted)
		return 130;
	return failures ? 1 : 0;
}

/* ip, tc and mkfs live in /usr/sbin, which a non-login root shell (CI,
 * cron) may not have on its PATH. */
static void ensure_sbin_in_path(void)
{
	const char *path = getenv("PATH");
	char buf[8192];

	if (path && strstr(path, "/usr/sbin"))
		return;
	snprintf(buf, sizeof(buf), "%s%s/usr/local/sbin:/usr/sbin:/sbin:/usr/bin:/bin",
		 path ? path : "", path && *path ? ":" : "");
	setenv("PATH", buf, 1);
}

int main(int argc, char **argv)
{
	struct env e;
	char err[512];
	int rc;

	memset(&e, 0, sizeof(e));
	setvbuf(stdout, NULL, _IOLBF, 0);
	ensure_sbin_in_path();
	if (argc < 2 || (strcmp(argv[1], "run") && strcmp(argv[1], "--help") && strcmp(argv[1], "-h"))) {
		fprintf(stderr, "pvmig: expected 'run CASE [options]' (try --help)\n");
		return EXIT_BAD_INPUT;
	}
	if (strcmp(argv[1], "run")) {
		options_usage(stdout);
		return 0;
	}
	rc = options_parse(argc - 1, argv + 1, &e.opt, err, sizeof(err));
	if (rc == 1)
		return 0;
	if (rc < 0)
		return bad_input(err);
	rc = validate(&e);
	if (rc)
		return rc;
	cleanup_install();
	return run_case(&e);
}

/* Run metadata for run.json: host, versions, parameters, run id. */
#include "runinfo.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "hostpair.h"
#include "util.h"
#include "validate.h"

#ifndef PVMIG_VERSION
#define PVMIG_VERSION "unknown"
#endif

/*
 * The selected mode of a transparent-hugepage knob, the word in brackets
 * of e.g. "always [madvise] never"; "unknown" when the file is missing.
 * Whether the host backs guest RAM with huge pages changes how fast the
 * destination takes in fresh memory and what a balloon discard costs.
 */
static void thp_mode(const char *path, char *out, size_t len)
{
	char *s = read_file(path);
	char *open, *close;

	snprintf(out, len, "unknown");
	if (s && (open = strchr(s, '[')) && (close = strchr(open, ']'))) {
		*close = '\0';
		snprintf(out, len, "%s", open + 1);
	}
	free(s);
}

json_t *host_json(void)
{
	struct utsname u;
	char *cpuinfo = read_file("/proc/cpuinfo");
	char model[256] = "unknown";
	char thp_enabled[32], thp_defrag[32];

	if (cpuinfo) {
		char *p = strstr(cpuinfo, "model name");

		if (p && (p = strchr(p, ':')))
			sscanf(p + 1, " %255[^\n]", model);
		free(cpuinfo);
	}
	uname(&u);
	thp_mode("/sys/kernel/mm/transparent_hugepage/enabled", thp_enabled, sizeof(thp_enabled));
	thp_mode("/sys/kernel/mm/transparent_hugepage/defrag", thp_defrag, sizeof(thp_defrag));
	return json_pack("{s:i, s:I, s:s, s:s, s:s, s:s, s:s}",
			 "cpus", (int)sysconf(_SC_NPROCESSORS_ONLN),
			 "mem_mib", (json_int_t)host_mem_mib(), "cpu_model", model,
			 "kernel", u.release, "hostname", u.nodename,
			 "thp_enabled", thp_enabled, "thp_defrag", thp_defrag);
}

/* A build stamp of the source host's checkout (hosts mode: both hosts'
 * stamps were found equal before the run). */
static char *build_stamp(struct env *e, const char *rel)
{
	char path[PATH_MAX + 64];
	char *s;

	snprintf(path, sizeof(path), "%s/%s", e->src_host.ops ? e->src_host.top : e->top, rel);
	s = e->src_host.ops ? host_read_file(&e->src_host, path) : read_file(path);
	if (s)
		s[strcspn(s, "\n")] = '\0';
	return s;
}

json_t *versions_json(struct env *e)
{
	char *qsrc, *qstock, *kver, *kpkg, *series, *code;
	char rel[256];
	json_t *v;

	qsrc = build_stamp(e, "build/qemu/source-version");
	/* The control build (method "stock"): the same source, no series. */
	qstock = build_stamp(e, "build/qemu-stock/source-version");
	series = build_stamp(e, "build/qemu/.series-stamp");
	/* The code the binary was built from (scripts/build-qemu.sh): the
	 * same for a series only cut into patches differently. */
	code = build_stamp(e, "build/qemu/.code-id");
	/* The kernel this run boots (--guest-kernel), whose files are the
	 * ones the VMs get (validate.c), not the build's default.  Every
	 * migration also checks that its guest runs it (onemigration.c). */
	snprintf(rel, sizeof(rel), "build/guest/%s%skernel-version", e->guest_kver,
		 e->guest_kver[0] ? "/" : "");
	kver = build_stamp(e, rel);
	snprintf(rel, sizeof(rel), "build/guest/%s%skernel-package-version", e->guest_kver,
		 e->guest_kver[0] ? "/" : "");
	kpkg = build_stamp(e, rel);
	v = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
		      "harness", PVMIG_VERSION,
		      "qemu_source", qsrc ? qsrc : "unknown",
		      "qemu_stock_source", qstock ? qstock : "not built",
		      "qemu_series_sha256", series ? series : "unknown",
		      "qemu_code_id", code ? code : "unknown",
		      "guest_kernel", kver ? kver : "unknown",
		      "guest_kernel_package", kpkg ? kpkg : "unknown",
		      "iperf3", e->link.iperf_version[0] ? e->link.iperf_version : "unknown");
	free(qsrc);
	free(qstock);
	free(kver);
	free(kpkg);
	free(series);
	free(code);
	/* The build's default, so that a reader sees whether it was chosen. */
	json_object_set_new(v, "guest_kernel_default",
			    e->guest_kver_default[0] ? json_string(e->guest_kver_default) : json_null());
	return v;
}

json_t *params_json(struct env *e)
{
	json_t *methods = json_array();

	for (int i = 0; i < e->cs.nmethods; i++)
		json_array_append_new(methods, json_string(e->cs.methods[i]));
	json_t *x = json_pack("{s:s?, s:s?, s:s?, s:i, s:i, s:b}", "driver", e->opt.x_driver,
			      "driver_args", e->opt.x_driver_args, "device_props", e->opt.x_device_props,
			      "cancel_at_ms", e->opt.x_cancel_at_ms, "kill_dst_at_ms", e->opt.x_kill_dst_at_ms,
			      "fail_prep_once", e->opt.x_fail_prep_once);

	json_t *p = json_pack("{s:s, s:s, s:I, s:i, s:i, s:s, s:i, s:i, s:o, s:s, s:s, s:f, s:i, s:f, s:b, "
			 "s:i, s:i, s:i, s:I, s:o, s:o}",
			 "case", e->cs.name, "description", e->cs.description,
			 "mem_mib", (json_int_t)e->cs.mem_mib, "repeat", e->cs.repeat,
			 "settle_ms", e->cs.settle_ms, "workload", workload_name(e->cs.workload),
			 "workload_mem_pct", e->cs.workload_mem_pct, "workload_s", e->cs.workload_s,
			 "methods", methods, "accel_requested", e->opt.accel,
			 "guest_kernel_requested", e->opt.guest_kernel ? e->opt.guest_kernel : "default",
			 "link_gbit", e->opt.link_gbit, "downtime_limit_ms", e->opt.downtime_ms,
			 "max_bandwidth_gbit", e->opt.max_bandwidth_gbit,
			 "dst_prealloc", e->opt.dst_prealloc,
			 "host_cpu_hog", e->opt.host_cpu_hog,
			 "migrate_timeout_s", e->opt.migrate_timeout_s,
			 "boot_timeout_s", e->opt.boot_timeout_s,
			 "memcheck_mib", (json_int_t)e->cs.memcheck_mib, "fault_injection", x,
			 "case3", e->cs.workload == WORKLOAD_SERVICE ?
			 json_pack("{s:i, s:I, s:I, s:i, s:i, s:i, s:i}", "page_cache_pct", e->cs.page_cache_pct,
				   "service_wss_mib", (json_int_t)e->cs.service_wss_mib,
				   "service_dirty_mib_s", (json_int_t)e->cs.service_dirty_mib_s,
				   "warmup_s", e->cs.warmup_s, "observe_after_s", e->cs.observe_after_s,
				   "churn_mem_pct", e->cs.churn_mem_pct, "churn_s", e->cs.churn_s) :
			 json_null());

	json_object_set_new(p, "src_prealloc", json_boolean(e->opt.src_prealloc));
	json_object_set_new(p, "order", json_string(e->opt.order_fixed ? "fixed" : "shuffled"));
	json_object_set_new(p, "order_seed", json_integer((json_int_t)e->order_seed));
	if (e->two_hosts)
		json_object_set_new(p, "hosts",
				    json_pack("{s:s, s:s, s:s, s:b, s:s}", "src", e->opt.src_host,
					      "dst", e->opt.dst_host, "migration_addr", e->mig_addr,
					      "shape", e->opt.shape, "pin", e->opt.pin));
	return p;
}

/* The scenario name is derived from the parameters, so it cannot lie. */
void make_run_id(struct env *e, char *buf, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;
	char stamp[32];

	gmtime_r(&t, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	bool faults = e->opt.x_driver || e->opt.x_driver_args || e->opt.x_device_props ||
		      e->opt.x_cancel_at_ms >= 0 || e->opt.x_kill_dst_at_ms >= 0 ||
		      e->opt.x_fail_prep_once;
	int n = snprintf(buf, len, "%s_mem%ld_link%g_%s_%s_dt%d", stamp, e->cs.mem_mib,
			 e->opt.link_gbit, e->accel.name,
			 e->opt.dst_prealloc ? "prealloc" : "noprealloc", e->opt.downtime_ms);

	/* Another guest kernel than the build's default is another guest.
	 * The default goes unnamed, as before there was a choice, so its
	 * runs still pool with the published ones.  Right after the fixed
	 * part, so that the report's suffix relations (base + "_hosts-...",
	 * base + "_hog<N>") hold for a base that names a kernel. */
	if (strcmp(e->guest_kver, e->guest_kver_default) && n > 0 && (size_t)n < len) {
		n += snprintf(buf + n, len - (size_t)n, "_guestkernel-");
		for (const char *v = e->guest_kver; *v && n > 0 && (size_t)n + 1 < len; v++)
			buf[n++] = isalnum((unsigned char)*v) || *v == '.' ? *v : '-';
		buf[n < (int)len ? n : (int)len - 1] = '\0';
	}

	/* Two real hosts measure another machine than netns runs do: the
	 * mode and the pair are part of the scenario. */
	if (e->two_hosts && n > 0 && (size_t)n < len) {
		char tag[160];

		hostpair_tag(e, tag, sizeof(tag));
		n += snprintf(buf + n, len - (size_t)n, "_hosts-%s", tag);
	}
	if (e->pin_src[0] && n > 0 && (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n, "_pinned");

	if (e->cs.memcheck_mib > 0 && n > 0 && (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n, "_memcheck%ld", e->cs.memcheck_mib);
	/* So do the options that change how the guest or the migration
	 * behaves and are not in the name yet. */
	if (e->opt.settle_ms >= 0 && n > 0 && (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n, "_settle_ms-%d", e->opt.settle_ms);
	if (e->opt.max_bandwidth_gbit != OPTIONS_DEFAULT_MAX_BANDWIDTH_GBIT && n > 0 && (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n, "_maxbw%g", e->opt.max_bandwidth_gbit);
	if (e->opt.extra_caps[0] && n > 0 && (size_t)n < len) {
		n += snprintf(buf + n, len - (size_t)n, "_cap");
		for (const char *v = e->opt.extra_caps; *v && n > 0 && (size_t)n + 1 < len; v++)
			buf[n++] = *v == ' ' ? '+' : *v;
		buf[n < (int)len ? n : (int)len - 1] = '\0';
	}
	/* Right before the hog, so that base + "_srcprealloc" is the source
	 * regime of base, and that + "_hog<N>" its hog check. */
	if (e->opt.src_prealloc && n > 0 && (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n, "_srcprealloc");
	if (e->opt.host_cpu_hog > 0 && n > 0 && (size_t)n < len)
		n += snprintf(buf + n, len - (size_t)n, "_hog%d", e->opt.host_cpu_hog);
	/* A case key changed with --set makes another scenario, so the report
	 * never pools it with the case file's runs.  Keys that only choose
	 * what to run, or that are in the name already, do not. */
	for (int i = 0; i < e->opt.nsets && n > 0 && (size_t)n < len; i++) {
		const char *s = e->opt.sets[i];
		size_t klen = strcspn(s, "=");

		if (!strncmp(s, "methods=", 8) || !strncmp(s, "repeat=", 7) ||
		    !strncmp(s, "description=", 12) || !strncmp(s, "mem=", 4) ||
		    !strncmp(s, "memcheck_mib=", 13))
			continue;
		n += snprintf(buf + n, len - (size_t)n, "_%.*s-", (int)klen, s);
		for (const char *v = s + klen + 1; *v && n > 0 && (size_t)n + 1 < len; v++)
			buf[n++] = isalnum((unsigned char)*v) || *v == '.' ? *v : '-';
		buf[n < (int)len ? n : (int)len - 1] = '\0';
	}
	/* Runs with injected faults must never pass for measurements. */
	if (faults && n > 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, "_faultinjection");
}

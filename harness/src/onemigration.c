/* One migration, from booting both guests to stopping them. */
#include "onemigration.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "balloon.h"
#include "cpucost.h"
#include "guestagent.h"
#include "hog.h"
#include "integrity.h"
#include "migrate.h"
#include "qemuthreads.h"
#include "service.h"
#include "threadstats.h"
#include "util.h"
#include "vm.h"

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
	c->qemu = m->stock_qemu ? e->qemu_stock : e->qemu;
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

/*
 * One stress-ng vm worker over pct% of guest RAM, its region kept mapped
 * and written (non-zero data) until the timeout; the process then exits and
 * frees it all.  The freed pages keep the data: free, but not zero.
 */
static int run_stress_vm(struct env *e, struct vm *src, struct mig_record *r,
			 const char *what, int pct, int seconds)
{
	static char out[16384];
	char cmd[512];
	long mib = e->cs.mem_mib * pct / 100;
	int rc;

	snprintf(cmd, sizeof(cmd),
		 "stress-ng --vm 1 --vm-bytes %ldM --vm-keep --vm-method rand-set "
		 "--timeout %ds --metrics-brief 2>&1; rc=$?; "
		 "echo MemFree-after: $(grep MemFree /proc/meminfo); exit $rc",
		 mib, seconds);
	log_info("%s: %s", what, cmd);
	rc = ga_shell(&src->ga, cmd, (seconds + 120) * 1000, out, sizeof(out));
	log_info("%s output: %s", what, out);
	if (rc != 0) {
		snprintf(r->error, sizeof(r->error), "%s failed (exit %d): %s", what, rc, cmd);
		return -1;
	}
	return 0;
}

static int run_workload(struct env *e, struct vm *src, struct mig_record *r)
{
	int64_t t0;
	int rc;

	if (e->cs.workload == WORKLOAD_NONE)
		return 0;
	if (e->cs.workload == WORKLOAD_STRESS_VM)
		/* As in the seed's second case: it ends just before migrating. */
		return run_stress_vm(e, src, r, "workload", e->cs.workload_mem_pct, e->cs.workload_s);

	/* The long-running guest.  Its history first: a job that dirtied most
	 * of RAM and exited (case4), then file I/O that left every file of
	 * the disk in the page cache, then the service, warmed up. */
	if (e->cs.churn_mem_pct &&
	    run_stress_vm(e, src, r, "churn", e->cs.churn_mem_pct, e->cs.churn_s))
		return -1;
	t0 = now_ms();

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

struct sample_ctx {
	struct env *e;
	struct vm *src;
	struct vm *dst;
	bool cancelled;
	bool killed;
	struct cpucost_window *src_cpu;
	struct cpucost_window *dst_cpu;
	struct threadstats_window *src_threads;	/* per-thread /proc figures, */
	struct threadstats_window *dst_threads;	/* same window as the CPU cost */
};

/* Called at every progress sample: pick up new QEMU threads for the CPU
 * figures, sample every thread for the per-thread figures, and inject the
 * faults tests asked for. */
static int sample_hook(void *opaque, int64_t elapsed_ms, const char *status)
{
	struct sample_ctx *f = opaque;

	(void)status;
	if (f->src_cpu)
		cpucost_poll(f->src_cpu);
	if (f->dst_cpu)
		cpucost_poll(f->dst_cpu);
	threadstats_poll(f->src_threads);	/* NULL: not measured */
	threadstats_poll(f->dst_threads);
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

/* A "Key:   N kB" figure of a /proc/<pid> file, KiB; NA if absent. */
static int64_t proc_kb(pid_t pid, const char *file, const char *key)
{
	char path[64], *s, *p;
	int64_t kb = NA;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	s = read_file(path);
	if (s && (p = strstr(s, key)))
		kb = strtoll(p + strlen(key), NULL, 10);
	free(s);
	return kb;
}

/* Source QEMU's resident memory, KiB (free page reporting shrinks it). */
static int64_t rss_kb(pid_t pid)
{
	return proc_kb(pid, "status", "VmRSS:");
}

/*
 * How the source QEMU's guest RAM is backed, at one moment: resident
 * anonymous memory and how much of it sits in transparent huge pages.
 * A balloon discards 4 KiB pages one by one, which splits huge pages;
 * whether that is what slows its migrations down is read off these
 * figures before and after inflation, not guessed.
 */
static json_t *backing_json(pid_t pid)
{
	return json_pack("{s:I, s:I, s:I}",
			 "rss_kb", (json_int_t)proc_kb(pid, "status", "VmRSS:"),
			 "anon_kb", (json_int_t)proc_kb(pid, "smaps_rollup", "Anonymous:"),
			 "anon_huge_kb", (json_int_t)proc_kb(pid, "smaps_rollup", "AnonHugePages:"));
}

/*
 * The guest kernel's memory auto-initialisation, from its boot log
 * ("mem auto-init: stack:..., heap alloc:on, heap free:off"): a guest
 * that zeroes every page it allocates, balloon pages included, writes
 * (and so makes the host back) each page it hands to the balloon.
 */
static json_t *guest_auto_init(struct vm *src)
{
	char out[512] = "";

	if (ga_shell(&src->ga, "dmesg | grep -o 'mem auto-init:.*' | head -n1", 10000,
		     out, sizeof(out)))
		return json_null();
	out[strcspn(out, "\n")] = '\0';
	return json_string(out);
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

/* Start a per-thread window on a QEMU; NULL (logged) if it cannot be read. */
static struct threadstats_window *start_threads(pid_t pid, const char *side)
{
	struct threadstats_window *w;
	char err[256];

	w = threadstats_start(pid, err, sizeof(err));
	if (!w)
		log_warn("%s per-thread figures not measured: %s", side, err);
	return w;
}

static struct threadstats_table *stop_threads(struct threadstats_window **w, const char *side)
{
	struct threadstats_table *t;
	char err[256];

	if (!*w)
		return NULL;
	t = threadstats_stop(*w, err, sizeof(err));
	if (!t)
		log_warn("%s per-thread figures not measured: %s", side, err);
	*w = NULL;
	return t;
}

void one_migration(struct env *e, const struct method *m, int repeat,
                   struct mig_record *r)
{
	struct vm_config sc, dc;
	struct vm src, dst;
	char scmd[512], dcmd[512], sballoon[512], dballoon[512], err[512], label[64];
	struct integrity it = { .mismatches = NA };
	struct balloon_outcome bo = { 0 };
	struct hog hog = { 0 };
	json_t *prep_counters = NULL;
	json_t *backing_before = NULL, *backing_after_prep = NULL, *auto_init = NULL;
	int64_t mem_bytes = (int64_t)e->cs.mem_mib << 20;
	char meminfo[8192], uri[64], sdrive[PATH_MAX + 128], ddrive[PATH_MAX + 128];
	int64_t guest_t0 = NA;
	struct sample_ctx hooks = { .e = e, .src = &src, .dst = &dst };
	struct threadstats_table *src_threads, *dst_threads;
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
	r->qemu_cmdline = json_pack("{s:s, s:s}", "src", src.cmdline, "dst", dst.cmdline);
	if (run_workload(e, &src, r))
		goto out;
	if (e->cs.settle_ms)
		sleep_ms(e->cs.settle_ms);
	if (ga_shell(&src.ga, "cat /proc/meminfo", 10000, meminfo, sizeof(meminfo)) == 0) {
		int64_t total = meminfo_kb(meminfo, "MemTotal:"), freekb = meminfo_kb(meminfo, "MemFree:");

		if (total != NA && freekb != NA)
			r->guest_used_kb = total - freekb;
	}
	auto_init = guest_auto_init(&src);
	if (e->cs.memcheck_mib > 0 && integrity_start(&src.ga, e->cs.memcheck_mib, &it)) {
		snprintf(r->error, sizeof(r->error), "%s", it.error);
		goto out;
	}
	backing_before = backing_json(src.pid);
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

	backing_after_prep = backing_json(src.pid);
	if (hog_start(&hog, e->opt.host_cpu_hog, err, sizeof(err))) {
		snprintf(r->error, sizeof(r->error), "%s", err);
		goto out;
	}
	log_info("migrating: %s, repeat %d", m->name, repeat);
	if (e->cpu_ok) {
		hooks.src_cpu = cpucost_start(src.pid, err, sizeof(err));
		hooks.dst_cpu = cpucost_start(dst.pid, err, sizeof(err));
	}
	/* Only /proc is needed: measured even when no perf event is usable. */
	hooks.src_threads = start_threads(src.pid, "source");
	hooks.dst_threads = start_threads(dst.pid, "destination");
	if (e->cs.workload == WORKLOAD_SERVICE)
		guest_t0 = service_guest_now(&src.ga);
	rc = migrate_run(&src, &dst, &p, r);
	hog_stop(&hog);
	stop_cpu(&hooks.src_cpu, &r->src_cpu);
	stop_cpu(&hooks.dst_cpu, &r->dst_cpu);
	src_threads = stop_threads(&hooks.src_threads, "source");
	dst_threads = stop_threads(&hooks.dst_threads, "destination");
	qemuthreads_record(src_threads, dst_threads, r);
	free(src_threads);
	free(dst_threads);
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
	if (!r->counters)
		r->counters = json_object();
	json_object_set_new(r->counters, "backing",
			    json_pack("{s:o, s:o, s:o, s:o}",
				      "src_before_prep", backing_before,
				      "src_after_prep", backing_after_prep ?: json_null(),
				      "src_after_migration", backing_json(src.pid),
				      "dst_after_migration", backing_json(dst.pid)));
	backing_before = backing_after_prep = NULL;
	json_object_set_new(r->counters, "guest_mem_auto_init", auto_init);
	auto_init = NULL;
out:
	hog_stop(&hog);
	json_decref(prep_counters);
	json_decref(backing_before);
	json_decref(backing_after_prep);
	json_decref(auto_init);
	if (r->error[0])
		log_warn("%s #%d: %s", m->name, repeat, r->error);
	vm_stop(&dst);
	vm_stop(&src);
}

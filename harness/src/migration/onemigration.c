/* One migration, from booting both guests to stopping them. */
#include "onemigration.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpucost.h"
#include "guestagent.h"
#include "hog.h"
#include "hostpair.h"
#include "integrity.h"
#include "methodsteps.h"
#include "migrate.h"
#include "pcrequests.h"
#include "pin.h"
#include "qemuthreads.h"
#include "service.h"
#include "stressng.h"
#include "threadstats.h"
#include "util.h"
#include "vm.h"

/* Generous: reading the page-cache disk takes 20-30 s on this host. */
#define PAGE_CACHE_FILL_TIMEOUT_S 600

static int64_t meminfo_kb(const char *text, const char *key)
{
	const char *p = strstr(text, key);

	return p ? strtoll(p + strlen(key), NULL, 10) : NA;
}

static const char *driver_arg(enum guest_driver d)
{
	return d == DRIVER_PV ? "pv" : d == DRIVER_STOCK ? "stock" : "none";
}

/* Everything one QEMU's command line is made of, with paths on its host. */
struct side {
	struct vm_config c;
	char qemu[PATH_MAX];
	char kernel[PATH_MAX];
	char initrd[PATH_MAX];
	char cmdline[512];
	char balloon[512];
	char drive[PATH_MAX + 128];
	char trace[512];	/* postcopy: the destination's request trace */
};

static void fill_config(struct env *e, const struct method *m, struct side *sd,
                        const char *name, struct host *h)
{
	struct vm_config *c = &sd->c;
	char *cmdline = sd->cmdline, *balloon = sd->balloon, *drive = sd->drive;
	size_t cmdlen = sizeof(sd->cmdline), balloonlen = sizeof(sd->balloon);
	size_t drivelen = sizeof(sd->drive);

	memset(c, 0, sizeof(*c));
	host_project_path(h, e->top, m->stock_qemu ? e->qemu_stock : e->qemu, sd->qemu, sizeof(sd->qemu));
	host_project_path(h, e->top, e->kernel, sd->kernel, sizeof(sd->kernel));
	host_project_path(h, e->top, e->initrd, sd->initrd, sizeof(sd->initrd));
	c->name = name;
	c->qemu = sd->qemu;
	c->kernel = sd->kernel;
	c->initrd = sd->initrd;
	c->host = h;
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
	/* Postcopy: the destination times its page requests (pcrequests.h). */
	if (m->switchover == SWITCHOVER_POSTCOPY && !strcmp(name, "dst")) {
		for (int i = 0; pc_requests_qemu_args[i]; i++)
			c->extra[c->nextra++] = pc_requests_qemu_args[i];
		host_path(h, PC_REQUESTS_LOG, sd->trace, sizeof(sd->trace));
		c->extra[c->nextra++] = "-D";
		c->extra[c->nextra++] = sd->trace;
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
		 "--timeout %ds --metrics 2>&1; rc=$?; "
		 "echo MemFree-after: $(grep MemFree /proc/meminfo); exit $rc",
		 mib, seconds);
	log_info("%s: %s", what, cmd);
	rc = ga_shell(&src->ga, cmd, (seconds + 120) * 1000, out, sizeof(out));
	log_info("%s output: %s", what, out);
	/* On a slow guest the time limit ends the job before it has touched
	 * all of --vm-bytes: keep what it did touch. */
	r->stress_rss_kb = stressng_rss_max_kb(out, "vm");
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

	/* A guest whose disk stalls holds the run for as long as this
	 * timeout, so it is not much more than generous. */
	rc = ga_shell(&src->ga, "mkdir -p /mnt && mount -o ro /dev/vda /mnt && "
		      "cat /mnt/data* > /dev/null", PAGE_CACHE_FILL_TIMEOUT_S * 1000, NULL, 0);
	if (rc < 0) {
		snprintf(r->error, sizeof(r->error),
			 "page cache fill: no result from the guest agent (failed, or over %d s)",
			 PAGE_CACHE_FILL_TIMEOUT_S);
		return -1;
	}
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
	bool placed;		/* --pin: threads placed again once migrating */
	json_t *placement;	/* {"src": [...], "dst": [...]} as placed */
};

/* Whether a placement (pin.h rows) has the source's migration thread. */
static bool places_migration_thread(json_t *rows)
{
	size_t i;
	json_t *row;

	json_array_foreach(rows, i, row) {
		const char *t = json_string_value(json_object_get(row, "thread")) ?: "";

		if (!strcmp(t, QEMU_MIGRATION_THREAD) || !strcmp(t, QEMU_MIGRATION_THREAD_OLD))
			return true;
	}
	return false;
}

/* The migration threads exist once the migration runs: place every
 * thread by role again and keep the placement for the record.  QEMU starts
 * its migration thread a moment after the migrate command returns, later
 * still on a loaded host, so the placement is tried again at each sample
 * until that thread is among the placed ones (for 2 s at most).  The
 * latest attempt is kept either way, with whether it saw the migration
 * thread: a migration that ends before that thread was placed (a short
 * one, placed over ssh) still records where everything else went. */
static void place_threads(struct sample_ctx *f, int64_t elapsed_ms)
{
	struct env *e = f->e;
	json_t *s = NULL, *d = NULL;
	char err[256];
	bool seen;

	if (!e->pin_src[0] && !e->pin_dst[0]) {
		f->placed = true;
		return;
	}
	if (pin_apply(&e->src_host, f->src->proc.pid, e->pin_src, &s, err, sizeof(err)) ||
	    pin_apply(&e->dst_host, f->dst->proc.pid, e->pin_dst, &d, err, sizeof(err)))
		log_warn("pinning during the migration: %s", err);
	seen = !e->pin_src[0] || places_migration_thread(s);
	json_decref(f->placement);
	f->placement = json_pack("{s:o, s:o, s:b, s:I}", "src", s ?: json_null(), "dst", d ?: json_null(),
				 "migration_thread_seen", seen, "at_ms", (json_int_t)elapsed_ms);
	if (seen || elapsed_ms >= 2000)
		f->placed = true;
}

/* Called at every progress sample: pick up new QEMU threads for the CPU
 * figures, sample every thread for the per-thread figures, and inject the
 * faults tests asked for. */
static int sample_hook(void *opaque, int64_t elapsed_ms, const char *status)
{
	struct sample_ctx *f = opaque;

	(void)status;
	if (!f->placed)
		place_threads(f, elapsed_ms);
	if (f->src_cpu)
		cpucost_poll(f->src_cpu);
	if (f->dst_cpu)
		cpucost_poll(f->dst_cpu);
	threadstats_poll(f->src_threads);	/* NULL: not measured */
	threadstats_poll(f->dst_threads);
	/* A host gone mid-migration: stop now rather than send the rest of
	 * the guest to a QEMU nothing can reach any more. */
	if (!f->cancelled && hostpair_lost(f->e)) {
		f->cancelled = true;
		qmp_exec(&f->src->qmp, "migrate_cancel", NULL, 5000, NULL);
		return 1;
	}
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

/* A "Key:   N kB" figure of a /proc/<pid> file of a QEMU, KiB; NA if absent. */
/*
 * How the source QEMU's guest RAM is backed, at one moment: resident
 * anonymous memory and how much of it sits in transparent huge pages.
 * A balloon discards 4 KiB pages one by one, which splits huge pages;
 * whether that is what slows its migrations down is read off these
 * figures before and after inflation, not guessed.
 */
static json_t *backing_json(struct vm *v)
{
	return json_pack("{s:I, s:I, s:I}",
			 "rss_kb", (json_int_t)vm_proc_kb(v, "status", "VmRSS:"),
			 "anon_kb", (json_int_t)vm_proc_kb(v, "smaps_rollup", "Anonymous:"),
			 "anon_huge_kb", (json_int_t)vm_proc_kb(v, "smaps_rollup", "AnonHugePages:"));
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

/* What the guest pays afterwards for page cache a method took from it: the
 * balloon's inflation evicts cache the guest's available memory counted as
 * free, the bitmap and precopy leave it.  On the guest that runs now, once
 * the balloon was given back (as an operator following the reply would
 * have it): how much cache it holds, then the time to read again every
 * file the page cache held before the migration. */
static void measure_cache_reread(struct vm *v, struct mig_record *r)
{
	char out[4096];
	int64_t t0;
	int rc;

	if (ga_shell(&v->ga, "cat /proc/meminfo", 10000, out, sizeof(out)) == 0)
		r->dst_cached_kb = meminfo_kb(out, "\nCached:");
	t0 = now_ms();
	rc = ga_shell(&v->ga, "cat /mnt/data* > /dev/null", PAGE_CACHE_FILL_TIMEOUT_S * 1000,
		      NULL, 0);
	if (rc == 0) {
		r->cache_reread_ms = now_ms() - t0;
		log_info("page cache: %lld MiB cached after the migration, files read again in %lld ms",
			 r->dst_cached_kb == NA ? -1LL : (long long)(r->dst_cached_kb >> 10),
			 (long long)r->cache_reread_ms);
	} else {
		log_warn("page cache: reading the files again failed (%d)", rc);
	}
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

/* Start a per-thread window on a QEMU; NULL (logged) if it cannot be read.
 * A QEMU on an ssh host is read through it, at a lower rate
 * (threadstats_start_on()). */
static struct threadstats_window *start_threads(struct vm *v, const char *side)
{
	struct threadstats_window *w;
	char err[256];

	w = threadstats_start_on(v->host, v->proc.pid, err, sizeof(err));
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


static struct cpucost_window *start_cpu(struct env *e, struct vm *v, const char *side)
{
	char err[256];
	struct cpucost_window *w;

	if (!e->cpu_ok || !host_is_local(v->host))
		return NULL;
	w = cpucost_start(v->proc.pid, err, sizeof(err));
	if (!w)
		log_warn("%s CPU cost not measured: %s", side, err);
	return w;
}

/* The state one migration carries from phase to phase. */
struct migration {
	struct env *e;
	const struct method *m;
	struct mig_record *r;
	struct side sside, dside;
	struct vm src, dst;
	struct integrity it;
	struct method_state ms;
	struct hog hog;
	json_t *backing_before, *backing_after_prep, *auto_init;
	int64_t mem_bytes;
	int64_t guest_t0;
	struct sample_ctx hooks;
	int migrate_rc;
	bool retrying;		/* the second and last boot of this migration */
	char uri[96];
	char label[64];
};

static int fail(struct migration *mg, const char *msg)
{
	snprintf(mg->r->error, sizeof(mg->r->error), "%s", msg);
	return -1;
}

/* Boot: both QEMUs, the source guest up and loaded with the case's
 * workload, then the case's settle time. */
static int phase_boot(struct migration *mg)
{
	struct env *e = mg->e;
	int boot_ms = e->opt.boot_timeout_s * 1000;
	char err[512];

	fill_config(e, mg->m, &mg->sside, "src", &e->src_host);
	fill_config(e, mg->m, &mg->dside, "dst", &e->dst_host);
	mg->dside.c.incoming = true;
	mg->dside.c.prealloc = e->opt.dst_prealloc;
	mg->sside.c.prealloc = e->opt.src_prealloc;

	/* The destination preallocates while the source boots.  A
	 * preallocating source answers QMP only once its RAM is backed. */
	if (vm_start(&mg->src, &mg->sside.c, e->opt.src_prealloc ? boot_ms : 30000, err,
		     sizeof(err)) ||
	    pin_apply(&e->src_host, mg->src.proc.pid, e->pin_src, NULL, err, sizeof(err)) ||
	    vm_start(&mg->dst, &mg->dside.c, boot_ms, err, sizeof(err)) ||
	    pin_apply(&e->dst_host, mg->dst.proc.pid, e->pin_dst, NULL, err, sizeof(err)) ||
	    vm_wait_agent(&mg->src, boot_ms, err, sizeof(err)))
		return fail(mg, err);
	mg->r->qemu_cmdline = json_pack("{s:s, s:s}", "src", mg->src.cmdline, "dst", mg->dst.cmdline);
	if (run_workload(e, &mg->src, mg->r))
		return -1;
	if (e->opt.x_fail_prep_once && !mg->retrying)
		return fail(mg, "injected preparation failure (--x-fail-prep-once)");
	if (e->cs.settle_ms)
		sleep_ms(e->cs.settle_ms);
	return 0;
}

/* No QEMU left running, no channel open: the state one_migration starts
 * from. */
static void reset_vms(struct migration *mg)
{
	vm_stop(&mg->dst);
	vm_stop(&mg->src);
	memset(&mg->src, 0, sizeof(mg->src));
	memset(&mg->dst, 0, sizeof(mg->dst));
	mg->src.qmp.fd = mg->src.ga.fd = mg->dst.qmp.fd = mg->dst.ga.fd = -1;
}

/*
 * Boot, and boot once more on fresh guests if that failed.  Everything in
 * phase_boot (both QEMUs, the guest's history and workload) is the case's,
 * the same for every method.  A guest that stalls there (once in case4
 * under TCG: a disk read whose completion the guest never saw) says
 * nothing about the method, yet would cost it a repeat.  The first error
 * stays in the record, and the report lists every such retry.
 */
static int boot_with_retry(struct migration *mg)
{
	char first[sizeof(mg->r->error)];
	int repeat = mg->r->repeat;

	if (phase_boot(mg) == 0)
		return 0;
	if (pvmig_interrupted || hostpair_lost(mg->e))
		return -1;
	snprintf(first, sizeof(first), "%s", mg->r->error);
	log_warn("%s: the guest's preparation failed (%s); once more on fresh guests",
		 mg->label, first);
	reset_vms(mg);
	record_free(mg->r);
	record_init(mg->r, mg->m->name, repeat, mg->e->cs.mem_mib);
	snprintf(mg->r->prep_retry_error, sizeof(mg->r->prep_retry_error), "%s", first);
	mg->retrying = true;
	return phase_boot(mg);
}

/*
 * The source guest runs the kernel the run chose, the one run.json names
 * (versions.guest_kernel): a vmlinux and initramfs of different kernels
 * would otherwise be measured under the wrong name.  Nothing to compare
 * with when the hosts mode left the choice to the hosts' default.
 */
static int check_guest_kernel(struct migration *mg)
{
	const char *want = mg->e->guest_kver;
	char out[256] = "", msg[512];

	if (!want[0])
		return 0;
	if (ga_shell(&mg->src.ga, "uname -r", 10000, out, sizeof(out)))
		return fail(mg, "cannot read the guest's kernel version (uname -r)");
	out[strcspn(out, "\n")] = '\0';
	if (strcmp(out, want)) {
		snprintf(msg, sizeof(msg), "the guest runs kernel '%s', not the chosen %s", out, want);
		return fail(mg, msg);
	}
	return 0;
}

/* Prepare: what the guest uses, the memory checker started, and the
 * method's own preparation (methodsteps.h). */
static int phase_prepare(struct migration *mg)
{
	struct env *e = mg->e;
	struct mig_record *r = mg->r;
	struct vm *src = &mg->src;
	char meminfo[8192];

	if (check_guest_kernel(mg))
		return -1;
	if (ga_shell(&src->ga, "cat /proc/meminfo", 10000, meminfo, sizeof(meminfo)) == 0) {
		int64_t total = meminfo_kb(meminfo, "MemTotal:"), freekb = meminfo_kb(meminfo, "MemFree:");

		if (total != NA && freekb != NA)
			r->guest_used_kb = total - freekb;
	}
	mg->auto_init = guest_auto_init(src);
	if (e->cs.memcheck_mib > 0 && integrity_start(&src->ga, e->cs.memcheck_mib, &mg->it))
		return fail(mg, mg->it.error);
	mg->backing_before = backing_json(src);
	if (method_prepare(mg->m, src, mg->mem_bytes, &mg->ms, r))
		return -1;
	if (pvmig_interrupted)
		return fail(mg, "interrupted");
	mg->backing_after_prep = backing_json(src);
	return 0;
}

/* Migrate, with the CPU and per-thread windows open around it.  0 when the
 * migration was attempted (its outcome is in mg->migrate_rc). */
static int phase_migrate(struct migration *mg)
{
	struct env *e = mg->e;
	struct threadstats_table *src_threads, *dst_threads;
	char err[512], caps[512];
	struct migrate_params p = {
		.uri = mg->uri,
		.max_bandwidth = (int64_t)(e->opt.max_bandwidth_gbit * 1e9 / 8),
		.downtime_limit_ms = e->opt.downtime_ms,
		.timeout_ms = e->opt.migrate_timeout_s * 1000,
		.sample_interval_ms = 20,
		.label = mg->label,
		.on_sample = sample_hook,
		.opaque = &mg->hooks,
		.settings = { .caps = caps, .params = mg->m->params,
			      .channels = e->opt.multifd_channels },
		.switchover = mg->m->switchover,
		.postcopy_after_ms = e->opt.postcopy_after_ms,
	};

	/* The method's own capabilities, then --capability's */
	snprintf(caps, sizeof(caps), "%s%s%s", mg->m->caps ? mg->m->caps : "",
		 mg->m->caps && e->opt.extra_caps[0] ? " " : "", e->opt.extra_caps);
	if (hog_start(&mg->hog, e->opt.host_cpu_hog, err, sizeof(err)))
		return fail(mg, err);
	log_info("migrating: %s, repeat %d", mg->m->name, mg->r->repeat);
	mg->hooks.src_cpu = start_cpu(e, &mg->src, "source");
	mg->hooks.dst_cpu = start_cpu(e, &mg->dst, "destination");
	/* Only /proc is needed: measured even when no perf event is usable. */
	mg->hooks.src_threads = start_threads(&mg->src, "source");
	mg->hooks.dst_threads = start_threads(&mg->dst, "destination");
	if (e->cs.workload == WORKLOAD_SERVICE)
		mg->guest_t0 = service_guest_now(&mg->src.ga);
	mg->migrate_rc = migrate_run(&mg->src, &mg->dst, &p, mg->r);
	hog_stop(&mg->hog);
	stop_cpu(&mg->hooks.src_cpu, &mg->r->src_cpu);
	stop_cpu(&mg->hooks.dst_cpu, &mg->r->dst_cpu);
	src_threads = stop_threads(&mg->hooks.src_threads, "source");
	dst_threads = stop_threads(&mg->hooks.dst_threads, "destination");
	qemuthreads_record(src_threads, dst_threads, mg->r);
	free(src_threads);
	free(dst_threads);
	return 0;
}

/* Verify: the guest that runs now (the destination, or the source after a
 * failed migration) answers and holds every byte; the service's view. */
static void phase_verify(struct migration *mg)
{
	struct env *e = mg->e;
	struct mig_record *r = mg->r;
	char err[512];

	if (mg->migrate_rc == 0) {
		if (vm_wait_agent(&mg->dst, 30000, err, sizeof(err)) == 0)
			r->dst_agent_ok = true;
		else
			snprintf(r->error, sizeof(r->error), "%s", err);
		if (e->cs.memcheck_mib > 0 && r->dst_agent_ok)
			verify_integrity(&mg->dst, &mg->it, r);
	} else if (!pvmig_interrupted && !hostpair_lost(e)) {
		check_source_survived(&mg->src, r);
		/* The source guest goes on: it must still hold every byte. */
		if (e->cs.memcheck_mib > 0)
			verify_integrity(&mg->src, &mg->it, r);
	}
	if (e->cs.workload == WORKLOAD_SERVICE && mg->guest_t0 != NA && !pvmig_interrupted)
		observe_service(e, r->dst_agent_ok ? &mg->dst : &mg->src, mg->guest_t0, r);
}

/* Record: the method's counters and the balloon given back
 * (methodsteps.h), how the source's memory was backed, and the end-to-end
 * time. */
static void phase_record(struct migration *mg)
{
	struct mig_record *r = mg->r;
	const struct method *m = mg->m;

	method_record(m, &mg->src, &mg->dst, mg->mem_bytes, &mg->ms, r);
	if (r->total_time_ms != NA)
		r->end_to_end_ms = r->prep_time_ms + r->total_time_ms;
	if (!r->counters)
		r->counters = json_object();
	json_object_set_new(r->counters, "backing",
			    json_pack("{s:o, s:o, s:o, s:o}",
				      "src_before_prep", mg->backing_before,
				      "src_after_prep", mg->backing_after_prep ?: json_null(),
				      "src_after_migration", backing_json(&mg->src),
				      "dst_after_migration", backing_json(&mg->dst)));
	mg->backing_before = mg->backing_after_prep = NULL;
	json_object_set_new(r->counters, "guest_mem_auto_init", mg->auto_init);
	mg->auto_init = NULL;
	if (mg->hooks.placement) {
		json_object_set_new(r->counters, "placement", mg->hooks.placement);
		mg->hooks.placement = NULL;
	}
}

static void finish(struct migration *mg)
{
	hog_stop(&mg->hog);
	method_state_free(&mg->ms);
	json_decref(mg->backing_before);
	json_decref(mg->backing_after_prep);
	json_decref(mg->auto_init);
	json_decref(mg->hooks.placement);
	if (mg->r->error[0])
		log_warn("%s #%d: %s", mg->m->name, mg->r->repeat, mg->r->error);
	vm_stop(&mg->dst);
	vm_stop(&mg->src);
}

void one_migration(struct env *e, const struct method *m, int repeat,
                   struct mig_record *r)
{
	struct migration *mg = calloc(1, sizeof(*mg));

	record_init(r, m->name, repeat, e->cs.mem_mib);
	if (!mg) {
		snprintf(r->error, sizeof(r->error), "out of memory");
		return;
	}
	mg->e = e;
	mg->m = m;
	mg->r = r;
	mg->it.mismatches = NA;
	mg->guest_t0 = NA;
	mg->mem_bytes = (int64_t)e->cs.mem_mib << 20;
	mg->hooks = (struct sample_ctx){ .e = e, .src = &mg->src, .dst = &mg->dst };
	mg->src.qmp.fd = mg->src.ga.fd = mg->dst.qmp.fd = mg->dst.ga.fd = -1;
	snprintf(mg->uri, sizeof(mg->uri), "tcp:%s:%s", e->mig_addr, MIGRATION_PORT);
	snprintf(mg->label, sizeof(mg->label), "%s #%d", m->name, repeat);

	if (boot_with_retry(mg) == 0 && phase_prepare(mg) == 0 && phase_migrate(mg) == 0) {
		phase_verify(mg);
		phase_record(mg);
		if (e->cs.workload == WORKLOAD_SERVICE && r->dst_agent_ok && !pvmig_interrupted)
			measure_cache_reread(&mg->dst, r);
	}
	finish(mg);
	free(mg);
}

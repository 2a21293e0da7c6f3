/*
 * pvmig: boots guests on two hosts (network namespaces of this machine, or
 * two machines over ssh), migrates them with each method of a case, and
 * writes results/<case>/<run-id>/.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "accel.h"
#include "cleanup.h"
#include "cpucost.h"
#include "methods.h"
#include "hostpair.h"
#include "hostsetup.h"
#include "link.h"
#include "onemigration.h"
#include "options.h"
#include "order.h"
#include "pin.h"
#include "results.h"
#include "runenv.h"
#include "runinfo.h"
#include "stats.h"
#include "topology.h"
#include "util.h"
#include "validate.h"

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

static void keep_logs(const char *from, const char *results_dir)
{
	char to[PATH_MAX + 16];
	char *argv[] = { "sh", "-c", "mkdir -p \"$2\" && cp \"$1\"/*.log \"$2\"/", "sh",
			 (char *)from, to, NULL };

	snprintf(to, sizeof(to), "%s/logs", results_dir);
	if (run_cmd(NULL, argv, 10000, NULL, 0) == 0)
		log_info("QEMU and guest console logs kept in %s", to);
}

/* Set up both hosts, the accelerator and the link; 0 or an exit status
 * with one line printed. */
static int prepare_run(struct env *e)
{
	char err[512];
	int rc;

	rc = hostpair_open(e);
	if (rc)
		return rc;
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
	rc = hostpair_accel(e);
	if (rc)
		return rc;
	log_info("accelerator: %s (%s)", e->accel.name, e->accel.how);
	if (cpucost_init(err, sizeof(err)) == 0)
		e->cpu_ok = true;
	else
		log_warn("no CPU cost figures: %s", err);

	if (e->opt.iperf_s > 0) {
		char samples[16 * LINK_SAMPLES] = "";

		if (link_measure(&e->src_host, &e->dst_host, e->mig_addr, e->opt.iperf_s, &e->link,
				 err, sizeof(err))) {
			fprintf(stderr, "pvmig: measuring the link: %s\n", err);
			return pvmig_interrupted ? 130 : 1;
		}
		for (int i = 0; i < LINK_SAMPLES; i++)
			snprintf(samples + strlen(samples), sizeof(samples) - strlen(samples),
				 "%s%.2f", i ? " " : "", e->link.samples_gbit[i]);
		log_info("link: %.2f Gbit/s measured by iperf3, median of %s (shaped to %g)",
			 e->link.measured_gbit, samples, e->opt.link_gbit);
		if (e->link.measured_gbit < e->opt.min_link_gbit)
			log_warn("!!! LINK BELOW %.0f Gbit/s: %.2f Gbit/s measured; figures are not "
				 "comparable with a 10GbE link !!!", e->opt.min_link_gbit,
				 e->link.measured_gbit);
	}
	return 0;
}

/* --pin from each host's cores (this machine's in netns mode). */
static int decide_pinning(struct env *e)
{
	char err[512];

	pin_decide(e, pin_host_cores(&e->src_host), pin_host_cores(&e->dst_host));
	if (pin_resolve(e, err, sizeof(err))) {
		fprintf(stderr, "pvmig: pinning: %s\n", err);
		return 1;
	}
	log_info("pinning: %s", e->pin_why);
	return 0;
}

static int run_case(struct env *e)
{
	struct results res = { 0 };
	struct mig_record *recs;
	size_t nrecs = 0;
	char err[512], run_id[256], title[512];
	const char *root;
	char rootbuf[PATH_MAX + 16];
	json_t *run, *hosts;
	int failures = 0;
	bool lost;
	int rc;

	rc = prepare_run(e);
	if (rc)
		return rc;
	if (decide_pinning(e))
		return 1;
	hosts = hostpair_json(e);

	root = e->opt.results_root;
	if (!root) {
		snprintf(rootbuf, sizeof(rootbuf), "%s/results", e->top);
		root = rootbuf;
	}
	e->order_seed = e->opt.order_seed >= 0 ? (uint64_t)e->opt.order_seed : order_seed_now();
	make_run_id(e, run_id, sizeof(run_id));
	run = json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:{s:s, s:s}, s:{s:f, s:f, s:s}}",
			"run_id", run_id, "scenario", strchr(run_id, '_') + 1,
			"mode", hostpair_mode(e), "hosts", hosts,
			"params", params_json(e), "host", host_json(), "versions", versions_json(e),
			"accel", "name", e->accel.name, "how", e->accel.how,
			"link", "shaped_gbit", e->opt.link_gbit,
			"measured_gbit", e->opt.iperf_s ? e->link.measured_gbit : -1.0,
			"tool", "iperf3");
	if (e->two_hosts)
		json_object_set_new(json_object_get(run, "accel"), "hosts",
				    json_pack("{s:{s:s, s:s}, s:{s:s, s:s}}",
					      "src", "name", e->accel_src.name, "how", e->accel_src.how,
					      "dst", "name", e->accel_dst.name, "how", e->accel_dst.how));
	if (e->opt.iperf_s) {
		json_t *samples = json_array();

		for (int i = 0; i < LINK_SAMPLES; i++)
			json_array_append_new(samples, json_real(e->link.samples_gbit[i]));
		json_object_set_new(json_object_get(run, "link"), "samples_gbit", samples);
	}
	snprintf(res.accel, sizeof(res.accel), "%s", e->accel.name);
	snprintf(res.cpu_unit, sizeof(res.cpu_unit), "%s", e->cpu_ok ? cpucost_unit() : "");
	json_object_set_new(run, "cpu", json_pack("{s:s?, s:s?, s:s}",
						  "event", e->cpu_ok ? cpucost_event() : NULL,
						  "unit", e->cpu_ok ? cpucost_unit() : NULL,
						  "window", e->two_hosts ?
						  "migrate command to completion, all QEMU threads; "
						  "QEMUs on ssh hosts are not counted" :
						  "migrate command to completion, all QEMU threads"));
	json_object_set_new(run, "topology", topology_json() ?: json_null());
	if (!e->two_hosts && !e->pin_src[0])
		/* What netns runs have always said when nothing is pinned. */
		json_object_set_new(run, "pinning", json_string("none: each TCG QEMU has several busy "
								"threads; on 2 cores pinning serialises them"));
	else
		json_object_set_new(run, "pinning",
				    json_pack("{s:s?, s:s?, s:s}", "src", e->pin_src[0] ? e->pin_src : NULL,
					      "dst", e->pin_dst[0] ? e->pin_dst : NULL, "why", e->pin_why));
	res.link_gbit = e->opt.iperf_s ? e->link.measured_gbit : NA;
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
	/* Methods alternate within each repeat so drift hits them alike, in
	 * an order shuffled anew for each repeat (order.h). */
	for (int rep = 1; rep <= e->cs.repeat && !pvmig_interrupted && !hostpair_lost(e); rep++) {
		int order[CASE_MAX_METHODS];

		method_order(e->cs.nmethods, !e->opt.order_fixed, e->order_seed, rep, order);
		for (int i = 0; i < e->cs.nmethods && !pvmig_interrupted && !hostpair_lost(e); i++) {
			struct mig_record *r = &recs[nrecs++];

			one_migration(e, method_find(e->cs.methods[order[i]]), rep, r);
			r->position = i + 1;
			/* A refusal is the method's finding (QEMU 10.0 refuses
			 * postcopy beside multifd), not a failed run. */
			if (strcmp(r->status, "refused") &&
			    (strcmp(r->status, "completed") || r->error[0]))
				failures++;
			if (results_add(&res, r))
				log_warn("cannot write results to %s", res.dir);
		}
	}
	results_finish(&res, pvmig_interrupted ? "interrupted" :
		       hostpair_lost(e) ? "ssh connection lost" : NULL);

	snprintf(title, sizeof(title), "%s: %s (guest %ld MiB, %s, link %.2f Gbit/s, dst %s%s)",
		 e->cs.name, e->cs.description, e->cs.mem_mib, e->accel.name,
		 e->link.measured_gbit, e->opt.dst_prealloc ? "preallocated" : "not preallocated",
		 e->opt.src_prealloc ? ", src preallocated" : "");
	print_table(stdout, title, recs, nrecs, e->cs.methods, e->cs.nmethods);
	printf("results: %s\n", res.dir);
	for (size_t i = 0; i < nrecs; i++)
		record_free(&recs[i]);
	free(recs);
	/* QEMU and serial logs are worth keeping only when something failed
	 * (those of an ssh host are fetched first: they go with its scratch
	 * directory). */
	if (failures) {
		char logs[PATH_MAX + 16];

		snprintf(logs, sizeof(logs), "%s/logs", res.dir);
		hostpair_fetch_logs(e, logs);
		keep_logs(e->rundir, res.dir);
	}
	lost = hostpair_lost(e);
	hostpair_close(e);
	if (pvmig_interrupted)
		return 130;
	if (lost) {
		fprintf(stderr, "pvmig: %s: ssh connection lost; the run is incomplete\n",
			e->src_host.lost ? e->src_host.name : e->dst_host.name);
		return 1;
	}
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

/* `pvmig kvm-check`: the accelerator probe's first question, asked of this
 * machine, for the tests that need KVM: exit 0 if KVM's device opens,
 * else 1 with the reason on stdout. */
static int kvm_check_main(void)
{
	struct host h;
	char why[256];

	host_local_init(&h, "src", NULL, "/tmp", ".");
	if (!accel_kvm_usable(&h, why, sizeof(why))) {
		printf("kvm: not usable: %s\n", why);
		return 1;
	}
	printf("kvm: %s opens read-write\n", accel_kvm_device());
	return 0;
}

/* `pvmig methods`: the method table, a name and what it is per line, for
 * scripts that must not keep a list of their own (published-set.sh). */
static int methods_main(void)
{
	const struct method *m;

	for (int i = 0; (m = method_at(i)); i++)
		printf("%s\t%s\n", m->name, m->what);
	return 0;
}

int main(int argc, char **argv)
{
	struct env e;
	char err[512];
	int rc;

	memset(&e, 0, sizeof(e));
	setvbuf(stdout, NULL, _IOLBF, 0);
	ensure_sbin_in_path();
	if (argc >= 2 && !strcmp(argv[1], "hosts-setup")) {
		find_top(&e);
		return hosts_setup_main(argc - 1, argv + 1, e.top);
	}
	if (argc == 2 && !strcmp(argv[1], "kvm-check"))
		return kvm_check_main();
	if (argc == 2 && !strcmp(argv[1], "methods"))
		return methods_main();
	if (argc < 2 || (strcmp(argv[1], "run") && strcmp(argv[1], "--help") && strcmp(argv[1], "-h"))) {
		fprintf(stderr, "pvmig: expected 'run CASE [options]', 'hosts-setup A B', 'kvm-check' or 'methods' (try --help)\n");
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
	find_top(&e);
	rc = validate(&e);
	if (rc)
		return rc;
	cleanup_install();
	/* Before the hosts: ssh's control sockets and logs live here too. */
	snprintf(e.rundir, sizeof(e.rundir), "/tmp/pvmig-%d", (int)getpid());
	if (mkdir_p(e.rundir)) {
		fprintf(stderr, "pvmig: cannot create %s\n", e.rundir);
		return 1;
	}
	cleanup_track_dir(e.rundir);
	rc = run_case(&e);
	hostpair_close(&e);
	return rc;
}

/* Unit tests of the generator's parts that need no fixture: CSV splitting,
 * statistics, number formatting, the wire-time arithmetic, QEMU version
 * labels.  Prints PASS/FAIL lines like the rest of the project's tests. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "basecompare.h"
#include "breakdown.h"
#include "csv.h"
#include "format.h"
#include "gueststate.h"
#include "metrics.h"
#include "projection.h"
#include "provenance.h"
#include "seed.h"
#include "stats.h"

static int failures;

static void check(int ok, const char *what)
{
	printf("%s: %s\n", ok ? "PASS" : "FAIL", what);
	failures += !ok;
}

static int split_is(const char *line, size_t n, const char *const *want)
{
	char **cells;
	size_t got;
	struct error e;
	int ok;

	if (csv_split_line(line, &cells, &got, &e) < 0)
		return 0;
	ok = got == n;
	for (size_t i = 0; ok && i < n; i++)
		ok = !strcmp(cells[i], want[i]);
	for (size_t i = 0; i < got; i++)
		free(cells[i]);
	free(cells);
	return ok;
}

static int split_fails(const char *line, const char *msg_part)
{
	char **cells;
	size_t n;
	struct error e;

	return csv_split_line(line, &cells, &n, &e) < 0 && strstr(e.msg, msg_part);
}

static int str_is(char *s, const char *want)
{
	int ok = !strcmp(s, want);

	if (!ok)
		printf("  got '%s', want '%s'\n", s, want);
	free(s);
	return ok;
}

static void test_csv(void)
{
	static const char *const plain[] = { "a", "", "c" };
	static const char *const quoted[] = { "x", "say \"hi\", twice", "" };
	static const char *const trailing[] = { "a", "" };
	char path[] = "/tmp/report-unit-XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");
	struct csv_table t;
	struct error e;
	int rc;

	check(split_is("a,,c", 3, plain), "csv: empty cell between commas");
	check(split_is("x,\"say \"\"hi\"\", twice\",\"\"", 3, quoted),
	      "csv: quoted field with doubled quotes and a comma; empty quoted field");
	check(split_is("a,", 2, trailing), "csv: trailing comma is an empty last field");
	check(split_fails("a,\"open", "unterminated"), "csv: unterminated quote rejected");
	check(split_fails("a,\"x\"y", "after the closing quote"), "csv: text after closing quote rejected");
	check(split_fails("a,b\"c", "stray quote"), "csv: stray quote in unquoted field rejected");

	fputs("method,repeat,status\r\nbaseline,1,completed\r\n\r\nbaseline,2\n", f);
	fclose(f);
	rc = csv_read_file(path, &t, &e);
	check(rc < 0 && strstr(e.msg, ":4: 2 fields, but the header has 3"),
	      "csv: short row rejected with file:line (CRLF and blank lines tolerated)");
	f = fopen(path, "w");
	fputs("status,method,status\n", f);
	fclose(f);
	check(csv_read_file(path, &t, &e) < 0 && strstr(e.msg, "appears twice"),
	      "csv: duplicate header column rejected");
	f = fopen(path, "w");
	fputs("repeat,method\n1,pv\n", f);
	fclose(f);
	rc = csv_read_file(path, &t, &e);
	check(rc == 0 && t.nrows == 1 && !strcmp(csv_cell(&t.rows[0], csv_column(&t, "method")), "pv") &&
	      csv_column(&t, "src_cpu") == -1 && !strcmp(csv_cell(&t.rows[0], -1), ""),
	      "csv: columns found by name; a missing column reads as empty");
	if (rc == 0)
		csv_free(&t);
	unlink(path);
}

static void test_stats(void)
{
	const double odd[] = { 5, 1, NAN, 3 }, even[] = { 4, 1, 3, 2 }, none[] = { NAN };
	struct summary s = summarize(odd, 4);
	struct summary a = { 2, 1, 1, 2 }, b = { 2, 3, 3, 4 }, c = { 2, 2, 2, 3 };

	check(s.n == 3 && s.median == 3 && s.min == 1 && s.max == 5,
	      "stats: odd count median, NaN (not measured) skipped");
	s = summarize(even, 4);
	check(s.n == 4 && s.median == 2.5, "stats: even count median is the mean of the middle two");
	s = summarize(none, 1);
	check(s.n == 0 && isnan(s.median), "stats: nothing measured gives n=0 and NaN");
	check(fabs(percent_change(420, 1900) - -77.894736842) < 1e-6, "stats: percent change");
	check(isnan(percent_change(1, 0)) && isnan(percent_change(NAN, 1)),
	      "stats: percent change against 0 or missing is NaN");
	check(clearly_below(&a, &b) && !clearly_below(&a, &c) && !clearly_below(&b, &a),
	      "stats: clearly_below needs disjoint min-max ranges");
}

static void test_format_and_seed(void)
{
	const struct seed_case *s1 = seed_for("case1");

	check(str_is(fmt_num(1900), "1900") && str_is(fmt_num(27.5), "27.5") &&
	      str_is(fmt_num(3.14159), "3.14") && str_is(fmt_num(1234.5), "1234") &&
	      str_is(fmt_num(NAN), "n/a"), "format: numbers");
	check(str_is(fmt_pct(-77.8947), "-77.9%") && str_is(fmt_pct(5), "+5.0%"),
	      "format: signed percentages");
	check(str_is(fmt_ratio(1.4548), "1.45x"), "format: ratios");
	check(s1 && s1->pv_ms == 421 && s1->pv_kb == 353242 && seed_for("case2") &&
	      !seed_for("case3"), "seed: figures for case1 and case2 only");
	/* DESIGN.md: the seed's pv run sat at 1.45x its wire time. */
	check(s1 && fabs(wire_time_ms(s1->pv_kb, SEED_LINK_GBIT) - 289.37) < 0.01 &&
	      fabs(s1->pv_ms / wire_time_ms(s1->pv_kb, SEED_LINK_GBIT) - 1.4549) < 0.001,
	      "wire time: 353242 KB at 10 Gbit/s is 289.4 ms, the seed's pv at 1.45x");
}

static int short_is(const char *source, const char *want)
{
	char *got = qemu_short_version(source);
	int ok = want ? got && !strcmp(got, want) : !got;

	if (!ok)
		printf("  '%s': got '%s', want '%s'\n", source ? source : "(null)",
		       got ? got : "(null)", want ? want : "(null)");
	free(got);
	return ok;
}

static void test_qemu_version(void)
{
	check(short_is("1:10.0.13+ds-0+deb13u1", "10.0") && short_is("1:7.2+dfsg-7+deb12u18", "7.2"),
	      "qemu version: Debian source versions shortened to upstream major.minor");
	check(short_is("8.2.2", "8.2") && short_is(NULL, NULL) && short_is("unknown", NULL) &&
	      short_is("a:1.2", NULL) && short_is("1:10", NULL),
	      "qemu version: no epoch taken; missing or unparsable gives none");
}

static int prep_is(const char *params_json, const char *want)
{
	json_t *p = json_loads(params_json, 0, NULL);
	int ok = p && str_is(guest_preparation_text(p), want);

	json_decref(p);
	return ok;
}

static void test_guest_preparation(void)
{
	check(prep_is("{\"workload\": \"none\"}", "idle") && prep_is("{}", "idle"),
	      "guest preparation: no workload, or none recorded, is an idle guest");
	check(prep_is("{\"workload\": \"stress-vm\", \"workload_mem_pct\": 88, "
		      "\"workload_s\": 150}", "stress-ng vm over 88% of RAM for 150 s"),
	      "guest preparation: the stress-vm workload with its share of RAM and duration");
	check(prep_is("{\"workload\": \"service\", \"case3\": {\"page_cache_pct\": 50, "
		      "\"service_wss_mib\": 1024, \"service_dirty_mib_s\": 64, \"warmup_s\": 40, "
		      "\"churn_mem_pct\": 88, \"churn_s\": 150}}",
		      "a finished job (stress-ng vm over 88% of RAM for 150 s), then page cache 50% "
		      "of RAM, service of 1024 MiB dirtying 64 MiB/s, warm-up 40 s"),
	      "guest preparation: case4's history (the churn) comes before case3's service");
	check(prep_is("{\"workload\": \"service\", \"case3\": {\"page_cache_pct\": 50, "
		      "\"service_wss_mib\": 1024, \"service_dirty_mib_s\": 64, \"warmup_s\": 40, "
		      "\"churn_mem_pct\": 0, \"churn_s\": 150}}",
		      "page cache 50% of RAM, service of 1024 MiB dirtying 64 MiB/s, warm-up 40 s"),
	      "guest preparation: no churn named when the case has none (case3)");
}

static void blank(double *v)
{
	for (int m = 0; m < M_COUNT; m++)
		v[m] = NAN;
}

static void test_projection(void)
{
	double v[M_COUNT];

	blank(v);
	v[M_SRC_MIG_CPU] = 1200;
	v[M_DST_MAIN_CPU] = 900;
	v[M_WIRE_MS] = 347.7;
	check(projection_ms("baseline", v) == 1200, "projection: the source sender the slowest stage");
	v[M_DST_MAIN_CPU] = 1500;
	check(projection_ms("baseline", v) == 1500, "projection: the destination receiver the slowest stage");
	v[M_SRC_MIG_CPU] = 200;
	v[M_DST_MAIN_CPU] = 250;
	v[M_HINT_LATENCY] = 12.5;
	check(projection_ms("pv-bitmap", v) == 347.7 + 12.5 &&
	      projection_ms("pv-bitmap+balloon", v) == 347.7 + 12.5 &&
	      projection_ms("pv-bitmap+fpr", v) == 347.7 + 12.5,
	      "projection: wire the slowest stage; pv-bitmap methods add the hint wait");
	check(projection_ms("fph", v) == 347.7 && projection_ms("balloon", v) == 347.7,
	      "projection: methods whose migration thread never waits for hints add nothing");
	v[M_HINT_LATENCY] = NAN;
	check(isnan(projection_ms("pv-bitmap", v)), "projection: pv-bitmap without hint latency not measured");
	v[M_SRC_MIG_CPU] = NAN;
	check(isnan(projection_ms("baseline", v)), "projection: without src_mig_cpu_ms not measured");
	v[M_SRC_MIG_CPU] = 100;
	v[M_DST_MAIN_CPU] = NAN;
	v[M_WIRE_MS] = NAN;
	check(projection_ms("baseline", v) == 100, "projection: stages not measured drop out of the max");
}

static void test_breakdown(void)
{
	struct mig_row r;
	struct breakdown b;

	memset(&r, 0, sizeof(r));
	blank(r.v);
	r.ok = true;
	r.v[M_TOTAL_TIME] = 1850;
	r.v[M_WIRE_MS] = 350;
	r.v[M_SRC_MIG_CPU] = 1200;
	r.v[M_SRC_MIG_WAIT] = 300;
	r.v[M_DST_MAIN_CPU] = 1300;
	check(breakdown_of(&r, &b) && b.part[BD_WIRE] == 350 && b.part[BD_SRC_CPU] == 850 &&
	      b.part[BD_SRC_WAIT] == 300 && b.part[BD_DST] == 100 && b.part[BD_REST] == 250 &&
	      b.overlap_ms == 0, "breakdown: a-e of a migration add up to its total");
	r.v[M_TOTAL_TIME] = 580;
	r.v[M_WIRE_MS] = 335;
	r.v[M_SRC_MIG_CPU] = 320;
	r.v[M_SRC_MIG_WAIT] = 200;
	r.v[M_DST_MAIN_CPU] = 500;
	/* a 335 + b 0 + c 200 leave 45 of the 580 for d (165 as defined): the
	 * stack stops at the measured total and the 120 ms overlap is apart. */
	check(breakdown_of(&r, &b) && b.part[BD_SRC_CPU] == 0 && b.part[BD_DST] == 45 &&
	      b.part[BD_REST] == 0 && b.overlap_ms == 120 &&
	      b.part[BD_WIRE] + b.part[BD_SRC_CPU] + b.part[BD_SRC_WAIT] + b.part[BD_DST] +
	      b.part[BD_REST] == b.total,
	      "breakdown: source below the wire adds nothing; overlapping parts are cut so the "
	      "stack equals the total, the overlap given apart");
	r.v[M_SRC_MIG_WAIT] = NAN;
	check(!breakdown_of(&r, &b), "breakdown: a component not measured gives no split");
	r.v[M_SRC_MIG_WAIT] = 200;
	r.ok = false;
	check(!breakdown_of(&r, &b), "breakdown: a migration that does not count gives no split");
}

static void test_provenance(void)
{
	json_t *a = json_pack("{s:{s:s}, s:{s:b}, s:{s:s, s:i, s:i, s:s, s:s}}", "versions",
			      "harness", "1234abc+local", "params", "dst_prealloc", 0, "host",
			      "cpu_model", "AMD EPYC", "cpus", 2, "mem_mib", 24105, "kernel", "6.18",
			      "hostname", "vm");
	json_t *b = json_pack("{s:{s:s}, s:{s:s, s:i, s:i, s:s, s:s}}", "versions", "harness",
			      "021bdac-dirty", "host", "cpu_model", "AMD EPYC", "cpus", 2, "mem_mib",
			      24105, "kernel", "6.18", "hostname", "other");
	json_t *c = json_pack("{s:{s:s}, s:{s:s, s:i, s:i, s:s}}", "versions", "harness",
			      "97943d3", "host", "cpu_model", "AMD EPYC", "cpus", 4, "mem_mib", 24105,
			      "kernel", "6.18");
	json_t *pair = json_pack("{s:{s:s, s:i, s:i, s:s, s:{s:s, s:s, s:i}}, "
				 "s:{s:s, s:i, s:i, s:s, s:{s:s, s:s, s:i}}}",
				 "src", "cpu_model", "EPYC 9354", "cpus", 64, "mem_mib", 257000, "kernel", "6.1",
				 "nic", "driver", "ice", "speed", "10000Mb/s", "mtu", 9000,
				 "dst", "cpu_model", "EPYC 9354", "cpus", 64, "mem_mib", 257000, "kernel", "6.1",
				 "nic", "driver", "ice", "speed", "10000Mb/s", "mtu", 9000);
	json_t *h1 = json_pack("{s:s, s:O, s:{s:s, s:i, s:i, s:s}}", "mode", "hosts", "hosts", pair,
			       "host", "cpu_model", "laptop", "cpus", 8, "mem_mib", 16000, "kernel", "6.1");
	json_t *h2 = json_pack("{s:s, s:O, s:{s:s, s:i, s:i, s:s}}", "mode", "hosts", "hosts", pair,
			       "host", "cpu_model", "AMD EPYC", "cpus", 2, "mem_mib", 24105, "kernel", "6.18");
	json_t *h3 = json_deep_copy(h2), *n1 = json_deep_copy(a);
	char *t1;
	char *o1 = scenario_other_regime("mem8192_link10_tcg_prealloc_dt300");

	json_object_set_new(json_object_get(json_object_get(json_object_get(h3, "hosts"), "dst"), "nic"),
			    "mtu", json_integer(1500));
	json_object_set_new(n1, "mode", json_string("netns"));
	check(run_same_host(h1, h2) && !run_same_host(h2, h3),
	      "provenance: two-host runs pool by the pair (and its NICs), not by the harness's machine");
	check(!run_same_host(a, h2) && run_same_host(a, n1),
	      "provenance: a netns run never pools with a two-host run; no mode recorded is netns");
	t1 = run_host_text(h3);
	check(t1 && strstr(t1, "two hosts: EPYC 9354") && strstr(t1, "MTU 1500"),
	      "provenance: a two-host run's host text names both hosts and their NICs");
	free(t1);
	json_decref(pair);
	json_decref(h1);
	json_decref(h2);
	json_decref(h3);
	json_decref(n1);
	char *o2 = scenario_other_regime("mem8192_link10_tcg_noprealloc_dt300");
	char *o3 = scenario_other_regime("mem8192_link10_tcg_dt300");

	check(run_is_uncommitted(a) && run_is_uncommitted(b) && !run_is_uncommitted(c),
	      "provenance: +local and -dirty are uncommitted, a plain hash is not");
	check(run_same_host(a, b) && !run_same_host(a, c),
	      "provenance: host identity ignores the hostname, not the CPU count");
	check(run_prealloc(a, "x_mem1_prealloc_dt3") == 0 &&
	      run_prealloc(b, "x_mem1_noprealloc_dt3") == 0 &&
	      run_prealloc(b, "x_mem1_prealloc_dt3") == 1 && run_prealloc(b, "x_mem1") == -1,
	      "provenance: regime from params.dst_prealloc, else from the run id");
	check(o1 && !strcmp(o1, "mem8192_link10_tcg_noprealloc_dt300") && o2 &&
	      !strcmp(o2, "mem8192_link10_tcg_prealloc_dt300") && !o3,
	      "provenance: the other regime's scenario swaps prealloc and noprealloc");
	free(o1);
	free(o2);
	free(o3);
	json_decref(a);
	json_decref(b);
	json_decref(c);
}

int main(void)
{
	test_csv();
	test_stats();
	test_format_and_seed();
	test_qemu_version();
	test_guest_preparation();
	test_projection();
	test_breakdown();
	test_provenance();
	return failures ? 1 : 0;
}

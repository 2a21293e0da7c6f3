/* qemuthreads: QEMU's thread names -> run.json rows and headline columns. */
#include <string.h>

#include "check.h"
#include "qemuthreads.h"
#include "results.h"

static void group(struct threadstats_table *t, const char *name, bool main, int count,
                  uint64_t cpu_ms, uint64_t wait_ms, uint64_t minflt, uint64_t majflt)
{
	struct thread_group *g = &t->g[t->n++];

	memset(g, 0, sizeof(*g));
	snprintf(g->name, sizeof(g->name), "%s", name);
	g->main = main;
	g->count = count;
	g->delta.cpu_ns = cpu_ms * 1000000 + 123;	/* sub-microsecond noise is dropped */
	g->delta.wait_ns = wait_ms * 1000000;
	g->delta.vcsw = 10;
	g->delta.ivcsw = 2;
	g->delta.minflt = minflt;
	g->delta.majflt = majflt;
}

/* The header's index of column name, or -1. */
static int column(const char *header, const char *name)
{
	size_t len = strlen(name);
	const char *p = header;

	for (int i = 0; p; i++) {
		if (!strncmp(p, name, len) && (p[len] == ',' || p[len] == '\0'))
			return i;
		p = strchr(p, ',');
		if (p)
			p++;
	}
	return -1;
}

/* Cell number col of a CSV row whose only quoted cell holds no comma. */
static void cell(const char *row, int col, char *out, size_t len)
{
	const char *p = row, *end;

	for (int i = 0; i < col && p; i++) {
		p = strchr(p, ',');
		p = p ? p + 1 : NULL;
	}
	out[0] = '\0';
	if (!p)
		return;
	end = strchr(p, ',');
	snprintf(out, len, "%.*s", (int)(end ? end - p : (long)strlen(p)), p);
}

static void test_names(void)
{
	CHECK(qemuthreads_is_vcpu("CPU 0/TCG") && qemuthreads_is_vcpu("CPU 11/KVM") &&
	      qemuthreads_is_vcpu("ALL CPUs/TCG"), "qemuthreads: vCPU thread names recognised");
	CHECK(!qemuthreads_is_vcpu("live_migration") && !qemuthreads_is_vcpu("IOThread (iot0)") &&
	      !qemuthreads_is_vcpu("CPU") && !qemuthreads_is_vcpu("worker"),
	      "qemuthreads: other names are not vCPUs");
}

static void test_record(void)
{
	static struct threadstats_table src, dst;
	struct results res = { .case_name = "case1", .accel = "tcg", .link_gbit = 9.5 };
	struct mig_record r;
	char row[4096], v[64];
	const char *h = results_csv_header();
	json_t *rows, *o;

	memset(&src, 0, sizeof(src));
	memset(&dst, 0, sizeof(dst));
	src.has_wait = dst.has_wait = true;
	group(&src, "qemu-system-x86", true, 1, 40, 5, 100, 0);
	group(&src, "CPU 0/TCG", false, 1, 900, 300, 20, 0);
	group(&src, "CPU 1/TCG", false, 1, 100, 30, 0, 0);
	group(&src, "live_migration", false, 1, 1500, 250, 7, 1);
	group(&src, "worker", false, 3, 12, 0, 0, 0);
	group(&dst, "qemu-system-x86", true, 1, 1800, 400, 250000, 3);
	group(&dst, "CPU 0/TCG", false, 1, 30, 1, 0, 0);

	record_init(&r, "baseline", 1, 1024);
	qemuthreads_record(&src, &dst, &r);
	CHECK(r.src_mig_cpu_ms == 1500 && r.src_mig_wait_ms == 250,
	      "qemuthreads: the source's live_migration thread (QEMU 7.2): %.3f ms CPU, %.3f ms waiting",
	      r.src_mig_cpu_ms, r.src_mig_wait_ms);
	/* QEMU 10.0 calls it mig/src/main. */
	snprintf(src.g[3].name, sizeof(src.g[3].name), "mig/src/main");
	src.g[3].delta.cpu_ns = 700 * 1000000ULL;
	record_free(&r);
	record_init(&r, "baseline", 1, 1024);
	qemuthreads_record(&src, &dst, &r);
	CHECK(r.src_mig_cpu_ms == 700, "qemuthreads: the source's mig/src/main thread (QEMU 10.0): %.3f ms CPU",
	      r.src_mig_cpu_ms);
	snprintf(src.g[3].name, sizeof(src.g[3].name), "live_migration");
	src.g[3].delta.cpu_ns = 1500 * 1000000ULL + 123;
	record_free(&r);
	record_init(&r, "baseline", 1, 1024);
	qemuthreads_record(&src, &dst, &r);
	CHECK(r.src_vcpu_cpu_ms == 1000, "qemuthreads: source vCPU threads summed: %.3f ms (1000)",
	      r.src_vcpu_cpu_ms);
	CHECK(r.src_minflt == 127 && r.src_majflt == 1 && r.dst_minflt == 250000 && r.dst_majflt == 3,
	      "qemuthreads: page faults summed over every thread of each QEMU");
	CHECK(r.dst_main_cpu_ms == 1800 && r.dst_main_wait_ms == 400,
	      "qemuthreads: the destination's main thread: %.3f ms CPU, %.3f ms waiting",
	      r.dst_main_cpu_ms, r.dst_main_wait_ms);

	rows = json_object_get(r.threads, "src");
	o = json_array_get(rows, 4);
	CHECK(json_array_size(rows) == 5 && json_array_size(json_object_get(r.threads, "dst")) == 2,
	      "qemuthreads: run.json threads has one row per name and side");
	CHECK(!strcmp(json_string_value(json_object_get(o, "name")) ?: "", "worker") &&
	      json_integer_value(json_object_get(o, "count")) == 3 &&
	      json_real_value(json_object_get(o, "cpu_ms")) == 12 &&
	      json_real_value(json_object_get(o, "wait_ms")) == 0 &&
	      json_integer_value(json_object_get(o, "vcsw")) == 10 &&
	      json_integer_value(json_object_get(o, "ivcsw")) == 2 &&
	      json_integer_value(json_object_get(o, "minflt")) == 0 &&
	      json_integer_value(json_object_get(o, "majflt")) == 0 &&
	      json_is_false(json_object_get(o, "main")),
	      "qemuthreads: a row holds name, count, cpu_ms, wait_ms, vcsw, ivcsw, minflt, majflt, main");
	o = results_record_json(&r);
	CHECK(json_object_get(o, "threads") == r.threads,
	      "qemuthreads: the migration's run.json object carries the threads");
	json_decref(o);

	results_csv_row(&res, &r, row, sizeof(row));
	cell(row, column(h, "src_mig_cpu_ms"), v, sizeof(v));
	CHECK(!strcmp(v, "1500.0"), "qemuthreads: CSV src_mig_cpu_ms = %s", v);
	cell(row, column(h, "dst_main_wait_ms"), v, sizeof(v));
	CHECK(!strcmp(v, "400.0"), "qemuthreads: CSV dst_main_wait_ms = %s", v);
	cell(row, column(h, "dst_minflt"), v, sizeof(v));
	CHECK(!strcmp(v, "250000"), "qemuthreads: CSV dst_minflt = %s", v);
	CHECK(column(h, "error") < column(h, "src_mig_cpu_ms") &&
	      column(h, "dst_main_wait_ms") > column(h, "src_mig_cpu_ms"),
	      "qemuthreads: the per-thread columns are appended after error");
	record_free(&r);

	/* Not measured on the source, no schedstat on the destination. */
	memset(&dst, 0, sizeof(dst));
	group(&dst, "qemu-system-x86", true, 1, 1800, 400, 5, 0);
	record_init(&r, "baseline", 1, 1024);
	qemuthreads_record(NULL, &dst, &r);
	CHECK(r.src_mig_cpu_ms == NA && r.src_vcpu_cpu_ms == NA && r.src_minflt == NA &&
	      json_is_null(json_object_get(r.threads, "src")),
	      "qemuthreads: a side not measured leaves its figures missing and its rows null");
	CHECK(r.dst_main_cpu_ms == 1800 && r.dst_main_wait_ms == NA &&
	      json_is_null(json_object_get(json_array_get(json_object_get(r.threads, "dst"), 0),
	                                   "wait_ms")),
	      "qemuthreads: no schedstat, no wait figure");
	results_csv_row(&res, &r, row, sizeof(row));
	cell(row, column(h, "src_mig_cpu_ms"), v, sizeof(v));
	CHECK(v[0] == '\0', "qemuthreads: a figure not measured is an empty CSV cell");
	record_free(&r);
}

void suite_qemuthreads(void)
{
	test_names();
	test_record();
}

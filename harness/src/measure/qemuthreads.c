/* QEMU's per-thread figures of a migration: rows for run.json, headline columns. */
#include "qemuthreads.h"

#include <string.h>

bool qemuthreads_is_vcpu(const char *name)
{
	/* The accelerator follows the last '/': TCG, KVM, HVF, ... */
	return (strncmp(name, "CPU ", 4) == 0 || strncmp(name, "ALL CPUs/", 9) == 0) &&
	       strchr(name, '/') != NULL;
}

static double ns_to_ms(uint64_t ns)
{
	/* Whole microseconds: run.json need not carry ns noise. */
	return (double)(ns / 1000) / 1000.0;
}

json_t *qemuthreads_json(const struct threadstats_table *t)
{
	json_t *rows;

	if (!t)
		return json_null();
	rows = json_array();
	for (int i = 0; i < t->n; i++) {
		const struct thread_group *g = &t->g[i];

		json_array_append_new(rows, json_pack(
			"{s:s, s:i, s:f, s:o, s:I, s:I, s:I, s:I, s:b, s:i}",
			"name", g->name, "count", g->count,
			"cpu_ms", ns_to_ms(g->delta.cpu_ns),
			"wait_ms", t->has_wait ? json_real(ns_to_ms(g->delta.wait_ns)) : json_null(),
			"vcsw", (json_int_t)g->delta.vcsw, "ivcsw", (json_int_t)g->delta.ivcsw,
			"minflt", (json_int_t)g->delta.minflt, "majflt", (json_int_t)g->delta.majflt,
			"main", g->main, "exited", g->exited));
	}
	return rows;
}

static double cpu_ms_of(const struct thread_group *g)
{
	return g ? ns_to_ms(g->delta.cpu_ns) : NA;
}

static double wait_ms_of(const struct threadstats_table *t, const struct thread_group *g)
{
	return g && t->has_wait ? ns_to_ms(g->delta.wait_ns) : NA;
}

/* Whole-process page faults: every thread seen in the window. */
static void faults_of(const struct threadstats_table *t, int64_t *minflt, int64_t *majflt)
{
	*minflt = *majflt = 0;
	for (int i = 0; i < t->n; i++) {
		*minflt += (int64_t)t->g[i].delta.minflt;
		*majflt += (int64_t)t->g[i].delta.majflt;
	}
}

/* The busiest thread whose name starts with prefix: a dedicated core per
 * channel would still leave the busiest one to finish last. */
static double busiest_ms(const struct threadstats_table *t, const char *prefix)
{
	const struct thread_group *best = NULL;

	for (int i = 0; i < t->n; i++)
		if (!strncmp(t->g[i].name, prefix, strlen(prefix)) &&
		    (!best || t->g[i].delta.cpu_ns > best->delta.cpu_ns))
			best = &t->g[i];
	return cpu_ms_of(best);
}

void qemuthreads_record(const struct threadstats_table *src, const struct threadstats_table *dst,
                        struct mig_record *r)
{
	json_decref(r->threads);
	r->threads = json_pack("{s:o, s:o}", "src", qemuthreads_json(src),
			       "dst", qemuthreads_json(dst));
	if (src) {
		const struct thread_group *mig = threadstats_find(src, QEMU_MIGRATION_THREAD);
		uint64_t vcpu_ns = 0;
		bool any_vcpu = false;

		if (!mig)
			mig = threadstats_find(src, QEMU_MIGRATION_THREAD_OLD);
		r->src_mig_cpu_ms = cpu_ms_of(mig);
		r->src_mig_wait_ms = wait_ms_of(src, mig);
		for (int i = 0; i < src->n; i++) {
			if (!src->g[i].main && qemuthreads_is_vcpu(src->g[i].name)) {
				vcpu_ns += src->g[i].delta.cpu_ns;
				any_vcpu = true;
			}
		}
		r->src_vcpu_cpu_ms = any_vcpu ? ns_to_ms(vcpu_ns) : NA;
		r->src_send_max_cpu_ms = busiest_ms(src, QEMU_MULTIFD_SEND_PREFIX);
		faults_of(src, &r->src_minflt, &r->src_majflt);
	}
	if (dst) {
		const struct thread_group *main = threadstats_main(dst);

		r->dst_main_cpu_ms = cpu_ms_of(main);
		r->dst_main_wait_ms = wait_ms_of(dst, main);
		r->dst_recv_max_cpu_ms = busiest_ms(dst, QEMU_MULTIFD_RECV_PREFIX);
		faults_of(dst, &r->dst_minflt, &r->dst_majflt);
	}
}

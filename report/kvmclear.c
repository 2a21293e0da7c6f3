#include "kvmclear.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "format.h"
#include "results.h"
#include "stats.h"

int kvm_clear_load(const char *root, const char *shown_root, struct kvm_clear *kc,
		   struct error *e)
{
	struct strlist dates = { 0 };
	char *dir = xasprintf("%s/kvm-clear-cost", root), *path = NULL;
	json_error_t je;
	int rc = -1;

	memset(kc, 0, sizeof(*kc));
	if (results_subdirs(dir, &dates, e) < 0)
		goto out;
	if (!dates.n) {
		rc = 0;
		goto out;
	}
	/* Directory names start with the UTC date: the newest one that holds
	 * the script's summary.json (a folder without one is not its output). */
	for (size_t i = dates.n; i-- > 0 && !path;) {
		char *p = xasprintf("%s/%s/summary.json", dir, dates.v[i]);

		if (access(p, F_OK) == 0) {
			path = p;
			kc->dir = xasprintf("%s/kvm-clear-cost/%s", shown_root, dates.v[i]);
		} else
			free(p);
	}
	if (!path) {
		rc = 0;
		goto out;
	}
	kc->summary = json_load_file(path, 0, &je);
	if (!kc->summary) {
		error_set(e, "%s:%d: %s", path, je.line, je.text);
		goto out;
	}
	if (!json_is_array(json_object_get(kc->summary, "rows"))) {
		error_set(e, "%s: not a measure_clear_cost.py summary (no \"rows\" array)", path);
		goto out;
	}
	kc->present = true;
	rc = 0;
out:
	if (rc < 0)
		kvm_clear_free(kc);
	strlist_free(&dates);
	free(path);
	free(dir);
	return rc;
}

static double num_at(json_t *o, const char *path)
{
	json_t *v = json_at(o, path);

	return json_is_number(v) ? json_number_value(v) : NAN;
}

static const char *str_at(json_t *o, const char *path)
{
	const char *s = json_string_value(json_at(o, path));

	return s ? s : "not recorded";
}

/* The median of one figure over the rows of a size and driver; us_to_ms
 * turns the trace's microseconds into the table's milliseconds. */
static double median_of(json_t *rows, double gib, const char *driver, const char *key,
			bool us_to_ms)
{
	double *v = xmalloc((json_array_size(rows) + 1) * sizeof(*v));
	size_t n = 0, i;
	json_t *row;
	struct summary s;

	json_array_foreach(rows, i, row) {
		const char *d = json_string_value(json_object_get(row, "driver"));
		double x = num_at(row, key);

		if (num_at(row, "ram_gib") == gib && d && !strcmp(d, driver) && !isnan(x))
			v[n++] = us_to_ms ? x / 1000.0 : x;
	}
	s = summarize(v, n);
	free(v);
	return s.median;
}

static void put(FILE *f, double v)
{
	char *s = fmt_num(v);

	fprintf(f, " %s |", isnan(v) ? "–" : s);
	free(s);
}

/* "0.87 ms per GiB of RAM (r² 0.92, 15 runs), 111 ms at 128 GiB". */
static void put_fit(FILE *f, json_t *fits, const char *key, const char *what, bool us_to_ms)
{
	json_t *fit = json_object_get(fits, key);
	double scale = us_to_ms ? 1000.0 : 1.0;
	double slope = num_at(fit, "slope_per_gib") / scale, r2 = num_at(fit, "r2");
	double at128 = num_at(fit, "at_128gib") / scale, n = num_at(fit, "n");
	char *a, *b;

	if (!fit || isnan(slope))
		return;
	a = fmt_num(slope);
	b = fmt_num(at128);
	fprintf(f, "- %s: %s ms per GiB of RAM (r² %.2f over %.0f runs), %s ms projected at "
		"128 GiB%s\n", what, a, r2, n, b,
		r2 < 0.1 ? "; the guest's size explains almost none of its spread" : "");
	free(a);
	free(b);
}

void kvm_clear_write(FILE *f, const struct kvm_clear *kc)
{
	json_t *s = kc->summary, *rows, *sizes, *size, *mods, *mod;
	size_t i;

	if (!kc->present)
		return;
	rows = json_object_get(s, "rows");
	sizes = json_at(s, "inputs.sizes_gib");
	fprintf(f, "## KVM dirty-log clear cost\n\n");
	fprintf(f, "Before it asks the guest for its bitmap, our device re-protects the KVM dirty "
		"log of all guest RAM at once (`ram_dirty_log_reprotect()`), where migration "
		"would otherwise clear it chunk by chunk as it sends. That cost grows with the "
		"guest and is invisible under TCG, so `impl/qemu/tests/measure_clear_cost.py` "
		"times migration setup under KVM with a tiny guest, the driver present and "
		"absent, and cancels each migration once setup is over. From `%s`: accelerator "
		"%s (modules", kc->dir, str_at(s, "accel"));
	mods = json_at(s, "host.kvm_modules");
	json_array_foreach(mods, i, mod)
		fprintf(f, "%s%s", i ? ", " : " ", json_string_value(mod) ? json_string_value(mod) : "?");
	fprintf(f, "), host %s with %.0f CPUs, kernel %s, QEMU %s; %.0f repeats per size and "
		"driver, guest RAM touched: %s.\n\n", str_at(s, "host.cpu"), num_at(s, "host.cpus"),
		str_at(s, "host.kernel"), str_at(s, "qemu.source_package"),
		num_at(s, "inputs.repeats"), str_at(s, "inputs.touch"));
	fprintf(f, "Medians per guest size (ms):\n\n| guest RAM (GiB) | setup, driver present | "
		"setup, driver absent | re-protect, present | slowest QMP answer during setup, "
		"present |\n|---|---|---|---|---|\n");
	json_array_foreach(sizes, i, size) {
		double gib = json_number_value(size);

		fprintf(f, "| %g |", gib);
		put(f, median_of(rows, gib, "present", "setup_time_ms", false));
		put(f, median_of(rows, gib, "absent", "setup_time_ms", false));
		put(f, median_of(rows, gib, "present", "reprotect_us", true));
		put(f, median_of(rows, gib, "present", "max_qmp_ms_in_setup", false));
		fputs("\n", f);
	}
	fprintf(f, "\nLeast-squares fits over the runs with the driver present:\n\n");
	put_fit(f, json_object_get(s, "fits"), "present/reprotect_us/per_ram_gib", "re-protect", true);
	put_fit(f, json_object_get(s, "fits"), "present/setup_time_ms/per_ram_gib", "setup time",
		false);
	put_fit(f, json_object_get(s, "fits"), "absent/setup_time_ms/per_ram_gib",
		"setup time, driver absent", false);
	put_fit(f, json_object_get(s, "fits"), "present/max_qmp_ms_in_setup/per_ram_gib",
		"slowest QMP answer during setup (whether the re-protect holds up the monitor)", false);
	fputs("\n", f);
}

void kvm_clear_free(struct kvm_clear *kc)
{
	json_decref(kc->summary);
	free(kc->dir);
	memset(kc, 0, sizeof(*kc));
}

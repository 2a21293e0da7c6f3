#include "setup.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Expand "{a.b} text {c}" against a run.json; NULL when none of the
 * placeholders has a value (the row is then left out). */
static char *expand(json_t *doc, const char *tmpl)
{
	struct strbuf sb = { 0 };
	int found = 0;

	for (const char *p = tmpl; *p;) {
		const char *close = *p == '{' ? strchr(p, '}') : NULL;

		if (close) {
			char *path = xasprintf("%.*s", (int)(close - p - 1), p + 1);
			char *v = json_scalar_text(json_at(doc, path));

			sb_addf(&sb, "%s", v ? v : "?");
			found |= v != NULL;
			free(v);
			free(path);
			p = close + 1;
		} else {
			sb_addf(&sb, "%c", *p++);
		}
	}
	if (!found) {
		free(sb.s);
		return NULL;
	}
	return sb_take(&sb);
}

static const struct {
	const char *what;
	const char *tmpl;
} setup_rows[] = {
	{ "accelerator", "{accel.name} ({accel.how})" },
	{ "link", "measured {link.measured_gbit} Gbit/s with {link.tool}, shaped to {link.shaped_gbit} Gbit/s" },
	{ "guest memory", "{params.mem_mib} MiB" },
	{ "destination preallocation", "{params.dst_prealloc}" },
	{ "downtime limit", "{params.downtime_limit_ms} ms" },
	{ "max-bandwidth", "{params.max_bandwidth_gbit} Gbit/s" },
	{ "repeats per method (requested)", "{params.repeat}" },
	{ "QEMU", "{versions.qemu_source}, patch series sha256 {versions.qemu_series_sha256}" },
	{ "guest kernel", "{versions.guest_kernel} (package {versions.guest_kernel_package})" },
	{ "harness", "{versions.harness}" },
	{ "iperf3", "{versions.iperf3}" },
	{ "host CPU", "{host.cpu_model}, {host.cpus} CPUs" },
	{ "host memory", "{host.mem_mib} MiB" },
	{ "host kernel", "{host.kernel}" },
	{ "host transparent hugepages", "enabled {host.thp_enabled}, defrag {host.thp_defrag}" },
};

size_t used_runs(const struct result_set *rs, struct used_run **out)
{
	size_t n = 0;

	*out = NULL;
	for (size_t ci = 0; ci < rs->ncases; ci++)
		for (int alt = 0; alt < 2; alt++) {
			const struct case_data *c = alt ? rs->cases[ci].alt : &rs->cases[ci];

			for (size_t ri = 0; c && ri < c->nruns; ri++) {
				*out = xrealloc(*out, (n + 1) * sizeof(**out));
				(*out)[n++] = (struct used_run){ c, &c->runs[ri] };
			}
		}
	return n;
}

size_t setup_facts(const struct result_set *rs, struct setup_fact **out)
{
	struct used_run *used;
	size_t nused = used_runs(rs, &used), n = 0;

	*out = xcalloc(ARRAY_SIZE(setup_rows), sizeof(**out));
	for (size_t k = 0; k < ARRAY_SIZE(setup_rows); k++) {
		struct setup_fact *sf = &(*out)[n];

		memset(sf, 0, sizeof(*sf));
		sf->what = setup_rows[k].what;
		for (size_t i = 0; i < nused; i++) {
			const struct case_data *c = used[i].c;
			char *v = expand(used[i].run->doc, setup_rows[k].tmpl);
			int at;

			if (!v)
				continue;
			at = strlist_find(&sf->values, v);
			if (at < 0) {
				strlist_add(&sf->values, v);
				strlist_addf(&sf->who, "%s/%s", c->name, used[i].run->id);
			} else {
				char *more = xasprintf("%s, %s/%s", sf->who.v[at], c->name,
						       used[i].run->id);

				free(sf->who.v[at]);
				sf->who.v[at] = more;
				free(v);
			}
		}
		if (sf->values.n)
			n++;
	}
	free(used);
	return n;
}

void setup_facts_free(struct setup_fact *f, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		strlist_free(&f[i].values);
		strlist_free(&f[i].who);
	}
	free(f);
}

int any_run_has(const struct result_set *rs, const char *path, const char *value)
{
	struct used_run *used;
	size_t n = used_runs(rs, &used);
	int hit = 0;

	for (size_t i = 0; i < n && !hit; i++) {
		char *v = json_scalar_text(json_at(used[i].run->doc, path));

		hit = v && !strcmp(v, value);
		free(v);
	}
	free(used);
	return hit;
}

double min_over_runs(const struct result_set *rs, const char *path)
{
	struct used_run *used;
	size_t n = used_runs(rs, &used);
	double best = NAN;

	for (size_t i = 0; i < n; i++) {
		json_t *v = json_at(used[i].run->doc, path);

		if (json_is_number(v) && (isnan(best) || json_number_value(v) < best))
			best = json_number_value(v);
	}
	free(used);
	return best;
}

double max_over_runs(const struct result_set *rs, const char *path)
{
	struct used_run *used;
	size_t n = used_runs(rs, &used);
	double best = NAN;

	for (size_t i = 0; i < n; i++) {
		json_t *v = json_at(used[i].run->doc, path);

		if (json_is_number(v) && (isnan(best) || json_number_value(v) > best))
			best = json_number_value(v);
	}
	free(used);
	return best;
}

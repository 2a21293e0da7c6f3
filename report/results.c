#include "results.h"

#include <stdbool.h>

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "csv.h"
#include "../harness/src/methods/methods.h"
#include "projection.h"
#include "provenance.h"

json_t *json_at(json_t *doc, const char *path)
{
	char *copy = xstrdup(path), *save = NULL;
	json_t *v = doc;

	for (char *k = strtok_r(copy, ".", &save); k && v; k = strtok_r(NULL, ".", &save))
		v = json_is_object(v) ? json_object_get(v, k) : NULL;
	free(copy);
	return v;
}

char *json_scalar_text(json_t *v)
{
	if (json_is_string(v))
		return xstrdup(json_string_value(v));
	if (json_is_integer(v))
		return xasprintf("%lld", (long long)json_integer_value(v));
	if (json_is_real(v))
		return xasprintf("%.2f", json_real_value(v));
	if (json_is_boolean(v))
		return xstrdup(json_is_true(v) ? "on" : "off");
	return NULL;
}

static int is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Names of the subdirectories of dir, sorted, hidden ones skipped. */
static int list_subdirs(const char *dir, struct strlist *out, struct error *e)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d) {
		error_set(e, "%s: cannot open directory: %s", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d))) {
		char *path;

		if (de->d_name[0] == '.')
			continue;
		path = xasprintf("%s/%s", dir, de->d_name);
		if (is_dir(path))
			strlist_add(out, xstrdup(de->d_name));
		free(path);
	}
	closedir(d);
	if (out->n)	/* an empty case directory has no array to sort */
		qsort(out->v, out->n, sizeof(*out->v), cmp_str);
	return 0;
}

int results_subdirs(const char *dir, struct strlist *out, struct error *e)
{
	return is_dir(dir) ? list_subdirs(dir, out, e) : 0;
}

static void add_ignored(struct case_data *c, const char *id, char *reason)
{
	c->ignored = xrealloc(c->ignored, (c->nignored + 1) * sizeof(*c->ignored));
	c->ignored[c->nignored].id = xstrdup(id);
	c->ignored[c->nignored].reason = reason;
	c->nignored++;
}

static json_t *find_migration(json_t *doc, const char *method, int repeat)
{
	json_t *migs = json_object_get(doc, "migrations"), *m;
	size_t i;

	json_array_foreach(migs, i, m) {
		json_t *jm = json_object_get(m, "method"), *jr = json_object_get(m, "repeat");

		if (json_is_string(jm) && !strcmp(json_string_value(jm), method) &&
		    json_is_integer(jr) && json_integer_value(jr) == repeat)
			return m;
	}
	return NULL;
}

static void add_method(struct case_data *c, const char *method)
{
	if (strlist_find(&c->methods, method) < 0)
		strlist_add(&c->methods, xstrdup(method));
}

/* The harness's method table gives the order (harness/src/methods/methods.c);
 * a method it no longer has follows, as first seen. */
static void order_methods(struct case_data *c)
{
	struct strlist ordered = { 0 };
	const struct method *m;

	for (int i = 0; (m = method_at(i)); i++)
		if (strlist_find(&c->methods, m->name) >= 0)
			strlist_add(&ordered, xstrdup(m->name));
	for (size_t i = 0; i < c->methods.n; i++)
		if (strlist_find(&ordered, c->methods.v[i]) < 0)
			strlist_add(&ordered, xstrdup(c->methods.v[i]));
	strlist_free(&c->methods);
	c->methods = ordered;
}

/* Figures computed from a row's own columns, so every table and plot uses
 * the same definition. */
static void derive(struct mig_row *r)
{
	double e2e = r->v[M_END_TO_END], total = r->v[M_TOTAL_TIME];
	double kb = r->v[M_TRANSFERRED_KB], gbit = r->v[M_LINK_GBIT];
	double before = r->v[M_GUEST_OPS_BEFORE], during = r->v[M_GUEST_OPS_DURING];
	double after = r->v[M_GUEST_OPS_AFTER];
	json_t *huge;

	r->v[M_WIRE_MS] = NAN;
	r->v[M_WIRE_RATIO] = NAN;
	r->v[M_GUEST_DIP_PCT] = NAN;
	r->v[M_GUEST_RECOVERY_PCT] = NAN;
	r->v[M_DST_HUGE_MIB] = NAN;
	if (!isnan(kb) && !isnan(gbit) && gbit > 0)
		r->v[M_WIRE_MS] = wire_time_ms(kb, gbit);
	if (!isnan(r->v[M_WIRE_MS]) && r->v[M_WIRE_MS] > 0 && !isnan(r->v[M_TOTAL_TIME]))
		r->v[M_WIRE_RATIO] = r->v[M_TOTAL_TIME] / r->v[M_WIRE_MS];
	if (!isnan(before) && !isnan(during) && before > 0)
		r->v[M_GUEST_DIP_PCT] = (during / before - 1.0) * 100.0;
	if (!isnan(before) && !isnan(after) && before > 0)
		r->v[M_GUEST_RECOVERY_PCT] = (after / before - 1.0) * 100.0;
	/* How much of the destination's memory transparent huge pages back
	 * once it has received the guest: without preallocation, each of
	 * them was a fault that zeroed 2 MiB. */
	huge = json_at(r->json, "counters.backing.dst_after_migration.anon_huge_kb");
	if (json_is_integer(huge) && json_integer_value(huge) >= 0)
		r->v[M_DST_HUGE_MIB] = (double)json_integer_value(huge) / 1024.0;
	/* What the balloon took from the guest: its RAM less the "actual"
	 * size QEMU reported once inflation stopped. */
	r->v[M_BALLOON_MIB] = NAN;
	{
		json_t *actual = json_at(r->json, "counters.balloon.actual_bytes");
		json_t *mem = json_at(r->json, "mem_mib");

		if (json_is_number(actual) && json_is_number(mem))
			r->v[M_BALLOON_MIB] = json_number_value(mem) -
					      json_number_value(actual) / 1048576.0;
	}
	/* Where the inflation's time went on the source QEMU: user mode (under
	 * TCG this includes emulating the guest) and the host kernel. */
	r->v[M_INFLATE_USER_MS] = r->v[M_INFLATE_SYS_MS] = NAN;
	{
		json_t *u = json_at(r->json, "counters.balloon.inflate_user_ms");
		json_t *k = json_at(r->json, "counters.balloon.inflate_sys_ms");

		if (json_is_number(u) && json_is_number(k)) {
			r->v[M_INFLATE_USER_MS] = json_number_value(u);
			r->v[M_INFLATE_SYS_MS] = json_number_value(k);
		}
	}
	/* Needs M_WIRE_MS, derived above. */
	r->v[M_PROJECTED] = projection_ms(r->method, r->v);
	/* Preparation (balloon inflation, settling) is the guest's pace, which
	 * dedicated cores for QEMU's threads would not change: what it added
	 * to the end-to-end time stays. */
	r->v[M_PROJECTED_E2E] = NAN;
	if (!isnan(r->v[M_PROJECTED]) && !isnan(e2e) && !isnan(total))
		r->v[M_PROJECTED_E2E] = r->v[M_PROJECTED] + (e2e - total);
}

static int load_csv_rows(struct case_data *c, size_t run_index, struct error *e)
{
	struct run_info *run = &c->runs[run_index];
	char *path = xasprintf("%s/runs.csv", run->dir);
	struct csv_table t;
	int col_case, col_method, col_repeat, col_status, col_error, col_unit;
	int cols[M_COUNT];
	json_t *link = json_at(run->doc, "link.measured_gbit");
	int rc = -1;

	if (csv_read_file(path, &t, e) < 0) {
		free(path);
		return -1;
	}
	col_case = csv_column(&t, "case");
	col_method = csv_column(&t, "method");
	col_repeat = csv_column(&t, "repeat");
	col_status = csv_column(&t, "status");
	col_error = csv_column(&t, "error");
	col_unit = csv_column(&t, "cpu_unit");
	if (col_method < 0 || col_repeat < 0 || col_status < 0) {
		error_set(e, "%s:1: header lacks one of the columns method, repeat, status", path);
		goto out;
	}
	for (int m = 0; m < M_COUNT; m++)
		cols[m] = metric_defs[m].column ? csv_column(&t, metric_defs[m].column) : -1;

	c->rows = xrealloc(c->rows, (c->nrows + t.nrows) * sizeof(*c->rows));
	for (size_t i = 0; i < t.nrows; i++) {
		const struct csv_row *row = &t.rows[i];
		struct mig_row *r = &c->rows[c->nrows];
		const char *case_cell = csv_cell(row, col_case);
		double rep;

		if (col_case >= 0 && strcmp(case_cell, c->name)) {
			error_set(e, "%s:%zu: case '%s' does not match its directory '%s'", path,
				  row->line, case_cell, c->name);
			goto out;
		}
		if (!csv_cell(row, col_method)[0]) {
			error_set(e, "%s:%zu: empty method", path, row->line);
			goto out;
		}
		if (parse_number(csv_cell(row, col_repeat), &rep) < 0 || rep != (int)rep) {
			error_set(e, "%s:%zu: repeat '%s' is not an integer", path, row->line,
				  csv_cell(row, col_repeat));
			goto out;
		}
		memset(r, 0, sizeof(*r));
		for (int m = 0; m < M_COUNT; m++) {
			const char *cell = csv_cell(row, cols[m]);

			r->v[m] = NAN;
			if (cell[0] && parse_number(cell, &r->v[m]) < 0) {
				error_set(e, "%s:%zu: column %s: '%s' is not a number", path,
					  row->line, metric_defs[m].column, cell);
				goto out;
			}
		}
		/* Older files lack the column: the run's measured link applies. */
		if (isnan(r->v[M_LINK_GBIT]) && json_is_number(link))
			r->v[M_LINK_GBIT] = json_number_value(link);
		r->run = run_index;
		r->line = row->line;
		r->method = xstrdup(csv_cell(row, col_method));
		r->repeat = (int)rep;
		r->status = xstrdup(csv_cell(row, col_status));
		r->error = xstrdup(csv_cell(row, col_error));
		r->cpu_unit = xstrdup(csv_cell(row, col_unit));
		r->ok = !strcmp(r->status, "completed") && !r->error[0];
		r->json = find_migration(run->doc, r->method, r->repeat);
		derive(r);
		add_method(c, r->method);
		c->nrows++;
		run->nrows++;
	}
	rc = 0;
out:
	csv_free(&t);
	free(path);
	return rc;
}

const char *run_qemu_source(json_t *doc)
{
	json_t *v = json_at(doc, "versions.qemu_source");

	return json_is_string(v) ? json_string_value(v) : NULL;
}

const char *run_qemu_series(json_t *doc)
{
	json_t *v = json_at(doc, "versions.qemu_series_sha256");

	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* The code the QEMU binary was built from (build-qemu.sh's .code-id): NULL
 * for runs made before it was recorded. */
const char *run_qemu_code(json_t *doc)
{
	json_t *v = json_at(doc, "versions.qemu_code_id");

	return json_is_string(v) && strcmp(json_string_value(v), "unknown") ?
	       json_string_value(v) : NULL;
}

/* run.json of a run directory, checked to be an object with an array of
 * migrations; NULL with e filled otherwise. */
static json_t *read_run_json(const char *case_dir, const char *id, struct error *e)
{
	char *json_path = xasprintf("%s/%s/run.json", case_dir, id);
	json_error_t je;
	json_t *doc = json_load_file(json_path, 0, &je);

	if (!doc) {
		if (access(json_path, F_OK) != 0)
			error_set(e, "%s: missing (every run directory needs run.json)", json_path);
		else
			error_set(e, "%s:%d: %s", json_path, je.line, je.text);
	} else if (!json_is_object(doc)) {
		error_set(e, "%s: not a JSON object", json_path);
		json_decref(doc);
		doc = NULL;
	} else if (json_object_get(doc, "migrations") &&
		   !json_is_array(json_object_get(doc, "migrations"))) {
		error_set(e, "%s: \"migrations\" is not an array", json_path);
		json_decref(doc);
		doc = NULL;
	}
	free(json_path);
	return doc;
}

/* Takes over doc. */
static int load_run(struct case_data *c, const char *case_dir, const char *id, json_t *doc,
		    struct error *e)
{
	struct run_info *run;
	json_t *err;

	c->runs = xrealloc(c->runs, (c->nruns + 1) * sizeof(*c->runs));
	run = &c->runs[c->nruns];
	memset(run, 0, sizeof(*run));
	run->id = xstrdup(id);
	run->scenario = xstrdup(strchr(id, '_') + 1);
	run->dir = xasprintf("%s/%s", case_dir, id);
	run->doc = doc;
	c->nruns++;

	err = json_object_get(doc, "error");
	if (json_is_string(err) && json_string_value(err)[0])
		run->error = xstrdup(json_string_value(err));
	return load_csv_rows(c, c->nruns - 1, e);
}

static int same_text(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

/* Runs built from different QEMU sources or patch series measure different
 * code, so they must not be pooled even when their ids agree.  Where both
 * runs recorded the code their binary was built from, that decides: a
 * series cut into patches differently, or with reworded messages, is the
 * same code. */
int run_same_qemu(json_t *a, json_t *b)
{
	if (!same_text(run_qemu_source(a), run_qemu_source(b)))
		return 0;
	if (run_qemu_code(a) && run_qemu_code(b))
		return !strcmp(run_qemu_code(a), run_qemu_code(b));
	return same_text(run_qemu_series(a), run_qemu_series(b));
}

/* "1:10.0.13+ds-0+deb13u1 (series 0123456789ab)": the hash shortened, as
 * twelve hex digits tell series apart for a reader. */
static char *qemu_text(json_t *doc)
{
	const char *src = run_qemu_source(doc), *ser = run_qemu_series(doc);

	return xasprintf("%s (series %.12s)", src ? src : "(not recorded)",
			 ser ? ser : "(not recorded)");
}

/* The facts every used run shares by the pooling rule, taken from the
 * newest; plus the harness versions, which may differ. */
static void finish_case(struct case_data *c)
{
	if (c->nruns) {
		json_t *last = c->runs[c->nruns - 1].doc;
		json_t *d = json_at(last, "params.description");
		const char *src = run_qemu_source(last), *ser = run_qemu_series(last);

		if (json_is_string(d))
			c->description = xstrdup(json_string_value(d));
		c->qemu_source = src ? xstrdup(src) : NULL;
		c->qemu_series = ser ? xstrdup(ser) : NULL;
		c->host = run_host_text(last);
		c->prealloc = run_prealloc(last, c->runs[c->nruns - 1].id);
	}
	for (size_t i = 0; i < c->nruns; i++) {
		const char *v = run_harness_version(c->runs[i].doc);

		if (!v)
			v = "not recorded";
		if (strlist_find(&c->harness_versions, v) < 0)
			strlist_add(&c->harness_versions, xstrdup(v));
	}
	order_methods(c);
}

/* Why a run of a pooled scenario is still not pooled: another host or
 * another QEMU than the run that fixed the key; NULL when it matches. */
static char *key_mismatch(json_t *doc, json_t *key, const char *whose)
{
	if (!run_same_host(doc, key)) {
		char *mine = run_host_text(doc), *theirs = run_host_text(key);
		char *why = xasprintf("host %s, not %s %s", mine, whose, theirs);

		free(mine);
		free(theirs);
		return why;
	}
	if (!run_same_qemu(doc, key)) {
		char *mine = qemu_text(doc), *theirs = qemu_text(key);
		char *why = xasprintf("QEMU %s, not %s %s", mine, whose, theirs);

		free(mine);
		free(theirs);
		return why;
	}
	return NULL;
}

/* A scenario the harness ran with --host-cpu-hog: "..._hog<N>" at its end. */
static bool is_hog_scenario(const char *sc)
{
	const char *h = strstr(sc, "_hog");
	size_t digits;

	if (!h)
		return false;
	digits = strspn(h + 4, "0123456789");
	return digits > 0 && h[4 + digits] == '\0';
}

/* sc is base with a host CPU hog: base + "_hog<N>". */
static bool is_hog_of(const char *sc, const char *base)
{
	size_t n = strlen(base);

	return !strncmp(sc, base, n) && is_hog_scenario(sc) && !strncmp(sc + n, "_hog", 4);
}

/* A scenario the harness ran with --src-prealloc on. */
static bool is_srcprealloc_scenario(const char *sc)
{
	return strstr(sc, "_srcprealloc") != NULL;
}

/* sc is base with the source preallocated: base + "_srcprealloc". */
static bool is_srcprealloc_of(const char *sc, const char *base)
{
	size_t n = strlen(base);

	return !strncmp(sc, base, n) && !strcmp(sc + n, "_srcprealloc");
}

/* sc is base run in hosts mode: base + "_hosts-<pair>". */
static bool is_hosts_of(const char *sc, const char *base)
{
	size_t n = strlen(base);

	return !strncmp(sc, base, n) && !strncmp(sc + n, "_hosts-", strlen("_hosts-"));
}

/* Did both "hosts" of a hosts-mode run have the identity of the netns
 * key's machine, i.e. were they this machine's namespaces? */
static bool hosts_on_key_machine(json_t *doc, json_t *key)
{
	static const char *const fields[] = { "cpu_model", "cpus", "mem_mib", "kernel" };
	static const char *const sides[] = { "hosts.src", "hosts.dst" };

	for (size_t s = 0; s < ARRAY_SIZE(sides); s++) {
		for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
			char *path = xasprintf("%s.%s", sides[s], fields[i]);
			char *hk = xasprintf("host.%s", fields[i]);
			char *x = json_scalar_text(json_at(doc, path));
			char *y = json_scalar_text(json_at(key, hk));
			bool same = x && y && !strcmp(x, y);

			free(path);
			free(hk);
			free(x);
			free(y);
			if (!same)
				return false;
		}
	}
	return true;
}

/* The pool of c's runs with hog scenario sc, made on first use. */
static struct case_data *hog_pool(struct case_data *c, const char *sc)
{
	struct case_data *p;

	for (size_t h = 0; h < c->nhogs; h++)
		if (!strcmp(c->hogs[h]->hog_scenario, sc))
			return c->hogs[h];
	p = xcalloc(1, sizeof(*p));
	p->name = xstrdup(c->name);
	p->hog_scenario = xstrdup(sc);
	c->hogs = xrealloc(c->hogs, (c->nhogs + 1) * sizeof(*c->hogs));
	c->hogs[c->nhogs++] = p;
	return p;
}

static int load_case(struct case_data *c, const char *root, const struct load_options *lo,
		     struct error *e)
{
	char *case_dir = xasprintf("%s/%s", root, c->name);
	struct strlist ids = { 0 }, candidates = { 0 };
	json_t **docs = NULL;	/* run.json per candidate; NULL once handed on or dropped */
	const char *scenario = NULL, *whose = NULL;
	json_t *key = NULL;	/* run.json of the run that fixes the pooling key */
	size_t key_at = 0;
	int rc = -1;

	c->prealloc = -1;
	if (list_subdirs(case_dir, &ids, e) < 0)
		goto out;
	for (size_t i = 0; i < ids.n; i++) {
		const char *id = ids.v[i];

		if (contains(id, "faultinjection") || contains(id, "memcheck"))
			add_ignored(c, id, xstrdup("test run (fault injection or memory checker)"));
		else if (!strchr(id, '_') || !strchr(id, '_')[1])
			add_ignored(c, id, xstrdup("name has no scenario part after '_'"));
		else
			strlist_add(&candidates, xstrdup(id));
	}
	docs = xcalloc(candidates.n ? candidates.n : 1, sizeof(*docs));
	/* Every run.json is read, even of runs ignored later: bad input stops
	 * the generator wherever it is. */
	for (size_t i = 0; i < candidates.n; i++) {
		docs[i] = read_run_json(case_dir, candidates.v[i], e);
		if (!docs[i])
			goto out;
		if (run_is_uncommitted(docs[i]) && !lo->include_uncommitted) {
			add_ignored(c, candidates.v[i],
				    xasprintf("uncommitted: harness %s ran from a tree with changes "
					      "no commit records (--include-uncommitted uses it)",
					      run_harness_version(docs[i])));
			json_decref(docs[i]);
			docs[i] = NULL;
		}
	}
	/* The key: the newest eligible run with preallocation on, else the
	 * newest eligible run.  A run with a host CPU hog is a check of the
	 * projection, never the key; nor is a hosts-mode run while a netns
	 * run is there (pass 0): only a directory of hosts runs alone is
	 * keyed by one (pass 1). */
	for (int pass = 0; pass < 2 && !key; pass++) {
		for (size_t i = candidates.n; i-- > 0;) {
			const char *sc = docs[i] ? strchr(candidates.v[i], '_') + 1 : NULL;

			if (!sc || is_hog_scenario(sc) || is_srcprealloc_scenario(sc))
				continue;
			if (pass == 0 && !strcmp(run_mode(docs[i]), "hosts"))
				continue;
			if (!key)
				key = docs[i], key_at = i;
			if (run_prealloc(docs[i], candidates.v[i]) == 1) {
				key = docs[i], key_at = i;
				break;
			}
		}
	}
	if (key) {
		scenario = strchr(candidates.v[key_at], '_') + 1;
		whose = run_prealloc(key, candidates.v[key_at]) == 1 ? "the newest preallocated run's" :
			"the newest run's";
		c->alt_scenario = scenario_other_regime(scenario);
		/* Taken now so the key's run.json outlives the loop below, which
		 * hands documents over to the runs that keep them. */
		json_incref(key);
	}
	for (size_t i = 0; i < candidates.n; i++) {
		const char *id = candidates.v[i], *sc = strchr(id, '_') + 1;
		struct case_data *into = NULL;
		char *why;

		if (!docs[i])
			continue;
		if (!scenario) {
			/* No run could fix the key: hog runs only check another
			 * run's projection, source-preallocated runs only stand
			 * beside another run, and here there is none. */
			add_ignored(c, id, xstrdup(is_srcprealloc_scenario(sc) && !is_hog_scenario(sc) ?
						   "a source-preallocated run with no run of the "
						   "source as booted to stand beside" :
						   "a host CPU hog run with no run without hog to check"));
			continue;
		}
		if (!strcmp(sc, scenario)) {
			into = c;
		} else if (is_hog_of(sc, scenario)) {
			into = hog_pool(c, sc);
		} else if (is_srcprealloc_of(sc, scenario)) {
			if (!c->srcpre) {
				c->srcpre = xcalloc(1, sizeof(*c->srcpre));
				c->srcpre->name = xstrdup(c->name);
			}
			into = c->srcpre;
		} else if (is_hosts_of(sc, scenario) && strcmp(run_mode(key), "hosts")) {
			if (!run_same_qemu(docs[i], key) || !hosts_on_key_machine(docs[i], key)) {
				add_ignored(c, id, xasprintf("hosts mode on another machine or QEMU than %s "
							     "%s: its own pool", whose, scenario));
				continue;
			}
			if (!c->hosts) {
				c->hosts = xcalloc(1, sizeof(*c->hosts));
				c->hosts->name = xstrdup(c->name);
			}
			rc = load_run(c->hosts, case_dir, id, docs[i], e);
			docs[i] = NULL;
			if (rc < 0)
				goto out;
			rc = -1;
			continue;
		} else if (c->alt_scenario && !strcmp(sc, c->alt_scenario)) {
			if (!c->alt) {
				c->alt = xcalloc(1, sizeof(*c->alt));
				c->alt->name = xstrdup(c->name);
			}
			into = c->alt;
		} else {
			add_ignored(c, id, xasprintf("scenario %s, not %s %s", sc, whose, scenario));
			continue;
		}
		why = key_mismatch(docs[i], key, whose);
		if (why) {
			add_ignored(c, id, why);
			continue;
		}
		rc = load_run(into, case_dir, id, docs[i], e);
		docs[i] = NULL;
		if (rc < 0)
			goto out;
		rc = -1;
	}
	finish_case(c);
	if (c->alt && c->alt->nruns)
		finish_case(c->alt);
	for (size_t h = 0; h < c->nhogs; h++)
		if (c->hogs[h]->nruns)
			finish_case(c->hogs[h]);
	if (c->hosts && c->hosts->nruns)
		finish_case(c->hosts);
	if (c->srcpre && c->srcpre->nruns)
		finish_case(c->srcpre);
	rc = 0;
out:
	for (size_t i = 0; docs && i < candidates.n; i++)
		json_decref(docs[i]);
	free(docs);
	json_decref(key);
	strlist_free(&ids);
	strlist_free(&candidates);
	free(case_dir);
	return rc;
}

bool results_is_archive(const char *name)
{
	return !strncmp(name, RESULTS_ARCHIVE_PREFIX, strlen(RESULTS_ARCHIVE_PREFIX));
}

/* Folders of results/ that hold review runs and host probes, not
 * migrations of a case: make sanitizer-run, make fuzz-long,
 * impl/qemu/tests/measure_clear_cost.py, make tcg-barrier-probe and make
 * host-zeroing-probe write them, each with its own summary. */
static const char *const review_dirs[] = { "sanitizers", "fuzz", "kvm-clear-cost",
					   "tcg-barrier", "host-zeroing" };

static bool results_is_case(const char *name)
{
	if (results_is_archive(name))
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(review_dirs); i++)
		if (!strcmp(name, review_dirs[i]))
			return false;
	return true;
}

int results_load(const char *root, const struct load_options *lo, struct result_set *rs,
		 struct error *e)
{
	struct strlist names = { 0 };

	memset(rs, 0, sizeof(*rs));
	rs->include_uncommitted = lo->include_uncommitted;
	if (!is_dir(root)) {
		error_set(e, "%s: no results directory to report on (a run writes one)", root);
		return -1;
	}
	if (list_subdirs(root, &names, e) < 0)
		return -1;
	rs->cases = xcalloc(names.n, sizeof(*rs->cases));
	for (size_t i = 0; i < names.n; i++) {
		struct case_data *c;

		if (!results_is_case(names.v[i]))
			continue;
		c = &rs->cases[rs->ncases++];
		c->name = xstrdup(names.v[i]);
		if (load_case(c, root, lo, e) < 0) {
			strlist_free(&names);
			results_free(rs);
			return -1;
		}
	}
	strlist_free(&names);
	return 0;
}

void results_add_empty_case(struct result_set *rs, const char *name)
{
	size_t at = 0;

	while (at < rs->ncases && strcmp(rs->cases[at].name, name) < 0)
		at++;
	if (at < rs->ncases && !strcmp(rs->cases[at].name, name))
		return;
	rs->cases = xrealloc(rs->cases, (rs->ncases + 1) * sizeof(*rs->cases));
	memmove(&rs->cases[at + 1], &rs->cases[at], (rs->ncases - at) * sizeof(*rs->cases));
	memset(&rs->cases[at], 0, sizeof(*rs->cases));
	rs->cases[at].name = xstrdup(name);
	rs->cases[at].prealloc = -1;
	rs->ncases++;
}

static void case_free(struct case_data *c)
{
	for (size_t j = 0; j < c->nruns; j++) {
		free(c->runs[j].id);
		free(c->runs[j].scenario);
		free(c->runs[j].dir);
		free(c->runs[j].error);
		json_decref(c->runs[j].doc);
	}
	for (size_t j = 0; j < c->nignored; j++) {
		free(c->ignored[j].id);
		free(c->ignored[j].reason);
	}
	for (size_t j = 0; j < c->nrows; j++) {
		free(c->rows[j].method);
		free(c->rows[j].status);
		free(c->rows[j].error);
		free(c->rows[j].cpu_unit);
	}
	free(c->runs);
	free(c->ignored);
	free(c->rows);
	free(c->name);
	free(c->description);
	free(c->qemu_source);
	free(c->qemu_series);
	free(c->host);
	free(c->alt_scenario);

	strlist_free(&c->methods);
	strlist_free(&c->harness_versions);
	if (c->alt) {
		case_free(c->alt);
		free(c->alt);
	}
	for (size_t h = 0; h < c->nhogs; h++) {
		case_free(c->hogs[h]);
		free(c->hogs[h]);
	}
	free(c->hogs);
	free(c->hog_scenario);
	if (c->hosts) {
		case_free(c->hosts);
		free(c->hosts);
	}
	if (c->srcpre) {
		case_free(c->srcpre);
		free(c->srcpre);
	}
}

void results_free(struct result_set *rs)
{
	for (size_t i = 0; i < rs->ncases; i++)
		case_free(&rs->cases[i]);
	free(rs->cases);
	memset(rs, 0, sizeof(*rs));
}

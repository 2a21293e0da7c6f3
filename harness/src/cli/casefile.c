#include "casefile.h"

#include <ctype.h>
#include <stdbool.h>
#include <stddef.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "methods.h"
#include "util.h"

const char *workload_name(enum workload w)
{
	return w == WORKLOAD_STRESS_VM ? "stress-vm" : w == WORKLOAD_SERVICE ? "service" : "none";
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static int parse_int(const char *v, long lo, long hi, long *out)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(v, &end, 10);
	if (errno || end == v || *end || n < lo || n > hi)
		return -1;
	*out = n;
	return 0;
}

int case_set_methods(struct case_def *c, const char *list, char *err, size_t errlen)
{
	char buf[512];
	char *save = NULL;

	if (strlen(list) >= sizeof(buf)) {
		snprintf(err, errlen, "method list too long");
		return -1;
	}
	strcpy(buf, list);
	c->nmethods = 0;
	/* "all": every method of the table, in its order. */
	if (!strcmp(list, "all")) {
		for (int i = 0; method_at(i); i++) {
			if (c->nmethods == CASE_MAX_METHODS) {
				snprintf(err, errlen, "too many methods for CASE_MAX_METHODS");
				return -1;
			}
			snprintf(c->methods[c->nmethods++], sizeof(c->methods[0]), "%s",
				 method_at(i)->name);
		}
		return 0;
	}
	for (char *t = strtok_r(buf, ", \t", &save); t; t = strtok_r(NULL, ", \t", &save)) {
		if (!method_find(t)) {
			snprintf(err, errlen, "unknown method '%s' (known: %s)", t, method_names());
			return -1;
		}
		for (int i = 0; i < c->nmethods; i++) {
			if (!strcmp(c->methods[i], t)) {
				snprintf(err, errlen, "method '%s' listed twice", t);
				return -1;
			}
		}
		if (c->nmethods == CASE_MAX_METHODS) {
			snprintf(err, errlen, "too many methods");
			return -1;
		}
		snprintf(c->methods[c->nmethods++], sizeof(c->methods[0]), "%s", t);
	}
	if (c->nmethods == 0) {
		snprintf(err, errlen, "no method given");
		return -1;
	}
	return 0;
}

/* The numeric keys, with the range each accepts. */
static const struct {
	const char *key;
	long lo, hi;
	size_t off;
	bool is_long;		/* a long field, else an int */
} numeric_keys[] = {
#define INT_KEY(f, lo, hi) { #f, lo, hi, offsetof(struct case_def, f), false }
#define LONG_KEY(f, lo, hi) { #f, lo, hi, offsetof(struct case_def, f), true }
	INT_KEY(repeat, 1, 1000),
	INT_KEY(settle_ms, 0, 3600000),
	INT_KEY(workload_mem_pct, 1, 99),
	INT_KEY(workload_s, 1, 3600),
	LONG_KEY(memcheck_mib, 0, 1024 * 1024),
	INT_KEY(page_cache_pct, 0, 90),
	LONG_KEY(service_wss_mib, 1, 1024 * 1024),
	LONG_KEY(service_dirty_mib_s, 0, 100000),
	INT_KEY(warmup_s, 1, 3600),
	INT_KEY(observe_after_s, 1, 3600),
	INT_KEY(churn_mem_pct, 0, 99),
	INT_KEY(churn_s, 1, 3600),
#undef INT_KEY
#undef LONG_KEY
};

int case_set(struct case_def *c, const char *k, const char *v, char *err, size_t errlen)
{
	for (size_t i = 0; i < sizeof(numeric_keys) / sizeof(numeric_keys[0]); i++) {
		char *field = (char *)c + numeric_keys[i].off;
		long num;

		if (strcmp(k, numeric_keys[i].key))
			continue;
		if (parse_int(v, numeric_keys[i].lo, numeric_keys[i].hi, &num)) {
			snprintf(err, errlen, "bad value '%s' for '%s'", v, k);
			return -1;
		}
		if (numeric_keys[i].is_long)
			*(long *)(void *)field = num;
		else
			*(int *)(void *)field = (int)num;
		return 0;
	}
	if (!strcmp(k, "description")) {
		snprintf(c->description, sizeof(c->description), "%s", v);
	} else if (!strcmp(k, "mem")) {
		int64_t m = parse_size_mib(v);

		if (m < 128 || m > 1024 * 1024) {
			snprintf(err, errlen, "bad guest size '%s'", v);
			return -1;
		}
		c->mem_mib = (long)m;
	} else if (!strcmp(k, "workload")) {
		if (!strcmp(v, "none"))
			c->workload = WORKLOAD_NONE;
		else if (!strcmp(v, "stress-vm"))
			c->workload = WORKLOAD_STRESS_VM;
		else if (!strcmp(v, "service"))
			c->workload = WORKLOAD_SERVICE;
		else {
			snprintf(err, errlen, "unknown workload '%s'", v);
			return -1;
		}
	} else if (!strcmp(k, "methods")) {
		if (case_set_methods(c, v, err, errlen))
			return -1;
	} else {
		snprintf(err, errlen, "unknown key '%s'", k);
		return -1;
	}
	return 0;
}

int case_check(const struct case_def *c, char *err, size_t errlen)
{
	/* The churn is the history of a long-running guest; on its own it
	 * would be case2's workload under another name. */
	if (c->churn_mem_pct && c->workload != WORKLOAD_SERVICE) {
		snprintf(err, errlen, "churn_mem_pct needs workload = service");
		return -1;
	}
	return 0;
}

int case_parse(const char *name, const char *text, struct case_def *c,
               char *err, size_t errlen)
{
	char line[1024], kerr[256];
	const char *p = text;
	int lineno = 0;

	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->mem_mib = 8192;	/* the seed's guest */
	c->repeat = 5;
	c->settle_ms = 1000;
	c->workload = WORKLOAD_NONE;
	c->workload_mem_pct = 90;
	c->workload_s = 10;
	c->page_cache_pct = 50;
	c->service_wss_mib = 1024;
	c->service_dirty_mib_s = 64;
	c->warmup_s = 10;
	c->observe_after_s = 10;
	c->churn_mem_pct = 0;
	c->churn_s = 150;
	strcpy(c->methods[0], "baseline");
	c->nmethods = 1;

	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		char *k, *v, *eq, *hash;

		lineno++;
		if (n >= sizeof(line)) {
			snprintf(err, errlen, "%s:%d: line too long", name, lineno);
			return -1;
		}
		memcpy(line, p, n);
		line[n] = '\0';
		p += n + (nl ? 1 : 0);
		if ((hash = strchr(line, '#')))
			*hash = '\0';
		k = trim(line);
		if (!*k)
			continue;
		eq = strchr(k, '=');
		if (!eq) {
			snprintf(err, errlen, "%s:%d: expected key = value", name, lineno);
			return -1;
		}
		*eq = '\0';
		k = trim(k);
		v = trim(eq + 1);
		if (!*v) {
			snprintf(err, errlen, "%s:%d: empty value for '%s'", name, lineno, k);
			return -1;
		}
		if (case_set(c, k, v, kerr, sizeof(kerr))) {
			snprintf(err, errlen, "%s:%d: %s", name, lineno, kerr);
			return -1;
		}
	}
	if (case_check(c, kerr, sizeof(kerr))) {
		snprintf(err, errlen, "%s: %s", name, kerr);
		return -1;
	}
	return 0;
}

int case_load(const char *dir, const char *name, struct case_def *c,
              char *err, size_t errlen)
{
	char path[1024];
	char *text;
	int rc;

	for (const char *s = name; *s; s++) {
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_') {
			snprintf(err, errlen, "invalid case name '%s'", name);
			return -1;
		}
	}
	snprintf(path, sizeof(path), "%s/%s.case", dir, name);
	text = read_file(path);
	if (!text) {
		snprintf(err, errlen, "unknown case '%s' (no %s)", name, path);
		return -1;
	}
	rc = case_parse(name, text, c, err, errlen);
	free(text);
	return rc;
}

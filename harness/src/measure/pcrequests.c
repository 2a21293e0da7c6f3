#include "pcrequests.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const pc_requests_qemu_args[] = {
	"-trace", "enable=postcopy_page_req_add",
	"-trace", "enable=postcopy_page_req_del",
	"-msg", "timestamp=on",
	NULL,
};

struct event {
	uint64_t addr;
	int64_t t_us;
};

struct events {
	struct event *v;
	size_t n, cap;
};

static void push(struct events *e, uint64_t addr, int64_t t_us)
{
	if (e->n == e->cap) {
		e->cap = e->cap ? 2 * e->cap : 256;
		e->v = realloc(e->v, e->cap * sizeof(*e->v));
		if (!e->v)
			abort();
	}
	e->v[e->n].addr = addr;
	e->v[e->n].t_us = t_us;
	e->n++;
}

static int by_addr(const void *a, const void *b)
{
	const struct event *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* One line: "TID@S.US:NAME new page req 0xADDR total N" (or "resolved
 * page req").  False for any other line. */
static bool parse_line(const char *line, const char *name, uint64_t *addr, int64_t *t_us)
{
	unsigned long long sec, usec, a;
	const char *p = strchr(line, '@'), *q;
	size_t n = strlen(name);

	if (!p || sscanf(p + 1, "%llu.%llu:", &sec, &usec) != 2)
		return false;
	q = strchr(p, ':');
	if (!q || strncmp(q + 1, name, n) || q[1 + n] != ' ')
		return false;
	q = strstr(q + 1 + n, "page req ");
	if (!q || sscanf(q + strlen("page req "), "%llx", &a) != 1)
		return false;
	*addr = a;
	*t_us = (int64_t)sec * 1000000 + (int64_t)usec;
	return true;
}

int pc_requests_parse(const char *log, struct pc_requests *out)
{
	struct events adds = { 0 }, dels = { 0 };
	double *lat;
	size_t nlat = 0;

	out->requested = out->resolved = 0;
	out->median_us = out->max_us = -1;
	if (!log)
		return -1;
	for (const char *line = log; *line;) {
		const char *nl = strchr(line, '\n');
		char buf[256];
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		uint64_t addr;
		int64_t t;

		snprintf(buf, sizeof(buf), "%.*s", (int)(len < sizeof(buf) ? len : sizeof(buf) - 1),
			 line);
		if (parse_line(buf, "postcopy_page_req_add", &addr, &t))
			push(&adds, addr, t);
		else if (parse_line(buf, "postcopy_page_req_del", &addr, &t))
			push(&dels, addr, t);
		line = nl ? nl + 1 : line + len;
	}
	/* QEMU asks for a page once, until it is placed; once placed it is
	 * never asked for again.  So each address has at most one add. */
	qsort(adds.v, adds.n, sizeof(*adds.v), by_addr);
	lat = calloc(dels.n + 1, sizeof(*lat));
	if (!lat)
		abort();
	for (size_t i = 0; i < dels.n; i++) {
		struct event *a = bsearch(&dels.v[i], adds.v, adds.n, sizeof(*adds.v), by_addr);

		if (a && dels.v[i].t_us >= a->t_us)
			lat[nlat++] = (double)(dels.v[i].t_us - a->t_us);
	}
	out->requested = (long)adds.n;
	out->resolved = (long)nlat;
	if (nlat) {
		qsort(lat, nlat, sizeof(*lat), by_value);
		out->median_us = nlat % 2 ? lat[nlat / 2] : (lat[nlat / 2 - 1] + lat[nlat / 2]) / 2;
		out->max_us = lat[nlat - 1];
	}
	free(lat);
	free(adds.v);
	free(dels.v);
	return 0;
}

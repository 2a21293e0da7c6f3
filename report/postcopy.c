#include "postcopy.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "util.h"

/* The record's fields that become columns, in order. */
static const struct {
	const char *key, *label;
	bool maximum;		/* the largest over migrations, not the median */
} columns[] = {
	{ "precopy_phase_ms", "precopy phase (ms)", false },
	{ "postcopy_phase_ms", "postcopy phase (ms)", false },
	{ "requests", "pages requested", false },
	{ "request_median_us", "request latency, median (µs)", false },
	{ "request_max_us", "request latency, max (µs)", true },
	{ "blocktime_ms", "vCPUs blocked (ms)", false },
};

struct method_postcopy {
	size_t records, switched;
	char *cells[ARRAY_SIZE(columns)];
};

static bool switched(json_t *pc)
{
	return json_is_number(json_object_get(pc, "precopy_phase_ms"));
}

/* The "postcopy" record of a completed migration of method; NULL for any
 * other row, or one without a record. */
static json_t *record_of(const struct mig_row *r, const char *method)
{
	json_t *pc = r->ok && !strcmp(r->method, method) && r->json ?
		     json_object_get(r->json, "postcopy") : NULL;

	return json_is_object(pc) ? pc : NULL;
}

/* One method's column values over its switched migrations. */
static void collect(const struct case_data *c, const char *method, struct method_postcopy *out)
{
	double *v = xcalloc(c->nrows + 1, sizeof(*v));

	memset(out, 0, sizeof(*out));
	for (size_t r = 0; r < c->nrows; r++) {
		json_t *pc = record_of(&c->rows[r], method);

		if (!pc)
			continue;
		out->records++;
		out->switched += switched(pc);
	}
	for (size_t k = 0; k < ARRAY_SIZE(columns); k++) {
		size_t n = 0;

		for (size_t r = 0; r < c->nrows; r++) {
			json_t *pc = record_of(&c->rows[r], method);
			json_t *x = json_object_get(pc, columns[k].key);

			if (pc && switched(pc) && json_is_number(x))
				v[n++] = json_number_value(x);
		}
		if (!n) {
			out->cells[k] = xstrdup("–");
		} else {
			struct summary s = summarize(v, n);

			out->cells[k] = columns[k].maximum ? fmt_num(s.max) : summary_range_text(&s);
		}
	}
	free(v);
}

void postcopy_write(FILE *f, const struct case_stats *cs)
{
	bool header = false;

	for (size_t i = 0; i < cs->nm; i++) {
		struct method_postcopy mp;

		collect(cs->c, cs->m[i].method, &mp);
		if (mp.records) {
			if (!header) {
				fprintf(f, "#### Postcopy, from the counters\n\nA postcopy method "
					"switches once the first precopy pass is done; a migration "
					"whose precopy converges first never switches, and is precopy "
					"under another name. Over the migrations that switched: medians "
					"[min–max] of the phases, of the pages the destination asked the "
					"source for, of each migration's median request-to-placement "
					"latency on the destination (its trace), the largest single "
					"request, and the time QEMU counted the destination's vCPUs "
					"blocked on missing pages.\n\n| method | switched |");
				for (size_t k = 0; k < ARRAY_SIZE(columns); k++)
					fprintf(f, " %s |", columns[k].label);
				fprintf(f, "\n|---|---|");
				for (size_t k = 0; k < ARRAY_SIZE(columns); k++)
					fprintf(f, "---|");
				fprintf(f, "\n");
				header = true;
			}
			fprintf(f, "| %s | %zu / %zu |", cs->m[i].method, mp.switched, mp.records);
			for (size_t k = 0; k < ARRAY_SIZE(columns); k++)
				fprintf(f, " %s |", mp.cells[k]);
			fprintf(f, "\n");
		}
		for (size_t k = 0; k < ARRAY_SIZE(columns); k++)
			free(mp.cells[k]);
	}
	if (header)
		fprintf(f, "\n");
}

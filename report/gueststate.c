#include "gueststate.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "results.h"
#include "util.h"

static long param_int(json_t *params, const char *path, long dflt)
{
	json_t *v = json_at(params, path);

	return json_is_integer(v) ? (long)json_integer_value(v) : dflt;
}

static const char *param_str(json_t *params, const char *path, const char *dflt)
{
	json_t *v = json_at(params, path);

	return json_is_string(v) ? json_string_value(v) : dflt;
}

char *guest_preparation_text(json_t *params)
{
	const char *workload = param_str(params, "workload", "none");
	struct strbuf sb = { 0 };

	if (!strcmp(workload, "stress-vm")) {
		sb_addf(&sb, "stress-ng vm over %ld%% of RAM for %ld s",
			param_int(params, "workload_mem_pct", 0), param_int(params, "workload_s", 0));
	} else if (!strcmp(workload, "service")) {
		long churn = param_int(params, "case3.churn_mem_pct", 0);

		if (churn)
			sb_addf(&sb, "a finished job (stress-ng vm over %ld%% of RAM for %ld s), "
				"then ", churn,
				param_int(params, "case3.churn_s", 0));
		sb_addf(&sb, "page cache %ld%% of RAM, service of %ld MiB dirtying %ld MiB/s, "
			"warm-up %ld s", param_int(params, "case3.page_cache_pct", 0),
			param_int(params, "case3.service_wss_mib", 0),
			param_int(params, "case3.service_dirty_mib_s", 0),
			param_int(params, "case3.warmup_s", 0));
	} else {
		sb_addf(&sb, "idle");
	}
	return sb_take(&sb);
}

/* Three cells, " 7691804 | 7700721 | +0.1% |": the archived count, the
 * current one and the change; *within is cleared when the change is beyond
 * the tolerance. */
static void put_count(FILE *f, double now, double then, bool *within)
{
	double p = percent_change(now, then);
	char *a = fmt_num(now), *b = fmt_num(then), *pc = fmt_pct(p);

	/* A count of zero on both sides is the same state; a count appearing
	 * from nothing is not within any percentage. */
	if (isnan(p) && !(now == 0 && then == 0))
		*within = false;
	else if (!isnan(p) && fabs(p) > GUESTSTATE_TOLERANCE_PCT)
		*within = false;
	fprintf(f, " %s | %s | %s |", b, a, isnan(p) ? (now == then ? "+0.0%" : "–") : pc);
	free(a);
	free(b);
	free(pc);
}

void gueststate_write(FILE *f, const struct base_side *cur, const struct base_side *old)
{
	size_t rows = 0, moved = 0;
	struct strbuf missing = { 0 };	/* cases not compared, ", "-joined */

	fprintf(f, "## Guest state at migration\n\n"
		"Every case is re-run on each new QEMU base and patch series, and its guest must "
		"reach the migration in the same state each time, or the figures compare "
		"different guests. The baseline sends every page, so its normal and zero page "
		"counts are that state as the migration sees it. Here they are beside the archived "
		"runs in `%s/`, the first published set; a count that moved by more than "
		"%.0f%% means the guest changed. Medians over the baseline's completed "
		"migrations.\n\n",
		old->dir, GUESTSTATE_TOLERANCE_PCT);
	fprintf(f, "| case | preparation, archived | preparation, current | normal pages, "
		"archived | current | change | zero pages, archived | current | change | "
		"within %.0f%% |\n|---|---|---|---|---|---|---|---|---|---|\n",
		GUESTSTATE_TOLERANCE_PCT);
	for (size_t i = 0; i < cur->n; i++) {
		const struct case_stats *n = &cur->cases[i];
		const struct case_stats *o = side_case(old, n->c->name);
		const struct method_stats *bn = n->c->nruns ? case_stats_method(n, "baseline") : NULL;
		const struct method_stats *bo = o ? case_stats_method(o, "baseline") : NULL;
		bool within = true;
		char *pn, *po;

		if (!bn || !bo || !bn->s[M_NORMAL_PAGES].n || !bo->s[M_NORMAL_PAGES].n) {
			/* Without runs here, the archive's loop below names it. */
			if (n->c->nruns)
				sb_addf(&missing, "%s%s", missing.len ? ", " : "", n->c->name);
			continue;
		}
		pn = guest_preparation_text(json_at(case_stats_newest_doc(n), "params"));
		po = guest_preparation_text(json_at(case_stats_newest_doc(o), "params"));
		fprintf(f, "| %s | %s | %s |", n->c->name, po, strcmp(po, pn) ? pn : "the same");
		put_count(f, method_median(bn, M_NORMAL_PAGES), method_median(bo, M_NORMAL_PAGES),
			  &within);
		put_count(f, method_median(bn, M_ZERO_PAGES), method_median(bo, M_ZERO_PAGES),
			  &within);
		fprintf(f, " %s |\n", within ? "yes" : "**no**");
		moved += !within;
		rows++;
		free(pn);
		free(po);
	}
	/* An archived case with no current runs is left out too. */
	for (size_t i = 0; i < old->n; i++)
		if (old->cases[i].c->nruns && !side_case(cur, old->cases[i].c->name))
			sb_addf(&missing, "%s%s", missing.len ? ", " : "", old->cases[i].c->name);
	if (!rows)
		fprintf(f, "| – | no case has baseline migrations on both sides yet | | | | | | | | |\n");
	fprintf(f, "\n");
	if (rows && !moved)
		fprintf(f, "In every case above, the baseline reached the migration within %.0f%% of "
			"the archived guest's normal and zero page counts.\n\n",
			GUESTSTATE_TOLERANCE_PCT);
	else if (moved)
		fprintf(f, "%zu case%s moved by more than %.0f%%: %s guest is not the archived one.\n\n",
			moved, moved == 1 ? "" : "s", GUESTSTATE_TOLERANCE_PCT,
			moved == 1 ? "its" : "their");
	if (rows && missing.len)
		fprintf(f, "Not compared, for want of baseline migrations on both sides: %s.\n\n",
			missing.s);
	free(missing.s);
}

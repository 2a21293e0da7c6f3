#include "comparison.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

bool compare_samples(const char *a, const double *va, size_t na, const char *b,
		     const double *vb, size_t nb, enum metric m, struct comparison *out)
{
	double *sa = xmalloc((na ? na : 1) * sizeof(*sa)), *sb = xmalloc((nb ? nb : 1) * sizeof(*sb));
	size_t ka = 0, kb = 0;
	bool a_wins;

	memset(out, 0, sizeof(*out));
	out->m = m;
	for (size_t i = 0; i < na; i++)
		if (!isnan(va[i]))
			sa[ka++] = va[i];
	for (size_t i = 0; i < nb; i++)
		if (!isnan(vb[i]))
			sb[kb++] = vb[i];
	if (!ka || !kb) {
		free(sa);
		free(sb);
		return false;
	}
	{
		/* Medians on copies: median_in_place reorders, and the
		 * bootstrap must see the samples in their file order. */
		double *ca = xmalloc(ka * sizeof(*ca)), *cb = xmalloc(kb * sizeof(*cb));
		double ma, mb;

		memcpy(ca, sa, ka * sizeof(*ca));
		memcpy(cb, sb, kb * sizeof(*cb));
		ma = median_in_place(ca, ka);
		mb = median_in_place(cb, kb);
		free(ca);
		free(cb);
		/* Equal medians: the name decides, so the result does not
		 * depend on the order the caller named the two. */
		a_wins = ma < mb || (ma == mb && strcmp(a, b) <= 0);
		out->winner = a_wins ? a : b;
		out->loser = a_wins ? b : a;
		out->winner_median = a_wins ? ma : mb;
		out->loser_median = a_wins ? mb : ma;
	}
	out->n_winner = a_wins ? ka : kb;
	out->n_loser = a_wins ? kb : ka;
	out->ri = a_wins ? bootstrap_ratio_of_medians(sb, kb, sa, ka, BOOTSTRAP_RESAMPLES,
						      BOOTSTRAP_SEED, BOOTSTRAP_LEVEL)
			 : bootstrap_ratio_of_medians(sa, ka, sb, kb, BOOTSTRAP_RESAMPLES,
						      BOOTSTRAP_SEED, BOOTSTRAP_LEVEL);
	free(sa);
	free(sb);
	if (!out->ri.valid)
		return false;
	out->clear = out->ri.lo > 1.0 && out->n_winner >= COMPARE_MIN_SAMPLES &&
		     out->n_loser >= COMPARE_MIN_SAMPLES;
	return true;
}

bool compare_methods(const struct case_stats *cs, const char *a, const char *b, enum metric m,
		     struct comparison *out)
{
	double *va, *vb;
	size_t na = case_method_samples(cs->c, a, m, &va), nb = case_method_samples(cs->c, b, m, &vb);
	bool ok = compare_samples(a, va, na, b, vb, nb, m, out);

	free(va);
	free(vb);
	return ok;
}

/* Enough decimals that a clear difference never reads "1.00x": three
 * below 1.1, two below 10, fewer above.  The interval's ends take the
 * point's precision, so the three numbers line up. */
static int decimals_for(double r)
{
	return r < 1.1 ? 3 : r < 10 ? 2 : r < 100 ? 1 : 0;
}

static char *number(double r, int decimals)
{
	return isinf(r) ? xstrdup("inf") : xasprintf("%.*f", decimals, r);
}

char *comparison_ratio_text(const struct comparison *c)
{
	int d = decimals_for(c->ri.point);
	char *p = number(c->ri.point, d), *lo = number(c->ri.lo, d), *hi = number(c->ri.hi, d);
	char *out = xasprintf("%sx [%s–%s]", p, lo, hi);

	free(p);
	free(lo);
	free(hi);
	return out;
}

const char *comparative_better(enum metric m)
{
	switch (m) {
	case M_TRANSFERRED_KB: return "fewer bytes";
	case M_DOWNTIME: return "less downtime";
	default: return "faster";
	}
}

const char *comparative_worse(enum metric m)
{
	switch (m) {
	case M_TRANSFERRED_KB: return "more bytes";
	case M_DOWNTIME: return "more downtime";
	default: return "slower";
	}
}

char *comparison_text(const struct comparison *c)
{
	char *r = comparison_ratio_text(c), *out;

	if (c->clear)
		out = xasprintf("%s %s %s %s than %s", c->winner,
				c->m == M_TRANSFERRED_KB ? "sends" : c->m == M_DOWNTIME ? "has" : "is",
				r, comparative_better(c->m), c->loser);
	else
		out = xasprintf("no clear difference between %s and %s (%s)", c->winner, c->loser, r);
	free(r);
	return out;
}

char *comparison_cell(const struct comparison *c, const char *method)
{
	char *r = comparison_ratio_text(c), *out;

	if (!c->clear)
		out = xasprintf("no clear difference (%s)", r);
	else
		out = xasprintf("%s %s", r, !strcmp(c->winner, method) ? comparative_better(c->m) :
					    comparative_worse(c->m));
	free(r);
	return out;
}

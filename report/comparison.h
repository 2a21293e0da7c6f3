/* Two methods compared on one figure: which did better, by how much, and
 * whether the difference is clear.  Every ratio between methods that the
 * report prints (the verdict, the per-case tables, the findings, the
 * appendix) comes from compare_methods() and is worded by the text
 * functions below, so the same pair reads the same everywhere.
 *
 * The convention, one direction only: the ratio is the loser's median over
 * the winner's, so it is never below 1 ("pv-bitmap is 7.52x faster than
 * balloon", "balloon sends 1.04x fewer bytes than pv-bitmap").  Every ratio
 * comes with its 95% percentile bootstrap interval (bootstrap.h).  A
 * difference is clear only when the interval's lower end is above 1.0 and
 * each side has at least COMPARE_MIN_SAMPLES migrations; otherwise no
 * winner is named. */
#ifndef REPORT_COMPARISON_H
#define REPORT_COMPARISON_H

#include <stdbool.h>
#include <stddef.h>

#include "bootstrap.h"
#include "metrics.h"
#include "stats.h"

/* Below this many migrations per side the bootstrap has too little to
 * resample (one migration gives a zero-width interval). */
#define COMPARE_MIN_SAMPLES 3

struct comparison {
	enum metric m;
	const char *winner, *loser;	/* by median; equal medians: name order */
	double winner_median, loser_median;
	size_t n_winner, n_loser;
	struct ratio_interval ri;	/* loser's median / winner's, >= 1 */
	bool clear;			/* a winner may be named */
};

/* Compare the samples of two methods on m (lower is better for every
 * figure compared; NAN entries are not samples).  False when a side has no
 * sample or the winner's median is 0 (no ratio). */
bool compare_samples(const char *a, const double *va, size_t na, const char *b,
		     const double *vb, size_t nb, enum metric m, struct comparison *out);

/* The same on a case's completed migrations (stats.h's samples). */
bool compare_methods(const struct case_stats *cs, const char *a, const char *b, enum metric m,
		     struct comparison *out);

/* "7.52x [7.31–7.70]": the ratio and its interval.  Caller frees. */
char *comparison_ratio_text(const struct comparison *c);

/* The ratio read from the winner's side, "faster", "fewer bytes", "less
 * downtime", and from the loser's, "slower", "more bytes", "more downtime". */
const char *comparative_better(enum metric m);
const char *comparative_worse(enum metric m);

/* One method against another as a sentence part: "pv-bitmap is 7.52x
 * [7.31–7.70] faster than balloon", or "no clear difference between
 * pv-bitmap and balloon (1.03x [0.97–1.10])".  Caller frees. */
char *comparison_text(const struct comparison *c);

/* A method's cell against a reference method (a table's "vs baseline"):
 * "4.52x [4.46–5.27] faster", "1.66x [1.63–1.70] slower", or "no clear
 * difference (1.01x [0.97–1.06])".  Caller frees. */
char *comparison_cell(const struct comparison *c, const char *method);

#endif

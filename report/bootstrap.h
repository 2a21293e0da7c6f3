/* A percentile bootstrap of the ratio of two medians.
 *
 * Each side's migrations are resampled with replacement (the same count as
 * it has), the median of each resample taken, and their ratio recorded; the
 * interval is the central 95% of those ratios.  The generator is seeded with
 * a fixed number and restarted for every comparison, so a report generated
 * twice from the same results carries the same intervals, and one interval
 * does not depend on which comparisons were made before it. */
#ifndef REPORT_BOOTSTRAP_H
#define REPORT_BOOTSTRAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What the report names when it quotes an interval. */
#define BOOTSTRAP_RESAMPLES 10000
#define BOOTSTRAP_SEED 20160303u	/* the day the reply was posted */
#define BOOTSTRAP_LEVEL 0.95

struct ratio_interval {
	bool valid;		/* false when a side is empty or its median is 0 */
	double point;		/* median(num) / median(den) of the samples as given */
	double lo, hi;		/* percentile interval of the resampled ratios */
};

/* The interval of median(num) / median(den) at the given level (0.95),
 * from `resamples` resamples with the generator seeded by `seed`.  NAN
 * entries are not samples and are skipped.  A resample whose denominator
 * median is 0 gives an infinite ratio, which lands at the interval's top. */
struct ratio_interval bootstrap_ratio_of_medians(const double *num, size_t nnum,
						 const double *den, size_t nden,
						 unsigned resamples, uint64_t seed, double level);

/* The median of v[0..n) (the mean of the middle two for an even count),
 * v reordered; NAN when n is 0.  The same rule as stats.h's summaries. */
double median_in_place(double *v, size_t n);

#endif

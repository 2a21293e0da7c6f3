#include "bootstrap.h"

#include <math.h>
#include <stdlib.h>

#include "util.h"

/* splitmix64: small, fast, and the same sequence on every platform and C
 * library, which rand() does not promise; the report's intervals must not
 * change with the machine that generates it. */
static uint64_t next_u64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15u);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

/* An index in [0, n) without modulo bias: draws that fall in the short last
 * block are rejected. */
static size_t draw_index(uint64_t *state, size_t n)
{
	uint64_t limit = UINT64_MAX - UINT64_MAX % n, x;

	do
		x = next_u64(state);
	while (x >= limit);
	return (size_t)(x % n);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double median_in_place(double *v, size_t n)
{
	if (!n)
		return NAN;
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The measured values of v, NAN skipped, in a new array. */
static size_t present(const double *v, size_t n, double **out)
{
	size_t k = 0;

	*out = xmalloc((n ? n : 1) * sizeof(**out));
	for (size_t i = 0; i < n; i++)
		if (!isnan(v[i]))
			(*out)[k++] = v[i];
	return k;
}

static double resample_median(const double *v, size_t n, double *scratch, uint64_t *state)
{
	for (size_t i = 0; i < n; i++)
		scratch[i] = v[draw_index(state, n)];
	return median_in_place(scratch, n);
}

static double ratio(double num, double den)
{
	if (den == 0)
		return num == 0 ? 1.0 : INFINITY;
	return num / den;
}

struct ratio_interval bootstrap_ratio_of_medians(const double *num, size_t nnum,
						 const double *den, size_t nden,
						 unsigned resamples, uint64_t seed, double level)
{
	struct ratio_interval ri = { false, NAN, NAN, NAN };
	double *a, *b, *scratch, *ratios, med_a, med_b;
	size_t na = present(num, nnum, &a), nb = present(den, nden, &b);
	uint64_t state = seed;

	if (!na || !nb || !resamples) {
		free(a);
		free(b);
		return ri;
	}
	scratch = xmalloc((na > nb ? na : nb) * sizeof(*scratch));
	for (size_t i = 0; i < na; i++)
		scratch[i] = a[i];
	med_a = median_in_place(scratch, na);
	for (size_t i = 0; i < nb; i++)
		scratch[i] = b[i];
	med_b = median_in_place(scratch, nb);
	if (med_b == 0) {
		free(scratch);
		free(a);
		free(b);
		return ri;
	}
	ri.point = med_a / med_b;
	ratios = xmalloc(resamples * sizeof(*ratios));
	for (unsigned r = 0; r < resamples; r++) {
		double ma = resample_median(a, na, scratch, &state);
		double mb = resample_median(b, nb, scratch, &state);

		ratios[r] = ratio(ma, mb);
	}
	qsort(ratios, resamples, sizeof(*ratios), cmp_double);
	{
		/* Nearest rank: the lower bound is the ratio with (1-level)/2 of
		 * the resamples below it, the upper one with as many above. */
		double tail = (1.0 - level) / 2.0;
		size_t lo = (size_t)floor(tail * resamples);
		size_t hi = (size_t)ceil((1.0 - tail) * resamples);

		hi = hi ? hi - 1 : 0;
		if (lo >= resamples)
			lo = resamples - 1;
		if (hi >= resamples)
			hi = resamples - 1;
		ri.lo = ratios[lo];
		ri.hi = ratios[hi];
	}
	ri.valid = true;
	free(ratios);
	free(scratch);
	free(a);
	free(b);
	return ri;
}

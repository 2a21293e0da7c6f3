#include "order.h"

#include <time.h>
#include <unistd.h>

/* splitmix64: small, well mixed, and ours to keep identical everywhere
 * (rand() differs between libcs, so a recorded seed would not replay). */
static uint64_t next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void method_order(int n, bool shuffle, uint64_t seed, int rep, int *idx)
{
	uint64_t s = seed ^ ((uint64_t)rep * 0xd1b54a32d192ed03ULL);

	for (int i = 0; i < n; i++)
		idx[i] = i;
	if (!shuffle)
		return;
	/* Fisher-Yates; the modulo's bias is nil for a handful of methods. */
	for (int i = n - 1; i > 0; i--) {
		int j = (int)(next(&s) % (uint64_t)(i + 1));
		int t = idx[i];

		idx[i] = idx[j];
		idx[j] = t;
	}
}

uint64_t order_seed_now(void)
{
	struct timespec ts;
	uint64_t s;

	clock_gettime(CLOCK_REALTIME, &ts);
	s = (uint64_t)ts.tv_sec * 1000000007ULL ^ (uint64_t)ts.tv_nsec ^ ((uint64_t)getpid() << 32);
	/* Kept below 2^53 so that run.json's number reads back exactly in
	 * any JSON reader. */
	return next(&s) >> 11;
}

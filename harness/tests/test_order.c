/* The methods' order per repeat (order.c): a permutation, the same for the
 * same seed and repeat on any machine, different between repeats, and the
 * case's own order with --order fixed. */
#include <stdbool.h>
#include <string.h>

#include "check.h"
#include "order.h"

static bool is_permutation(const int *idx, int n)
{
	bool seen[16] = { false };

	for (int i = 0; i < n; i++) {
		if (idx[i] < 0 || idx[i] >= n || seen[idx[i]])
			return false;
		seen[idx[i]] = true;
	}
	return true;
}

void suite_order(void)
{
	int a[8], b[8], fixed[8], n = 8, differ = 0, moved[8] = { 0 };
	bool perms = true, same = true;

	method_order(n, false, 42, 3, fixed);
	CHECK(fixed[0] == 0 && fixed[7] == 7 && is_permutation(fixed, n),
	      "order: fixed keeps the case's order");
	for (int rep = 1; rep <= 50; rep++) {
		method_order(n, true, 42, rep, a);
		method_order(n, true, 42, rep, b);
		perms = perms && is_permutation(a, n);
		same = same && !memcmp(a, b, sizeof(a));
		for (int i = 0; i < n; i++)
			moved[a[i]] += i == 0;
		method_order(n, true, 42, rep + 1, b);
		differ += memcmp(a, b, sizeof(a)) != 0;
	}
	CHECK(perms, "order: every shuffled order is a permutation of the methods");
	CHECK(same, "order: the same seed and repeat give the same order");
	CHECK(differ >= 45, "order: consecutive repeats differ (%d of 50)", differ);
	/* each of 8 methods goes first about 50/8 times; none never */
	bool all_first = true;

	for (int i = 0; i < n; i++)
		all_first = all_first && moved[i] > 0;
	CHECK(all_first, "order: every method goes first in some repeat");
	/* Pinned values: a recorded seed must replay on any machine, so the
	 * generator may never change unnoticed. */
	method_order(4, true, 12345, 1, a);
	CHECK(a[0] == 3 && a[1] == 2 && a[2] == 0 && a[3] == 1,
	      "order: seed 12345, repeat 1, 4 methods -> 3 2 0 1 as ever (got %d %d %d %d)",
	      a[0], a[1], a[2], a[3]);
	method_order(1, true, 7, 1, a);
	CHECK(a[0] == 0, "order: one method stays where it is");
	CHECK(order_seed_now() < (1ULL << 53), "order: a fresh seed fits a JSON number exactly");
}

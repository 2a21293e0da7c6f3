/*
 * The order of the methods within one repeat.  On a host whose cost of
 * memory depends on what ran just before (a lazily backed VM, a kernel
 * that just freed or zeroed pages), a fixed order biases every figure the
 * same way; so each repeat shuffles the methods, reproducibly from one
 * seed recorded with the run, and each migration records its position.
 */
#ifndef PVMIG_ORDER_H
#define PVMIG_ORDER_H

#include <stdbool.h>
#include <stdint.h>

/*
 * idx[0..n) := the methods' indexes in the order repeat rep (1-based) runs
 * them: 0..n-1 when shuffle is false, else a permutation that depends only
 * on (seed, rep), the same on every machine and libc.
 */
void method_order(int n, bool shuffle, uint64_t seed, int rep, int *idx);

/* A seed for a run that was given none: differs from run to run. */
uint64_t order_seed_now(void);

#endif

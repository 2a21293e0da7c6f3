// SPDX-License-Identifier: GPL-2.0
/*
 * op_pacer.c - a token schedule: op n (counted from the epoch) may start at
 * epoch + n / rate.  Computing every due time from the epoch, rather than
 * adding 1/rate per op, keeps rounding from accumulating into rate error.
 */
#include "op_pacer.h"

#include <math.h>

#define NSEC_PER_SEC_D 1e9

double op_pacer_rate_for(double mib_per_sec, unsigned page_size)
{
	return mib_per_sec * 1048576.0 / (double)page_size;
}

void op_pacer_init(struct op_pacer *p, double ops_per_sec, uint64_t now_ns)
{
	p->ops_per_sec = ops_per_sec > 0 ? ops_per_sec : 0;
	p->epoch_ns = now_ns;
	p->ops_since_epoch = 0;
	p->reanchors = 0;
}

/* Due time of the op after the @p->ops_since_epoch already done. */
static uint64_t due_ns(const struct op_pacer *p)
{
	return p->epoch_ns +
	       (uint64_t)ceil((double)p->ops_since_epoch * NSEC_PER_SEC_D / p->ops_per_sec);
}

uint64_t op_pacer_ops_allowed(struct op_pacer *p, uint64_t now_ns)
{
	double may_have_started;
	uint64_t allowed, due;

	if (p->ops_per_sec == 0)
		return OP_PACER_MAX_BATCH;
	if (now_ns < p->epoch_ns)
		return 0;

	due = due_ns(p);
	if (now_ns > due && now_ns - due > OP_PACER_MAX_BACKLOG_NS) {
		/* Re-anchor so exactly the allowed backlog is still owed. */
		p->epoch_ns = now_ns - OP_PACER_MAX_BACKLOG_NS;
		p->ops_since_epoch = 0;
		p->reanchors++;
	}

	/* Ops 0..k are due by now, k = floor(elapsed * rate). */
	may_have_started =
		floor((double)(now_ns - p->epoch_ns) * p->ops_per_sec / NSEC_PER_SEC_D) + 1;
	if (may_have_started <= (double)p->ops_since_epoch)
		return 0;
	allowed = (uint64_t)may_have_started - p->ops_since_epoch;
	return allowed < OP_PACER_MAX_BATCH ? allowed : OP_PACER_MAX_BATCH;
}

void op_pacer_account(struct op_pacer *p, uint64_t ops)
{
	p->ops_since_epoch += ops;
}

uint64_t op_pacer_next_due_ns(const struct op_pacer *p)
{
	if (p->ops_per_sec == 0)
		return p->epoch_ns;
	return due_ns(p);
}

uint64_t op_pacer_wake_ns(const struct op_pacer *p, uint64_t now_ns, uint64_t step_ns)
{
	uint64_t due = op_pacer_next_due_ns(p);

	return due > now_ns + step_ns ? due : now_ns + step_ns;
}

#include "projection.h"

#include <math.h>
#include <string.h>

#include "../harness/src/methods/methods.h"
#include "util.h"

/* The free page bitmap's methods in their default mode: the migration
 * thread asks the guest for its free pages when the migration starts and
 * waits for the answer before the bulk stage.  pv-bitmap-async, fph and
 * fpr hint asynchronously and the thread never waits for them. */
bool projection_waits_for_hints(const char *method)
{
	const struct method *m = method_find(method);

	return m && method_waits_for_hints(m);
}

double projection_ms(const char *method, const double *v)
{
	double pace = v[M_SRC_MIG_CPU], hint_wait = 0;

	if (isnan(pace))
		return NAN;
	if (projection_waits_for_hints(method)) {
		/* Without the latency the projection would silently drop a
		 * wait the migration really had. */
		if (isnan(v[M_HINT_LATENCY]))
			return NAN;
		hint_wait = v[M_HINT_LATENCY];
	}
	if (!isnan(v[M_DST_MAIN_CPU]) && v[M_DST_MAIN_CPU] > pace)
		pace = v[M_DST_MAIN_CPU];
	/* multifd: the send and receive channels are stages of the same
	 * pipeline, each its own thread; with a core each, the busiest of
	 * them is the one that could set the pace. */
	if (!isnan(v[M_SRC_SEND_MAX_CPU]) && v[M_SRC_SEND_MAX_CPU] > pace)
		pace = v[M_SRC_SEND_MAX_CPU];
	if (!isnan(v[M_DST_RECV_MAX_CPU]) && v[M_DST_RECV_MAX_CPU] > pace)
		pace = v[M_DST_RECV_MAX_CPU];
	if (!isnan(v[M_WIRE_MS]) && v[M_WIRE_MS] > pace)
		pace = v[M_WIRE_MS];
	return pace + hint_wait;
}

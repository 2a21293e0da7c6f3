/* What the report measures: each figure's CSV column, its label in tables
 * and plots, and which direction is better.  Tables, plots and findings all
 * walk this one list so they cannot disagree about a figure. */
#ifndef REPORT_METRICS_H
#define REPORT_METRICS_H

#include <stdbool.h>

enum metric {
	M_TOTAL_TIME,
	M_PROJECTED,		/* derived: dedicated-core projection (projection.c) */
	M_TRANSFERRED_KB,
	M_DOWNTIME,
	M_SETUP_TIME,
	M_PREP_TIME,
	M_END_TO_END,
	M_PROJECTED_E2E,	/* derived: projection plus what preparation added */
	M_STOP_COPY,
	M_SRC_CPU,
	M_DST_CPU,
	/* Per-thread accounting (harness threadstats): absent in older runs. */
	M_SRC_MIG_CPU,		/* source live_migration thread CPU, ms */
	M_SRC_MIG_WAIT,		/* its run-queue wait, ms */
	M_SRC_VCPU_CPU,
	M_DST_MAIN_CPU,		/* destination main thread: it reads the stream */
	M_DST_MAIN_WAIT,
	M_SRC_SEND_MAX_CPU,	/* multifd: the busiest send channel's CPU, ms */
	M_DST_RECV_MAX_CPU,	/* multifd: the busiest receive channel's CPU, ms */
	M_SRC_MINFLT,
	M_SRC_MAJFLT,
	M_DST_MINFLT,
	M_DST_MAJFLT,
	M_GUEST_OPS_BEFORE,
	M_GUEST_OPS_DURING,
	M_GUEST_OPS_AFTER,
	M_HINT_LATENCY,
	M_SKIPPED_PAGES,
	M_NORMAL_PAGES,
	M_ZERO_PAGES,
	M_MEMCHECK_MISMATCHES,
	M_LINK_GBIT,
	M_POSITION,		/* place in its repeat's shuffled order (newer runs) */
	M_DST_CACHED_KB,	/* case3/4: page cache the guest held after migrating */
	M_CACHE_REREAD,		/* case3/4: reading its files again afterwards, ms */
	/* Derived per migration, not columns: */
	M_WIRE_MS,		/* transferred bytes at the measured link rate */
	M_WIRE_RATIO,		/* total time / wire time */
	M_GUEST_DIP_PCT,	/* guest ops during vs before, in % */
	M_GUEST_RECOVERY_PCT,	/* guest ops after vs before, in % */
	M_DST_HUGE_MIB,		/* run.json: destination THP-backed memory after */
	M_BALLOON_MIB,		/* run.json: guest memory the balloon held (RAM - actual) */
	M_INFLATE_USER_MS,	/* run.json: source QEMU user CPU over the inflation */
	M_INFLATE_SYS_MS,	/* ... and its kernel CPU */
	M_COUNT
};

enum better { BETTER_LOWER, BETTER_HIGHER, BETTER_NEITHER };

struct metric_def {
	const char *column;	/* runs.csv header name; NULL when derived */
	const char *label;	/* table row / plot axis label */
	const char *slug;	/* file-name part of its plot */
	enum better better;
	bool in_table;		/* a row of the per-case table */
	bool plotted;		/* bars per method with min/max whiskers */
};

extern const struct metric_def metric_defs[M_COUNT];

/* The floor for any method: time to put kb KiB (the seed's "KB") on a link
 * of gbit Gbit/s, in ms. */
double wire_time_ms(double kb, double gbit);

#endif

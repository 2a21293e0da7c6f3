/* Plot data: the .dat files the gnuplot scripts in plots/ read, and the
 * generated driver (plots.gp) that calls those scripts once per image.
 * plot_plan() is the single list of images per case, used both here and by
 * the markdown writer, so REPORT.md embeds exactly the images made. */
#ifndef REPORT_PLOTDATA_H
#define REPORT_PLOTDATA_H

#include <stdbool.h>
#include <stddef.h>

#include "stats.h"
#include "util.h"

enum plot_kind {
	PLOT_BARS,		/* one metric, a bar per method with min/max whiskers */
	PLOT_END_TO_END,	/* end-to-end as preparation plus migration, log axis */
	PLOT_SCATTER,		/* downtime against total time, a point per migration */
	PLOT_REMAINING,		/* remaining bytes against time, a panel per method family */
	PLOT_THROUGHPUT,	/* guest throughput against time, a panel per method */
	PLOT_BREAKDOWN,		/* where the time went: stacked segments per method (breakdown.h) */
	PLOT_SPEEDUP,		/* across cases: speed-up over baseline per method, log axis */
};

struct plot_item {
	enum plot_kind kind;
	enum metric metric;	/* PLOT_BARS and PLOT_SPEEDUP */
	bool in_main;		/* embedded in REPORT.md, not only linked */
	char *name;		/* file base name, e.g. case1-total_time */
	char *title;
	char *ylabel;
};

struct plot_plan {
	struct plot_item *items;
	size_t n;
};

/* Which images a case gets: bars for every plotted metric with data (the
 * end-to-end one split into preparation and migration), downtime against
 * total time, the remaining-bytes panels when a migration has a progress
 * history, the throughput panels when a representative migration has a
 * guest_throughput series, the breakdown when some method has a migration
 * with every component. */
void plot_plan_make(const struct case_stats *cs, struct plot_plan *plan);
void plot_plan_free(struct plot_plan *plan);

/* The figures across cases: each method's speed-up over baseline on one
 * figure, per case, for migration time and for end-to-end time.  Empty
 * when no case has a baseline and another method.  Same struct as a case's
 * plan; the names start with "cases-". */
void plot_cross_plan_make(const struct case_stats *cases, size_t ncases, struct plot_plan *plan);

struct plot_paths {
	const char *data_dir;	/* where .dat files and plots.gp go */
	const char *image_dir;	/* where gnuplot writes <name>.png and .svg */
	const char *script_dir;	/* where bars.gp, remaining.gp, throughput.gp, breakdown.gp live */
};

/* Write every case's .dat files and the driver <data_dir>/plots.gp, after
 * removing the .dat files a previous run left there.  Paths are written into
 * the driver as given, so run gnuplot from the directory they are relative to. */
int plotdata_write(struct case_stats *cases, size_t ncases, const struct plot_paths *paths,
		   struct error *e);

#endif

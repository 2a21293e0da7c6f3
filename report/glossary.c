#include "glossary.h"

#include "../harness/src/methods/methods.h"
#include "bootstrap.h"
#include "comparison.h"
#include "util.h"
#include "verdict.h"

static const struct {
	const char *term, *meaning;
} terms[] = {
	{ "seed", "the 2016 qemu-devel RFC \"A PV solution for live migration optimization\": "
		  "the guest hands QEMU a bitmap of its free pages and precopy skips them in the "
		  "bulk stage. Its two cases, with single figures on its own hardware, are case1 "
		  "and case2." },
	{ "reply", "Roman Kagan's answer in that thread: the seed's cases are artificial, and "
		   "inflating the balloon before migrating, sized from the guest's available "
		   "memory, with deflate-on-OOM, would do as well." },
	{ "baseline", "stock precopy on our QEMU build: no hints, no balloon." },
	{ "stock", "baseline on the same QEMU source built without our series: the control "
		   "that shows the series costs nothing when off." },
	{ "pv-bitmap", "the seed's method, implemented here: our virtio-balloon feature; the "
		       "guest sends its free page bitmap when the migration starts and QEMU "
		       "clears those pages from the bulk stage." },
	{ "fph, fpr", "upstream free page hinting (`free-page-hint=on`) and free page reporting "
		      "(`free-page-reporting=on`, given time to settle before migrating)." },
	{ "balloon", "the reply's method: inflate the balloon to what the guest can spare "
		     "(from `stat-available-memory`), migrate, deflate." },
	{ "a+b (e.g. pv-bitmap+balloon)", "both methods at once." },
	{ "migration time", "`total_time_ms`: QEMU's total time, from `migrate` to completion." },
	{ "preparation", "`prep_time_ms`: what a method does before migrating (balloon "
			 "inflation, waiting for free page reporting to settle); 0 for the others." },
	{ "end-to-end", "`end_to_end_ms` = preparation + migration time: how long the operator "
			"waits." },
	{ "downtime", "`downtime_ms`: how long the guest was stopped, as QEMU reports it." },
	{ "bytes, transferred ram(KB), GiB sent", "`transferred_kb`, QEMU's transferred RAM in "
						  "KiB (the seed's \"KB\"); GiB sent is the same "
						  "over 1024²." },
	{ "wire time", "the transferred bytes at the link rate iperf3 measured before the run: "
		       "the least time any method can take." },
	{ "total over wire time", "a migration's time over its own wire time; the median of "
				  "these per method. 1.00x is the floor." },
	{ "projected", "what a migration would take with a core for each busy thread: "
		       "max(source migration thread CPU, destination main thread CPU, wire "
		       "time) + hint latency for the pv-bitmap methods (the appendix's "
		       "definitions give the why)." },
	{ "hint latency", "`hint_latency_ms`: from the device's request for the free page bitmap "
			  "to its arrival, inside the migration." },
	{ "skipped pages", "4 KiB pages the free page bitmap took out of the bulk stage; "
			   "pv-bitmap's \"free memory found\"." },
	{ "memory in the balloon", "guest RAM less the balloon's actual size QEMU reported after "
				   "inflation (`counters.balloon.actual_bytes`)." },
	{ "run, repeat, migration", "a run is one harness invocation (`results/<case>/<run-id>/`); "
				    "it repeats every method `repeat` times; each is one "
				    "migration between fresh guests." },
	{ "completed", "a migration whose status is `completed` with no error: the only ones "
		       "counted. Failures are listed in the appendix, never dropped silently." },
	{ "pooling key", "what makes runs comparable enough to pool: scenario (the run id after "
			 "its first `_`), host identity, QEMU source version and patch series." },
	{ "median [min–max]", "the median (the mean of the middle two for an even count) with "
			      "the full range over completed migrations." },
	{ "ratio", "the loser's median over the winner's, never below 1 (\"7.52x faster\")." },
	{ "speed-up over baseline", "baseline's median over the method's, in the figures across "
	  "cases: above 1 the method is faster, below 1 slower." },
	{ "pass, bulk stage", "a pass is one walk of precopy over the dirty bitmap, counted by "
	  "QEMU's `dirty-sync-count`; the first pass, over all of RAM, is the bulk stage." },
	{ "method family", "the colour a method has in every plot: stock precopy, the seed's "
	  "bitmap (alone or combined), upstream hinting or reporting, the balloon, multifd, "
	  "postcopy." },
	{ "interval", "the 95% percentile bootstrap interval of the ratio of medians: each "
		      "method's migrations resampled with replacement, a fixed seed, the central "
		      "95% of the resampled ratios, in brackets after the ratio." },
	{ "no clear difference", "the interval includes 1.0 (or a side has fewer than 3 "
				 "migrations): no winner is named." },
	{ "task-clock-ms", "CPU time of every thread of a QEMU process from `migrate` to "
			   "completion, counted with perf's task-clock software event (this host "
			   "has no hardware PMU), in ms." },
	{ "guest ops", "the case3/case4 service's throughput in operations per second; one "
		       "operation reads one random 4 KiB page of its working set and rewrites it, "
		       "so it dirties exactly one page. Before, during and after the migration." },
	{ "files read again", "`cache_reread_ms`, case3/case4: on the destination after the "
	  "migration, once the balloon was given back, the time to read again every file the "
	  "guest's page cache held before it; what cache a method evicted costs the guest "
	  "afterwards. `dst_cached_kb` is the page cache the guest held just before." },
	{ "position", "a migration's place in its repeat's shuffled order of methods (1 = "
		      "first); newer runs only." },
	{ "TCG, KVM", "QEMU's software emulator and the kernel's hardware virtualisation. This "
		      "host runs TCG: QEMU's migration code is native either way, the guest's own "
		      "work (workloads, inflation, the bitmap walk) is slower." },
	{ "destination preallocation", "`-mem-prealloc` on the destination: its memory is backed "
				       "before the migration, so the link, not its page faults, "
				       "is the bottleneck." },
};

/* The definitions above spell these out in words. */
_Static_assert(COMPARE_MIN_SAMPLES == 3, "the glossary says fewer than 3 migrations");
_Static_assert(BOOTSTRAP_LEVEL == 0.95, "the glossary says a 95% interval");

void glossary_write(FILE *f, const char *appendix_name)
{
	const struct method *m;

	fprintf(f, "## Glossary\n\n");
	for (size_t i = 0; i < ARRAY_SIZE(terms); i++)
		fprintf(f, "- **%s**: %s\n", terms[i].term, terms[i].meaning);
	/* Every method in a line, from the harness's table, so a new one is
	 * named here without a change to this file. */
	fprintf(f, "- **the methods** (`build/pvmig methods`):");
	for (int i = 0; (m = method_at(i)); i++)
		fprintf(f, "%s %s: %s", i ? ";" : "", m->name, m->what);
	fprintf(f, ".\n");
	fprintf(f, "\nFormulas (projection, time breakdown) and the pooling rules in full: "
		"[%s](%s).\n\n", appendix_name, appendix_name);
}

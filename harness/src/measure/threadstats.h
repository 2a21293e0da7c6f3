/*
 * Per-thread accounting of a running process over a time window, from
 * /proc, grouped by thread name.
 *
 * For every thread: CPU time, time spent runnable but waiting for a CPU,
 * voluntary and involuntary context switches, minor and major page faults.
 * A window is used like a cpucost window, and at the same moments:
 *
 *   w = threadstats_start(pid, err, sizeof err);   baseline of every thread
 *   every ~20 ms: threadstats_poll(w);              new threads, fresh samples
 *   t = threadstats_stop(w, err, sizeof err);       final sample, per-name table
 *
 * Each thread's figure is its last sample minus its first; a thread born in
 * the window counts from zero (everything it did happened in the window),
 * and a thread that exits keeps its last sample.  Known gaps, all bounded
 * by one poll interval:
 *  - a thread that exits loses what it did after the last poll that saw it
 *    (QEMU's live_migration thread exits right after completion, so the
 *    tail of its stop-and-copy phase, at most one poll, is not counted);
 *  - a thread born and gone between two polls is not seen at all.
 * Threads are told apart by tid and start time, so a reused tid is a new
 * thread, and a later process given the same pid is ignored.
 *
 * The parsing and the book-keeping are pure functions over text and
 * samples, so they are tested without a live process.
 */
#ifndef PVMIG_THREADSTATS_H
#define PVMIG_THREADSTATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define THREADSTATS_MAX_THREADS 256
/* The kernel's comm is at most 15 bytes; parsing copes with longer text. */
#define THREADSTATS_NAME_LEN 64

/* One thread's cumulative counters at one instant. */
struct thread_counters {
	uint64_t cpu_ns;	/* on a CPU: schedstat's first field, or
				   utime+stime where schedstat is missing */
	uint64_t wait_ns;	/* runnable, waiting for a CPU: schedstat's second */
	uint64_t vcsw;		/* voluntary context switches */
	uint64_t ivcsw;		/* involuntary (preempted) */
	uint64_t minflt;
	uint64_t majflt;
};

/* One reading of one thread. */
struct thread_sample {
	pid_t tid;
	unsigned long long start_time;	/* ticks after boot: tells a reused tid apart */
	char name[THREADSTATS_NAME_LEN];
	struct thread_counters c;
};

/* What threadstats needs of /proc/PID/task/TID/stat. */
struct stat_fields {
	char comm[THREADSTATS_NAME_LEN];	/* field 2, without the parentheses */
	uint64_t minflt;	/* field 10 */
	uint64_t majflt;	/* field 12 */
	uint64_t utime;		/* field 14, clock ticks */
	uint64_t stime;		/* field 15 */
	unsigned long long start_time;	/* field 22 */
};

/*
 * Parse a stat line.  comm may hold spaces and ')' (a thread can name
 * itself anything), so it ends at the last ')'.  0, or -1 if malformed.
 */
int threadstats_parse_stat(const char *text, struct stat_fields *out);

/* Parse a schedstat line: ns on a CPU, ns waiting to run.  0 or -1. */
int threadstats_parse_schedstat(const char *text, uint64_t *run_ns, uint64_t *wait_ns);

/* Context switches from a status file.  0, or -1 if either line is missing. */
int threadstats_parse_status(const char *text, uint64_t *vcsw, uint64_t *ivcsw);

/* Every thread seen in a window: its first and latest sample. */
struct thread_track {
	pid_t tid;
	unsigned long long start_time;
	char name[THREADSTATS_NAME_LEN];	/* as of the latest sample */
	struct thread_counters first;	/* zero for a thread born in the window */
	struct thread_counters last;
	unsigned scan;			/* the scan that saw it last */
};

struct threadstats_log {
	unsigned scan;		/* scans begun; the first one is the baseline */
	int n;
	bool overflow;		/* a thread did not fit in t[] */
	struct thread_track t[THREADSTATS_MAX_THREADS];
};

/* Begin a scan of the process's threads: call before adding its samples. */
void threadstats_log_scan(struct threadstats_log *log);

/*
 * Record a sample taken in the current scan.  A thread not seen before
 * starts from this sample in the first scan (it existed when the window
 * opened) and from zero in any later one (it was born in the window).
 */
void threadstats_log_add(struct threadstats_log *log, const struct thread_sample *s);

/* Threads with the same name, summed (the main thread stays apart). */
struct thread_group {
	char name[THREADSTATS_NAME_LEN];
	bool main;		/* the process's main thread (tid == pid), which
				   unnamed helper threads would otherwise share a
				   name with */
	int count;		/* threads */
	int exited;		/* of which were gone by the last scan */
	struct thread_counters delta;	/* over the window */
};

struct threadstats_table {
	bool has_wait;		/* wait_ns was measured (schedstat readable) */
	int n;
	struct thread_group g[THREADSTATS_MAX_THREADS];
};

/*
 * Sum the log's per-thread deltas by name into out's groups: the main
 * thread (main_tid) first, then the groups in name order, so runs compare
 * line by line.  A counter that went backwards (cannot happen for one
 * thread) counts as zero rather than wrapping.  out->has_wait is the
 * caller's to set.
 */
void threadstats_aggregate(const struct threadstats_log *log, pid_t main_tid,
                           struct threadstats_table *out);

/* The group named name (not the main thread's), or NULL. */
const struct thread_group *threadstats_find(const struct threadstats_table *t, const char *name);

/* The main thread's group, or NULL. */
const struct thread_group *threadstats_main(const struct threadstats_table *t);

/*
 * A scan of a process on another host is one remote command that prints
 * the process's stat, then per thread its stat, schedstat and context
 * switches, each block headed by a line "== P" (the process), "== S"
 * (schedstat is readable) or "== TID".  Parse such output: the process's
 * start time, whether schedstat was read, and up to max samples (a thread
 * whose block is incomplete, because it exited during the scan, is left
 * out).  Returns the number of samples, or -1 without a process block.
 */
int threadstats_parse_batch(const char *text, uint64_t ns_per_tick,
                            unsigned long long *proc_start, bool *schedstat,
                            struct thread_sample *out, int max);

struct threadstats_window;
struct host;

/*
 * Take the baseline sample of every thread of pid.  NULL with a message in
 * err if the process does not exist or none of its threads could be read.
 */
struct threadstats_window *threadstats_start(pid_t pid, char *err, size_t len);

/*
 * The same for a process of host h: on this machine (a local host, its
 * namespaces share /proc) as threadstats_start(); on an ssh host through a
 * sampler started there, which scans every THREADSTATS_REMOTE_PERIOD_MS
 * and writes each scan down one ssh channel for polls to take, so no poll
 * waits on a round trip.  Its gaps are those above with that period: a
 * remote thread that exits loses up to that much of its tail.  Start and
 * stop wait up to THREADSTATS_REMOTE_START_MS for a whole scan.
 */
#define THREADSTATS_REMOTE_PERIOD_MS 250
#define THREADSTATS_REMOTE_START_MS 10000
struct threadstats_window *threadstats_start_on(struct host *h, pid_t pid, char *err,
                                                size_t len);
/* The sampler's path on any host, a local one too (the unit tests). */
struct threadstats_window *threadstats_start_sampler(struct host *h, pid_t pid, char *err,
                                                     size_t len);

/*
 * Sample every thread again, new ones included.  A vanished process is not
 * an error.  Returns 0, or -1 once more than THREADSTATS_MAX_THREADS
 * threads were seen (stop then reports it).  w may be NULL.
 */
int threadstats_poll(struct threadstats_window *w);

/*
 * Take a final sample, free w and return the per-name table (malloc'd;
 * free() it), or NULL with a message in err if the window overflowed.
 * w may be NULL (returns NULL).
 */
struct threadstats_table *threadstats_stop(struct threadstats_window *w, char *err, size_t len);

#endif

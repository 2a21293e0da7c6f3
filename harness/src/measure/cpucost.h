/*
 * CPU cost of a running process (a QEMU) over a time window, counted with
 * perf events encoded by libpfm4.
 *
 * The event is chosen once, by cpucost_init(): hardware CPU cycles if a
 * cycles counter really opens and counts on this machine, else the perf
 * software event task-clock (CPU time, reported in milliseconds).  Values
 * measured with different events are not comparable, which is why every
 * result carries cpucost_unit() in its `cpu_unit` column.
 *
 * A window counts every thread of the process, including threads created
 * while it is open (the migration thread, multifd and destination threads):
 *
 *   w = cpucost_start(pid, err, sizeof err);   counters on existing threads
 *   every ~20 ms: cpucost_poll(w);              counters on new threads
 *   cpucost_stop(w, &value, NULL, err, sizeof err);   sum, close, free
 *
 * Counters are per thread without `inherit`: perf folds an inherited
 * child's count into its parent's counter only when the child exits, so a
 * live migration thread would be missed, and a thread counted both ways
 * would be counted twice.  Known gaps, all small for QEMU:
 *  - a thread that is born and dies between two polls is not counted
 *    (cpucost_info.proc_cpu_ms, from /proc/PID/stat, is a coarse
 *    whole-process cross-check that does include such threads);
 *  - with task-clock, a late thread's CPU time before its counter opened is
 *    taken from /proc/PID/task/TID/schedstat, so nothing is lost;
 *    with cycles there is no such record: a late thread is counted from the
 *    poll that found it, i.e. up to one poll interval of it is lost;
 *  - at most CPUCOST_MAX_THREADS threads per window (exceeding it is an
 *    error at stop, not a silent undercount).
 * The process may exit (and be reaped) before cpucost_stop(): its counters
 * still read their final counts, and a later process given the same pid is
 * recognised by its start time and ignored.
 * One file descriptor is held per counted thread until cpucost_stop().
 * Counting another process needs root, or perf_event_paranoid <= 1 and
 * ptrace rights over it (CAP_PERFMON also does).
 */
#ifndef PVMIG_CPUCOST_H
#define PVMIG_CPUCOST_H

#include <stddef.h>
#include <sys/types.h>

#define CPUCOST_MAX_THREADS 256

struct cpucost_window;

/* What a finished window saw besides its value (all optional reading). */
struct cpucost_info {
	int threads;		/* threads counted */
	int late_threads;	/* of which appeared after cpucost_start() */
	int lost_threads;	/* late threads that exited before any poll saw them
				   alive long enough to open a counter (their
				   schedstat time is still counted with task-clock) */
	double proc_cpu_ms;	/* utime+stime of the whole process over the window
				   from /proc/PID/stat (10 ms ticks); -1 if the
				   process was gone at stop */
};

/*
 * Choose the event (idempotent; later calls return the first result).
 * Returns 0, or -1 with a message in err when no usable event exists
 * (libpfm4 failure, or perf_event_open refused, e.g. by permissions).
 */
int cpucost_init(char *err, size_t len);

/* The cpu_unit values; the report reads them too. */
#define CPUCOST_UNIT_CYCLES "cycles"
#define CPUCOST_UNIT_TASK_CLOCK_MS "task-clock-ms"

/* CPUCOST_UNIT_CYCLES or _TASK_CLOCK_MS: the `cpu_unit` CSV column.  NULL before a
 * successful cpucost_init(). */
const char *cpucost_unit(void);

/* libpfm4's fully qualified name of the chosen event, for run.json, e.g.
 * "perf::PERF_COUNT_SW_TASK_CLOCK:u=1:k=1:...". NULL before init. */
const char *cpucost_event(void);

/*
 * Open counters on every thread of pid.  NULL with a message in err if
 * cpucost_init() has not succeeded, the process does not exist, or no
 * thread of it could be counted.
 */
struct cpucost_window *cpucost_start(pid_t pid, char *err, size_t len);

/*
 * Open counters on threads that appeared since the last scan.  Cheap (one
 * readdir of /proc/PID/task); call it every ~20 ms while the window is open.
 * A vanished process is not an error here.  Returns the number of threads
 * added, or -1 once the window has failed (the reason comes from stop).
 */
int cpucost_poll(struct cpucost_window *w);

/*
 * Read and sum all counters (a thread that exited meanwhile still reads its
 * final count), close them and free w.  *value is in cpucost_unit().
 * info may be NULL.  Returns 0, or -1 with a message in err if the window
 * could not be measured completely; *value is then left untouched.
 * w may be NULL (returns -1).
 */
int cpucost_stop(struct cpucost_window *w, double *value, struct cpucost_info *info,
                 char *err, size_t len);

#endif

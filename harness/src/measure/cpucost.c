/* CPU cost of a process over a window: per-thread perf counters (libpfm4). */
#include "cpucost.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <perfmon/pfmlib_perf_event.h>

enum cc_event { CC_NONE, CC_CYCLES, CC_TASK_CLOCK };

#define PLM_ALL (PFM_PLM0 | PFM_PLM3)	/* kernel and user mode */

static enum cc_event chosen = CC_NONE;
static struct perf_event_attr chosen_attr;
static char chosen_name[256];
static char init_err[256];
static int init_done;

struct cc_counter {
	pid_t tid;
	int fd;			/* -1: thread exited before its counter opened */
	uint64_t before;	/* task-clock: ns the thread ran before its counter
				   opened (late threads only, from schedstat) */
};

struct cpucost_window {
	pid_t pid;
	int n;
	int late;
	int lost;
	int overflow;		/* a thread did not fit in c[] */
	int failed;		/* err holds why */
	char err[256];
	long long ticks_start;	/* utime+stime at start, -1 if unknown */
	unsigned long long started;	/* the process's start time: tells it
					   from a later process given its pid */
	struct cc_counter c[CPUCOST_MAX_THREADS];
};

/*
 * Encode ev with libpfm4 into attr: counted in user and kernel mode (QEMU's
 * cost includes its system calls and, with KVM, the kernel's share), read
 * with enabled/running times so a multiplexed hardware counter can be
 * scaled.  The counter starts counting when opened.
 */
static int encode(const char *ev, int plm, struct perf_event_attr *attr, char *name,
                  size_t namelen, char *err, size_t len)
{
	pfm_perf_encode_arg_t arg;
	char *fstr = NULL;
	int ret;

	memset(attr, 0, sizeof(*attr));
	memset(&arg, 0, sizeof(arg));
	arg.attr = attr;
	arg.fstr = &fstr;
	arg.size = sizeof(arg);
	ret = pfm_get_os_event_encoding(ev, plm, PFM_OS_PERF_EVENT_EXT, &arg);
	if (ret != PFM_SUCCESS) {
		snprintf(err, len, "libpfm4 cannot encode %s: %s", ev, pfm_strerror(ret));
		free(fstr);
		return -1;
	}
	snprintf(name, namelen, "%s", fstr ? fstr : ev);
	free(fstr);
	attr->size = sizeof(*attr);	/* libpfm4 leaves it 0 */
	attr->read_format = PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING;
	attr->disabled = 0;
	attr->inherit = 0;
	return 0;
}

static int open_counter(struct perf_event_attr *attr, pid_t tid)
{
	return perf_event_open(attr, tid, -1, -1, PERF_FLAG_FD_CLOEXEC);
}

/* The count of an open counter, scaled if it was multiplexed. */
static int read_counter(int fd, uint64_t *count)
{
	uint64_t v[3];	/* value, time enabled, time running */
	ssize_t got = read(fd, v, sizeof(v));

	if (got != (ssize_t)sizeof(v))
		return -1;
	if (v[2] > 0 && v[2] < v[1])
		v[0] = (uint64_t)((double)v[0] * ((double)v[1] / (double)v[2]));
	*count = v[0];
	return 0;
}

static void perm_hint(int e, char *buf, size_t len)
{
	buf[0] = '\0';
	if (e == EACCES || e == EPERM)
		snprintf(buf, len, " (needs root, or perf_event_paranoid <= 1 and ptrace rights)");
}

/*
 * A cycles counter that opens but never counts (seen in some VMs with a
 * half-emulated PMU) is no better than none: require a non-zero count over
 * a short busy loop on this thread.
 */
static int cycles_work(struct perf_event_attr *attr)
{
	volatile uint64_t sink = 0;
	uint64_t count = 0;
	int fd = open_counter(attr, 0);
	int ok;

	if (fd < 0)
		return 0;
	for (uint64_t i = 0; i < 1000000; i++)
		sink += i;
	ok = read_counter(fd, &count) == 0 && count > 0;
	close(fd);
	return ok;
}

int cpucost_init(char *err, size_t len)
{
	struct perf_event_attr attr;
	char name[sizeof(chosen_name)];
	char msg[256], hint[96];
	int ret, fd, e = 0;

	if (init_done) {
		if (chosen == CC_NONE)
			snprintf(err, len, "%s", init_err);
		return chosen == CC_NONE ? -1 : 0;
	}
	init_done = 1;
	ret = pfm_initialize();
	if (ret != PFM_SUCCESS) {
		snprintf(init_err, sizeof(init_err), "libpfm4: pfm_initialize: %s",
		         pfm_strerror(ret));
		snprintf(err, len, "%s", init_err);
		return -1;
	}
	/* perf:: names: the kernel's generic events, on any PMU model. */
	if (encode("perf::CYCLES", PLM_ALL, &attr, name, sizeof(name), msg, sizeof(msg)) == 0 &&
	    cycles_work(&attr)) {
		chosen = CC_CYCLES;
	} else if (encode("perf::TASK-CLOCK", PLM_ALL, &attr, name, sizeof(name), msg,
	                  sizeof(msg)) == 0) {
		fd = open_counter(&attr, 0);
		e = errno;
		/*
		 * perf_event_paranoid >= 2 refuses kernel-mode counting to an
		 * unprivileged user.  task-clock is the task's time on a CPU
		 * whatever the mode bits say, so asking for user mode only
		 * measures the same thing and is allowed.
		 */
		if (fd < 0 && (errno == EACCES || errno == EPERM) &&
		    encode("perf::TASK-CLOCK", PFM_PLM3, &attr, name, sizeof(name), msg,
		           sizeof(msg)) == 0) {
			fd = open_counter(&attr, 0);
			e = errno;
		}
		if (fd >= 0) {
			close(fd);
			chosen = CC_TASK_CLOCK;
		} else {
			perm_hint(e, hint, sizeof(hint));
			snprintf(msg, sizeof(msg), "perf_event_open(task-clock): %s%s",
			         strerror(e), hint);
		}
	}
	/* Everything needed is in attr: the library's tables can go. */
	pfm_terminate();
	if (chosen == CC_NONE) {
		snprintf(init_err, sizeof(init_err), "no usable CPU cost event: %s", msg);
		snprintf(err, len, "%s", init_err);
		return -1;
	}
	chosen_attr = attr;
	snprintf(chosen_name, sizeof(chosen_name), "%s", name);
	return 0;
}

const char *cpucost_unit(void)
{
	switch (chosen) {
	case CC_CYCLES:
		return CPUCOST_UNIT_CYCLES;
	case CC_TASK_CLOCK:
		return CPUCOST_UNIT_TASK_CLOCK_MS;
	default:
		return NULL;
	}
}

const char *cpucost_event(void)
{
	return chosen == CC_NONE ? NULL : chosen_name;
}

/* Mark w failed: opening a counter on thread tid gave errno e. */
static void fail_open(struct cpucost_window *w, pid_t tid, int e)
{
	char hint[96];

	if (w->failed)
		return;	/* keep the first reason */
	w->failed = 1;
	perm_hint(e, hint, sizeof(hint));
	snprintf(w->err, sizeof(w->err), "perf_event_open on thread %d: %s%s", (int)tid,
	         strerror(e), hint);
}

/*
 * utime + stime in clock ticks from a /proc stat file, and the task's start
 * time (ticks since boot) in *start if non-NULL; -1 if unreadable.
 */
static long long stat_ticks(const char *path, unsigned long long *start)
{
	char buf[1024];
	unsigned long long ut, st, t0;
	const char *p;
	size_t got;
	FILE *f;

	f = fopen(path, "re");
	if (!f)
		return -1;
	got = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[got] = '\0';
	p = strrchr(buf, ')');	/* the command name may hold spaces and ')' */
	if (!p)
		return -1;
	/* fields 3 (state) .. 13, 14 utime, 15 stime, 16 .. 21, 22 starttime */
	if (sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu"
	           " %*d %*d %*d %*d %*d %*d %llu", &ut, &st, &t0) != 3)
		return -1;
	if (start)
		*start = t0;
	return (long long)(ut + st);
}

/* utime + stime of the whole process (all threads, dead ones included). */
static long long proc_ticks(pid_t pid, unsigned long long *start)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	return stat_ticks(path, start);
}

/*
 * ns the thread has run: the first schedstat field (sum_exec_runtime), or,
 * on a kernel without schedstat, its utime+stime at tick resolution.
 */
static int thread_runtime_ns(pid_t pid, pid_t tid, uint64_t *ns)
{
	char path[64];
	unsigned long long v;
	long long ticks;
	FILE *f;
	int ok = 0;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/schedstat", (int)pid, (int)tid);
	f = fopen(path, "re");
	if (f) {
		ok = fscanf(f, "%llu", &v) == 1;
		fclose(f);
	}
	if (ok) {
		*ns = v;
		return 0;
	}
	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", (int)pid, (int)tid);
	ticks = stat_ticks(path, NULL);
	if (ticks < 0)
		return -1;
	*ns = (uint64_t)ticks * (uint64_t)(1000000000 / sysconf(_SC_CLK_TCK));
	return 0;
}

static int known(const struct cpucost_window *w, pid_t tid)
{
	for (int i = 0; i < w->n; i++)
		if (w->c[i].tid == tid)
			return 1;
	return 0;
}

/*
 * Open counters on the threads of w->pid not counted yet.  late: the window
 * is already open, so a new thread's earlier CPU time belongs to it.
 * Returns the number added, or -1 if the task directory is unreadable.
 */
static int scan(struct cpucost_window *w, int late)
{
	char path[64];
	unsigned long long t0;
	struct dirent *de;
	int added = 0;
	DIR *d;

	/* After the process is gone and reaped its pid may be reused: the
	 * newcomer's threads are not ours. */
	if (late && (proc_ticks(w->pid, &t0) < 0 || t0 != w->started))
		return -1;
	snprintf(path, sizeof(path), "/proc/%d/task", (int)w->pid);
	d = opendir(path);
	if (!d)
		return -1;
	while ((de = readdir(d)) != NULL) {
		struct cc_counter *c;
		uint64_t before = 0;	/* stays 0 if schedstat is unreadable */
		pid_t tid;
		int fd;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		tid = (pid_t)atoi(de->d_name);
		if (known(w, tid))
			continue;
		if (w->n == CPUCOST_MAX_THREADS) {
			w->overflow = 1;
			break;
		}
		/* Runtime first, then open: the gap between the two is lost
		 * (microseconds), never counted twice. */
		if (late && chosen == CC_TASK_CLOCK)
			(void)thread_runtime_ns(w->pid, tid, &before);
		fd = open_counter(&chosen_attr, tid);
		if (fd < 0 && errno != ESRCH) {
			fail_open(w, tid, errno);
			continue;
		}
		if (fd < 0 && !late)
			continue;	/* gone before the window began: nothing to count */
		/* From here on the thread is late or has a counter. */
		if (late)
			w->late++;
		if (fd < 0) {
			/* A late thread that exited before its counter opened:
			 * with task-clock its schedstat time still counts.  It
			 * keeps a slot so it is never taken for new again. */
			w->lost++;
		}
		c = &w->c[w->n++];
		c->tid = tid;
		c->fd = fd;
		c->before = before;
		added++;
	}
	closedir(d);
	return added;
}

struct cpucost_window *cpucost_start(pid_t pid, char *err, size_t len)
{
	struct cpucost_window *w;
	int n;

	if (chosen == CC_NONE) {
		snprintf(err, len, "cpucost: cpucost_init() has not succeeded");
		return NULL;
	}
	if (pid <= 0) {
		snprintf(err, len, "cpucost: bad pid %d", (int)pid);
		return NULL;
	}
	w = calloc(1, sizeof(*w));
	if (!w) {
		snprintf(err, len, "cpucost: out of memory");
		return NULL;
	}
	w->pid = pid;
	w->ticks_start = proc_ticks(pid, &w->started);
	n = scan(w, 0);
	if (n < 0) {
		snprintf(err, len, "cpucost: process %d not found: %s", (int)pid, strerror(errno));
	} else if (w->failed) {
		snprintf(err, len, "cpucost: %s", w->err);
	} else if (w->n == 0) {
		snprintf(err, len, "cpucost: no thread of process %d could be counted", (int)pid);
	} else {
		return w;
	}
	for (int i = 0; i < w->n; i++)
		if (w->c[i].fd >= 0)
			close(w->c[i].fd);
	free(w);
	return NULL;
}

int cpucost_poll(struct cpucost_window *w)
{
	int n;

	if (!w)
		return -1;
	if (w->failed || w->overflow)
		return -1;
	n = scan(w, 1);
	if (w->failed || w->overflow)
		return -1;
	return n < 0 ? 0 : n;	/* a vanished process: nothing new to count */
}

int cpucost_stop(struct cpucost_window *w, double *value, struct cpucost_info *info,
                 char *err, size_t len)
{
	unsigned long long t0 = 0;
	uint64_t sum = 0;
	long long ticks_end;
	int ret = 0;

	if (!w) {
		snprintf(err, len, "cpucost: no window");
		return -1;
	}
	cpucost_poll(w);	/* threads born since the last poll */
	ticks_end = proc_ticks(w->pid, &t0);
	if (ticks_end >= 0 && t0 != w->started)
		ticks_end = -1;	/* another process now */
	for (int i = 0; i < w->n; i++) {
		struct cc_counter *c = &w->c[i];
		uint64_t count = 0;

		if (c->fd >= 0) {
			if (read_counter(c->fd, &count) != 0 && !w->failed) {
				w->failed = 1;
				snprintf(w->err, sizeof(w->err), "reading the counter of thread %d failed",
				         (int)c->tid);
			}
			close(c->fd);
		}
		sum += count + c->before;
	}
	if (info) {
		info->threads = w->n;
		info->late_threads = w->late;
		info->lost_threads = w->lost;
		info->proc_cpu_ms = -1;
		if (w->ticks_start >= 0 && ticks_end >= w->ticks_start)
			info->proc_cpu_ms = (double)(ticks_end - w->ticks_start) * 1000.0 /
			                    (double)sysconf(_SC_CLK_TCK);
	}
	if (w->failed) {
		snprintf(err, len, "cpucost: process %d: %s", (int)w->pid, w->err);
		ret = -1;
	} else if (w->overflow) {
		snprintf(err, len, "cpucost: process %d has more than %d threads", (int)w->pid,
		         CPUCOST_MAX_THREADS);
		ret = -1;
	} else if (chosen == CC_TASK_CLOCK) {
		*value = (double)sum / 1e6;	/* ns of CPU time -> ms */
	} else {
		*value = (double)sum;
	}
	free(w);
	return ret;
}

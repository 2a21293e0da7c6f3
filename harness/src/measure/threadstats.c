/* Per-thread accounting of a process over a window, from /proc, by name. */
#include "threadstats.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host.h"
#include "util.h"

int threadstats_parse_stat(const char *text, struct stat_fields *out)
{
	unsigned long long minflt, majflt, utime, stime, start;
	const char *open = strchr(text, '(');
	const char *close = strrchr(text, ')');
	size_t n;

	if (!open || !close || close < open)
		return -1;
	n = (size_t)(close - open - 1);
	if (n >= sizeof(out->comm))
		n = sizeof(out->comm) - 1;
	/* fields 3 state, 4-9, 10 minflt, 11, 12 majflt, 13, 14 utime,
	 * 15 stime, 16-21, 22 starttime */
	if (sscanf(close + 1, " %*c %*d %*d %*d %*d %*d %*u %llu %*u %llu %*u %llu %llu"
	           " %*d %*d %*d %*d %*d %*d %llu", &minflt, &majflt, &utime, &stime, &start) != 5)
		return -1;
	memcpy(out->comm, open + 1, n);
	out->comm[n] = '\0';
	out->minflt = minflt;
	out->majflt = majflt;
	out->utime = utime;
	out->stime = stime;
	out->start_time = start;
	return 0;
}

int threadstats_parse_schedstat(const char *text, uint64_t *run_ns, uint64_t *wait_ns)
{
	unsigned long long run, wait;

	if (sscanf(text, "%llu %llu", &run, &wait) != 2)
		return -1;
	*run_ns = run;
	*wait_ns = wait;
	return 0;
}

/*
 * The number on the line that starts with key and a colon.  Matching at
 * line starts only: "voluntary_ctxt_switches" is also the tail of
 * "nonvoluntary_ctxt_switches".
 */
static int status_field(const char *text, const char *key, uint64_t *v)
{
	size_t klen = strlen(key);
	const char *line = text;

	while (line && *line) {
		char *end;
		unsigned long long x;

		if (strncmp(line, key, klen) == 0 && line[klen] == ':') {
			errno = 0;
			x = strtoull(line + klen + 1, &end, 10);
			if (end == line + klen + 1 || errno)
				return -1;
			*v = x;
			return 0;
		}
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return -1;
}

int threadstats_parse_status(const char *text, uint64_t *vcsw, uint64_t *ivcsw)
{
	uint64_t v, iv;

	if (status_field(text, "voluntary_ctxt_switches", &v) ||
	    status_field(text, "nonvoluntary_ctxt_switches", &iv))
		return -1;
	*vcsw = v;
	*ivcsw = iv;
	return 0;
}

void threadstats_log_scan(struct threadstats_log *log)
{
	log->scan++;
}

static struct thread_track *track_of(struct threadstats_log *log, const struct thread_sample *s)
{
	for (int i = 0; i < log->n; i++)
		if (log->t[i].tid == s->tid && log->t[i].start_time == s->start_time)
			return &log->t[i];
	return NULL;
}

void threadstats_log_add(struct threadstats_log *log, const struct thread_sample *s)
{
	struct thread_track *t = track_of(log, s);

	if (!t) {
		if (log->n == THREADSTATS_MAX_THREADS) {
			log->overflow = true;
			return;
		}
		t = &log->t[log->n++];
		memset(t, 0, sizeof(*t));
		t->tid = s->tid;
		t->start_time = s->start_time;
		/* Before the first scan ends the window has just opened; a
		 * thread first seen later did all its work inside it. */
		if (log->scan <= 1)
			t->first = s->c;
	}
	snprintf(t->name, sizeof(t->name), "%s", s->name);
	t->last = s->c;
	t->scan = log->scan;
}

static uint64_t since(uint64_t last, uint64_t first)
{
	return last >= first ? last - first : 0;
}

static void add_delta(struct thread_counters *sum, const struct thread_counters *last,
                      const struct thread_counters *first)
{
	sum->cpu_ns += since(last->cpu_ns, first->cpu_ns);
	sum->wait_ns += since(last->wait_ns, first->wait_ns);
	sum->vcsw += since(last->vcsw, first->vcsw);
	sum->ivcsw += since(last->ivcsw, first->ivcsw);
	sum->minflt += since(last->minflt, first->minflt);
	sum->majflt += since(last->majflt, first->majflt);
}

static int group_order(const void *a, const void *b)
{
	const struct thread_group *x = a, *y = b;

	if (x->main != y->main)
		return x->main ? -1 : 1;
	return strcmp(x->name, y->name);
}

void threadstats_aggregate(const struct threadstats_log *log, pid_t main_tid,
                           struct threadstats_table *out)
{
	out->n = 0;
	for (int i = 0; i < log->n; i++) {
		const struct thread_track *t = &log->t[i];
		bool main = t->tid == main_tid;
		struct thread_group *g = NULL;

		for (int j = 0; j < out->n && !g; j++)
			if (out->g[j].main == main && !strcmp(out->g[j].name, t->name))
				g = &out->g[j];
		if (!g) {
			g = &out->g[out->n++];	/* never more groups than tracks */
			memset(g, 0, sizeof(*g));
			snprintf(g->name, sizeof(g->name), "%s", t->name);
			g->main = main;
		}
		g->count++;
		if (t->scan != log->scan)
			g->exited++;
		add_delta(&g->delta, &t->last, &t->first);
	}
	qsort(out->g, (size_t)out->n, sizeof(out->g[0]), group_order);
}

const struct thread_group *threadstats_find(const struct threadstats_table *t, const char *name)
{
	for (int i = 0; i < t->n; i++)
		if (!t->g[i].main && !strcmp(t->g[i].name, name))
			return &t->g[i];
	return NULL;
}

const struct thread_group *threadstats_main(const struct threadstats_table *t)
{
	for (int i = 0; i < t->n; i++)
		if (t->g[i].main)
			return &t->g[i];
	return NULL;
}

/* ---- reading /proc ---------------------------------------------------- */

struct threadstats_window {
	struct host *remote;	/* an ssh host; NULL: this machine's /proc */
	/* remote: the sampler's output, read as it comes */
	pid_t stream_pid;
	int stream_fd;
	bool stream_eof;
	char *text;
	size_t text_len, text_cap;
	int remote_scans, remote_failed;	/* said at stop when any failed */
	pid_t pid;
	unsigned long long started;	/* the process's start time */
	bool use_schedstat;	/* decided once, so first and last samples of a
				   thread always come from the same source */
	uint64_t ns_per_tick;
	struct threadstats_log log;
};

/* Read a small /proc file whole into buf (NUL-terminated); -1 if it is
 * unreadable or does not fit, so a cut-off file is never parsed. */
static int read_text(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t have = 0;
	ssize_t got = 0;

	if (fd < 0)
		return -1;
	while (have < len - 1 && (got = read(fd, buf + have, len - 1 - have)) > 0)
		have += (size_t)got;
	close(fd);
	if (got < 0 || have == 0 || have == len - 1)
		return -1;
	buf[have] = '\0';
	return 0;
}

/*
 * Sample one thread.  Three small reads (stat, schedstat, status); the
 * name comes from stat's comm field, which is the same task->comm the comm
 * file shows, so a fourth read per thread and poll is saved.  -1 if the
 * thread is gone (or went during the reads): the sample is then dropped
 * whole, never mixed from two threads.
 */
static int sample_thread(const struct threadstats_window *w, pid_t tid, struct thread_sample *s)
{
	char path[96], buf[4096];
	struct stat_fields st;
	uint64_t run_ns, wait_ns;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", (int)w->pid, (int)tid);
	if (read_text(path, buf, sizeof(buf)) || threadstats_parse_stat(buf, &st))
		return -1;
	memset(s, 0, sizeof(*s));
	s->tid = tid;
	s->start_time = st.start_time;
	snprintf(s->name, sizeof(s->name), "%s", st.comm);
	s->c.minflt = st.minflt;
	s->c.majflt = st.majflt;
	s->c.cpu_ns = (st.utime + st.stime) * w->ns_per_tick;
	if (w->use_schedstat) {
		snprintf(path, sizeof(path), "/proc/%d/task/%d/schedstat", (int)w->pid, (int)tid);
		if (read_text(path, buf, sizeof(buf)) ||
		    threadstats_parse_schedstat(buf, &run_ns, &wait_ns))
			return -1;
		s->c.cpu_ns = run_ns;
		s->c.wait_ns = wait_ns;
	}
	snprintf(path, sizeof(path), "/proc/%d/task/%d/status", (int)w->pid, (int)tid);
	if (read_text(path, buf, sizeof(buf)) ||
	    threadstats_parse_status(buf, &s->c.vcsw, &s->c.ivcsw))
		return -1;
	return 0;
}

/* The process's start time, or -1 if it is gone. */
static int process_start(pid_t pid, unsigned long long *start)
{
	char path[64], buf[1024];
	struct stat_fields st;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (read_text(path, buf, sizeof(buf)) || threadstats_parse_stat(buf, &st))
		return -1;
	*start = st.start_time;
	return 0;
}

/* ---- reading /proc through a host --------------------------------------- */

/*
 * The remote sampler: $1 is the pid, $2 the period in seconds.  One scan
 * per period, each the process block first (so a vanished process is told
 * from one whose threads all went), then a block per thread, then "== E".
 * stat and schedstat are read by the shell itself; only the two context
 * switch lines cost a process.  It ends when the process has gone or when
 * nobody reads it any more (its next write fails).  A thread that goes
 * during a scan leaves a short block, which the parser drops.
 */
static const char stream_script[] =
	"cd /proc/\"$1\" 2>/dev/null || exit 1; "
	"while :; do echo '== P'; read -r l 2>/dev/null <stat || exit 0; echo \"$l\"; "
	"[ -r schedstat ] && echo '== S'; "
	"for t in task/[0-9]*; do echo \"== ${t#task/}\"; "
	"{ read -r l <\"$t/stat\" && echo \"$l\" && read -r l <\"$t/schedstat\" && "
	"echo \"$l\"; } 2>/dev/null; "
	"grep ctxt_switches \"$t/status\" 2>/dev/null; done; echo '== E'; sleep \"$2\"; done";

/* One thread's block (the text after its header, up to the next): stat,
 * then schedstat when read, then the context switch lines. */
static int parse_thread_block(const char *block, size_t len, pid_t tid, bool schedstat,
                              uint64_t ns_per_tick, struct thread_sample *s)
{
	char buf[8192], *nl, *rest;
	struct stat_fields st;
	uint64_t run_ns, wait_ns;

	if (len >= sizeof(buf))
		return -1;
	memcpy(buf, block, len);
	buf[len] = '\0';
	nl = strchr(buf, '\n');
	if (!nl)
		return -1;
	*nl = '\0';
	rest = nl + 1;
	if (threadstats_parse_stat(buf, &st))
		return -1;
	memset(s, 0, sizeof(*s));
	s->tid = tid;
	s->start_time = st.start_time;
	snprintf(s->name, sizeof(s->name), "%s", st.comm);
	s->c.minflt = st.minflt;
	s->c.majflt = st.majflt;
	s->c.cpu_ns = (st.utime + st.stime) * ns_per_tick;
	if (schedstat) {
		nl = strchr(rest, '\n');
		if (!nl)
			return -1;
		*nl = '\0';
		if (threadstats_parse_schedstat(rest, &run_ns, &wait_ns))
			return -1;
		s->c.cpu_ns = run_ns;
		s->c.wait_ns = wait_ns;
		rest = nl + 1;
	}
	return threadstats_parse_status(rest, &s->c.vcsw, &s->c.ivcsw);
}

int threadstats_parse_batch(const char *text, uint64_t ns_per_tick,
                            unsigned long long *proc_start, bool *schedstat,
                            struct thread_sample *out, int max)
{
	bool have_proc = false;
	int n = 0;

	*schedstat = false;
	for (const char *h = strstr(text, "== "); h; ) {
		const char *body = strchr(h, '\n'), *next;
		size_t len;

		if (!body)
			break;
		body++;
		/* The next header: right here for an empty block ("== S"),
		 * else at the start of a later line. */
		if (!strncmp(body, "== ", 3)) {
			next = body;
		} else {
			next = strstr(body, "\n== ");
			next = next ? next + 1 : NULL;
		}
		len = next ? (size_t)(next - body) : strlen(body);
		if (!strncmp(h, "== P\n", 5)) {
			struct stat_fields st;
			char buf[1024];

			snprintf(buf, sizeof(buf), "%.*s", (int)(len < sizeof(buf) ? len : sizeof(buf) - 1),
			         body);
			if (threadstats_parse_stat(buf, &st))
				return -1;
			*proc_start = st.start_time;
			have_proc = true;
		} else if (!strncmp(h, "== S\n", 5)) {
			*schedstat = true;
		} else if (isdigit((unsigned char)h[3]) && n < max &&
		           parse_thread_block(body, len, (pid_t)atoi(h + 3), *schedstat, ns_per_tick,
		                              &out[n]) == 0) {
			n++;
		}
		h = next;
	}
	return have_proc ? n : -1;
}

/* One whole scan of the sampler's output: logged like a local scan, or
 * dropped (counted) when it cannot be read or is of another process. */
static void take_remote_scan(struct threadstats_window *w, const char *text)
{
	static struct thread_sample samples[THREADSTATS_MAX_THREADS + 1];
	unsigned long long start = 0;
	bool schedstat;
	int n;

	w->remote_scans++;
	n = threadstats_parse_batch(text, w->ns_per_tick, &start, &schedstat, samples,
				    THREADSTATS_MAX_THREADS + 1);
	/* The first scan decides the CPU source; a later scan that read the
	 * other one is dropped, so a thread's samples never mix the two. */
	if (n < 0 || (w->started && (start != w->started || schedstat != w->use_schedstat))) {
		w->remote_failed++;
		return;
	}
	threadstats_log_scan(&w->log);
	w->started = start;
	w->use_schedstat = schedstat;
	for (int i = 0; i < n; i++)
		threadstats_log_add(&w->log, &samples[i]);
}

/*
 * Take every whole scan the sampler has written; with none yet, wait up
 * to wait_ms for one.  Returns how many were taken.
 */
static int read_remote(struct threadstats_window *w, int wait_ms)
{
	int64_t deadline = now_ms() + wait_ms;
	int taken = 0;

	for (;;) {
		struct pollfd p = { w->stream_fd, POLLIN, 0 };
		int left = (int)(deadline - now_ms());
		ssize_t got;
		char *end;

		if (w->stream_eof || poll(&p, 1, taken || left < 0 ? 0 : left) <= 0)
			break;
		if (w->text_cap - w->text_len < 8192) {
			size_t cap = w->text_cap ? 2 * w->text_cap : 65536;
			char *t = realloc(w->text, cap);

			if (!t)
				break;
			w->text = t;
			w->text_cap = cap;
		}
		got = read(w->stream_fd, w->text + w->text_len, w->text_cap - w->text_len - 1);
		if (got <= 0) {
			w->stream_eof = got == 0 || (errno != EINTR && errno != EAGAIN);
			continue;
		}
		w->text_len += (size_t)got;
		w->text[w->text_len] = '\0';
		/* Each scan ends with an "== E" line. */
		while ((end = strstr(w->text, "== E\n")) != NULL &&
		       (end == w->text || end[-1] == '\n')) {
			size_t used = (size_t)(end - w->text) + 5;

			*end = '\0';
			take_remote_scan(w, w->text);
			taken++;
			memmove(w->text, w->text + used, w->text_len - used + 1);
			w->text_len -= used;
		}
	}
	return taken;
}

static void stop_remote(struct threadstats_window *w)
{
	if (w->stream_pid > 0)
		stop_pid(w->stream_pid, 1000);
	if (w->stream_fd >= 0)
		close(w->stream_fd);
	w->stream_pid = 0;
	w->stream_fd = -1;
	free(w->text);
	w->text = NULL;
}

/* Sample every thread of w->pid; the number sampled, -1 if the process is
 * gone or is another process now. */
static int scan_local(struct threadstats_window *w)
{
	char path[64];
	unsigned long long start;
	struct dirent *de;
	int sampled = 0;
	DIR *d;

	/* Begun even if the process is gone: its threads then count as
	 * exited, having kept their last samples. */
	threadstats_log_scan(&w->log);
	if (process_start(w->pid, &start) || start != w->started)
		return -1;
	snprintf(path, sizeof(path), "/proc/%d/task", (int)w->pid);
	d = opendir(path);
	if (!d)
		return -1;
	while ((de = readdir(d)) != NULL) {
		struct thread_sample s;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		if (sample_thread(w, (pid_t)atoi(de->d_name), &s) == 0) {
			threadstats_log_add(&w->log, &s);
			sampled++;
		}
	}
	closedir(d);
	return sampled;
}

/* A window on pid with nothing read yet; NULL with a message in err. */
static struct threadstats_window *window_new(pid_t pid, char *err, size_t len)
{
	struct threadstats_window *w;
	long tick = sysconf(_SC_CLK_TCK);

	if (pid <= 0) {
		snprintf(err, len, "threadstats: bad pid %d", (int)pid);
		return NULL;
	}
	w = calloc(1, sizeof(*w));
	if (!w) {
		snprintf(err, len, "threadstats: out of memory");
		return NULL;
	}
	w->pid = pid;
	w->stream_fd = -1;
	/* Another host's clock tick is Linux's USER_HZ too, the same 100 on
	 * every x86 Linux; only the ticks fallback (no schedstat) uses it. */
	w->ns_per_tick = (uint64_t)(1000000000L / (tick > 0 ? tick : 100));
	return w;
}

struct threadstats_window *threadstats_start(pid_t pid, char *err, size_t len)
{
	struct threadstats_window *w = window_new(pid, err, len);
	char path[64], buf[256];

	if (!w)
		return NULL;
	/* schedstat needs CONFIG_SCHED_INFO (Debian has it); without it CPU
	 * time falls back to stat's ticks and wait time is not measured. */
	snprintf(path, sizeof(path), "/proc/%d/schedstat", (int)pid);
	w->use_schedstat = read_text(path, buf, sizeof(buf)) == 0;
	if (process_start(pid, &w->started)) {
		snprintf(err, len, "threadstats: process %d not found", (int)pid);
	} else if (scan_local(w) <= 0) {
		snprintf(err, len, "threadstats: no thread of process %d could be read", (int)pid);
	} else {
		return w;
	}
	free(w);
	return NULL;
}

struct threadstats_window *threadstats_start_on(struct host *h, pid_t pid, char *err,
                                                size_t len)
{
	if (!h || host_is_local(h))
		return threadstats_start(pid, err, len);
	return threadstats_start_sampler(h, pid, err, len);
}

struct threadstats_window *threadstats_start_sampler(struct host *h, pid_t pid, char *err,
                                                     size_t len)
{
	char pidtext[16], period[16];
	char *argv[] = { "sh", "-c", (char *)stream_script, "sh", pidtext, period, NULL };
	struct threadstats_window *w;

	w = window_new(pid, err, len);
	if (!w)
		return NULL;
	w->remote = h;
	snprintf(pidtext, sizeof(pidtext), "%d", (int)pid);
	snprintf(period, sizeof(period), "%.3f", THREADSTATS_REMOTE_PERIOD_MS / 1000.0);
	w->stream_pid = host_stream(h, argv, &w->stream_fd);
	if (w->stream_pid <= 0) {
		snprintf(err, len, "threadstats: cannot start the sampler on %s", h->name);
		free(w);
		return NULL;
	}
	/* The baseline: the first whole scan (the ssh channel opens first). */
	if (read_remote(w, THREADSTATS_REMOTE_START_MS) > 0 && w->log.n > 0)
		return w;
	snprintf(err, len, "threadstats: no thread of process %d on %s could be read", (int)pid,
	         h->name);
	stop_remote(w);
	free(w);
	return NULL;
}

int threadstats_poll(struct threadstats_window *w)
{
	if (!w)
		return -1;
	/* A vanished process: every thread keeps its last sample. */
	if (!w->log.overflow) {
		if (w->remote)
			(void)read_remote(w, 0);
		else
			(void)scan_local(w);
	}
	return w->log.overflow ? -1 : 0;
}

struct threadstats_table *threadstats_stop(struct threadstats_window *w, char *err, size_t len)
{
	struct threadstats_table *t = NULL;

	if (!w) {
		snprintf(err, len, "threadstats: no window");
		return NULL;
	}
	/* The final sample.  Remote: what has come, then one more whole scan,
	 * which ended after this call (or nothing more, if the sampler is
	 * gone with its process). */
	if (w->remote) {
		if (!w->log.overflow) {
			(void)read_remote(w, 0);
			(void)read_remote(w, THREADSTATS_REMOTE_START_MS);
		}
		stop_remote(w);
		/* A scan dropped is a gap a short thread may fall into: said. */
		if (w->remote_failed)
			log_warn("threadstats: %d of %d scans of process %d on %s could not be read",
				 w->remote_failed, w->remote_scans, (int)w->pid, w->remote->name);
	} else if (!w->log.overflow) {
		(void)scan_local(w);
	}
	if (w->log.overflow) {
		snprintf(err, len, "threadstats: process %d has more than %d threads", (int)w->pid,
		         THREADSTATS_MAX_THREADS);
	} else if (!(t = calloc(1, sizeof(*t)))) {
		snprintf(err, len, "threadstats: out of memory");
	} else {
		t->has_wait = w->use_schedstat;
		threadstats_aggregate(&w->log, w->pid, t);
	}
	free(w);
	return t;
}

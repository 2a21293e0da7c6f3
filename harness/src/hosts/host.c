/* The host interface: what both implementations share, and the calls
 * that only pass through to the implementation. */
#include "host.h"

#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

int host_begin(struct host *h, char *err, size_t errlen)
{
	return h->ops->begin(h, err, errlen);
}

int host_spawn(struct host *h, const char *name, char *const argv[], const char *logpath,
               struct host_proc *p, char *err, size_t errlen)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", name);
	return h->ops->spawn(h, name, argv, logpath, p, err, errlen);
}

bool host_alive(struct host *h, const struct host_proc *p)
{
	return p->pid > 0 && h->ops->alive(h, p);
}

bool host_wait_exit(struct host *h, struct host_proc *p, int timeout_ms)
{
	return p->pid <= 0 || h->ops->wait_exit(h, p, timeout_ms);
}

void host_stop(struct host *h, struct host_proc *p, int grace_ms)
{
	if (p->pid <= 0)
		return;
	h->ops->signal(h, p, SIGTERM);
	if (!h->ops->wait_exit(h, p, grace_ms)) {
		h->ops->signal(h, p, SIGKILL);
		h->ops->wait_exit(h, p, 5000);
	}
	h->ops->forget(h, p);
	p->pid = 0;
}

void host_forget(struct host *h, struct host_proc *p)
{
	if (p->pid <= 0)
		return;
	h->ops->forget(h, p);
	p->pid = 0;
}

void host_kill(struct host *h, struct host_proc *p)
{
	if (p->pid <= 0)
		return;
	h->ops->signal(h, p, SIGKILL);
	h->ops->wait_exit(h, p, 5000);
	h->ops->forget(h, p);
	p->pid = 0;
}

int host_run(struct host *h, char *const argv[], int timeout_ms, char *out, size_t outlen)
{
	return h->ops->run(h, argv, timeout_ms, out, outlen);
}

pid_t host_stream(struct host *h, char *const argv[], int *fd)
{
	return h->ops->stream(h, argv, fd);
}

char *host_read_file(struct host *h, const char *path)
{
	return h->ops->read_file(h, path);
}

void host_checkout_line(struct host *h, const char *rel, char *out, size_t len)
{
	char path[PATH_MAX + 64];
	char *s;

	snprintf(path, sizeof(path), "%s/%s", h->top, rel);
	s = host_read_file(h, path);
	snprintf(out, len, "%s", s ? s : "");
	out[strcspn(out, "\n")] = '\0';
	free(s);
}

int host_write_file(struct host *h, const char *path, const char *text)
{
	/* printf, not echo: the text is data, never options or escapes. */
	char *argv[] = { "sh", "-c", "printf '%s' \"$1\" > \"$2\"", "sh",
			 (char *)text, (char *)path, NULL };

	return host_run(h, argv, 10000, NULL, 0) == 0 ? 0 : -1;
}

int host_forward(struct host *h, const char *path, int timeout_ms, char *local,
                 size_t locallen, char *err, size_t errlen)
{
	return h->ops->forward(h, path, timeout_ms, local, locallen, err, errlen);
}

void host_unforward(struct host *h, const char *local)
{
	h->ops->unforward(h, local);
}

void host_path(const struct host *h, const char *name, char *out, size_t len)
{
	snprintf(out, len, "%s/%s", h->scratch, name);
}

void host_project_path(const struct host *h, const char *local_top, const char *local_path,
                       char *out, size_t len)
{
	size_t n = strlen(local_top);

	if (n && !strncmp(local_path, local_top, n) && (local_path[n] == '/' || !local_path[n]))
		snprintf(out, len, "%s%s", h->top, local_path + n);
	else
		snprintf(out, len, "%s", local_path);
}

bool host_is_local(const struct host *h)
{
	return h->kind == HOST_LOCAL;
}

/* The qdisc's interface is noted in the scratch directory first, so the
 * supervisor of an ssh host (or the next run's) removes it even when the
 * harness never gets to. */
int host_shape(struct host *h, const char *ifname, double gbit, char *err, size_t errlen)
{
	char rate[32], burstb[32], note[PATH_MAX + 64], out[512];
	/* As netns.c: the bucket holds what the rate delivers in a 4 ms tick,
	 * twice over, at least 1 MB, or tbf cannot reach the rate. */
	long burst = (long)(gbit * 1e9 / 8 / 125);
	char *argv[] = { "tc", "qdisc", "replace", "dev", (char *)ifname, "root", "tbf",
			 "rate", rate, "burst", burstb, "latency", "20ms", NULL };

	snprintf(rate, sizeof(rate), "%.0fmbit", gbit * 1000);
	snprintf(burstb, sizeof(burstb), "%ld", burst < (1 << 20) ? (1 << 20) : burst);
	snprintf(note, sizeof(note), "%s/%s.qdisc", h->scratch, ifname);
	if (host_write_file(h, note, ifname)) {
		snprintf(err, errlen, "%s: cannot write %s", h->name, note);
		return -1;
	}
	if (host_run(h, argv, 10000, out, sizeof(out)) != 0) {
		out[strcspn(out, "\n")] = '\0';
		snprintf(err, errlen, "%s: tc on %s failed: %s", h->name, ifname, out);
		return -1;
	}
	return 0;
}

void host_unshape(struct host *h, const char *ifname)
{
	char note[PATH_MAX + 64];
	char *del[] = { "tc", "qdisc", "del", "dev", (char *)ifname, "root", NULL };
	char *rm[] = { "rm", "-f", note, NULL };

	snprintf(note, sizeof(note), "%s/%s.qdisc", h->scratch, ifname);
	host_run(h, del, 10000, NULL, 0);
	host_run(h, rm, 10000, NULL, 0);
}

bool host_lost(struct host *h)
{
	return h->ops && h->ops->lost(h);
}

void host_close(struct host *h)
{
	if (h->ops)
		h->ops->close(h);
}

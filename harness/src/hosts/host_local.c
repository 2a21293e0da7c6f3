/*
 * The local host: processes of this machine, optionally inside a network
 * namespace (the netns mode's two "hosts").  Sockets need no forwarding
 * and cleanup.c tracks every process, as before there was a host
 * interface: this file only puts today's calls behind it.
 */
#include "host.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cleanup.h"
#include "util.h"

static const char *ns(const struct host *h)
{
	return h->netns[0] ? h->netns : NULL;
}

static int local_spawn(struct host *h, const char *name, char *const argv[], const char *logpath,
                       struct host_proc *p, char *err, size_t errlen)
{
	p->pid = spawn_bg(ns(h), argv, logpath);
	if (p->pid < 0) {
		p->pid = 0;
		snprintf(err, errlen, "%s: cannot start %s", name, argv[0]);
		return -1;
	}
	cleanup_track_pid(p->pid);
	return 0;
}

static bool local_alive(struct host *h, const struct host_proc *p)
{
	(void)h;
	return kill(p->pid, 0) == 0 && !wait_pid_exit(p->pid, 0, NULL);
}

static bool local_wait_exit(struct host *h, struct host_proc *p, int timeout_ms)
{
	(void)h;
	return wait_pid_exit(p->pid, timeout_ms, NULL);
}

static void local_signal(struct host *h, const struct host_proc *p, int sig)
{
	(void)h;
	kill(p->pid, sig);
}

static void local_forget(struct host *h, struct host_proc *p)
{
	(void)h;
	cleanup_untrack_pid(p->pid);
}

static int local_run(struct host *h, char *const argv[], int timeout_ms, char *out, size_t outlen)
{
	return run_cmd(ns(h), argv, timeout_ms, out, outlen);
}

static pid_t local_stream(struct host *h, char *const argv[], int *fd)
{
	return spawn_out_piped(ns(h), argv, fd);
}

static char *local_read_file(struct host *h, const char *path)
{
	(void)h;
	return read_file(path);
}

static int local_forward(struct host *h, const char *path, int timeout_ms, char *local,
                         size_t locallen, char *err, size_t errlen)
{
	(void)h;
	(void)timeout_ms;
	(void)err;
	(void)errlen;
	snprintf(local, locallen, "%s", path);
	return 0;
}

static void local_unforward(struct host *h, const char *local)
{
	(void)h;
	(void)local;
}

/* The run directory is made by main.c; processes, namespaces and the
 * run directory are cleanup.c's. */
static int local_begin(struct host *h, char *err, size_t errlen)
{
	(void)h;
	(void)err;
	(void)errlen;
	return 0;
}

static void local_close(struct host *h)
{
	(void)h;
}

static bool local_lost(struct host *h)
{
	(void)h;
	return false;
}

static const struct host_ops local_ops = {
	.begin = local_begin,
	.spawn = local_spawn,
	.alive = local_alive,
	.wait_exit = local_wait_exit,
	.signal = local_signal,
	.forget = local_forget,
	.run = local_run,
	.read_file = local_read_file,
	.stream = local_stream,
	.forward = local_forward,
	.unforward = local_unforward,
	.lost = local_lost,
	.close = local_close,
};

void host_local_init(struct host *h, const char *role, const char *netns,
                     const char *scratch, const char *top)
{
	memset(h, 0, sizeof(*h));
	h->kind = HOST_LOCAL;
	h->ops = &local_ops;
	h->supervisor_fd = -1;
	snprintf(h->role, sizeof(h->role), "%s", role);
	snprintf(h->netns, sizeof(h->netns), "%s", netns ? netns : "");
	snprintf(h->scratch, sizeof(h->scratch), "%s", scratch);
	snprintf(h->top, sizeof(h->top), "%s", top);
	if (h->netns[0])
		snprintf(h->name, sizeof(h->name), "netns %s", h->netns);
	else
		snprintf(h->name, sizeof(h->name), "local");
}

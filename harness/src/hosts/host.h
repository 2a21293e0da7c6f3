/*
 * A "host" the harness runs things on: one small interface, two
 * implementations.
 *
 *   local  (host_local.c)  this machine, optionally inside a network
 *                          namespace: the `netns` mode, where both hosts
 *                          are namespaces joined by a shaped veth;
 *   ssh    (host_ssh.c)    another machine reached over plain OpenSSH:
 *                          one ControlMaster connection per host, QMP and
 *                          the guest agent through forwarded Unix sockets.
 *
 * Everything above this interface (vm.c, onemigration.c, the method code,
 * the link measurement) is the same in both modes.  Paths given to a host
 * are paths on that host; host_path() names a file in the host's scratch
 * directory, which the host removes with everything in it on close.
 */
#ifndef PVMIG_HOST_H
#define PVMIG_HOST_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

enum host_kind {
	HOST_LOCAL,	/* this machine (netns: inside a namespace) */
	HOST_SSH,	/* over OpenSSH */
};

/* A process started on a host. */
struct host_proc {
	pid_t pid;		/* on that host; 0: none */
	char name[32];		/* "src", "iperf3", ...: its pidfile's name */
};

struct host {
	enum host_kind kind;
	const struct host_ops *ops;
	char role[8];		/* "src" or "dst" */
	char name[160];		/* for messages and run.json */
	char scratch[PATH_MAX];	/* sockets, logs, pidfiles on that host */
	char top[PATH_MAX];	/* the project checkout on that host */
	bool lost;		/* ssh: the connection went away */
	bool closed;		/* ssh: host_close() ran; nothing more is sent */

	/* local */
	char netns[64];		/* "" : the harness's own namespace */

	/* ssh */
	char target[128];	/* [user@]HOST as given */
	char ssh_config[PATH_MAX];	/* -F FILE, "" for the user's own */
	char ctl_path[PATH_MAX];	/* ControlPath of the master */
	char ctl_opt[PATH_MAX + 16];	/* "ControlPath=..." for ssh -o */
	char local_dir[PATH_MAX];	/* local end of forwarded sockets */
	pid_t master_pid;	/* local `ssh -M` process */
	pid_t supervisor_pid;	/* local ssh process of the remote supervisor */
	int supervisor_fd;	/* its stdin: closing it makes the remote clean up */
	int nforwards;
	char forwards[8][PATH_MAX];	/* local socket paths forwarded now */
};

struct host_ops {
	int (*begin)(struct host *h, char *err, size_t errlen);
	int (*spawn)(struct host *h, const char *name, char *const argv[], const char *logpath,
		     struct host_proc *p, char *err, size_t errlen);
	bool (*alive)(struct host *h, const struct host_proc *p);
	bool (*wait_exit)(struct host *h, struct host_proc *p, int timeout_ms);
	void (*signal)(struct host *h, const struct host_proc *p, int sig);
	void (*forget)(struct host *h, struct host_proc *p);
	int (*run)(struct host *h, char *const argv[], int timeout_ms, char *out, size_t outlen);
	char *(*read_file)(struct host *h, const char *path);
	pid_t (*stream)(struct host *h, char *const argv[], int *fd);
	int (*forward)(struct host *h, const char *path, int timeout_ms, char *local,
		       size_t locallen, char *err, size_t errlen);
	void (*unforward)(struct host *h, const char *local);
	bool (*lost)(struct host *h);
	void (*close)(struct host *h);
};

/* A local host, in network namespace netns ("" or NULL: the harness's own);
 * scratch is the harness's run directory. */
void host_local_init(struct host *h, const char *role, const char *netns,
                     const char *scratch, const char *top);

/*
 * An ssh host: parse [user@]HOST, open the master connection (BatchMode:
 * refused keys fail at once) and check it answers.  Nothing is created on
 * the remote side yet.  Returns 0, or -1 with one line in err.
 */
int host_ssh_connect(struct host *h, const char *role, const char *target,
                     const char *ssh_config, const char *remote_top,
                     const char *local_dir, char *err, size_t errlen);

/*
 * Start the host's supervisor: it creates the scratch directory and, when
 * the harness closes the connection, goes or is killed, stops every
 * process of the scratch directory's pidfiles, deletes the qdiscs listed
 * there and removes the directory.  Scratch directories of supervisors
 * that no longer run (a harness killed outright, a host rebooted) are
 * cleaned up first.  Local hosts: a no-op (cleanup.c does it).
 */
int host_begin(struct host *h, char *err, size_t errlen);

/* Start argv in the background with output to logpath (a path on the
 * host; NULL: discarded).  The process dies when the host is closed. */
int host_spawn(struct host *h, const char *name, char *const argv[], const char *logpath,
               struct host_proc *p, char *err, size_t errlen);
bool host_alive(struct host *h, const struct host_proc *p);
/* Wait up to timeout_ms for p to exit; true if it did. */
bool host_wait_exit(struct host *h, struct host_proc *p, int timeout_ms);
/* SIGTERM, then SIGKILL after grace_ms; p->pid is 0 afterwards. */
void host_stop(struct host *h, struct host_proc *p, int grace_ms);
/* It has exited: drop its record (pid tracking, pidfile); p->pid is 0. */
void host_forget(struct host *h, struct host_proc *p);
/* SIGKILL at once (fault tests); p->pid is 0 afterwards. */
void host_kill(struct host *h, struct host_proc *p);

/* Run argv to completion (no shell), as run_cmd.  Exit status or -1. */
int host_run(struct host *h, char *const argv[], int timeout_ms, char *out, size_t outlen);

/*
 * Start argv on the host (no shell) and keep it running: what it writes to
 * stdout comes through *fd, its stderr is dropped.  Returns the local pid
 * to stop it by (stop_pid(); for an ssh host that ends the channel, and the
 * command then ends at its next write), or -1.
 */
pid_t host_stream(struct host *h, char *const argv[], int *fd);

/* A whole small file of the host, malloc'd; NULL if unreadable. */
char *host_read_file(struct host *h, const char *path);

/* The first line of a file of the host's checkout (rel is relative to
 * h->top) into out; "" when the file is missing. */
void host_checkout_line(struct host *h, const char *rel, char *out, size_t len);

/* Write text to a file of the host. 0 or -1. */
int host_write_file(struct host *h, const char *path, const char *text);

/*
 * A Unix socket of the host (QMP, guest agent), as a path this process can
 * connect to.  Local: the path itself.  ssh: waits (bounded) for the
 * socket to exist, then forwards a local socket to it over the master.
 */
int host_forward(struct host *h, const char *path, int timeout_ms, char *local,
                 size_t locallen, char *err, size_t errlen);
void host_unforward(struct host *h, const char *local);

/* dir/name into out: a file in the host's scratch directory. */
void host_path(const struct host *h, const char *name, char *out, size_t len);

/*
 * A file of the project as seen on this host: local_path with the local
 * checkout's prefix replaced by the host's (unchanged when it does not
 * start with local_top).
 */
void host_project_path(const struct host *h, const char *local_top, const char *local_path,
                       char *out, size_t len);

/* The processes of this host are processes of this machine: /proc, perf
 * counters and pinning can reach them directly. */
bool host_is_local(const struct host *h);

/*
 * Shape ifname's egress with tbf to gbit (removed by host_unshape and, on
 * an ssh host, by its supervisor on any exit).  0, or -1 with err.
 */
int host_shape(struct host *h, const char *ifname, double gbit, char *err, size_t errlen);
void host_unshape(struct host *h, const char *ifname);

/* The host cannot be reached any more (ssh: the master connection ended).
 * Cheap: no round trip. */
bool host_lost(struct host *h);

/* Stop what runs on the host and remove what the harness made there. */
void host_close(struct host *h);

#endif

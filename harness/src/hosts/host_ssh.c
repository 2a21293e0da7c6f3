/*
 * A host reached over plain OpenSSH: no agent of our own on the far side,
 * only sh, cat, kill and the project's checkout.
 *
 *  - One master connection per host (ControlMaster), started here and
 *    killed with the harness (PR_SET_PDEATHSIG); every command and every
 *    socket forward is a channel on it.  BatchMode: a refused key fails at
 *    once instead of prompting.
 *  - QMP and the guest agent: OpenSSH forwards a local Unix socket to the
 *    remote one (-O forward -L local:remote), so qmp.c and guestagent.c
 *    talk to a local path as in netns mode.
 *  - A supervisor per host: a remote sh whose standard input is a pipe the
 *    harness holds.  When the harness closes it, dies, or the connection
 *    goes, the sh reads end-of-file and stops every process whose pidfile
 *    is in the scratch directory, deletes the qdiscs noted there and
 *    removes the directory.  A supervisor that could not run its cleanup
 *    (killed, host rebooted) leaves a directory whose supervisor.pid names
 *    a dead process: the next run's supervisor on that host cleans it up.
 *  - Pidfiles hold "PID STARTTIME" (field 22 of /proc/PID/stat), so a
 *    stale pidfile never makes us signal a process that reused the pid.
 */
#include "host.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

#define SSH_CMD_TIMEOUT_MS 15000
#define SSH_CONNECT_TIMEOUT_MS 20000
#define SUPERVISOR_EXIT_MS 20000
#define REMOTE_SCRATCH_PREFIX "/tmp/pvmig-host-"

/* Is the process of pidfile $1 (with our start time) alive and not a zombie? */
#define SH_ALIVE \
	"alive() { read p t < \"$1\" 2>/dev/null || return 1; " \
	"x=$(cut -d' ' -f3,22 /proc/$p/stat 2>/dev/null) && [ \"${x% *}\" != Z ] && " \
	"[ \"${x#* }\" = \"$t\" ]; }; "

/* Stop every process of a scratch directory, then remove it. */
#define SH_REAP \
	"reap() { " \
	"for f in \"$1\"/*.pid; do [ -f \"$f\" ] && [ \"${f##*/}\" != supervisor.pid ] || continue; " \
	"alive \"$f\" && kill -TERM $p; done; " \
	"i=0; while [ $i -lt 30 ]; do left=; " \
	"for f in \"$1\"/*.pid; do [ -f \"$f\" ] && [ \"${f##*/}\" != supervisor.pid ] || continue; " \
	"alive \"$f\" && left=1; done; [ -z \"$left\" ] && break; sleep 0.1; i=$((i+1)); done; " \
	"for f in \"$1\"/*.pid; do [ -f \"$f\" ] && [ \"${f##*/}\" != supervisor.pid ] || continue; " \
	"alive \"$f\" && kill -KILL $p; done; " \
	"for q in \"$1\"/*.qdisc; do [ -f \"$q\" ] && tc qdisc del dev \"$(cat \"$q\")\" root; done; " \
	"rm -rf \"$1\"; }; "

/*
 * The supervisor ($1: its scratch directory).  Signals are ignored so that
 * a hang-up of the session cannot cut the cleanup short; it ends when its
 * input does.
 */
static const char supervisor_script[] =
	"trap '' HUP PIPE INT TERM; d=$1; " SH_ALIVE SH_REAP
	"for o in " REMOTE_SCRATCH_PREFIX "*; do [ -d \"$o\" ] && [ \"$o\" != \"$d\" ] || continue; "
	"alive \"$o/supervisor.pid\" && continue; echo \"stale $o\"; reap \"$o\" >/dev/null 2>&1; done; "
	"mkdir \"$d\" || exit 1; "
	"echo \"$$ $(cut -d' ' -f22 /proc/$$/stat)\" > \"$d/supervisor.pid\" || exit 1; "
	"echo ready; cat >/dev/null; reap \"$d\" >/dev/null 2>&1";

/* Start $4... in the background, pidfile $1/$2.pid, output to $3. */
static const char spawn_script[] =
	"d=$1 n=$2 log=$3; shift 3; setsid \"$@\" </dev/null >>\"$log\" 2>&1 & p=$!; "
	"echo \"$p $(cut -d' ' -f22 /proc/$p/stat 2>/dev/null)\" > \"$d/$n.pid\"; echo $p";

static const char alive_script[] = SH_ALIVE "alive \"$1\"";
static const char signal_script[] = SH_ALIVE "alive \"$1\" && kill -$2 $p";

/* ssh's options for a channel on the master (no new connection). */
static int base_argv(struct host *h, char **argv)
{
	int n = 0;

	argv[n++] = "ssh";
	if (h->ssh_config[0]) {
		argv[n++] = "-F";
		argv[n++] = h->ssh_config;
	}
	argv[n++] = "-o";
	argv[n++] = "BatchMode=yes";
	argv[n++] = "-o";
	argv[n++] = "LogLevel=ERROR";
	argv[n++] = "-o";
	argv[n++] = h->ctl_opt;
	argv[n++] = "-o";
	argv[n++] = "ControlMaster=no";
	return n;
}

/* The master is our child: once it has exited, the connection is gone,
 * and with ControlMaster=no a command would quietly open a new one. */
static bool master_gone(struct host *h)
{
	if (h->closed)
		return true;
	if (!h->lost && h->master_pid > 0 && wait_pid_exit(h->master_pid, 0, NULL)) {
		h->lost = true;
		h->master_pid = 0;
		log_warn("%s: ssh connection lost", h->name);
	}
	return h->lost;
}

static int ssh_exec(struct host *h, const char *cmdline, int timeout_ms, char *out, size_t outlen)
{
	char *argv[24];
	int n;

	if (master_gone(h))
		return -1;
	n = base_argv(h, argv);
	argv[n++] = h->target;
	argv[n++] = "--";
	argv[n++] = (char *)cmdline;
	argv[n] = NULL;
	return run_cmd(NULL, argv, timeout_ms, out, outlen);
}

/*
 * Cleanup must reach the host after a SIGINT too: run_cmd gives up once
 * pvmig_interrupted is set, so it is cleared for the command (bounded by
 * its timeout) and set again afterwards, as netns_delete does.
 */
static int ssh_exec_always(struct host *h, const char *cmdline, int timeout_ms,
                           char *out, size_t outlen)
{
	sig_atomic_t interrupted = pvmig_interrupted;
	int rc;

	pvmig_interrupted = 0;
	rc = ssh_exec(h, cmdline, timeout_ms, out, outlen);
	pvmig_interrupted = interrupted || pvmig_interrupted;
	return rc;
}

static int ssh_run(struct host *h, char *const argv[], int timeout_ms, char *out, size_t outlen)
{
	char cmd[16384] = "";

	for (int i = 0; argv[i]; i++)
		shell_quote_append(cmd, sizeof(cmd), argv[i]);
	return ssh_exec(h, cmd, timeout_ms, out, outlen);
}

static pid_t ssh_stream(struct host *h, char *const argv[], int *fd)
{
	char cmd[16384] = "", *sargv[24];
	int n;

	if (master_gone(h))
		return -1;
	for (int i = 0; argv[i]; i++)
		shell_quote_append(cmd, sizeof(cmd), argv[i]);
	n = base_argv(h, sargv);
	sargv[n++] = h->target;
	sargv[n++] = "--";
	sargv[n++] = cmd;
	sargv[n] = NULL;
	return spawn_out_piped(NULL, sargv, fd);
}

static void pidfile(const struct host *h, const struct host_proc *p, char *out, size_t len)
{
	snprintf(out, len, "%s/%s.pid", h->scratch, p->name);
}

static int ssh_spawn(struct host *h, const char *name, char *const argv[], const char *logpath,
                     struct host_proc *p, char *err, size_t errlen)
{
	char cmd[16384] = "", out[256] = "";
	int rc;

	shell_quote_append(cmd, sizeof(cmd), "sh");
	shell_quote_append(cmd, sizeof(cmd), "-c");
	shell_quote_append(cmd, sizeof(cmd), spawn_script);
	shell_quote_append(cmd, sizeof(cmd), "sh");
	shell_quote_append(cmd, sizeof(cmd), h->scratch);
	shell_quote_append(cmd, sizeof(cmd), name);
	shell_quote_append(cmd, sizeof(cmd), logpath ? logpath : "/dev/null");
	for (int i = 0; argv[i]; i++)
		shell_quote_append(cmd, sizeof(cmd), argv[i]);
	rc = ssh_exec(h, cmd, SSH_CMD_TIMEOUT_MS, out, sizeof(out));
	p->pid = rc == 0 ? (pid_t)atoi(out) : 0;
	if (p->pid <= 0) {
		out[strcspn(out, "\n")] = '\0';
		snprintf(err, errlen, "%s: cannot start %s on %s%s%s", name, argv[0], h->name,
			 h->lost ? " (ssh connection lost)" : out[0] ? ": " : "", h->lost ? "" : out);
		p->pid = 0;
		return -1;
	}
	return 0;
}

static int pidfile_cmd(struct host *h, const struct host_proc *p, const char *script,
                       const char *arg)
{
	char cmd[4096] = "", pf[PATH_MAX + 40];

	pidfile(h, p, pf, sizeof(pf));
	shell_quote_append(cmd, sizeof(cmd), "sh");
	shell_quote_append(cmd, sizeof(cmd), "-c");
	shell_quote_append(cmd, sizeof(cmd), script);
	shell_quote_append(cmd, sizeof(cmd), "sh");
	shell_quote_append(cmd, sizeof(cmd), pf);
	if (arg)
		shell_quote_append(cmd, sizeof(cmd), arg);
	return ssh_exec_always(h, cmd, SSH_CMD_TIMEOUT_MS, NULL, 0);
}

static bool ssh_alive(struct host *h, const struct host_proc *p)
{
	return pidfile_cmd(h, p, alive_script, NULL) == 0;
}

static bool ssh_wait_exit(struct host *h, struct host_proc *p, int timeout_ms)
{
	int64_t deadline = now_ms() + timeout_ms;

	for (;;) {
		/* A host we cannot reach any more: its supervisor has seen
		 * the connection go and stops the process itself. */
		if (!ssh_alive(h, p))
			return true;
		if (now_ms() >= deadline)
			return false;
		sleep_ms(100);
	}
}

static void ssh_signal(struct host *h, const struct host_proc *p, int sig)
{
	char s[16];

	snprintf(s, sizeof(s), "%d", sig);
	pidfile_cmd(h, p, signal_script, s);
}

static void ssh_forget(struct host *h, struct host_proc *p)
{
	char cmd[PATH_MAX + 64] = "", pf[PATH_MAX + 40];

	pidfile(h, p, pf, sizeof(pf));
	shell_quote_append(cmd, sizeof(cmd), "rm");
	shell_quote_append(cmd, sizeof(cmd), "-f");
	shell_quote_append(cmd, sizeof(cmd), pf);
	ssh_exec_always(h, cmd, SSH_CMD_TIMEOUT_MS, NULL, 0);
}

static char *ssh_read_file(struct host *h, const char *path)
{
	size_t cap = 1 << 20;
	char cmd[PATH_MAX + 32] = "", *buf = malloc(cap);

	if (!buf)
		return NULL;
	shell_quote_append(cmd, sizeof(cmd), "cat");
	shell_quote_append(cmd, sizeof(cmd), "--");
	shell_quote_append(cmd, sizeof(cmd), path);
	if (ssh_exec(h, cmd, SSH_CMD_TIMEOUT_MS, buf, cap) != 0) {
		free(buf);
		return NULL;
	}
	return realloc(buf, strlen(buf) + 1) ?: buf;
}

/* -O forward / -O cancel of spec "local:remote" on the master. */
static int forward_ctl(struct host *h, const char *op, const char *spec)
{
	char *argv[24];
	int n = base_argv(h, argv);
	sig_atomic_t interrupted = pvmig_interrupted;
	int rc;

	argv[n++] = "-O";
	argv[n++] = (char *)op;
	argv[n++] = "-L";
	argv[n++] = (char *)spec;
	argv[n++] = h->target;
	argv[n] = NULL;
	pvmig_interrupted = 0;
	rc = run_cmd(NULL, argv, SSH_CMD_TIMEOUT_MS, NULL, 0);
	pvmig_interrupted = interrupted || pvmig_interrupted;
	return rc;
}

static int ssh_forward(struct host *h, const char *path, int timeout_ms, char *local,
                       size_t locallen, char *err, size_t errlen)
{
	char test[PATH_MAX + 32] = "", spec[2 * PATH_MAX + 2];
	const char *base = strrchr(path, '/');
	int64_t deadline = now_ms() + timeout_ms;

	/* A forward opens the remote socket only when a client connects
	 * locally, and a refused channel looks like a closed connection to
	 * qmp.c: wait for the socket to exist first. */
	shell_quote_append(test, sizeof(test), "test");
	shell_quote_append(test, sizeof(test), "-S");
	shell_quote_append(test, sizeof(test), path);
	while (ssh_exec(h, test, SSH_CMD_TIMEOUT_MS, NULL, 0) != 0) {
		if (h->lost || pvmig_interrupted || now_ms() >= deadline) {
			snprintf(err, errlen, "%s: socket %s %s", h->name, path,
				 h->lost ? "unreachable: ssh connection lost" :
				 pvmig_interrupted ? "not awaited: interrupted" : "did not appear");
			return -1;
		}
		sleep_ms(100);
	}
	if (h->nforwards == (int)(sizeof(h->forwards) / sizeof(h->forwards[0]))) {
		snprintf(err, errlen, "%s: too many forwarded sockets", h->name);
		return -1;
	}
	snprintf(local, locallen, "%s/%s-%s", h->local_dir, h->role, base ? base + 1 : path);
	unlink(local);
	snprintf(spec, sizeof(spec), "%s:%s", local, path);
	if (forward_ctl(h, "forward", spec) != 0) {
		snprintf(err, errlen, "%s: ssh cannot forward %s", h->name, path);
		return -1;
	}
	snprintf(h->forwards[h->nforwards++], sizeof(h->forwards[0]), "%s", spec);
	return 0;
}

static void ssh_unforward(struct host *h, const char *local)
{
	size_t n = strlen(local);

	for (int i = 0; i < h->nforwards; i++) {
		if (strncmp(h->forwards[i], local, n) || h->forwards[i][n] != ':')
			continue;
		if (!h->lost)
			forward_ctl(h, "cancel", h->forwards[i]);
		unlink(local);
		memmove(h->forwards[i], h->forwards[i + 1],
			(size_t)(h->nforwards - i - 1) * sizeof(h->forwards[0]));
		h->nforwards--;
		return;
	}
}

/* The supervisor's log: "stale DIR" lines, then "ready". */
static int wait_supervisor(struct host *h, const char *log, char *err, size_t errlen)
{
	int64_t deadline = now_ms() + SSH_CONNECT_TIMEOUT_MS;

	for (;;) {
		char *text = read_file(log);
		bool ready = text && strstr(text, "ready\n");

		if (ready || (h->supervisor_pid > 0 && wait_pid_exit(h->supervisor_pid, 0, NULL)) ||
		    now_ms() >= deadline || pvmig_interrupted) {
			for (char *l = text ? strtok(text, "\n") : NULL; l; l = strtok(NULL, "\n"))
				if (!strncmp(l, "stale ", 6))
					log_info("%s: removed stale state of an earlier run: %s", h->name, l + 6);
			free(text);
			if (ready)
				return 0;
			snprintf(err, errlen, "%s: cannot create %s (see %s)", h->name, h->scratch, log);
			return -1;
		}
		free(text);
		sleep_ms(50);
	}
}

static int ssh_begin(struct host *h, char *err, size_t errlen)
{
	char cmd[8192] = "", log[PATH_MAX + 32];
	char *argv[24];
	int n;

	if (master_gone(h)) {
		snprintf(err, errlen, "%s: ssh connection lost", h->name);
		return -1;
	}
	snprintf(log, sizeof(log), "%s/supervisor-%s.log", h->local_dir, h->role);
	shell_quote_append(cmd, sizeof(cmd), "sh");
	shell_quote_append(cmd, sizeof(cmd), "-c");
	shell_quote_append(cmd, sizeof(cmd), supervisor_script);
	shell_quote_append(cmd, sizeof(cmd), "sh");
	shell_quote_append(cmd, sizeof(cmd), h->scratch);
	n = base_argv(h, argv);
	argv[n++] = h->target;
	argv[n++] = "--";
	argv[n++] = cmd;
	argv[n] = NULL;
	h->supervisor_pid = spawn_bg_piped(argv, log, &h->supervisor_fd);
	if (h->supervisor_pid < 0) {
		h->supervisor_pid = 0;
		snprintf(err, errlen, "%s: cannot start ssh", h->name);
		return -1;
	}
	return wait_supervisor(h, log, err, errlen);
}

static void ssh_close(struct host *h)
{
	if (h->closed)
		return;
	while (h->nforwards) {
		char local[PATH_MAX];

		/* "local:remote": the local path is up to the ':' */
		snprintf(local, sizeof(local), "%.*s", (int)strcspn(h->forwards[0], ":"),
			 h->forwards[0]);
		ssh_unforward(h, local);
	}
	if (h->supervisor_fd >= 0) {
		close(h->supervisor_fd);
		h->supervisor_fd = -1;
	}
	/* Its cleanup runs on the host now; the channel closes when done. */
	if (h->supervisor_pid > 0) {
		if (!wait_pid_exit(h->supervisor_pid, SUPERVISOR_EXIT_MS, NULL)) {
			log_warn("%s: cleanup did not finish within %d s", h->name,
				 SUPERVISOR_EXIT_MS / 1000);
			stop_pid(h->supervisor_pid, 1000);
		}
		h->supervisor_pid = 0;
	}
	if (h->master_pid > 0) {
		stop_pid(h->master_pid, 3000);
		h->master_pid = 0;
	}
	unlink(h->ctl_path);
	h->closed = true;
}

static bool ssh_lost(struct host *h)
{
	return !h->closed && master_gone(h);
}

static const struct host_ops ssh_ops = {
	.begin = ssh_begin,
	.spawn = ssh_spawn,
	.alive = ssh_alive,
	.wait_exit = ssh_wait_exit,
	.signal = ssh_signal,
	.forget = ssh_forget,
	.run = ssh_run,
	.read_file = ssh_read_file,
	.stream = ssh_stream,
	.forward = ssh_forward,
	.unforward = ssh_unforward,
	.lost = ssh_lost,
	.close = ssh_close,
};

/* The last non-empty line of ssh's own log: its reason for failing. */
static void last_line(const char *path, char *out, size_t len)
{
	char *text = read_file(path), *end;

	snprintf(out, len, "connection failed");
	if (!text)
		return;
	end = text + strlen(text);
	while (end > text && (end[-1] == '\n' || end[-1] == '\r'))
		*--end = '\0';
	if (*text) {
		char *nl = strrchr(text, '\n');

		snprintf(out, len, "%s", nl ? nl + 1 : text);
	}
	free(text);
}

int host_ssh_connect(struct host *h, const char *role, const char *target,
                     const char *ssh_config, const char *remote_top,
                     const char *local_dir, char *err, size_t errlen)
{
	char log[PATH_MAX + 32], why[512];
	char *argv[32];
	int n = 0;
	int64_t deadline;

	memset(h, 0, sizeof(*h));
	h->kind = HOST_SSH;
	h->ops = &ssh_ops;
	h->supervisor_fd = -1;
	snprintf(h->role, sizeof(h->role), "%s", role);
	snprintf(h->target, sizeof(h->target), "%s", target);
	snprintf(h->name, sizeof(h->name), "%s", target);
	snprintf(h->ssh_config, sizeof(h->ssh_config), "%s", ssh_config ? ssh_config : "");
	snprintf(h->top, sizeof(h->top), "%s", remote_top);
	snprintf(h->local_dir, sizeof(h->local_dir), "%s", local_dir);
	snprintf(h->ctl_path, sizeof(h->ctl_path), "%s/ssh-%s.ctl", local_dir, role);
	snprintf(h->ctl_opt, sizeof(h->ctl_opt), "ControlPath=%s", h->ctl_path);
	snprintf(h->scratch, sizeof(h->scratch), REMOTE_SCRATCH_PREFIX "%d-%s", (int)getpid(), role);
	if (!target[0] || target[0] == '-' || strpbrk(target, " \t'\"\\;|&$`")) {
		snprintf(err, errlen, "bad host '%s' (expected [user@]HOST)", target);
		return -1;
	}
	snprintf(log, sizeof(log), "%s/ssh-%s.log", local_dir, role);
	unlink(log);
	unlink(h->ctl_path);
	argv[n++] = "ssh";
	if (h->ssh_config[0]) {
		argv[n++] = "-F";
		argv[n++] = h->ssh_config;
	}
	/* ServerAlive*: a host that stops answering is noticed in ~6 s,
	 * and every channel on the master, the supervisor's included, ends. */
	static char *const opts[] = {
		"BatchMode=yes", "LogLevel=ERROR", "ConnectTimeout=10", "ServerAliveInterval=2",
		"ServerAliveCountMax=3", "StreamLocalBindUnlink=yes", "ControlMaster=yes",
		"ControlPersist=no", "ExitOnForwardFailure=no",
	};
	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
		argv[n++] = "-o";
		argv[n++] = opts[i];
	}
	argv[n++] = "-o";
	argv[n++] = h->ctl_opt;
	argv[n++] = "-N";
	argv[n++] = h->target;
	argv[n] = NULL;
	h->master_pid = spawn_bg(NULL, argv, log);
	if (h->master_pid < 0) {
		h->master_pid = 0;
		snprintf(err, errlen, "host %s: cannot start ssh", target);
		return -1;
	}
	deadline = now_ms() + SSH_CONNECT_TIMEOUT_MS;
	for (;;) {
		char *check[24];
		int k = base_argv(h, check);

		check[k++] = "-O";
		check[k++] = "check";
		check[k++] = h->target;
		check[k] = NULL;
		if (wait_pid_exit(h->master_pid, 0, NULL)) {
			h->master_pid = 0;
			last_line(log, why, sizeof(why));
			snprintf(err, errlen, "host %s: %s%s", target, strncmp(why, "ssh: ", 5) ? "ssh: " : "",
				 why);
			return -1;
		}
		if (run_cmd(NULL, check, 5000, NULL, 0) == 0)
			return 0;
		if (now_ms() >= deadline || pvmig_interrupted) {
			stop_pid(h->master_pid, 1000);
			h->master_pid = 0;
			snprintf(err, errlen, "host %s: ssh: no connection within %d s", target,
				 SSH_CONNECT_TIMEOUT_MS / 1000);
			return -1;
		}
		sleep_ms(100);
	}
}

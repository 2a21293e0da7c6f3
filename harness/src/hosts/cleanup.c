#include "cleanup.h"

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host.h"
#include "netns.h"
#include "util.h"

#define MAX_TRACKED 32

static pid_t pids[MAX_TRACKED];
static char scratch[512];
static char netns[MAX_TRACKED][64];
static struct host *hosts[4];

void cleanup_track_host(struct host *h)
{
	for (size_t i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++) {
		if (!hosts[i]) {
			hosts[i] = h;
			return;
		}
	}
}

void cleanup_untrack_host(struct host *h)
{
	for (size_t i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++)
		if (hosts[i] == h)
			hosts[i] = NULL;
}

void cleanup_track_pid(pid_t pid)
{
	for (int i = 0; i < MAX_TRACKED; i++) {
		if (!pids[i]) {
			pids[i] = pid;
			return;
		}
	}
	log_warn("too many child processes to track (%d)", (int)pid);
}

void cleanup_untrack_pid(pid_t pid)
{
	for (int i = 0; i < MAX_TRACKED; i++)
		if (pids[i] == pid)
			pids[i] = 0;
}

void cleanup_track_netns(const char *name)
{
	for (int i = 0; i < MAX_TRACKED; i++) {
		if (!netns[i][0]) {
			snprintf(netns[i], sizeof(netns[i]), "%s", name);
			return;
		}
	}
}

void cleanup_untrack_netns(const char *name)
{
	for (int i = 0; i < MAX_TRACKED; i++)
		if (!strcmp(netns[i], name))
			netns[i][0] = '\0';
}

void cleanup_track_dir(const char *path)
{
	snprintf(scratch, sizeof(scratch), "%s", path);
}

/* The scratch directory is flat: remove its files, then itself. */
static void remove_scratch(void)
{
	DIR *d;
	struct dirent *e;

	if (!scratch[0] || !(d = opendir(scratch)))
		return;
	while ((e = readdir(d))) {
		char path[1024];

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", scratch, e->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(scratch);
	scratch[0] = '\0';
}

void cleanup_all(void)
{
	/* Children first: a namespace cannot go while QEMU still lives in it
	 * (it would linger, detached, until the process ends). */
	for (int i = 0; i < MAX_TRACKED; i++) {
		if (pids[i]) {
			stop_pid(pids[i], 3000);
			pids[i] = 0;
		}
	}
	/* Then the remote hosts: their supervisors stop what runs there. */
	for (size_t i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++) {
		if (hosts[i]) {
			host_close(hosts[i]);
			hosts[i] = NULL;
		}
	}
	for (int i = 0; i < MAX_TRACKED; i++) {
		if (netns[i][0]) {
			netns_delete(netns[i]);
			netns[i][0] = '\0';
		}
	}
	remove_scratch();
}

static void on_signal(int sig)
{
	(void)sig;
	pvmig_interrupted = 1;
}

void cleanup_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: waits must wake up */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	atexit(cleanup_all);
}

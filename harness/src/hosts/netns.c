#include "netns.h"

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "util.h"

#define NS_PREFIX "pvmig-"
#define CMD_TIMEOUT_MS 10000

static int ip(const char *netns, char *const argv[], char *err, size_t errlen)
{
	char out[1024];
	int rc = run_cmd(netns, argv, CMD_TIMEOUT_MS, out, sizeof(out));

	if (rc != 0 && err) {
		char *nl = strchr(out, '\n');

		if (nl)
			*nl = '\0';
		snprintf(err, errlen, "%s %s failed: %s", argv[0], argv[1], out);
	}
	return rc;
}

#define RUN(ns, ...) do { \
	char *const _a[] = { __VA_ARGS__, NULL }; \
	if (ip(ns, _a, err, errlen)) \
		return -1; \
} while (0)

int hosts_up(struct hosts *h, double rate_gbit, char *err, size_t errlen)
{
	int pid = (int)getpid();
	char rate[32], burstb[32];

	memset(h, 0, sizeof(*h));
	h->rate_gbit = rate_gbit;
	snprintf(h->src_ns, sizeof(h->src_ns), NS_PREFIX "src-%d", pid);
	snprintf(h->dst_ns, sizeof(h->dst_ns), NS_PREFIX "dst-%d", pid);
	snprintf(h->src_if, sizeof(h->src_if), "pvs%d", pid);
	snprintf(h->dst_if, sizeof(h->dst_if), "pvd%d", pid);

	cleanup_track_netns(h->src_ns);
	RUN(NULL, "ip", "netns", "add", h->src_ns);
	cleanup_track_netns(h->dst_ns);
	RUN(NULL, "ip", "netns", "add", h->dst_ns);
	RUN(NULL, "ip", "link", "add", h->src_if, "netns", h->src_ns, "type", "veth",
	    "peer", "name", h->dst_if, "netns", h->dst_ns);
	RUN(h->src_ns, "ip", "link", "set", "lo", "up");
	RUN(h->dst_ns, "ip", "link", "set", "lo", "up");
	RUN(h->src_ns, "ip", "addr", "add", SRC_ADDR "/24", "dev", h->src_if);
	RUN(h->dst_ns, "ip", "addr", "add", DST_ADDR "/24", "dev", h->dst_if);
	RUN(h->src_ns, "ip", "link", "set", h->src_if, "up");
	RUN(h->dst_ns, "ip", "link", "set", h->dst_if, "up");
	if (rate_gbit > 0) {
		/* Shape both directions: migration data flows src -> dst, its
		 * acknowledgements back.  The bucket must hold what the rate
		 * delivers in a timer tick (10 Gbit/s at HZ=250 is 5 MB) or
		 * tbf cannot reach the rate; twice that, at least 1 MB. */
		long burst = (long)(rate_gbit * 1e9 / 8 / 125);

		snprintf(rate, sizeof(rate), "%.0fmbit", rate_gbit * 1000);
		snprintf(burstb, sizeof(burstb), "%ld", burst < (1 << 20) ? (1 << 20) : burst);
		RUN(h->src_ns, "tc", "qdisc", "add", "dev", h->src_if, "root", "tbf",
		    "rate", rate, "burst", burstb, "latency", "20ms");
		RUN(h->dst_ns, "tc", "qdisc", "add", "dev", h->dst_if, "root", "tbf",
		    "rate", rate, "burst", burstb, "latency", "20ms");
	}
	return 0;
}

void hosts_down(struct hosts *h)
{
	if (h->src_ns[0]) {
		netns_delete(h->src_ns);
		cleanup_untrack_netns(h->src_ns);
	}
	if (h->dst_ns[0]) {
		netns_delete(h->dst_ns);
		cleanup_untrack_netns(h->dst_ns);
	}
	h->src_ns[0] = h->dst_ns[0] = '\0';
}

static void kill_netns_pids(const char *name)
{
	char *argv[] = { "ip", "netns", "pids", (char *)name, NULL };
	char out[4096];

	if (run_cmd(NULL, argv, CMD_TIMEOUT_MS, out, sizeof(out)) != 0)
		return;
	/* Only processes inside our own namespace: they are ours by
	 * construction (nothing else is ever started in it). */
	for (char *tok = strtok(out, " \n"); tok; tok = strtok(NULL, " \n")) {
		pid_t p = (pid_t)atoi(tok);

		if (p > 1 && p != getpid())
			kill(p, SIGKILL);
	}
	sleep_ms(100);
}

void netns_delete(const char *name)
{
	char *argv[] = { "ip", "netns", "del", (char *)name, NULL };
	char path[256];
	/* Deleting is cleanup: an interrupt must not cut these commands
	 * short (run_cmd gives up on pvmig_interrupted), or the namespace
	 * outlives the harness. */
	sig_atomic_t interrupted = pvmig_interrupted;

	snprintf(path, sizeof(path), "/run/netns/%s", name);
	if (access(path, F_OK) != 0)
		return;
	pvmig_interrupted = 0;
	kill_netns_pids(name);
	run_cmd(NULL, argv, CMD_TIMEOUT_MS, NULL, 0);
	pvmig_interrupted = interrupted || pvmig_interrupted;
	if (access(path, F_OK) == 0)
		log_warn("namespace %s could not be deleted", name);
}

void netns_reap_stale(void)
{
	DIR *d = opendir("/run/netns");
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d))) {
		const char *dash;
		int owner;

		if (strncmp(e->d_name, NS_PREFIX, strlen(NS_PREFIX)))
			continue;
		dash = strrchr(e->d_name, '-');
		owner = dash ? atoi(dash + 1) : 0;
		if (owner > 0 && (kill(owner, 0) == 0 || owner == getpid()))
			continue;	/* its harness is alive: not ours to touch */
		log_info("removing stale namespace %s", e->d_name);
		netns_delete(e->d_name);
	}
	closedir(d);
}

bool netns_any_left(void)
{
	DIR *d = opendir("/run/netns");
	struct dirent *e;
	bool found = false;

	if (!d)
		return false;
	while ((e = readdir(d)))
		if (!strncmp(e->d_name, NS_PREFIX, strlen(NS_PREFIX)))
			found = true;
	closedir(d);
	return found;
}

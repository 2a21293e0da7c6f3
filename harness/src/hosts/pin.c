#include "pin.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

int pin_parse_list(const char *list, int pus[PIN_ROLES])
{
	int n = 0;
	const char *p = list;

	while (*p && n < PIN_ROLES) {
		char *end;
		long a = strtol(p, &end, 10), b;

		if (end == p || a < 0 || a > 65535)
			return -1;
		b = a;
		if (*end == '-') {
			p = end + 1;
			b = strtol(p, &end, 10);
			if (end == p || b < a || b > 65535)
				return -1;
		}
		for (long pu = a; pu <= b && n < PIN_ROLES; pu++)
			pus[n++] = (int)pu;
		if (*end == ',')
			end++;
		else if (*end)
			return -1;
		p = end;
	}
	if (!n || *p)
		return -1;
	for (int i = n; i < PIN_ROLES; i++)
		pus[i] = pus[n - 1];
	return 0;
}

void pin_decide(struct env *e, int src_cores, int dst_cores)
{
	const char *p = e->opt.pin;

	e->pin_src[0] = e->pin_dst[0] = '\0';
	if (!strcmp(p, "none")) {
		snprintf(e->pin_why, sizeof(e->pin_why), "none: --pin none");
		return;
	}
	if (strcmp(p, "auto")) {
		const char *slash = strchr(p, '/');

		snprintf(e->pin_src, sizeof(e->pin_src), "%.*s", (int)(slash - p), p);
		snprintf(e->pin_dst, sizeof(e->pin_dst), "%s", slash + 1);
		snprintf(e->pin_why, sizeof(e->pin_why), "--pin %s (vCPU, main loop, migration, iothread)", p);
		return;
	}
	if (!e->two_hosts) {
		/* Both QEMUs share this machine. */
		if (src_cores >= 2 * PIN_ROLES + 1) {
			snprintf(e->pin_src, sizeof(e->pin_src), "auto:1");
			snprintf(e->pin_dst, sizeof(e->pin_dst), "auto:%d", 1 + PIN_ROLES);
			snprintf(e->pin_why, sizeof(e->pin_why),
				 "auto: %d cores; source on cores 1-%d, destination on %d-%d", src_cores,
				 PIN_ROLES, 1 + PIN_ROLES, 2 * PIN_ROLES);
		} else {
			snprintf(e->pin_why, sizeof(e->pin_why),
				 "none: auto pins with %d cores or more (%d for each QEMU, one for the "
				 "rest); this machine has %d", 2 * PIN_ROLES + 1, PIN_ROLES, src_cores);
		}
		return;
	}
	if (src_cores >= PIN_AUTO_MIN_CORES && dst_cores >= PIN_AUTO_MIN_CORES) {
		snprintf(e->pin_src, sizeof(e->pin_src), "auto:1");
		snprintf(e->pin_dst, sizeof(e->pin_dst), "auto:1");
		snprintf(e->pin_why, sizeof(e->pin_why), "auto: cores 1-%d of each host (%d and %d cores)",
			 PIN_ROLES, src_cores, dst_cores);
	} else {
		snprintf(e->pin_why, sizeof(e->pin_why),
			 "none: auto pins with %d cores or more on each host (%d for the QEMU, one for "
			 "the rest); the hosts have %d and %d", PIN_AUTO_MIN_CORES, PIN_ROLES,
			 src_cores, dst_cores);
	}
}

int pin_host_cores(struct host *h)
{
	char *argv[] = { "hwloc-calc", "--number-of", "core", "machine:0", NULL };
	char out[64];

	return host_run(h, argv, 10000, out, sizeof(out)) == 0 ? atoi(out) : -1;
}

/* "auto:N": the first PU of each of cores N..N+PIN_ROLES-1 (OS indexes,
 * as taskset wants them), from hwloc on that host. */
static int resolve_one(struct host *h, char *list, size_t len, char *err, size_t errlen)
{
	char spec[64], out[256];
	char *argv[] = { "hwloc-calc", "--physical-output", "--intersect", "PU", spec, NULL };
	int first, pus[PIN_ROLES];

	if (strncmp(list, "auto:", 5))
		return 0;
	first = atoi(list + 5);
	snprintf(spec, sizeof(spec), "core:%d-%d.pu:0", first, first + PIN_ROLES - 1);
	if (host_run(h, argv, 10000, out, sizeof(out)) != 0 ||
	    (out[strcspn(out, "\n")] = '\0', pin_parse_list(out, pus))) {
		snprintf(err, errlen, "%s: hwloc-calc %s failed: %s", h->name, spec, out);
		return -1;
	}
	snprintf(list, len, "%s", out);
	return 0;
}

int pin_resolve(struct env *e, char *err, size_t errlen)
{
	if (resolve_one(&e->src_host, e->pin_src, sizeof(e->pin_src), err, errlen) ||
	    resolve_one(&e->dst_host, e->pin_dst, sizeof(e->pin_dst), err, errlen))
		return -1;
	if (e->pin_src[0])
		snprintf(e->pin_why + strlen(e->pin_why), sizeof(e->pin_why) - strlen(e->pin_why),
			 "; PUs %s / %s", e->pin_src, e->pin_dst);
	return 0;
}

/* $1 pid, $2..$5 the PUs of vCPU, main loop, migration thread, iothread.
 * Thread names are QEMU's (debug-threads=on): "CPU 0/TCG", "IO iot0",
 * "live_migration" (7.2) or "mig/src/main" (10.0); every other thread
 * goes with the main loop. */
static const char place_script[] =
	"p=$1; for t in /proc/$p/task/*; do tid=${t##*/}; n=$(cat \"$t/comm\" 2>/dev/null) || continue; "
	"case $n in 'CPU '*) c=$2;; 'IO '*) c=$5;; live_migration|mig/*) c=$4;; *) c=$3;; esac; "
	"if taskset -p -c \"$c\" \"$tid\" >/dev/null 2>&1; then echo \"$tid $c $n\"; "
	"elif [ -d \"$t\" ]; then exit 1; fi; done";

int pin_apply(struct host *h, pid_t pid, const char *list, json_t **placed,
              char *err, size_t errlen)
{
	char pids[16], r[PIN_ROLES][16];
	char *argv[] = { "sh", "-c", (char *)place_script, "sh", pids, r[0], r[1], r[2], r[3], NULL };
	static char out[16384];
	int pus[PIN_ROLES];

	if (!list[0])
		return 0;
	if (pin_parse_list(list, pus)) {
		snprintf(err, errlen, "bad PU list '%s'", list);
		return -1;
	}
	snprintf(pids, sizeof(pids), "%d", (int)pid);
	for (int i = 0; i < PIN_ROLES; i++)
		snprintf(r[i], sizeof(r[i]), "%d", pus[i]);
	if (host_run(h, argv, 10000, out, sizeof(out)) != 0) {
		snprintf(err, errlen, "%s: cannot place QEMU's threads on PUs %s", h->name, list);
		return -1;
	}
	if (placed) {
		char *save = NULL;

		*placed = json_array();
		for (char *l = strtok_r(out, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
			int tid, pu, off = 0;

			if (sscanf(l, "%d %d %n", &tid, &pu, &off) == 2 && off)
				json_array_append_new(*placed, json_pack("{s:i, s:s, s:i}", "tid", tid,
									 "thread", l + off, "pu", pu));
		}
	}
	return 0;
}

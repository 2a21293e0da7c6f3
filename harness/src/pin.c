#include "pin.h"

#include <stdio.h>
#include <string.h>

void pin_decide(struct env *e, int src_pus, int dst_pus)
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
		snprintf(e->pin_why, sizeof(e->pin_why), "--pin %s", p);
		return;
	}
	if (!e->two_hosts) {
		/* Both QEMUs share this machine. */
		if (src_pus >= 2 * PIN_QEMU_PUS + 1) {
			snprintf(e->pin_src, sizeof(e->pin_src), "1-%d", PIN_QEMU_PUS);
			snprintf(e->pin_dst, sizeof(e->pin_dst), "%d-%d", PIN_QEMU_PUS + 1,
				 2 * PIN_QEMU_PUS);
			snprintf(e->pin_why, sizeof(e->pin_why),
				 "auto: %d PUs, %d for each QEMU", src_pus, PIN_QEMU_PUS);
		} else {
			snprintf(e->pin_why, sizeof(e->pin_why),
				 "none: auto pins with %d PUs or more (%d for each QEMU, one for the "
				 "rest); this machine has %d", 2 * PIN_QEMU_PUS + 1, PIN_QEMU_PUS, src_pus);
		}
		return;
	}
	if (src_pus >= PIN_AUTO_MIN_PUS && dst_pus >= PIN_AUTO_MIN_PUS) {
		snprintf(e->pin_src, sizeof(e->pin_src), "1-%d", PIN_QEMU_PUS);
		snprintf(e->pin_dst, sizeof(e->pin_dst), "1-%d", PIN_QEMU_PUS);
		snprintf(e->pin_why, sizeof(e->pin_why), "auto: PUs 1-%d of each host (%d and %d PUs)",
			 PIN_QEMU_PUS, src_pus, dst_pus);
	} else {
		snprintf(e->pin_why, sizeof(e->pin_why),
			 "none: auto pins with %d PUs or more on each host (%d for the QEMU, one for "
			 "the rest); the hosts have %d and %d", PIN_AUTO_MIN_PUS, PIN_QEMU_PUS,
			 src_pus, dst_pus);
	}
}

int pin_apply(struct host *h, pid_t pid, const char *cpus, char *err, size_t errlen)
{
	char pids[16], out[512];
	char *argv[] = { "taskset", "-a", "-p", "-c", (char *)cpus, pids, NULL };

	if (!cpus[0])
		return 0;
	snprintf(pids, sizeof(pids), "%d", (int)pid);
	if (host_run(h, argv, 10000, out, sizeof(out)) != 0) {
		out[strcspn(out, "\n")] = '\0';
		snprintf(err, errlen, "%s: cannot pin QEMU to %s: %s", h->name, cpus, out);
		return -1;
	}
	return 0;
}

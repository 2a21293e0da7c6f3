#include "options.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hog.h"
#include "methods.h"

/* text from column indent, broken at spaces before column width. */
static void print_wrapped(FILE *out, const char *text, int indent, int width)
{
	const char *p = text;

	while (*p) {
		int room = width - indent, n = (int)strlen(p);

		if (n > room) {
			n = room;
			while (n > 0 && p[n] != ' ')
				n--;
			if (n == 0)
				n = room;
		}
		fprintf(out, "%*s%.*s\n", indent, "", n, p);
		p += n;
		while (*p == ' ')
			p++;
	}
}

void options_usage(FILE *out)
{
	fprintf(out,
"usage: pvmig run CASE [options]\n"
"       pvmig hosts-setup A B     (build both hosts' checkouts over ssh; --help)\n"
"       pvmig methods             (the methods, a name and what it is per line)\n"
"       pvmig kvm-check           (exit 0 if KVM's device opens here, else 1 and why;\n"
"                                 PVMIG_KVM_DEVICE=PATH checks PATH instead of /dev/kvm)\n"
"  CASE                 a file workloads/cases/CASE.case (case1, case2, ...)\n"
"  --mem SIZE           guest RAM, e.g. 8G, 1024M (default: the case's, 8G)\n"
"  --repeat N           migrations per method (default: the case's)\n"
"  --methods A,B|all    methods to run (default: the case's; all: every one)\n");
	print_wrapped(out, method_names(), 23, 78);
	fprintf(out,
"  --accel auto|kvm|tcg accelerator (auto probes KVM with a timed boot)\n"
"  --guest-kernel VER   guest kernel: one make guest built (build/kernel-versions),\n"
"                       or a prefix naming one, e.g. 6.12 (default: the build's\n"
"                       default, build/kernel-version: bookworm's 6.1)\n"
"  --link-gbit F        veth shaping rate (default 10; 0 = unshaped)\n"
"  --downtime-ms N      QEMU downtime-limit (default 300)\n"
"  --max-bandwidth-gbit F  QEMU max-bandwidth (default 100, i.e. the link limits)\n"
"  --dst-prealloc on|off   back the destination's RAM before migrating (default on)\n"
"  --src-prealloc on|off   back the source's RAM before the guest boots (default\n"
"                       off); part of the run id\n"
"  --settle-ms N        idle time before migrating (default: the case's)\n"
"  --host-cpu-hog N     N stress-ng CPU workers on the host during each\n"
"                       migration (default 0; checks the dedicated-core projection)\n"
"  --multifd-channels N   channels of the multifd methods (default 2)\n"
"  --capability NAME   a migration capability every method turns on besides\n"
"                       its own, on both sides (repeatable; e.g. auto-converge);\n"
"                       part of the run id\n"
"  --postcopy-after-ms N   postcopy methods switch N ms after the migrate\n"
"                       command (default: once the first pass is done)\n"
"  --order shuffled|fixed  the methods' order in each repeat: shuffled anew per\n"
"                       repeat from the seed (default), or the case's order\n"
"  --order-seed N       the shuffle's seed (default: a new one, in run.json)\n"
"  --migrate-timeout-s N   cancel a migration that takes longer (default 600)\n"
"  --boot-timeout-s N   wait for the guest agent this long (default 300)\n"
"  --iperf-s N          seconds of iperf3 before the run (default 3; 0 = skip)\n"
"  --results DIR        results root (default: <project>/results)\n"
"  --memcheck-mib N     run the guest memory checker over N MiB across each\n"
"                       migration and verify every page afterwards\n"
"  --cases DIR          where CASE.case files live (default: <project>/workloads/cases)\n"
"  --set KEY=VALUE      override one key of the case file, e.g. --set warmup_s=20\n"
"                       (repeatable; the keys are those of workloads/cases/*.case)\n"
"two real hosts (default: both hosts are network namespaces on this machine):\n"
"  --src-host [user@]HOST[:DIR]  source host over ssh (DIR: its checkout of\n"
"                       this project), or 'local'\n"
"  --dst-host [user@]HOST[:DIR]  destination host, the same way\n"
"  --migration-addr ADDR   the destination's address on the migration network\n"
"  --ssh-config FILE    ssh -F FILE for every connection (default: ~/.ssh/config)\n"
"  --remote-top DIR     the project checkout on the hosts (default: this one's path)\n"
"  --shape              shape the migration NICs to --link-gbit with tc (removed\n"
"                       on exit); without it real NICs are left as they are\n"
"  --pin auto|none|SRC/DST  where each QEMU's vCPU, main loop, migration thread\n"
"                       and iothread run: PU lists per host, e.g. 2,3,4,5/2-5;\n"
"                       auto: cores 1-4 from hwloc when there are enough (default)\n");
}

static int num(const char *v, double lo, double hi, double *out)
{
	char *end;
	double d;

	errno = 0;
	d = strtod(v, &end);
	if (errno || end == v || *end || d < lo || d > hi)
		return -1;
	*out = d;
	return 0;
}

int options_parse(int argc, char **argv, struct options *o, char *err, size_t errlen)
{
	enum {
		O_MEM = 256, O_REPEAT, O_METHODS, O_ACCEL, O_LINK, O_DOWNTIME, O_MAXBW,
		O_PREALLOC, O_SETTLE, O_MTIMEOUT, O_BTIMEOUT, O_IPERF, O_RESULTS, O_TOP,
		O_XCANCEL, O_XKILL, O_XFAILPREP, O_MINLINK, O_CASES, O_MEMCHECK, O_XDRIVER,
		O_XDRVARGS, O_XDEVPROPS,
		O_SET, O_HOG, O_SRCHOST, O_DSTHOST, O_MIGADDR, O_SSHCFG, O_RTOP, O_SHAPE, O_PIN,
		O_ORDER, O_ORDERSEED, O_CHANNELS, O_PCAFTER, O_GKERNEL, O_CAP, O_SRCPREALLOC,
	};
	static const struct option longopts[] = {
		{ "mem", required_argument, 0, O_MEM },
		{ "repeat", required_argument, 0, O_REPEAT },
		{ "methods", required_argument, 0, O_METHODS },
		{ "accel", required_argument, 0, O_ACCEL },
		{ "guest-kernel", required_argument, 0, O_GKERNEL },
		{ "link-gbit", required_argument, 0, O_LINK },
		{ "min-link-gbit", required_argument, 0, O_MINLINK },
		{ "downtime-ms", required_argument, 0, O_DOWNTIME },
		{ "max-bandwidth-gbit", required_argument, 0, O_MAXBW },
		{ "dst-prealloc", required_argument, 0, O_PREALLOC },
		{ "src-prealloc", required_argument, 0, O_SRCPREALLOC },
		{ "settle-ms", required_argument, 0, O_SETTLE },
		{ "migrate-timeout-s", required_argument, 0, O_MTIMEOUT },
		{ "boot-timeout-s", required_argument, 0, O_BTIMEOUT },
		{ "iperf-s", required_argument, 0, O_IPERF },
		{ "results", required_argument, 0, O_RESULTS },
		{ "top", required_argument, 0, O_TOP },
		{ "cases", required_argument, 0, O_CASES },
		{ "memcheck-mib", required_argument, 0, O_MEMCHECK },
		{ "set", required_argument, 0, O_SET },
		{ "host-cpu-hog", required_argument, 0, O_HOG },
		{ "order", required_argument, 0, O_ORDER },
		{ "multifd-channels", required_argument, 0, O_CHANNELS },
		{ "postcopy-after-ms", required_argument, 0, O_PCAFTER },
		{ "capability", required_argument, 0, O_CAP },
		{ "order-seed", required_argument, 0, O_ORDERSEED },
		{ "src-host", required_argument, 0, O_SRCHOST },
		{ "dst-host", required_argument, 0, O_DSTHOST },
		{ "migration-addr", required_argument, 0, O_MIGADDR },
		{ "ssh-config", required_argument, 0, O_SSHCFG },
		{ "remote-top", required_argument, 0, O_RTOP },
		{ "shape", no_argument, 0, O_SHAPE },
		{ "pin", required_argument, 0, O_PIN },
		{ "x-driver", required_argument, 0, O_XDRIVER },
		{ "x-driver-args", required_argument, 0, O_XDRVARGS },
		{ "x-device-props", required_argument, 0, O_XDEVPROPS },
		{ "x-cancel-at-ms", required_argument, 0, O_XCANCEL },
		{ "x-kill-dst-at-ms", required_argument, 0, O_XKILL },
		{ "x-fail-prep-once", no_argument, 0, O_XFAILPREP },
		{ "help", no_argument, 0, 'h' },
		{ 0, 0, 0, 0 },
	};
	double d;
	int c;

	memset(o, 0, sizeof(*o));
	o->accel = "auto";
	o->link_gbit = 10;
	o->min_link_gbit = 9;
	o->downtime_ms = 300;
	o->max_bandwidth_gbit = OPTIONS_DEFAULT_MAX_BANDWIDTH_GBIT;
	o->dst_prealloc = 1;
	o->settle_ms = -1;
	o->migrate_timeout_s = 600;
	o->boot_timeout_s = 300;
	o->iperf_s = 3;
	o->x_cancel_at_ms = -1;
	o->memcheck_mib = -1;
	o->x_kill_dst_at_ms = -1;
	o->pin = "auto";
	o->order_seed = -1;
	/* 2: this machine's cores; more channels only queue for them. */
	o->multifd_channels = 2;
	o->postcopy_after_ms = -1;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		const char *v = optarg;

		switch (c) {
		case 'h':
			options_usage(stdout);
			return 1;
		case O_MEM: o->mem = v; break;
		case O_REPEAT:
			if (num(v, 1, 1000, &d)) goto bad;
			o->repeat = (int)d; break;
		case O_METHODS: o->methods = v; break;
		case O_ACCEL: o->accel = v; break;
		case O_GKERNEL:
			/* A directory name under build/guest/: checked there by
			 * validate(); here only that it cannot leave it. */
			if (!*v || strchr(v, '/') || !strcmp(v, ".") || !strcmp(v, "..")) goto bad;
			o->guest_kernel = v; break;
		case O_LINK:
			if (num(v, 0, 400, &d)) goto bad;
			o->link_gbit = d; break;
		case O_MINLINK:
			if (num(v, 0, 400, &d)) goto bad;
			o->min_link_gbit = d; break;
		case O_DOWNTIME:
			if (num(v, 1, 2000000, &d)) goto bad;
			o->downtime_ms = (int)d; break;
		case O_MAXBW:
			if (num(v, 0.001, 1000, &d)) goto bad;
			o->max_bandwidth_gbit = d; break;
		case O_PREALLOC:
			if (!strcmp(v, "on")) o->dst_prealloc = 1;
			else if (!strcmp(v, "off")) o->dst_prealloc = 0;
			else goto bad;
			break;
		case O_SRCPREALLOC:
			if (!strcmp(v, "on")) o->src_prealloc = 1;
			else if (!strcmp(v, "off")) o->src_prealloc = 0;
			else goto bad;
			break;
		case O_SETTLE:
			if (num(v, 0, 3600000, &d)) goto bad;
			o->settle_ms = (int)d; break;
		case O_MTIMEOUT:
			if (num(v, 1, 86400, &d)) goto bad;
			o->migrate_timeout_s = (int)d; break;
		case O_BTIMEOUT:
			if (num(v, 1, 3600, &d)) goto bad;
			o->boot_timeout_s = (int)d; break;
		case O_IPERF:
			if (num(v, 0, 60, &d)) goto bad;
			o->iperf_s = (int)d; break;
		case O_HOG:
			if (num(v, 0, HOG_MAX, &d) || d != (int)d) goto bad;
			o->host_cpu_hog = (int)d; break;
		case O_CHANNELS:
			if (num(v, 1, 255, &d) || d != (int)d) goto bad;
			o->multifd_channels = (int)d; break;
		case O_PCAFTER:
			if (num(v, 0, 3600000, &d) || d != (int)d) goto bad;
			o->postcopy_after_ms = (int)d; break;
		case O_CAP: {
			/* A QEMU capability name: QEMU judges it, and refuses
			 * one it does not know (the method's row says so). */
			size_t used = strlen(o->extra_caps);

			if (!*v || strspn(v, "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(v) ||
			    used + strlen(v) + 2 > sizeof(o->extra_caps))
				goto bad;
			snprintf(o->extra_caps + used, sizeof(o->extra_caps) - used, "%s%s",
				 used ? " " : "", v);
			break;
		}
		case O_ORDER:
			if (!strcmp(v, "shuffled")) o->order_fixed = false;
			else if (!strcmp(v, "fixed")) o->order_fixed = true;
			else goto bad;
			break;
		case O_ORDERSEED:
			/* an integer below 2^53, so run.json holds it exactly */
			if (num(v, 0, 9007199254740991.0, &d) || d != (double)(long long)d) goto bad;
			o->order_seed = (long long)d; break;
		case O_SRCHOST: o->src_host = v; break;
		case O_DSTHOST: o->dst_host = v; break;
		case O_MIGADDR:
			if (!*v || strpbrk(v, " \t/")) goto bad;
			o->migration_addr = v; break;
		case O_SSHCFG: o->ssh_config = v; break;
		case O_RTOP:
			if (v[0] != '/') goto bad;
			o->remote_top = v; break;
		case O_SHAPE: o->shape = true; break;
		case O_PIN:
			if (strcmp(v, "auto") && strcmp(v, "none") && !strchr(v, '/')) goto bad;
			o->pin = v; break;
		case O_RESULTS: o->results_root = v; break;
		case O_TOP: o->top = v; break;
		case O_CASES: o->cases_dir = v; break;
		case O_SET:
			/* The key and value are checked with the case file. */
			if (!strchr(v, '=') || v[0] == '=') goto bad;
			if (o->nsets == OPTIONS_MAX_SETS) {
				snprintf(err, errlen, "too many --set options (at most %d)", OPTIONS_MAX_SETS);
				return -1;
			}
			o->sets[o->nsets++] = v;
			break;
		case O_MEMCHECK:
			if (num(v, 0, 1024 * 1024, &d)) goto bad;
			o->memcheck_mib = (long)d; break;
		case O_XDRIVER:
			if (strcmp(v, "none") && strcmp(v, "stock") && strcmp(v, "pv")) goto bad;
			o->x_driver = v; break;
		case O_XDRVARGS:
			if (strpbrk(v, " \t\"'")) goto bad;
			o->x_driver_args = v; break;
		case O_XDEVPROPS:
			if (strpbrk(v, " \t")) goto bad;
			o->x_device_props = v; break;
		case O_XCANCEL:
			if (num(v, 0, 3600000, &d)) goto bad;
			o->x_cancel_at_ms = (int)d; break;
		case O_XKILL:
			if (num(v, 0, 3600000, &d)) goto bad;
			o->x_kill_dst_at_ms = (int)d; break;
		case O_XFAILPREP:
			o->x_fail_prep_once = true; break;
		case '?':
		default:
			snprintf(err, errlen, "unknown option '%s'", argv[optind - 1]);
			return -1;
		}
		continue;
bad:
		for (const struct option *lo = longopts; lo->name; lo++)
			if (lo->val == c)
				snprintf(err, errlen, "bad value '%s' for --%s", v, lo->name);
		return -1;
	}
	if (optind >= argc) {
		snprintf(err, errlen, "no case given (try --help)");
		return -1;
	}
	if (!o->src_host != !o->dst_host) {
		snprintf(err, errlen, "--src-host and --dst-host go together");
		return -1;
	}
	if (!o->src_host && (o->migration_addr || o->shape || o->ssh_config || o->remote_top)) {
		snprintf(err, errlen, "--migration-addr, --shape, --ssh-config and --remote-top need "
			 "--src-host and --dst-host");
		return -1;
	}
	if (o->src_host && !strcmp(o->src_host, "local") && !strcmp(o->dst_host, "local")) {
		snprintf(err, errlen, "both hosts are 'local': leave out --src-host and --dst-host "
			 "for the netns mode");
		return -1;
	}
	if (o->src_host && !o->migration_addr) {
		snprintf(err, errlen, "--migration-addr is needed with two hosts (the destination's "
			 "address on the migration network)");
		return -1;
	}
	o->case_name = argv[optind++];
	if (optind < argc) {
		snprintf(err, errlen, "unexpected argument '%s'", argv[optind]);
		return -1;
	}
	return 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * service_options.c - getopt_long parsing and range checks.
 */
#include "service_options.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Limits that catch typos (a size in KiB given as MiB, ms given as s), not
 * limits of the program. */
#define MAX_WSS_MIB (1024ull * 1024)         /* 1 TiB */
#define MAX_DIRTY_MIB_S 1048576.0            /* 1 TiB/s */
#define MIN_INTERVAL_MS 1
#define MAX_INTERVAL_MS 3600000ull           /* 1 h */

const char service_usage[] =
	"usage: " SERVICE_TOOL_NAME " [run] [options]   run the service until SIGTERM\n"
	"       " SERVICE_TOOL_NAME " now               print CLOCK_MONOTONIC in ms\n"
	"       " SERVICE_TOOL_NAME " --help | --version\n"
	"\n"
	"A live service for migration tests: keeps a working set of anonymous memory and\n"
	"runs operations on it, each reading and rewriting one random 4 KiB page, at a\n"
	"capped dirtying rate; logs its throughput every interval.\n"
	"\n"
	"  --wss-mib N        working set in MiB (default 512)\n"
	"  --dirty-mib-s R    cap on memory dirtied per second, MiB/s, may be fractional;\n"
	"                     one op dirties 4 KiB, so ops/s = R * 256; 0 = unthrottled\n"
	"                     (default 64)\n"
	"  --interval-ms N    throughput log interval (default 100)\n"
	"  --log FILE         throughput log, truncated at start, one line per interval:\n"
	"                     \"<t_ms> <ops_in_interval> <ops_per_s>\" (default /tmp/service.log)\n"
	"  --status FILE      JSON status, replaced atomically at start, on SIGUSR1 and at\n"
	"                     exit (default /tmp/service.json)\n"
	"  --duration-s N     stop after N s of running (default 0: until SIGTERM)\n"
	"  --seed N           page choice seed (default: from time and pid)\n"
	"\n"
	"Signals: SIGUSR1 writes the status file; SIGTERM/SIGINT stop cleanly (exit 0).\n"
	"Exit: 0 stopped, 1 set-up failure, 2 bad options.\n";

static int fail(char *err, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, size, fmt, ap);
	va_end(ap);
	return -1;
}

/* Whole decimal number in [min, max]; rejects signs, junk and overflow. */
static int parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!*s || *s == '-' || *s == '+' || *s == ' ')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static int parse_rate(const char *s, double *out)
{
	char *end;
	double v;

	if (!*s || *s == '-' || *s == '+' || *s == ' ')
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || !isfinite(v) || v < 0 || v > MAX_DIRTY_MIB_S)
		return -1;
	*out = v;
	return 0;
}

static void set_defaults(struct service_options *o)
{
	memset(o, 0, sizeof(*o));
	o->command = CMD_RUN;
	o->wss_mib = DEFAULT_WSS_MIB;
	o->dirty_mib_s = DEFAULT_DIRTY_MIB_S;
	o->interval_ms = DEFAULT_INTERVAL_MS;
	o->log_path = DEFAULT_LOG_PATH;
	o->status_path = DEFAULT_STATUS_PATH;
}

int service_options_parse(int argc, char **argv, struct service_options *o, char *err,
			  size_t err_size)
{
	enum { OPT_WSS = 256, OPT_RATE, OPT_INTERVAL, OPT_LOG, OPT_STATUS, OPT_DURATION,
	       OPT_SEED, OPT_HELP, OPT_VERSION };
	static const struct option longopts[] = {
		{ "wss-mib", required_argument, NULL, OPT_WSS },
		{ "dirty-mib-s", required_argument, NULL, OPT_RATE },
		{ "interval-ms", required_argument, NULL, OPT_INTERVAL },
		{ "log", required_argument, NULL, OPT_LOG },
		{ "status", required_argument, NULL, OPT_STATUS },
		{ "duration-s", required_argument, NULL, OPT_DURATION },
		{ "seed", required_argument, NULL, OPT_SEED },
		{ "help", no_argument, NULL, OPT_HELP },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	set_defaults(o);
	err[0] = '\0';

	/* A leading sub-command; "run" is also what no sub-command means. */
	if (argc > 1 && strcmp(argv[1], "now") == 0) {
		if (argc > 2)
			return fail(err, err_size, "'now' takes no arguments");
		o->command = CMD_NOW;
		return 0;
	}
	if (argc > 1 && strcmp(argv[1], "run") == 0) {
		/* Parse as if "run" were the program name. */
		argc--;
		argv++;
	}

	/* optind = 0 makes glibc's getopt_long start afresh (it keeps state
	 * across calls); "+" stops at the first non-option instead of
	 * permuting; ":" and opterr = 0 let us word the errors. */
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_WSS:
			if (parse_u64(optarg, 1, MAX_WSS_MIB, &o->wss_mib))
				return fail(err, err_size, "--wss-mib: want 1..%llu MiB, got '%s'",
					    MAX_WSS_MIB, optarg);
			break;
		case OPT_RATE:
			if (parse_rate(optarg, &o->dirty_mib_s))
				return fail(err, err_size,
					    "--dirty-mib-s: want 0..%.0f MiB/s (0 = unthrottled), got '%s'",
					    MAX_DIRTY_MIB_S, optarg);
			break;
		case OPT_INTERVAL:
			if (parse_u64(optarg, MIN_INTERVAL_MS, MAX_INTERVAL_MS, &o->interval_ms))
				return fail(err, err_size, "--interval-ms: want %d..%llu, got '%s'",
					    MIN_INTERVAL_MS, MAX_INTERVAL_MS, optarg);
			break;
		case OPT_LOG:
		case OPT_STATUS:
			if (!*optarg)
				return fail(err, err_size, "--%s: empty path",
					    c == OPT_LOG ? "log" : "status");
			if (c == OPT_LOG)
				o->log_path = optarg;
			else
				o->status_path = optarg;
			break;
		case OPT_DURATION:
			if (parse_u64(optarg, 0, UINT32_MAX, &o->duration_s))
				return fail(err, err_size, "--duration-s: want a whole number of seconds, got '%s'",
					    optarg);
			break;
		case OPT_SEED:
			if (parse_u64(optarg, 0, UINT64_MAX, &o->seed))
				return fail(err, err_size, "--seed: want a whole number, got '%s'", optarg);
			o->seed_given = 1;
			break;
		case OPT_HELP:
			o->command = CMD_HELP;
			return 0;
		case OPT_VERSION:
			o->command = CMD_VERSION;
			return 0;
		case ':':
			return fail(err, err_size, "%s needs a value", argv[optind - 1]);
		default:
			if (optopt)
				return fail(err, err_size, "unknown option '-%c' (try --help)",
					    optopt);
			return fail(err, err_size, "unknown option '%s' (try --help)",
				    argv[optind - 1]);
		}
	}
	if (optind < argc)
		return fail(err, err_size, "unexpected argument '%s' (try --help)", argv[optind]);
	if (strcmp(o->log_path, o->status_path) == 0)
		return fail(err, err_size, "--log and --status must be different files");
	return 0;
}

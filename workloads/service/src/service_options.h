/* SPDX-License-Identifier: GPL-2.0 */
/*
 * service_options.h - the command line, parsed into one struct.
 *
 * Parsing reports errors as a message instead of printing and exiting, so
 * the unit tests can feed it bad command lines.
 */
#ifndef PVMIG_SERVICE_OPTIONS_H
#define PVMIG_SERVICE_OPTIONS_H

#include <stddef.h>
#include <stdint.h>

#define SERVICE_TOOL_NAME "pvmig-service"
#define SERVICE_VERSION "1.0"

#define DEFAULT_WSS_MIB 512
#define DEFAULT_DIRTY_MIB_S 64.0
#define DEFAULT_INTERVAL_MS 100
#define DEFAULT_LOG_PATH "/tmp/service.log"
#define DEFAULT_STATUS_PATH "/tmp/service.json"

enum service_command {
	CMD_RUN,      /* the service */
	CMD_NOW,      /* print CLOCK_MONOTONIC in ms */
	CMD_HELP,
	CMD_VERSION,
};

struct service_options {
	enum service_command command;
	uint64_t wss_mib;
	double dirty_mib_s;         /* 0: unthrottled */
	uint64_t interval_ms;
	uint64_t duration_s;        /* 0: until SIGTERM */
	uint64_t seed;
	int seed_given;
	const char *log_path;
	const char *status_path;
};

/*
 * Parse @argv.  Returns 0, or -1 with a one-line reason in @err.
 * Uses getopt_long, so it resets optind itself and can be called again.
 */
int service_options_parse(int argc, char **argv, struct service_options *o, char *err,
			  size_t err_size);

/* The --help text. */
extern const char service_usage[];

#endif

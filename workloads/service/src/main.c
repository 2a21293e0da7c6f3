// SPDX-License-Identifier: GPL-2.0
/*
 * main.c - pvmig-service: command dispatch.
 *
 * A guest-side "live service" for the case3 migration measurements: it
 * keeps a working set, dirties it at a set rate through its operations, and
 * logs the throughput it achieves before, during and after a migration.
 */
#include <inttypes.h>
#include <stdio.h>

#include "monotonic_clock.h"
#include "service_options.h"
#include "service_run.h"

int main(int argc, char **argv)
{
	struct service_options opt;
	char err[256];

	if (service_options_parse(argc, argv, &opt, err, sizeof(err))) {
		fprintf(stderr, SERVICE_TOOL_NAME ": %s\n", err);
		return 2;
	}
	switch (opt.command) {
	case CMD_HELP:
		fputs(service_usage, stdout);
		return 0;
	case CMD_VERSION:
		printf(SERVICE_TOOL_NAME " %s\n", SERVICE_VERSION);
		return 0;
	case CMD_NOW:
		/* The same clock and truncation as the log's t_ms. */
		printf("%" PRIu64 "\n", ns_to_ms(monotonic_ns()));
		return 0;
	case CMD_RUN:
		break;
	}
	return service_run(&opt);
}

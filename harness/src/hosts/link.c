#include "link.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "stats.h"
#include "util.h"

#define CMD_TIMEOUT_MS 10000

/* One iperf3 sample: a one-shot server on the destination and a client
 * on the source.  Returns Gbit/s, or -1 with err filled. */
static double measure_once(struct host *src, struct host *dst, const char *addr, int seconds,
                           char *err, size_t errlen)
{
	char secs[16];
	char *srv[] = { "iperf3", "-s", "-1", "-B", (char *)addr, "-p", "5201", NULL };
	char *cli[] = { "iperf3", "-c", (char *)addr, "-p", "5201", "-t", secs, "-J", NULL };
	static char out[1 << 17];
	struct host_proc server;
	json_t *j = NULL, *bps;
	double gbit = -1;
	int rc;

	snprintf(secs, sizeof(secs), "%d", seconds);
	if (host_spawn(dst, "iperf3", srv, NULL, &server, err, errlen))
		return -1;
	/* The server needs a moment to listen; retry the client briefly.
	 * iperf3 -J exits 0 even when it could not connect: its JSON's
	 * "error" says so. */
	for (int attempt = 0; attempt < 50 && !pvmig_interrupted; attempt++) {
		json_decref(j);
		j = NULL;
		rc = host_run(src, cli, (seconds + 10) * 1000, out, sizeof(out));
		if (rc == 0 && (j = json_loads(out, 0, NULL)) &&
		    !json_object_get(j, "error"))
			break;
		sleep_ms(100);
	}
	host_stop(dst, &server, 2000);
	bps = json_object_get(json_object_get(json_object_get(j, "end"), "sum_received"),
			      "bits_per_second");
	if (json_is_number(bps)) {
		gbit = json_number_value(bps) / 1e9;
	} else {
		const char *msg = json_string_value(json_object_get(j, "error"));

		snprintf(err, errlen, "iperf3: %s", msg ? msg : "no result in its output");
	}
	json_decref(j);
	return gbit;
}

int link_measure(struct host *src, struct host *dst, const char *addr, int seconds,
                 struct link *l, char *err, size_t errlen)
{
	char *ver[] = { "iperf3", "--version", NULL };
	char out[512];

	if (host_run(src, ver, CMD_TIMEOUT_MS, out, sizeof(out)) >= 0)
		sscanf(out, "iperf %63s", l->iperf_version);
	/* One stream on a 2-core host swings by several percent from one
	 * sample to the next; the median of a few steadies the wire-time
	 * floor the report divides by. */
	for (int i = 0; i < LINK_SAMPLES; i++) {
		l->samples_gbit[i] = measure_once(src, dst, addr, seconds, err, errlen);
		if (l->samples_gbit[i] < 0)
			return -1;
	}
	l->measured_gbit = summarize(l->samples_gbit, LINK_SAMPLES).median;
	return 0;
}

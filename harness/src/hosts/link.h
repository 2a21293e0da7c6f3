/*
 * The migration link between the two hosts, measured with iperf3 before
 * migrating: a one-shot server on the destination bound to the migration
 * address, the client on the source.  The same in both modes: the hosts
 * are namespaces (netns.c) or machines (host_ssh.c).
 */
#ifndef PVMIG_LINK_H
#define PVMIG_LINK_H

#include <stddef.h>

#include "host.h"

#define LINK_SAMPLES 3		/* iperf3 runs per link measurement */

struct link {
	double measured_gbit;	/* iperf3, src -> dst: median of the samples */
	double samples_gbit[LINK_SAMPLES];
	char iperf_version[64];
};

/* LINK_SAMPLES runs of iperf3 src -> dst (addr: the destination's
 * migration address), seconds each; fills samples_gbit and their median,
 * measured_gbit.  0 on success. */
int link_measure(struct host *src, struct host *dst, const char *addr, int seconds,
                 struct link *l, char *err, size_t errlen);

#endif

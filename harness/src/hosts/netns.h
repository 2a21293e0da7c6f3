/*
 * The netns mode's two "hosts": network namespaces joined by a veth pair,
 * shaped with tbf to the link rate (link.c measures it).
 */
#ifndef PVMIG_NETNS_H
#define PVMIG_NETNS_H

#include <stdbool.h>
#include <stddef.h>

#define SRC_ADDR "198.18.0.1"	/* RFC 2544 benchmarking range, ours alone */
#define DST_ADDR "198.18.0.2"

struct hosts {
	char src_ns[64];
	char dst_ns[64];
	char src_if[16];
	char dst_if[16];
	double rate_gbit;	/* tbf rate; 0 = unshaped */
};

/* Create namespaces, veth, addresses and qdiscs; tracked for cleanup. */
int hosts_up(struct hosts *h, double rate_gbit, char *err, size_t errlen);
void hosts_down(struct hosts *h);

/* Kill what runs in a namespace and delete it. */
void netns_delete(const char *name);

/* Remove namespaces left by harness processes that no longer exist. */
void netns_reap_stale(void);

/* Whether any namespace or veth of ours (any pid) exists. */
bool netns_any_left(void);

#endif

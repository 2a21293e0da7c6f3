/*
 * What a host is, for run.json and the report's pooling key: CPU model,
 * cores, memory, kernel, hwloc topology, and the NIC that carries the
 * migration (driver, bus, ethtool speed, MTU).  Read through the host
 * interface, so a remote host is described by itself.
 */
#ifndef PVMIG_HOSTINFO_H
#define PVMIG_HOSTINFO_H

#include <jansson.h>
#include <stddef.h>

#include "host.h"

/*
 * A new object: cpu_model, cpus, mem_mib, kernel, hostname, topology
 * (hwloc's one-line synthetic description), and nic {ifname, driver,
 * pci_id (vendor:device, the NIC's model), bus_info, speed, mtu} when
 * ifname is given.  Fields the host cannot
 * tell are null.  NULL if the host does not answer at all.
 */
json_t *hostinfo_json(struct host *h, const char *ifname);

/*
 * The interface of h that carries traffic to addr (ip route get), or with
 * local set, the one addr is assigned to.  0, or -1 if none.
 */
int hostinfo_iface(struct host *h, const char *addr, int local, char *out, size_t len);

/* Parse "key=value" lines into an object of strings (pure; unit-tested). */
json_t *hostinfo_parse(const char *text);

#endif

#include "hostinfo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One shell round trip for everything ($1: the interface, or empty). */
static const char describe_script[] =
	"echo \"cpu_model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)\"; "
	"echo \"cpus=$(nproc)\"; "
	"echo \"mem_mib=$(awk '/^MemTotal:/ { print int($2 / 1024) }' /proc/meminfo)\"; "
	"echo \"kernel=$(uname -r)\"; echo \"hostname=$(uname -n)\"; "
	"echo \"topology=$(lstopo-no-graphics --of synthetic --no-io 2>/dev/null)\"; "
	"[ -n \"$1\" ] || exit 0; "
	"echo \"nic_ifname=$1\"; echo \"nic_mtu=$(cat /sys/class/net/$1/mtu 2>/dev/null)\"; "
	"echo \"nic_driver=$(ethtool -i \"$1\" 2>/dev/null | sed -n 's/^driver: //p')\"; "
	"echo \"nic_bus_info=$(ethtool -i \"$1\" 2>/dev/null | sed -n 's/^bus-info: //p')\"; "
	"echo \"nic_speed=$(ethtool \"$1\" 2>/dev/null | sed -n 's/^[[:space:]]*Speed: //p')\"; "
	"d=/sys/class/net/$1/device; [ -r $d/vendor ] && echo \"nic_pci_id=$(cat $d/vendor):$(cat $d/device)\"; "
	"exit 0";

json_t *hostinfo_parse(const char *text)
{
	json_t *o = json_object();
	char *copy = strdup(text ? text : ""), *save = NULL;

	for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char *eq = strchr(l, '=');

		if (!eq || eq == l)
			continue;
		*eq = '\0';
		json_object_set_new(o, l, eq[1] ? json_string(eq + 1) : json_null());
	}
	free(copy);
	return o;
}

static json_t *as_int(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s && *s ? json_integer(strtoll(s, NULL, 10)) : json_null();
}

static json_t *take(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return v ? json_incref(v) : json_null();
}

json_t *hostinfo_json(struct host *h, const char *ifname)
{
	char *argv[] = { "sh", "-c", (char *)describe_script, "sh", (char *)(ifname ? ifname : ""),
			 NULL };
	static char out[8192];
	json_t *kv, *info;

	if (host_run(h, argv, 20000, out, sizeof(out)) != 0)
		return NULL;
	kv = hostinfo_parse(out);
	info = json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:o}", "name", h->name,
			 "cpu_model", take(kv, "cpu_model"), "cpus", as_int(kv, "cpus"),
			 "mem_mib", as_int(kv, "mem_mib"), "kernel", take(kv, "kernel"),
			 "hostname", take(kv, "hostname"), "topology", take(kv, "topology"));
	if (ifname && *ifname)
		json_object_set_new(info, "nic",
				    json_pack("{s:s, s:o, s:o, s:o, s:o, s:o}", "ifname", ifname,
					      "driver", take(kv, "nic_driver"),
					      "pci_id", take(kv, "nic_pci_id"),
					      "bus_info", take(kv, "nic_bus_info"),
					      "speed", take(kv, "nic_speed"),
					      "mtu", as_int(kv, "nic_mtu")));
	json_decref(kv);
	return info;
}

int hostinfo_iface(struct host *h, const char *addr, int local, char *out, size_t len)
{
	/* ip -o: one line per address ("3: eth1    inet ..."), and route get
	 * names the device after "dev". */
	char *by_addr[] = { "sh", "-c", "ip -o addr show to \"$1\" | awk '{ print $2; exit }'",
			    "sh", (char *)addr, NULL };
	char *by_route[] = { "sh", "-c",
			     "ip -o route get \"$1\" | sed -n 's/.* dev \\([^ ]*\\).*/\\1/p'",
			     "sh", (char *)addr, NULL };
	char buf[256] = "";

	if (host_run(h, local ? by_addr : by_route, 10000, buf, sizeof(buf)) != 0)
		return -1;
	buf[strcspn(buf, "\n@")] = '\0';
	if (!buf[0] || (!local && !strcmp(buf, "lo")))
		return -1;
	snprintf(out, len, "%s", buf);
	return 0;
}

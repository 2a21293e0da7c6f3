/* Machine description and CPU pinning with hwloc. */
#include "topology.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <hwloc.h>

static hwloc_topology_t load(void)
{
	hwloc_topology_t topo;

	if (hwloc_topology_init(&topo) != 0)
		return NULL;
	if (hwloc_topology_load(topo) != 0) {
		hwloc_topology_destroy(topo);
		return NULL;
	}
	return topo;
}

/* The CPU model: hwloc's CPUModel info (on a package, or the root where
 * the backend puts it there), else /proc/cpuinfo's "model name". */
static json_t *cpu_model(hwloc_topology_t topo)
{
	hwloc_obj_t pkg = hwloc_get_obj_by_type(topo, HWLOC_OBJ_PACKAGE, 0);
	const char *m = NULL;
	char line[512];
	FILE *f;

	if (pkg)
		m = hwloc_obj_get_info_by_name(pkg, "CPUModel");
	if (!m)
		m = hwloc_obj_get_info_by_name(hwloc_get_root_obj(topo), "CPUModel");
	if (m)
		return json_string(m);
	f = fopen("/proc/cpuinfo", "re");
	if (!f)
		return json_null();
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');

		if (strncmp(line, "model name", 10) != 0 || !colon)
			continue;
		colon++;
		while (*colon == ' ' || *colon == '\t')
			colon++;
		colon[strcspn(colon, "\n")] = '\0';
		fclose(f);
		return json_string(colon);
	}
	fclose(f);
	return json_null();
}

/* The OS indexes of the PUs in cpuset, as a JSON array. */
static json_t *pu_list(hwloc_topology_t topo, hwloc_const_cpuset_t set)
{
	json_t *arr = json_array();
	hwloc_obj_t pu = NULL;

	while ((pu = hwloc_get_next_obj_inside_cpuset_by_type(topo, set, HWLOC_OBJ_PU, pu)))
		json_array_append_new(arr, json_integer(pu->os_index));
	return arr;
}

json_t *topology_json(void)
{
	hwloc_topology_t topo = load();
	json_t *o, *cores_pus;
	int ncores, npus, nl3;
	unsigned api;

	if (!topo)
		return NULL;
	o = json_object();
	npus = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PU);
	ncores = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_CORE);
	nl3 = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_L3CACHE);
	json_object_set_new(o, "cpu_model", cpu_model(topo));
	json_object_set_new(o, "packages",
	                    json_integer(hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PACKAGE)));
	json_object_set_new(o, "numa_nodes",
	                    json_integer(hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_NUMANODE)));
	json_object_set_new(o, "cores", json_integer(ncores > 0 ? ncores : npus));
	json_object_set_new(o, "pus", json_integer(npus));
	if (nl3 > 0) {
		hwloc_obj_t l3 = hwloc_get_obj_by_type(topo, HWLOC_OBJ_L3CACHE, 0);

		json_object_set_new(o, "l3_bytes", l3->attr->cache.size
		                    ? json_integer((json_int_t)l3->attr->cache.size) : json_null());
	} else {
		json_object_set_new(o, "l3_bytes", json_null());
	}
	json_object_set_new(o, "l3_caches", json_integer(nl3 > 0 ? nl3 : 0));

	cores_pus = json_array();
	if (ncores > 0) {
		for (int i = 0; i < ncores; i++) {
			hwloc_obj_t core = hwloc_get_obj_by_type(topo, HWLOC_OBJ_CORE, i);

			json_array_append_new(cores_pus, pu_list(topo, core->cpuset));
		}
	} else {
		/* No core objects: each PU stands for a core. */
		for (int i = 0; i < npus; i++) {
			hwloc_obj_t pu = hwloc_get_obj_by_type(topo, HWLOC_OBJ_PU, i);
			json_t *one = json_array();

			json_array_append_new(one, json_integer(pu->os_index));
			json_array_append_new(cores_pus, one);
		}
	}
	json_object_set_new(o, "cores_pus", cores_pus);

	api = hwloc_get_api_version();
	json_object_set_new(o, "hwloc_api", json_sprintf("%u.%u.%u", api >> 16,
	                    (api >> 8) & 0xff, api & 0xff));
	hwloc_topology_destroy(topo);
	return o;
}

int topology_pus(void)
{
	hwloc_topology_t topo = load();
	int n;

	if (!topo)
		return -1;
	n = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PU);
	hwloc_topology_destroy(topo);
	return n;
}

int pin_pid_to_pu(pid_t pid, int pu_os_index)
{
	hwloc_topology_t topo;
	hwloc_obj_t pu;
	int ret, e;

	if (pu_os_index < 0) {
		errno = EINVAL;
		return -1;
	}
	topo = load();
	if (!topo)
		return -1;
	pu = hwloc_get_pu_obj_by_os_index(topo, (unsigned)pu_os_index);
	if (!pu) {
		hwloc_topology_destroy(topo);
		errno = EINVAL;
		return -1;
	}
	/* HWLOC_CPUBIND_PROCESS: on Linux hwloc binds each thread listed in
	 * /proc/PID/task, rescanning until no new thread appeared. */
	ret = hwloc_set_proc_cpubind(topo, pid, pu->cpuset, HWLOC_CPUBIND_PROCESS);
	e = errno;
	hwloc_topology_destroy(topo);
	errno = e;
	return ret;
}

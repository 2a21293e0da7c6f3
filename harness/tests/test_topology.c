/* topology: hwloc's view of this machine, and pinning a process to a PU. */
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "topology.h"

static void test_json(void)
{
	json_t *t = topology_json();
	json_int_t cores, pus, ncp = 0;
	json_t *cp, *core;
	const char *model;
	size_t i;

	CHECK(t != NULL, "topology: hwloc loads");
	if (!t)
		return;
	cores = json_integer_value(json_object_get(t, "cores"));
	pus = json_integer_value(json_object_get(t, "pus"));
	CHECK(cores >= 1 && pus >= cores, "topology: %lld cores, %lld PUs",
	      (long long)cores, (long long)pus);
	CHECK(json_integer_value(json_object_get(t, "packages")) >= 1,
	      "topology: at least one package");
	CHECK(json_is_integer(json_object_get(t, "numa_nodes")), "topology: NUMA node count");
	CHECK(json_is_integer(json_object_get(t, "l3_bytes")) ||
	      json_is_null(json_object_get(t, "l3_bytes")), "topology: l3_bytes is a size or null");
	model = json_string_value(json_object_get(t, "cpu_model"));
	CHECK(model || json_is_null(json_object_get(t, "cpu_model")), "topology: cpu_model \"%s\"",
	      model ? model : "(unknown)");
	cp = json_object_get(t, "cores_pus");
	json_array_foreach(cp, i, core)
		ncp += (json_int_t)json_array_size(core);
	CHECK(json_is_array(cp) && (json_int_t)json_array_size(cp) == cores && ncp == pus,
	      "topology: cores_pus lists every PU once per core");
	CHECK(topology_pus() == pus, "topology: topology_pus() agrees (%d)", topology_pus());
	json_decref(t);
}

static void test_pin(void)
{
	cpu_set_t set;
	pid_t pid;
	int ret, only0;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (;;)
			pause();
	}
	if (pid < 0) {
		CHECK(0, "topology: fork a child to pin");
		return;
	}
	ret = pin_pid_to_pu(pid, 0);
	CHECK(ret == 0, "topology: pin a sleeping child to PU 0");
	CPU_ZERO(&set);
	only0 = sched_getaffinity(pid, sizeof(set), &set) == 0 && CPU_COUNT(&set) == 1 &&
	        CPU_ISSET(0, &set);
	CHECK(only0, "topology: the child may run on PU 0 only (%d CPUs allowed)", CPU_COUNT(&set));
	CHECK(pin_pid_to_pu(pid, 1 << 20) == -1, "topology: a PU that does not exist is refused");
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

void suite_topology(void)
{
	test_json();
	test_pin();
}

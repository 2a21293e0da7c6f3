/* The QEMU process's figures the harness reads from /proc through its
 * host: here on this test process, as a stand-in for a QEMU. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "host.h"
#include "vm.h"

/* Spend about ms of CPU in user mode. */
static void burn_user_ms(int ms)
{
	struct timespec t0, t;
	volatile unsigned long x = 0;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
	do {
		for (int i = 0; i < 100000; i++)
			x += (unsigned long)i * 2654435761u;
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	} while ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 < ms);
}

void suite_vmproc(void)
{
	char dir[] = "/tmp/pvmig-vmproc-XXXXXX";
	struct host h;
	struct vm v;
	int64_t u0 = -1, s0 = -1, u1 = -1, s1 = -1;

	if (!mkdtemp(dir)) {
		CHECK(0, "vm proc: cannot make a scratch directory");
		return;
	}
	host_local_init(&h, "src", NULL, dir, ".");
	memset(&v, 0, sizeof(v));
	v.host = &h;
	v.proc.pid = getpid();
	CHECK(vm_proc_cpu_ms(&v, &u0, &s0) == 0 && u0 >= 0 && s0 >= 0,
	      "vm proc: the process's user and kernel CPU read (%lld, %lld ms)",
	      (long long)u0, (long long)s0);
	burn_user_ms(300);
	CHECK(vm_proc_cpu_ms(&v, &u1, &s1) == 0 && u1 - u0 >= 200 && s1 >= s0,
	      "vm proc: 300 ms of user CPU shows as user time (+%lld ms), kernel time does not go back",
	      (long long)(u1 - u0));
	v.proc.pid = 0;
	CHECK(vm_proc_cpu_ms(&v, &u1, &s1) < 0, "vm proc: no process, no figure");
	rmdir(dir);
}

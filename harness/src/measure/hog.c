#include "hog.h"

#include <stdio.h>

#include "cleanup.h"
#include "util.h"

int hog_start(struct hog *h, int workers, char *err, size_t errlen)
{
	char n[16];
	/* --cpu-method ackermann: pure integer work, no memory traffic, so
	 * the hog takes CPU time and nothing else the migration uses. */
	char *argv[] = { "stress-ng", "--quiet", "--cpu", n, "--cpu-method", "ackermann",
			 "--timeout", "3600s", NULL };

	h->pid = 0;
	h->workers = workers;
	if (workers <= 0)
		return 0;
	snprintf(n, sizeof(n), "%d", workers);
	h->pid = spawn_bg(NULL, argv, NULL);
	if (h->pid < 0) {
		h->pid = 0;
		snprintf(err, errlen, "cannot start stress-ng for the CPU hog");
		return -1;
	}
	cleanup_track_pid(h->pid);
	/* Let its workers fork and reach the run queue before migrating. */
	sleep_ms(300);
	return 0;
}

void hog_stop(struct hog *h)
{
	if (h->pid <= 0)
		return;
	stop_pid(h->pid, 5000);
	cleanup_untrack_pid(h->pid);
	h->pid = 0;
}

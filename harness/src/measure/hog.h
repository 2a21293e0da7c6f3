/* A CPU hog on the host during each migration: the check that the
 * dedicated-core projection describes the method, not the host load. */
#ifndef PVMIG_HOG_H
#define PVMIG_HOG_H

#include <sys/types.h>

#define HOG_MAX 16

struct hog {
	pid_t pid;		/* stress-ng, in the root namespace; 0: none */
	int workers;
};

/* Start `stress-ng --cpu workers` (tracked for cleanup); 0 workers: no-op.
 * Returns 0, or -1 with a message in err. */
int hog_start(struct hog *h, int workers, char *err, size_t errlen);

/* Stop it and reap it (bounded); safe to call when nothing runs. */
void hog_stop(struct hog *h);

#endif

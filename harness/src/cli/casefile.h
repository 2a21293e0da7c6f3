/*
 * Case definitions are data: one `key = value` file per case under
 * workloads/cases/.  Command-line options override them.
 */
#ifndef PVMIG_CASEFILE_H
#define PVMIG_CASEFILE_H

#include <stddef.h>

#define CASE_MAX_METHODS 24

enum workload {
	WORKLOAD_NONE,		/* idle guest */
	WORKLOAD_STRESS_VM,	/* stress-ng vm stressor that ends before migrating */
	WORKLOAD_SERVICE,	/* page cache filled, a live service dirtying memory */
};

struct case_def {
	char name[64];
	char description[256];
	long mem_mib;
	int repeat;
	int settle_ms;		/* idle time between guest ready and migration */
	enum workload workload;
	int workload_mem_pct;	/* of guest RAM the workload touches */
	int workload_s;		/* how long the workload runs */
	long memcheck_mib;	/* run the guest memory checker with this much; 0 off */
	/* case3: the long-running guest */
	int page_cache_pct;	/* of guest RAM read into the page cache from disk */
	long service_wss_mib;	/* the service's working set */
	long service_dirty_mib_s;	/* ... and its dirtying rate */
	int warmup_s;		/* service runs this long before migrating */
	int observe_after_s;	/* ... and this long after, on the destination */
	/* case4: the same guest, but earlier jobs ran and exited first */
	int churn_mem_pct;	/* of guest RAM a finished job dirtied; 0 none */
	int churn_s;		/* how long that job ran */
	char methods[CASE_MAX_METHODS][32];
	int nmethods;
};

/*
 * Parse text (the file's contents) into c, starting from defaults.
 * Returns 0, or -1 with a one-line message in err.
 */
int case_parse(const char *name, const char *text, struct case_def *c,
               char *err, size_t errlen);

/* Set one key (the file's or a --set option's) to a value. */
int case_set(struct case_def *c, const char *key, const char *value, char *err, size_t errlen);

/* Rules across keys; run after the file and after every --set. */
int case_check(const struct case_def *c, char *err, size_t errlen);

/* Load workloads/cases/<name>.case below dir. */
int case_load(const char *dir, const char *name, struct case_def *c,
              char *err, size_t errlen);

/* Split a comma/space separated method list into c->methods. */
int case_set_methods(struct case_def *c, const char *list, char *err, size_t errlen);

const char *workload_name(enum workload w);

#endif

/* A minimal test reporter: one PASS/FAIL/SKIP line per check. */
#ifndef PVMIG_CHECK_H
#define PVMIG_CHECK_H

#include <stdio.h>

extern int checks_passed, checks_failed, checks_skipped;

#define CHECK(cond, ...) do { \
	int ok_ = !!(cond); /* evaluated once: cond may have side effects */ \
	if (ok_) { \
		checks_passed++; \
		printf("PASS: "); \
	} else { \
		checks_failed++; \
		printf("FAIL: "); \
	} \
	printf(__VA_ARGS__); \
	if (!ok_) \
		printf("  (%s:%d: %s)", __FILE__, __LINE__, #cond); \
	printf("\n"); \
} while (0)

struct options;
int parse_args_list(struct options *o, char *err, size_t len, int argc, ...);

void suite_jsonstream(void);
void suite_qmp(void);
void suite_casefile(void);
void suite_results(void);
void suite_stats(void);
void suite_options(void);
void suite_migrate_parse(void);
void suite_balloon(void);
void suite_integrity(void);
void suite_service(void);
void suite_stressng(void);
void suite_cpucost(void);
void suite_topology(void);
void suite_threadstats(void);
void suite_qemuthreads(void);
void suite_hosts(void);
void suite_accel(void);
void suite_order(void);
void suite_migsettings(void);
void suite_vmproc(void);
void suite_pcrequests(void);

#endif

#include <string.h>

#include "casefile.h"
#include "check.h"

void suite_casefile(void)
{
	struct case_def c;
	char err[256];
	int rc;

	rc = case_parse("t", "# comment\ndescription = idle guest # trailing\nmem = 2G\n"
			"repeat=3\nworkload = stress-vm\nworkload_mem_pct = 88\n"
			"methods = baseline, pv-bitmap\n", &c, err, sizeof(err));
	CHECK(rc == 0, "casefile: a good file parses (%s)", rc ? err : "ok");
	CHECK(c.mem_mib == 2048 && c.repeat == 3 && c.workload == WORKLOAD_STRESS_VM &&
	      c.workload_mem_pct == 88 && !strcmp(c.description, "idle guest"),
	      "casefile: values and trailing comments");
	CHECK(c.nmethods == 2 && !strcmp(c.methods[1], "pv-bitmap"), "casefile: method list");

	rc = case_parse("t", "", &c, err, sizeof(err));
	CHECK(rc == 0 && c.mem_mib == 8192 && c.repeat == 5 && c.nmethods == 1,
	      "casefile: defaults are the seed's 8 GiB guest, 5 repeats, baseline");

	static const struct { const char *text; const char *want; } bad[] = {
		{ "mem = 8X\n", "bad guest size" },
		{ "mem = 64M\n", "bad guest size" },
		{ "frobnicate = 1\n", "unknown key" },
		{ "just words\n", "expected key = value" },
		{ "repeat = 0\n", "bad value" },
		{ "repeat = 3x\n", "bad value" },
		{ "methods = baseline, warp-drive\n", "unknown method" },
		{ "methods = baseline, baseline\n", "listed twice" },
		{ "workload = dance\n", "unknown workload" },
		{ "description =\n", "empty value" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		rc = case_parse("t", bad[i].text, &c, err, sizeof(err));
		CHECK(rc == -1 && strstr(err, bad[i].want) && strstr(err, "t:1:"),
		      "casefile: rejects '%.*s' with line number (%s)",
		      (int)strcspn(bad[i].text, "\n"), bad[i].text, err);
	}
	rc = case_parse("t", "service_wss_mib = 2048\nmemcheck_mib = 64\nsettle_ms = 0\nwarmup_s = 33\n",
			&c, err, sizeof(err));
	CHECK(rc == 0 && c.service_wss_mib == 2048 && c.memcheck_mib == 64 && c.settle_ms == 0 &&
	      c.warmup_s == 33 && c.repeat == 5, "casefile: int and long keys land in their fields");
	rc = case_parse("t", "workload = service\nchurn_mem_pct = 88\nchurn_s = 150\n", &c, err, sizeof(err));
	CHECK(rc == 0 && c.churn_mem_pct == 88 && c.churn_s == 150, "casefile: churn keys parse");
	rc = case_parse("t", "workload = stress-vm\nchurn_mem_pct = 50\n", &c, err, sizeof(err));
	CHECK(rc == -1 && strstr(err, "needs workload = service"),
	      "casefile: churn without the service is refused (%s)", err);
	rc = case_parse("t", "workload = service\nchurn_mem_pct = 100\n", &c, err, sizeof(err));
	CHECK(rc == -1 && strstr(err, "bad value"), "casefile: churn of all RAM is refused");
	rc = case_parse("t", "", &c, err, sizeof(err));
	CHECK(rc == 0 && c.churn_mem_pct == 0, "casefile: no churn by default");
	rc = case_parse("t", "workload = service\n", &c, err, sizeof(err));
	rc |= case_set(&c, "warmup_s", "25", err, sizeof(err));
	CHECK(rc == 0 && c.warmup_s == 25, "casefile: case_set overrides one key");
	rc = case_set(&c, "frob", "1", err, sizeof(err));
	CHECK(rc == -1 && !strcmp(err, "unknown key 'frob'"), "casefile: case_set names an unknown key (%s)", err);
	rc = case_set(&c, "churn_mem_pct", "60", err, sizeof(err));
	c.workload = WORKLOAD_NONE;
	CHECK(rc == 0 && case_check(&c, err, sizeof(err)) == -1,
	      "casefile: case_check refuses a churn set on a guest without the service");
	rc = case_load("/nonexistent", "case1", &c, err, sizeof(err));
	CHECK(rc == -1 && strstr(err, "unknown case"), "casefile: missing case file is an unknown case");
	rc = case_load("/tmp", "../etc/passwd", &c, err, sizeof(err));
	CHECK(rc == -1 && strstr(err, "invalid case name"), "casefile: path-like case names are refused");
}

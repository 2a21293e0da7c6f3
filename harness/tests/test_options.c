#include <stdarg.h>
#include <string.h>

#include "check.h"
#include "options.h"

/* options_parse() on an argument list written out in the call; shared with
 * the hosts mode's option checks. */
int parse_args_list(struct options *o, char *err, size_t len, int argc, ...)
{
	char *argv[32];
	va_list ap;

	va_start(ap, argc);
	for (int i = 0; i < argc; i++)
		argv[i] = va_arg(ap, char *);
	va_end(ap);
	argv[argc] = NULL;
	return options_parse(argc, argv, o, err, len);
}

void suite_options(void)
{
	struct options o;
	char err[256];
	int rc;

	rc = parse_args_list(&o, err, sizeof(err), 8, "run", "--mem", "1G", "--repeat", "2",
		   "--dst-prealloc", "off", "case1");
	CHECK(rc == 0 && !strcmp(o.case_name, "case1") && !strcmp(o.mem, "1G") && o.repeat == 2 &&
	      o.dst_prealloc == 0, "options: values are taken");
	CHECK(o.link_gbit == 10 && o.downtime_ms == 300 && !strcmp(o.accel, "auto"),
	      "options: defaults (10 Gbit/s link, 300 ms downtime, auto accel)");
	rc = parse_args_list(&o, err, sizeof(err), 3, "run", "--frob", "case1");
	CHECK(rc == -1 && strstr(err, "unknown option"), "options: unknown option is refused (%s)", err);
	rc = parse_args_list(&o, err, sizeof(err), 4, "run", "--repeat", "zero", "case1");
	CHECK(rc == -1 && strstr(err, "bad value"), "options: non-numeric repeat is refused (%s)", err);
	rc = parse_args_list(&o, err, sizeof(err), 4, "run", "--dst-prealloc", "maybe", "case1");
	CHECK(rc == -1, "options: dst-prealloc takes on|off only");
	rc = parse_args_list(&o, err, sizeof(err), 1, "run");
	CHECK(rc == -1 && strstr(err, "no case"), "options: a case is required");
	rc = parse_args_list(&o, err, sizeof(err), 3, "run", "case1", "case2");
	CHECK(rc == -1 && strstr(err, "unexpected"), "options: one case only");
	rc = parse_args_list(&o, err, sizeof(err), 4, "run", "--host-cpu-hog", "2", "case1");
	CHECK(rc == 0 && o.host_cpu_hog == 2, "options: --host-cpu-hog takes a worker count");
	rc = parse_args_list(&o, err, sizeof(err), 2, "run", "case1");
	CHECK(rc == 0 && o.host_cpu_hog == 0, "options: no CPU hog by default");
	CHECK(!o.x_fail_prep_once, "options: no injected preparation failure by default");
	rc = parse_args_list(&o, err, sizeof(err), 3, "run", "--x-fail-prep-once", "case1");
	CHECK(rc == 0 && o.x_fail_prep_once, "options: --x-fail-prep-once is taken");
	rc = parse_args_list(&o, err, sizeof(err), 4, "run", "--host-cpu-hog", "1.5", "case1");
	CHECK(rc == -1 && strstr(err, "bad value"), "options: a fractional hog is refused (%s)", err);
	rc = parse_args_list(&o, err, sizeof(err), 4, "run", "--host-cpu-hog", "99", "case1");
	CHECK(rc == -1 && strstr(err, "bad value"), "options: an impossible hog is refused (%s)", err);
}

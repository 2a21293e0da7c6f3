/* The hosts mode's pure parts and the local host implementation: options,
 * shell quoting for ssh, host descriptions, pinning decisions, project
 * paths on another checkout, and a process started, read and stopped
 * through the host interface (no root, no ssh). */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "host.h"
#include "hostinfo.h"
#include "options.h"
#include "pin.h"
#include "runenv.h"
#include "util.h"
#include "validate.h"

static void options_checks(void)
{
	struct options o;
	char err[256];
	int rc;

	rc = parse_args_list(&o, err, sizeof(err), 10, "run", "--src-host", "root@a", "--dst-host", "b:/srv/pvmig",
		   "--migration-addr", "10.0.0.2", "--shape", "--pin", "case1");
	CHECK(rc == -1 && strstr(err, "bad value"), "hosts options: --pin takes auto, none or SRC/DST (%s)", err);
	rc = parse_args_list(&o, err, sizeof(err), 11, "run", "--src-host", "root@a", "--dst-host", "b:/srv/pvmig",
		   "--migration-addr", "10.0.0.2", "--shape", "--pin", "2-5/2-5", "case1");
	CHECK(rc == 0 && !strcmp(o.src_host, "root@a") && !strcmp(o.dst_host, "b:/srv/pvmig") &&
	      !strcmp(o.migration_addr, "10.0.0.2") && o.shape && !strcmp(o.pin, "2-5/2-5"),
	      "hosts options: hosts, address, --shape and --pin are taken");
	rc = parse_args_list(&o, err, sizeof(err), 4, "run", "--src-host", "a", "case1");
	CHECK(rc == -1 && strstr(err, "go together"), "hosts options: one host alone is refused (%s)", err);
	rc = parse_args_list(&o, err, sizeof(err), 6, "run", "--src-host", "a", "--dst-host", "b", "case1");
	CHECK(rc == -1 && strstr(err, "--migration-addr is needed"),
	      "hosts options: two hosts need the migration address (%s)", err);
	rc = parse_args_list(&o, err, sizeof(err), 8, "run", "--src-host", "local", "--dst-host", "local",
		   "--migration-addr", "10.0.0.2", "case1");
	CHECK(rc == -1 && strstr(err, "both hosts are 'local'"), "hosts options: two local hosts are refused");
	rc = parse_args_list(&o, err, sizeof(err), 3, "run", "--shape", "case1");
	CHECK(rc == -1 && strstr(err, "need --src-host"), "hosts options: --shape without hosts is refused");
	rc = parse_args_list(&o, err, sizeof(err), 2, "run", "case1");
	CHECK(rc == 0 && !o.src_host && !strcmp(o.pin, "auto") && !o.shape,
	      "hosts options: the default is the netns mode, --pin auto, no shaping");
}

static void quoting_checks(void)
{
	char cmd[512] = "", out[256];
	char *argv[] = { "sh", "-c", cmd, NULL };
	const char *word = "it's a \"word\" with $HOME and `x` \\ ;|&";

	shell_quote_append(cmd, sizeof(cmd), "printf");
	shell_quote_append(cmd, sizeof(cmd), "%s|");
	shell_quote_append(cmd, sizeof(cmd), word);
	shell_quote_append(cmd, sizeof(cmd), "");
	CHECK(run_cmd(NULL, argv, 5000, out, sizeof(out)) == 0 && !strncmp(out, word, strlen(word)) &&
	      !strcmp(out + strlen(word), "||"),
	      "ssh quoting: a remote shell gets each word back as it was, empty ones too");
}

static void hostinfo_checks(void)
{
	json_t *o = hostinfo_parse("cpu_model=AMD EPYC 9354 = 32-core\ncpus=64\nnic_speed=\nno equals\n=x\n");

	CHECK(!strcmp(json_string_value(json_object_get(o, "cpu_model")) ?: "", "AMD EPYC 9354 = 32-core"),
	      "hostinfo: a value keeps its own '='");
	CHECK(json_is_null(json_object_get(o, "nic_speed")), "hostinfo: an empty value is null (not known)");
	CHECK(json_object_size(o) == 3, "hostinfo: lines without a key are skipped");
	json_decref(o);
}

static void pin_checks(void)
{
	struct env *e = calloc(1, sizeof(*e));
	int pus[PIN_ROLES];

	CHECK(pin_parse_list("2,3,4,5", pus) == 0 && pus[0] == 2 && pus[3] == 5 &&
	      pin_parse_list("6-9", pus) == 0 && pus[0] == 6 && pus[3] == 9 &&
	      pin_parse_list("0,1", pus) == 0 && pus[1] == 1 && pus[2] == 1 && pus[3] == 1,
	      "pin: lists, ranges, and a short list repeats its last PU");
	CHECK(pin_parse_list("", pus) && pin_parse_list("a", pus) && pin_parse_list("3-1", pus) &&
	      pin_parse_list("1,2,3,4,5", pus) && pin_parse_list("1;2", pus),
	      "pin: empty, non-numeric, backwards, too long and odd separators are refused");
	e->opt.pin = "auto";
	pin_decide(e, 2, 2);
	CHECK(!e->pin_src[0] && !e->pin_dst[0] && strstr(e->pin_why, "this machine has 2"),
	      "pin: auto on a 2-core netns machine pins nothing and says why (%s)", e->pin_why);
	pin_decide(e, 16, 16);
	CHECK(!strcmp(e->pin_src, "auto:1") && !strcmp(e->pin_dst, "auto:5"),
	      "pin: auto in netns mode gives the two QEMUs separate cores of one machine");
	e->two_hosts = true;
	pin_decide(e, 8, 2);
	CHECK(!e->pin_src[0] && strstr(e->pin_why, "the hosts have 8 and 2"),
	      "pin: auto needs enough cores on both hosts (%s)", e->pin_why);
	pin_decide(e, 8, 8);
	CHECK(!strcmp(e->pin_src, "auto:1") && !strcmp(e->pin_dst, "auto:1"), "pin: auto on two 8-core hosts");
	e->opt.pin = "2-5/6,7";
	pin_decide(e, 2, 2);
	CHECK(!strcmp(e->pin_src, "2-5") && !strcmp(e->pin_dst, "6,7"), "pin: SRC/DST lists as given");
	e->opt.pin = "none";
	pin_decide(e, 64, 64);
	CHECK(!e->pin_src[0] && strstr(e->pin_why, "--pin none"), "pin: none pins nothing");
	free(e);
}

static void local_host_checks(void)
{
	struct host h;
	struct host_proc p;
	char dir[] = "/tmp/pvmig-unit-XXXXXX", path[PATH_MAX + 32], local[PATH_MAX], err[256];
	char *sleeper[] = { "sleep", "30", NULL };
	char *text;

	if (!mkdtemp(dir)) {
		CHECK(0, "local host: scratch directory");
		return;
	}
	host_local_init(&h, "src", NULL, dir, "/srv/pvmig");
	host_project_path(&h, "/work/main", "/work/main/build/qemu/qemu-system-x86_64", path, sizeof(path));
	CHECK(!strcmp(path, "/srv/pvmig/build/qemu/qemu-system-x86_64"),
	      "host paths: a file of the checkout is found in the host's checkout");
	host_project_path(&h, "/work/main", "/work/mainline/x", path, sizeof(path));
	CHECK(!strcmp(path, "/work/mainline/x"), "host paths: only a whole directory prefix is replaced");
	host_path(&h, "src.qmp", path, sizeof(path));
	CHECK(!strncmp(path, dir, strlen(dir)) && !strcmp(path + strlen(dir), "/src.qmp"),
	      "host paths: scratch files are in the host's scratch directory");
	CHECK(host_forward(&h, path, 0, local, sizeof(local), err, sizeof(err)) == 0 && !strcmp(local, path),
	      "local host: a socket needs no forwarding");
	text = host_write_file(&h, path, "it's\n$x") == 0 ? host_read_file(&h, path) : NULL;
	CHECK(text && !strcmp(text, "it's\n$x"), "local host: a file written is read back as it was");
	free(text);
	CHECK(!host_read_file(&h, "/nonexistent"), "local host: an unreadable file is NULL");
	unlink(path);
	CHECK(host_spawn(&h, "sleeper", sleeper, NULL, &p, err, sizeof(err)) == 0 && p.pid > 0 &&
	      host_alive(&h, &p), "local host: a started process runs");
	host_stop(&h, &p, 2000);
	CHECK(p.pid == 0, "local host: a stopped process is forgotten");
	CHECK(!host_lost(&h) && host_is_local(&h), "local host: never lost, always local");
	rmdir(dir);
}

/* In hosts mode validate() returns before the local build checks; the
 * stock build's path must still be set by then, or method "stock" would
 * run an empty path on the hosts. */
static void validate_checks(void)
{
	static struct env e;
	char exe[PATH_MAX], *slash, err[256];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	int rc;

	memset(&e, 0, sizeof(e));
	if (n <= 0) {
		CHECK(0, "hosts validate: cannot find this test's checkout");
		return;
	}
	exe[n] = '\0';
	for (int up = 0; up < 2 && (slash = strrchr(exe, '/')); up++)
		*slash = '\0';	/* TOP/build/harness-tests -> TOP */
	snprintf(e.top, sizeof(e.top), "%s", exe);
	rc = parse_args_list(&e.opt, err, sizeof(err), 10, "run", "--src-host", "a", "--dst-host", "b",
			     "--migration-addr", "10.0.0.2", "--methods", "baseline,stock", "case1");
	CHECK(rc == 0, "hosts validate: options taken (%s)", rc ? err : "ok");
	CHECK(rc == 0 && validate(&e) == 0, "hosts validate: a stock run in hosts mode is valid");
	CHECK(strstr(e.qemu_stock, "/build/qemu-stock/qemu-system-x86_64") != NULL,
	      "hosts validate: the stock build's path is set for the hosts (\"%s\")", e.qemu_stock);
}

void suite_hosts(void)
{
	options_checks();
	quoting_checks();
	hostinfo_checks();
	pin_checks();
	local_host_checks();
	validate_checks();
}

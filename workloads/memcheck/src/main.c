// SPDX-License-Identifier: GPL-2.0
/*
 * main.c - command line, process set-up (stdio, signals, optional daemon),
 * then hand over to the checker.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "checker.h"
#include "monotonic_clock.h"
#include "signals.h"
#include "status_file.h"

#define DEFAULT_MEM_MIB 64
#define DEFAULT_CHUNK_KIB 1024
#define DEFAULT_LOW_WATER_PCT 50
#define DEFAULT_RESERVE_MIB 32
#define DEFAULT_STATUS_PATH "/tmp/memcheck.json"
/* Seeds are echoed as JSON numbers; keep them exact in any JSON reader. */
#define MAX_SEED ((1ull << 53) - 1)
#define DAEMON_START_TIMEOUT_MS 10000

static void usage(FILE *out)
{
	fprintf(out,
"usage: pvmig-memcheck run [options]\n"
"\n"
"Hold up to --mem MiB of anonymous memory in chunks, keep writing, rewriting,\n"
"freeing and re-mapping it, and check that no written byte is ever lost.\n"
"Status goes to a JSON file, replaced atomically every 200 ms.\n"
"Signals: SIGUSR1 stop churning and verify every held page (state \"verified\");\n"
"         SIGUSR2 resume churning after a verify; SIGTERM/SIGINT exit 0.\n"
"\n"
"  --mem MiB             ceiling on memory held (default %d)\n"
"  --chunk KiB           allocation unit, multiple of 4 (default %d)\n"
"  --status FILE         status file (default %s)\n"
"  --rate-mib-s N        write at most N MiB/s; 0 = unthrottled (default 0)\n"
"  --seed N              pattern seed, 0..2^53-1 (default: from time and pid)\n"
"  --low-water-pct P     shrink to P%% of --mem before regrowing (default %d)\n"
"  --reserve-mib N       do not grow while MemAvailable < N MiB + one chunk\n"
"                        (default %d; 0 disables)\n"
"  --daemonize           detach; the parent exits once the first status exists\n"
"                        and prints the daemon's pid\n"
"  --test-corrupt KIND   TEST ONLY: before the first verify pass, damage one held\n"
"                        page (byte|zero|stale|foreign) to prove detection\n"
"  --help, --version\n",
		DEFAULT_MEM_MIB, DEFAULT_CHUNK_KIB, DEFAULT_STATUS_PATH,
		DEFAULT_LOW_WATER_PCT, DEFAULT_RESERVE_MIB);
}

static int parse_u64(const char *arg, const char *name, uint64_t max, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(arg, &end, 0);
	if (errno || end == arg || *end || arg[0] == '-' || v > max) {
		fprintf(stderr, "pvmig-memcheck: bad %s '%s' (0..%llu)\n", name, arg,
			(unsigned long long)max);
		return -1;
	}
	*out = v;
	return 0;
}

/*
 * Under the guest agent, fds 0-2 may be closed.  Then the status file could
 * be opened as fd 1 or 2, and a later diagnostic would land inside it.
 */
static void keep_standard_fds_open(void)
{
	int fd;

	while ((fd = open("/dev/null", O_RDWR | O_CLOEXEC)) >= 0 && fd <= 2)
		fcntl(fd, F_SETFD, 0);
	if (fd > 2)
		close(fd);
}

static void notify_parent(void *arg)
{
	int fd = *(int *)arg;
	char ok = 1;

	if (write(fd, &ok, 1) < 0) {
		/* The parent gave up waiting; nothing to tell. */
	}
	close(fd);
}

/*
 * Fork; the child detaches and runs.  The parent waits until the child has
 * written its first status (so the caller can read the pid from it at once),
 * prints the child's pid and exits.  Returns only in the child.
 */
static int daemonize(int *notify_fd)
{
	int pipefd[2];
	struct pollfd pfd;
	char ok = 0;
	pid_t pid;
	int fd;

	if (pipe(pipefd) < 0)
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid > 0) {
		close(pipefd[1]);
		pfd.fd = pipefd[0];
		pfd.events = POLLIN;
		if (poll(&pfd, 1, DAEMON_START_TIMEOUT_MS) == 1 &&
		    read(pipefd[0], &ok, 1) == 1 && ok == 1) {
			printf("%ld\n", (long)pid);
			exit(0);
		}
		fprintf(stderr, "pvmig-memcheck: daemon %ld did not start\n", (long)pid);
		exit(1);
	}
	close(pipefd[0]);
	setsid();
	fd = open("/dev/null", O_RDWR);
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
	*notify_fd = pipefd[1];
	return 0;
}

static uint64_t default_seed(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ((uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20) ^
		((uint64_t)getpid() << 32)) & MAX_SEED;
}

enum long_only_option {
	OPT_RATE = 0x100,
	OPT_LOW_WATER,
	OPT_RESERVE,
	OPT_DAEMONIZE,
	OPT_TEST_CORRUPT,
	OPT_VERSION,
};

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "mem", required_argument, NULL, 'm' },
		{ "chunk", required_argument, NULL, 'c' },
		{ "status", required_argument, NULL, 's' },
		{ "rate-mib-s", required_argument, NULL, OPT_RATE },
		{ "seed", required_argument, NULL, 'S' },
		{ "low-water-pct", required_argument, NULL, OPT_LOW_WATER },
		{ "reserve-mib", required_argument, NULL, OPT_RESERVE },
		{ "daemonize", no_argument, NULL, OPT_DAEMONIZE },
		{ "test-corrupt", required_argument, NULL, OPT_TEST_CORRUPT },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t mem_mib = DEFAULT_MEM_MIB, chunk_kib = DEFAULT_CHUNK_KIB;
	uint64_t rate_mib_s = 0, low_water = DEFAULT_LOW_WATER_PCT;
	uint64_t reserve_mib = DEFAULT_RESERVE_MIB, seed = 0;
	int have_seed = 0, want_daemon = 0, notify_fd = -1, opt, err;
	struct checker_options co;

	memset(&co, 0, sizeof(co));
	co.status_path = DEFAULT_STATUS_PATH;
	keep_standard_fds_open();

	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		usage(stdout);
		return 0;
	}
	if (argc >= 2 && strcmp(argv[1], "--version") == 0) {
		printf("%s %s\n", MEMCHECK_TOOL_NAME, MEMCHECK_VERSION);
		return 0;
	}
	if (argc < 2 || strcmp(argv[1], "run") != 0) {
		usage(stderr);
		return 2;
	}
	optind = 2;
	while ((opt = getopt_long(argc, argv, "m:c:s:S:h", options, NULL)) != -1) {
		switch (opt) {
		case 'm':
			if (parse_u64(optarg, "--mem", 1u << 20, &mem_mib))
				return 2;
			break;
		case 'c':
			if (parse_u64(optarg, "--chunk", 1u << 20, &chunk_kib))
				return 2;
			break;
		case 's':
			co.status_path = optarg;
			break;
		case OPT_RATE:
			if (parse_u64(optarg, "--rate-mib-s", 1u << 20, &rate_mib_s))
				return 2;
			break;
		case 'S':
			if (parse_u64(optarg, "--seed", MAX_SEED, &seed))
				return 2;
			have_seed = 1;
			break;
		case OPT_LOW_WATER:
			if (parse_u64(optarg, "--low-water-pct", 100, &low_water))
				return 2;
			break;
		case OPT_RESERVE:
			if (parse_u64(optarg, "--reserve-mib", 1u << 20, &reserve_mib))
				return 2;
			break;
		case OPT_DAEMONIZE:
			want_daemon = 1;
			break;
		case OPT_TEST_CORRUPT:
			if (test_corruption_parse(optarg, &co.test_corrupt)) {
				fprintf(stderr, "pvmig-memcheck: --test-corrupt takes byte|zero|stale|foreign\n");
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		case OPT_VERSION:
			printf("%s %s\n", MEMCHECK_TOOL_NAME, MEMCHECK_VERSION);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "pvmig-memcheck: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	if (chunk_kib == 0 || chunk_kib % 4) {
		fprintf(stderr, "pvmig-memcheck: --chunk must be a positive multiple of 4 KiB\n");
		return 2;
	}
	if (mem_mib * 1024 < chunk_kib) {
		fprintf(stderr, "pvmig-memcheck: --mem must hold at least one --chunk\n");
		return 2;
	}

	co.mem_bytes = (size_t)mem_mib << 20;
	co.chunk_bytes = (size_t)chunk_kib << 10;
	co.rate_bytes_per_s = rate_mib_s << 20;
	co.seed = have_seed ? seed : default_seed();
	co.low_water_pct = (unsigned)low_water;
	co.reserve_bytes = (size_t)reserve_mib << 20;

	err = signals_install();
	if (err) {
		fprintf(stderr, "pvmig-memcheck: signals: %s\n", strerror(-err));
		return 1;
	}
	if (want_daemon) {
		err = daemonize(&notify_fd);
		if (err) {
			fprintf(stderr, "pvmig-memcheck: daemonize: %s\n", strerror(-err));
			return 1;
		}
		co.on_started = notify_parent;
		co.on_started_arg = &notify_fd;
	}
	return checker_run(&co);
}

#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <poll.h>

volatile sig_atomic_t pvmig_interrupted;

int64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t now_ms(void)
{
	return now_us() / 1000;
}

void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	/* EINTR from our own signal handler ends the sleep early on purpose. */
	nanosleep(&ts, NULL);
}

static void vlog(const char *tag, const char *fmt, va_list ap)
{
	fprintf(stderr, "pvmig: %s", tag);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("", fmt, ap);
	va_end(ap);
}

void log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("WARNING: ", fmt, ap);
	va_end(ap);
}

int64_t parse_size_mib(const char *s)
{
	char *end;
	unsigned long long v;

	if (!s || !*s || *s == '-')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s)
		return -1;
	switch (*end) {
	case 'G': case 'g': v *= 1024; end++; break;
	case 'M': case 'm': case '\0': if (*end) end++; break;
	case 'K': case 'k':
		if (v % 1024)
			return -1;
		v /= 1024; end++; break;
	default:
		return -1;
	}
	if (*end == 'i' || *end == 'B')	/* accept 8GiB, 8GB */
		end += (*end == 'i' && end[1] == 'B') ? 2 : 1;
	if (*end || v > (1ULL << 40))
		return -1;
	return (int64_t)v;
}

static int enter_netns(const char *netns)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "/run/netns/%s", netns);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (setns(fd, CLONE_NEWNET) < 0) {
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

static pid_t spawn_io(const char *netns, char *const argv[], int infd, int outfd, int errfd)
{
	pid_t parent = getpid();
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	/* Child: its own process group, so a terminal ^C reaches only the
	 * harness, which then stops its children in order. */
	setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(127);
	if (netns && enter_netns(netns) < 0)
		_exit(126);
	int devnull = open("/dev/null", O_RDWR);
	dup2(infd >= 0 ? infd : devnull, 0);
	dup2(outfd >= 0 ? outfd : devnull, 1);
	dup2(errfd >= 0 ? errfd : devnull, 2);
	execvp(argv[0], argv);
	_exit(127);
}

bool wait_pid_exit(pid_t pid, int timeout_ms, int *status)
{
	int64_t deadline = now_ms() + timeout_ms;
	int st;

	for (;;) {
		pid_t r = waitpid(pid, &st, WNOHANG);

		if (r == pid || (r < 0 && errno == ECHILD)) {
			if (status)
				*status = r == pid ? st : 0;
			return true;
		}
		if (now_ms() >= deadline)
			return false;
		sleep_ms(10);
	}
}

void stop_pid(pid_t pid, int grace_ms)
{
	if (pid <= 0)
		return;
	kill(pid, SIGTERM);
	if (!wait_pid_exit(pid, grace_ms, NULL)) {
		kill(pid, SIGKILL);
		wait_pid_exit(pid, 5000, NULL);
	}
}

static pid_t spawn(const char *netns, char *const argv[], int outfd)
{
	return spawn_io(netns, argv, -1, outfd, outfd);
}

int run_cmd(const char *netns, char *const argv[], int timeout_ms,
            char *out, size_t outlen)
{
	int pfd[2] = { -1, -1 };
	size_t used = 0;
	int64_t deadline = now_ms() + timeout_ms;
	int status = 0;
	pid_t pid;

	if (out && pipe2(pfd, O_CLOEXEC) < 0)
		return -1;
	pid = spawn(netns, argv, out ? pfd[1] : -1);
	if (out)
		close(pfd[1]);
	if (pid < 0) {
		if (out)
			close(pfd[0]);
		return -1;
	}
	if (out) {
		for (;;) {
			struct pollfd p = { pfd[0], POLLIN, 0 };
			int left = (int)(deadline - now_ms());
			char tmp[4096];
			ssize_t n;

			if (left <= 0 || pvmig_interrupted)
				break;
			if (poll(&p, 1, left > 100 ? 100 : left) <= 0)
				continue;
			n = read(pfd[0], tmp, sizeof(tmp));
			if (n <= 0)
				break;
			if (outlen && used < outlen - 1) {
				size_t k = (size_t)n < outlen - 1 - used ? (size_t)n : outlen - 1 - used;

				memcpy(out + used, tmp, k);
				used += k;
			}
		}
		close(pfd[0]);
		if (outlen)
			out[used] = '\0';
	}
	for (;;) {
		int left = (int)(deadline - now_ms());

		if (wait_pid_exit(pid, left > 50 ? 50 : (left > 0 ? left : 0), &status))
			break;
		if (left <= 0 || pvmig_interrupted) {
			kill(pid, SIGKILL);
			wait_pid_exit(pid, 5000, NULL);
			return -1;
		}
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

pid_t spawn_bg(const char *netns, char *const argv[], const char *logpath)
{
	int fd = -1;
	pid_t pid;

	if (logpath) {
		fd = open(logpath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		if (fd < 0)
			return -1;
	}
	pid = spawn(netns, argv, fd);
	if (fd >= 0)
		close(fd);
	return pid;
}

char *read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int c;

	if (!f)
		return NULL;
	while ((c = fgetc(f)) != EOF) {
		if (len + 2 > cap) {
			char *nb;

			cap = cap ? cap * 2 : 4096;
			nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
		}
		buf[len++] = (char)c;
	}
	fclose(f);
	if (!buf)
		buf = calloc(1, 1);
	else
		buf[len] = '\0';
	return buf;
}

int mkdir_p(const char *path)
{
	char tmp[4096];
	size_t n = strlen(path);

	if (n >= sizeof(tmp))
		return -1;
	memcpy(tmp, path, n + 1);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(tmp, 0755) < 0 && errno != EEXIST)
		return -1;
	return 0;
}

pid_t spawn_bg_piped(char *const argv[], const char *logpath, int *stdin_fd)
{
	int pfd[2], fd = -1;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -1;
	if (logpath)
		fd = open(logpath, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	pid = spawn_io(NULL, argv, pfd[0], fd, fd);
	close(pfd[0]);
	if (fd >= 0)
		close(fd);
	if (pid < 0) {
		close(pfd[1]);
		return -1;
	}
	*stdin_fd = pfd[1];
	return pid;
}

pid_t spawn_out_piped(const char *netns, char *const argv[], int *stdout_fd)
{
	int pfd[2];
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -1;
	pid = spawn_io(netns, argv, -1, pfd[1], -1);
	close(pfd[1]);
	if (pid < 0) {
		close(pfd[0]);
		return -1;
	}
	*stdout_fd = pfd[0];
	return pid;
}

void shell_quote_append(char *buf, size_t len, const char *s)
{
	size_t n = strlen(buf);

	if (n && n + 1 < len)
		buf[n++] = ' ';
	if (n + 1 < len)
		buf[n++] = '\'';
	for (; *s && n + 5 < len; s++) {
		if (*s == '\'') {
			memcpy(buf + n, "'\\''", 4);
			n += 4;
		} else {
			buf[n++] = *s;
		}
	}
	if (n + 1 < len)
		buf[n++] = '\'';
	buf[n < len ? n : len - 1] = '\0';
}

/* Small helpers shared by the harness: time, logging, child processes. */
#ifndef PVMIG_UTIL_H
#define PVMIG_UTIL_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Exit status for bad input (unknown case or method, malformed file, ...). */
#define EXIT_BAD_INPUT 2

/* Set from the SIGINT/SIGTERM handler; every wait polls it. */
extern volatile sig_atomic_t pvmig_interrupted;

int64_t now_ms(void);
int64_t now_us(void);
void sleep_ms(int ms);

void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Parse sizes such as "8G", "512M", "1048576K" into MiB; -1 if malformed. */
int64_t parse_size_mib(const char *s);

/*
 * Run argv (no shell) to completion, optionally inside network namespace
 * netns (NULL: the harness's own), within timeout_ms.  Output goes to
 * out (NUL-terminated, truncated to outlen) when out is non-NULL, else to
 * /dev/null.  Returns the exit status, or -1 on spawn failure, timeout or
 * interruption.
 */
int run_cmd(const char *netns, char *const argv[], int timeout_ms,
            char *out, size_t outlen);

/*
 * Start argv in the background, in its own process group, inside netns if
 * given, with stdout/stderr appended to logpath (NULL: /dev/null).  The
 * child dies with the harness (PR_SET_PDEATHSIG).  Returns the pid or -1.
 */
pid_t spawn_bg(const char *netns, char *const argv[], const char *logpath);

/*
 * As spawn_bg (harness's own namespace), with the child's standard input
 * a pipe whose write end (close-on-exec) goes to *stdin_fd: closing it is
 * how the child learns that the harness is done, and the kernel closes it
 * for us when the harness dies.
 */
pid_t spawn_bg_piped(char *const argv[], const char *logpath, int *stdin_fd);
/* Start argv in the background (in netns, NULL: ours) with its stdout on a
 * pipe whose read end is returned in *stdout_fd; stderr is dropped. */
pid_t spawn_out_piped(const char *netns, char *const argv[], int *stdout_fd);

/* Wait up to timeout_ms for pid to exit; true if it did (and was reaped). */
bool wait_pid_exit(pid_t pid, int timeout_ms, int *status);

/* SIGTERM, then SIGKILL after grace_ms; reaps the child. */
void stop_pid(pid_t pid, int grace_ms);

/*
 * Append s to buf (NUL-terminated, len bytes) as one word of a POSIX
 * shell command line, space-separated from what is there: '...' with each
 * ' written as '\''.  ssh hands the remote shell one string, so every
 * argument of a remote command goes through this.  Truncated to fit.
 */
void shell_quote_append(char *buf, size_t len, const char *s);

/* Read a whole small file into a malloc'd NUL-terminated string. */
char *read_file(const char *path);

/* mkdir -p */
int mkdir_p(const char *path);

#endif

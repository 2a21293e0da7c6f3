// SPDX-License-Identifier: GPL-2.0
/*
 * throughput_log.c - append interval lines to the log file.
 */
#include "throughput_log.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

int throughput_log_open(struct throughput_log *log, const char *path)
{
	/* O_APPEND: every line lands at the end even if someone else
	 * truncates or rotates the file under us. */
	log->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
	log->write_errors = 0;
	return log->fd < 0 ? -errno : 0;
}

int throughput_log_append(struct throughput_log *log, const struct interval_sample *s)
{
	char line[INTERVAL_LINE_MAX];
	int len = interval_line_format(s, line, sizeof(line));
	ssize_t n;

	if (len < 0) {
		log->write_errors++;
		return -EOVERFLOW;
	}
	do
		n = write(log->fd, line, (size_t)len);
	while (n < 0 && errno == EINTR);
	if (n != len) {
		log->write_errors++;
		return n < 0 ? -errno : -EIO;
	}
	return 0;
}

void throughput_log_close(struct throughput_log *log)
{
	if (log->fd >= 0)
		close(log->fd);
	log->fd = -1;
}

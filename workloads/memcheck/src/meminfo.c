// SPDX-License-Identifier: GPL-2.0
/*
 * meminfo.c - read MemAvailable from /proc/meminfo.
 */
#include "meminfo.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int64_t meminfo_available_bytes(void)
{
	/* Plain read(): no stdio buffers to allocate in a tight loop. */
	char buf[4096];
	const char *line;
	ssize_t n;
	int fd;

	fd = open("/proc/meminfo", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	line = strstr(buf, "MemAvailable:");
	if (!line)
		return -1;
	return (int64_t)strtoll(line + strlen("MemAvailable:"), NULL, 10) * 1024;
}

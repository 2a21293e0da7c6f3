// SPDX-License-Identifier: GPL-2.0
/*
 * status_json.c - render the status object and replace the file.
 */
#include "status_json.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "service_options.h"
#include "working_set.h"

struct out {
	char *buf;
	size_t size, len;
	int overflow;
};

static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->overflow)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->len, o->size - o->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= o->size - o->len)
		o->overflow = 1;
	else
		o->len += (size_t)n;
}

/* A JSON string, or null for NULL.  Paths and messages are ours or the
 * user's, so escape what JSON requires rather than trust them. */
static void put_string(struct out *o, const char *s)
{
	if (!s) {
		put(o, "null");
		return;
	}
	put(o, "\"");
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			put(o, "\\%c", c);
		else if (c < 0x20)
			put(o, "\\u%04x", c);
		else
			put(o, "%c", c);
	}
	put(o, "\"");
}

int status_json_render(const struct service_status *s, char *buf, size_t size)
{
	struct out o = { buf, size, 0, size == 0 };

	put(&o, "{\n  \"tool\": \"%s\",\n  \"version\": \"%s\",\n", SERVICE_TOOL_NAME,
	    SERVICE_VERSION);
	put(&o, "  \"state\": ");
	put_string(&o, s->state);
	put(&o, ",\n  \"error\": ");
	put_string(&o, s->error);
	put(&o, ",\n  \"pid\": %ld,\n", s->pid);
	put(&o, "  \"wss_mib\": %" PRIu64 ",\n", s->wss_mib);
	put(&o, "  \"dirty_mib_s\": %.3f,\n", s->dirty_mib_s);
	put(&o, "  \"interval_ms\": %" PRIu64 ",\n", s->interval_ms);
	put(&o, "  \"duration_s\": %" PRIu64 ",\n", s->duration_s);
	put(&o, "  \"seed\": %" PRIu64 ",\n", s->seed);
	put(&o, "  \"page_size\": %u,\n", WORKING_SET_PAGE_SIZE);
	put(&o, "  \"log\": ");
	put_string(&o, s->log_path);
	put(&o, ",\n  \"ops_total\": %" PRIu64 ",\n", s->ops_total);
	put(&o, "  \"uptime_ms\": %" PRIu64 ",\n", s->uptime_ms);
	put(&o, "  \"running_ms\": %" PRIu64 ",\n", s->running_ms);
	put(&o, "  \"t_ms\": %" PRIu64 ",\n", s->t_ms);
	put(&o, "  \"start_t_ms\": %" PRIu64 ",\n", s->start_t_ms);
	put(&o, "  \"achieved_dirty_mib_s\": %.3f,\n", s->achieved_dirty_mib_s);
	put(&o, "  \"log_lines\": %" PRIu64 ",\n", s->log_lines);
	put(&o, "  \"intervals_skipped\": %" PRIu64 ",\n", s->intervals_skipped);
	put(&o, "  \"longest_interval_ms\": %" PRIu64 ",\n", s->longest_interval_ms);
	put(&o, "  \"pacer_stalls\": %" PRIu64 ",\n", s->pacer_stalls);
	put(&o, "  \"log_write_errors\": %" PRIu64 "\n}\n", s->log_write_errors);
	return o.overflow ? -1 : (int)o.len;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

int status_json_write(const char *path, const struct service_status *s)
{
	char buf[4096], tmp[4096];
	int len, fd, rc;

	len = status_json_render(s, buf, sizeof(buf));
	if (len < 0)
		return -ENOSPC;
	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;

	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	rc = write_all(fd, buf, (size_t)len);
	if (close(fd) < 0 && rc == 0)
		rc = -errno;
	if (rc == 0 && rename(tmp, path) < 0)
		rc = -errno;
	if (rc)
		unlink(tmp);
	return rc;
}

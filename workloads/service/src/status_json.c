// SPDX-License-Identifier: GPL-2.0
/*
 * status_json.c - render the status object and replace the file.
 */
#include "status_json.h"

#include <errno.h>
#include <inttypes.h>

#include "atomic_file.h"
#include "json_buf.h"
#include "service_options.h"
#include "working_set.h"

int status_json_render(const struct service_status *s, char *buf, size_t size)
{
	struct json_buf o;

	json_buf_init(&o, buf, size);
	json_buf_put(&o, "{\n  \"tool\": \"%s\",\n  \"version\": \"%s\",\n", SERVICE_TOOL_NAME,
		     SERVICE_VERSION);
	json_buf_put(&o, "  \"state\": ");
	json_buf_string(&o, s->state);
	json_buf_put(&o, ",\n  \"error\": ");
	json_buf_string(&o, s->error);
	json_buf_put(&o, ",\n  \"pid\": %ld,\n", s->pid);
	json_buf_put(&o, "  \"wss_mib\": %" PRIu64 ",\n", s->wss_mib);
	json_buf_put(&o, "  \"dirty_mib_s\": %.3f,\n", s->dirty_mib_s);
	json_buf_put(&o, "  \"interval_ms\": %" PRIu64 ",\n", s->interval_ms);
	json_buf_put(&o, "  \"duration_s\": %" PRIu64 ",\n", s->duration_s);
	json_buf_put(&o, "  \"seed\": %" PRIu64 ",\n", s->seed);
	json_buf_put(&o, "  \"page_size\": %u,\n", WORKING_SET_PAGE_SIZE);
	json_buf_put(&o, "  \"log\": ");
	json_buf_string(&o, s->log_path);
	json_buf_put(&o, ",\n  \"ops_total\": %" PRIu64 ",\n", s->ops_total);
	json_buf_put(&o, "  \"uptime_ms\": %" PRIu64 ",\n", s->uptime_ms);
	json_buf_put(&o, "  \"running_ms\": %" PRIu64 ",\n", s->running_ms);
	json_buf_put(&o, "  \"t_ms\": %" PRIu64 ",\n", s->t_ms);
	json_buf_put(&o, "  \"start_t_ms\": %" PRIu64 ",\n", s->start_t_ms);
	json_buf_put(&o, "  \"achieved_dirty_mib_s\": %.3f,\n", s->achieved_dirty_mib_s);
	json_buf_put(&o, "  \"log_lines\": %" PRIu64 ",\n", s->log_lines);
	json_buf_put(&o, "  \"intervals_skipped\": %" PRIu64 ",\n", s->intervals_skipped);
	json_buf_put(&o, "  \"longest_interval_ms\": %" PRIu64 ",\n", s->longest_interval_ms);
	json_buf_put(&o, "  \"pacer_stalls\": %" PRIu64 ",\n", s->pacer_stalls);
	json_buf_put(&o, "  \"log_write_errors\": %" PRIu64 "\n}\n", s->log_write_errors);
	return json_buf_result(&o);
}

int status_json_write(const char *path, const struct service_status *s)
{
	char buf[4096];
	int len;

	len = status_json_render(s, buf, sizeof(buf));
	if (len < 0)
		return -ENOSPC;
	return atomic_file_write(path, buf, (size_t)len);
}

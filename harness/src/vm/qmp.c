#include "qmp.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "util.h"

static void qmp_init(struct qmp *q, const char *name, int fd)
{
	memset(q, 0, sizeof(*q));
	q->fd = fd;
	snprintf(q->name, sizeof(q->name), "%s", name);
	jsonstream_init(&q->in);
	q->events = json_array();
	q->next_id = 1;
}

void qmp_attach(struct qmp *q, const char *name, int fd)
{
	qmp_init(q, name, fd);
}

void qmp_close(struct qmp *q)
{
	if (q->fd >= 0)
		close(q->fd);
	q->fd = -1;
	jsonstream_free(&q->in);
	json_decref(q->events);
	q->events = NULL;
}

static int seterr(struct qmp *q, int rc, const char *fmt, const char *a)
{
	snprintf(q->error, sizeof(q->error), fmt, a);
	return rc;
}

/* Read once (waiting up to timeout_ms) into the stream buffer. */
static int fill(struct qmp *q, int timeout_ms)
{
	struct pollfd p = { q->fd, POLLIN, 0 };
	char buf[65536];
	ssize_t n;
	int r;

	if (pvmig_interrupted)
		return seterr(q, -2, "%s: interrupted", q->name);
	r = poll(&p, 1, timeout_ms);
	if (r < 0 && errno == EINTR)
		return 0;
	if (r <= 0)
		return r;
	n = read(q->fd, buf, sizeof(buf));
	if (n == 0)
		return seterr(q, -2, "%s: connection closed", q->name);
	if (n < 0)
		return errno == EINTR ? 0 : seterr(q, -2, "%s: read failed", q->name);
	if (jsonstream_feed(&q->in, buf, (size_t)n) < 0)
		return seterr(q, -2, "%s: out of memory", q->name);
	return 1;
}

/* Next message within the deadline; events are returned like any other. */
static json_t *next_msg(struct qmp *q, int64_t deadline)
{
	for (;;) {
		json_t *m = jsonstream_next(&q->in);
		int left;

		if (m)
			return m;
		left = (int)(deadline - now_ms());
		if (left <= 0) {
			seterr(q, -2, "%s: timed out", q->name);
			return NULL;
		}
		if (fill(q, left > 100 ? 100 : left) < 0)
			return NULL;
	}
}

static int send_all(struct qmp *q, const char *s, size_t len)
{
	while (len) {
		ssize_t n = write(q->fd, s, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return seterr(q, -2, "%s: write failed", q->name);
		s += n;
		len -= (size_t)n;
	}
	return 0;
}

int qmp_open(struct qmp *q, const char *name, const char *path, bool greeting,
             int timeout_ms)
{
	int64_t deadline = now_ms() + timeout_ms;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = -1;

	qmp_init(q, name, -1);
	if (strlen(path) >= sizeof(sa.sun_path))
		return seterr(q, -2, "socket path too long: %s", path);
	strcpy(sa.sun_path, path);
	for (;;) {
		fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			return seterr(q, -2, "%s: socket failed", name);
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			break;
		close(fd);
		if (now_ms() >= deadline || pvmig_interrupted)
			return seterr(q, -2, "%s: cannot connect", name);
		sleep_ms(50);
	}
	q->fd = fd;
	if (!greeting)
		return 0;

	json_t *g = next_msg(q, deadline);

	if (!g || !json_object_get(g, "QMP")) {
		json_decref(g);
		return q->error[0] ? -2 : seterr(q, -2, "%s: no QMP greeting", name);
	}
	json_decref(g);
	return qmp_exec(q, "qmp_capabilities", NULL, (int)(deadline - now_ms()) + 1000, NULL);
}

int qmp_exec(struct qmp *q, const char *cmd, json_t *args, int timeout_ms,
             json_t **ret)
{
	int64_t deadline = now_ms() + timeout_ms;
	long id = q->next_id++;
	json_t *req = json_pack("{s:s, s:I}", "execute", cmd, "id", (json_int_t)id);
	char *text;
	int rc;

	if (ret)
		*ret = NULL;
	if (args)
		json_object_set_new(req, "arguments", args);
	text = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	if (!text)
		return seterr(q, -2, "%s: cannot encode request", q->name);
	rc = send_all(q, text, strlen(text));
	if (rc == 0)
		rc = send_all(q, "\n", 1);
	free(text);
	if (rc)
		return rc;

	for (;;) {
		json_t *m = next_msg(q, deadline);
		json_t *mid, *v;

		if (!m)
			return -2;
		if (json_object_get(m, "event")) {
			json_array_append_new(q->events, m);
			continue;
		}
		mid = json_object_get(m, "id");
		if (!json_is_integer(mid) || json_integer_value(mid) != id) {
			json_decref(m);	/* a stale reply to an abandoned request */
			continue;
		}
		if ((v = json_object_get(m, "return"))) {
			if (ret)
				*ret = json_incref(v);
			json_decref(m);
			q->error[0] = '\0';
			return 0;
		}
		v = json_object_get(m, "error");
		snprintf(q->error, sizeof(q->error), "%s: %s: %s: %s", q->name, cmd,
			 json_string_value(json_object_get(v, "class")) ?: "?",
			 json_string_value(json_object_get(v, "desc")) ?: "no description");
		json_decref(m);
		return -1;
	}
}

json_t *qmp_wait_event(struct qmp *q, const char *name, int timeout_ms)
{
	int64_t deadline = now_ms() + timeout_ms;
	size_t i;

	for (;;) {
		json_t *ev;

		for (i = 0; i < json_array_size(q->events); i++) {
			ev = json_array_get(q->events, i);
			if (!strcmp(json_string_value(json_object_get(ev, "event")) ?: "", name)) {
				json_incref(ev);
				json_array_remove(q->events, i);
				return ev;
			}
		}
		ev = next_msg(q, deadline);
		if (!ev)
			return NULL;
		if (json_object_get(ev, "event"))
			json_array_append_new(q->events, ev);
		else
			json_decref(ev);
	}
}

int qmp_pump(struct qmp *q, int timeout_ms)
{
	int r = fill(q, timeout_ms);
	json_t *m;

	while ((m = jsonstream_next(&q->in))) {
		if (json_object_get(m, "event"))
			json_array_append_new(q->events, m);
		else
			json_decref(m);
	}
	return r < 0 ? r : 0;
}

int ga_sync(struct qmp *q, int timeout_ms)
{
	/* A random id ties the reply to this sync even if an earlier
	 * connection left a reply queued in the agent. */
	json_int_t token = (json_int_t)(now_us() & 0x7fffffff);
	int64_t deadline = now_ms() + timeout_ms;
	json_t *ret = NULL;

	while (now_ms() < deadline) {
		int rc = qmp_exec(q, "guest-sync", json_pack("{s:I}", "id", token),
				  (int)(deadline - now_ms()), &ret);

		if (rc == -2)
			return -2;
		if (rc == 0 && json_is_integer(ret) && json_integer_value(ret) == token) {
			json_decref(ret);
			return 0;
		}
		json_decref(ret);
	}
	return seterr(q, -2, "%s: guest-sync timed out", q->name);
}

/* The QMP client against a scripted peer on a socketpair. */
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"
#include "qmp.h"

static void say(int fd, const char *s)
{
	if (write(fd, s, strlen(s)) != (ssize_t)strlen(s))
		printf("# short write in test peer\n");
}

/* Read one request line from the client. */
static json_t *heard(int fd)
{
	char buf[4096];
	ssize_t n = read(fd, buf, sizeof(buf) - 1);

	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	return json_loads(buf, JSON_DISABLE_EOF_CHECK, NULL);
}

void suite_qmp(void)
{
	int sv[2];
	struct qmp q;
	json_t *ret = NULL, *req, *ev;
	int rc;

	signal(SIGPIPE, SIG_IGN);
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	qmp_attach(&q, "test", sv[0]);

	/* A reply preceded by two events, in one write. */
	say(sv[1], "{\"event\": \"RESUME\", \"data\": {}}\n{\"event\": \"MIGRATION\", "
		   "\"data\": {\"status\": \"active\"}}\n{\"return\": {\"status\": \"running\"}, \"id\": 1}\n");
	rc = qmp_exec(&q, "query-status", NULL, 1000, &ret);
	req = heard(sv[1]);
	CHECK(req && !strcmp(json_string_value(json_object_get(req, "execute")), "query-status") &&
	      json_integer_value(json_object_get(req, "id")) == 1,
	      "qmp: request carries the command and an id");
	CHECK(rc == 0 && !strcmp(json_string_value(json_object_get(ret, "status")), "running"),
	      "qmp: reply after events is returned");
	CHECK(json_array_size(q.events) == 2, "qmp: events between replies are queued");
	json_decref(ret);
	json_decref(req);

	ev = qmp_wait_event(&q, "MIGRATION", 100);
	CHECK(ev && !strcmp(json_string_value(json_object_get(json_object_get(ev, "data"), "status")), "active"),
	      "qmp: a queued event is found without reading");
	json_decref(ev);

	/* An error reply. */
	say(sv[1], "{\"error\": {\"class\": \"GenericError\", \"desc\": \"no such thing\"}, \"id\": 2}\n");
	rc = qmp_exec(&q, "bogus", NULL, 1000, &ret);
	json_decref(heard(sv[1]));
	CHECK(rc == -1 && strstr(q.error, "GenericError") && strstr(q.error, "no such thing"),
	      "qmp: error reply gives -1 and its class and description");

	/* A stale reply (id of an abandoned request) is skipped. */
	say(sv[1], "{\"return\": {}, \"id\": 99}\n{\"return\": 42, \"id\": 3}\n");
	rc = qmp_exec(&q, "x", NULL, 1000, &ret);
	json_decref(heard(sv[1]));
	CHECK(rc == 0 && json_integer_value(ret) == 42, "qmp: stale reply with another id is skipped");
	json_decref(ret);

	/* Silence: the wait is bounded. */
	rc = qmp_exec(&q, "x", NULL, 200, &ret);
	json_decref(heard(sv[1]));
	CHECK(rc == -2 && strstr(q.error, "timed out"), "qmp: no reply times out");

	ev = qmp_wait_event(&q, "NEVER", 100);
	CHECK(ev == NULL, "qmp: waiting for an absent event times out");

	/* Peer hangs up. */
	close(sv[1]);
	rc = qmp_exec(&q, "x", NULL, 1000, &ret);
	CHECK(rc == -2 && (strstr(q.error, "closed") || strstr(q.error, "write failed")),
	      "qmp: closed connection is reported");
	qmp_close(&q);
}

#include "integrity.h"

#include <stdio.h>
#include <string.h>

#include "guestagent.h"
#include "util.h"

#define STATUS_FILE "/tmp/memcheck.json"
#define START_TIMEOUT_MS 30000
#define VERIFY_TIMEOUT_MS 120000

int integrity_parse_status(const char *text, char *state, size_t statelen,
                           struct integrity *it)
{
	json_t *j = json_loads(text, 0, NULL);
	json_t *mm;

	if (!j)
		return -1;
	snprintf(state, statelen, "%s", json_string_value(json_object_get(j, "state")) ?: "");
	mm = json_object_get(j, "mismatches");
	if (!json_is_integer(mm)) {
		json_decref(j);
		return -1;
	}
	it->mismatches = json_integer_value(mm);
	it->pages_verified = json_integer_value(json_object_get(j, "pages_verified"));
	it->pages_written = json_integer_value(json_object_get(j, "pages_written"));
	json_decref(j);
	return 0;
}

static int read_status(struct qmp *ga, char *state, size_t statelen, struct integrity *it)
{
	static char buf[16384];

	if (ga_shell(ga, "cat " STATUS_FILE, 10000, buf, sizeof(buf)) != 0)
		return -1;
	return integrity_parse_status(buf, state, statelen, it);
}

int integrity_start(struct qmp *ga, long mib, struct integrity *it)
{
	char cmd[256], state[32];
	int64_t deadline = now_ms() + START_TIMEOUT_MS;

	memset(it, 0, sizeof(*it));
	it->mismatches = -1;
	snprintf(cmd, sizeof(cmd), "rm -f " STATUS_FILE "; exec pvmig-memcheck run --mem %ld "
		 "--status " STATUS_FILE, mib);
	it->pid = ga_shell_bg(ga, cmd, 10000);
	if (it->pid <= 0) {
		snprintf(it->error, sizeof(it->error), "cannot start the memory checker");
		return -1;
	}
	while (now_ms() < deadline && !pvmig_interrupted) {
		struct integrity now = *it;

		if (read_status(ga, state, sizeof(state), &now) == 0 && !strcmp(state, "running") &&
		    now.pages_written > 0)
			return 0;
		sleep_ms(200);
	}
	snprintf(it->error, sizeof(it->error), "memory checker did not report running");
	return -1;
}

int integrity_verify(struct qmp *ga, struct integrity *it)
{
	char cmd[64], state[32];
	int64_t deadline = now_ms() + VERIFY_TIMEOUT_MS;

	snprintf(cmd, sizeof(cmd), "kill -USR1 %ld", it->pid);
	if (ga_shell(ga, cmd, 10000, NULL, 0) != 0) {
		snprintf(it->error, sizeof(it->error), "memory checker is gone (pid %ld)", it->pid);
		return -1;
	}
	while (now_ms() < deadline && !pvmig_interrupted) {
		struct integrity now = *it;

		if (read_status(ga, state, sizeof(state), &now) == 0 && !strcmp(state, "verified")) {
			*it = now;
			return 0;
		}
		sleep_ms(200);
	}
	snprintf(it->error, sizeof(it->error), "memory checker did not finish verifying");
	return -1;
}

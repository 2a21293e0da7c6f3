#include "migsettings.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define QMP_TIMEOUT_MS 10000

/* Next space-separated word of *p into buf; 0 at the end. */
static int next_word(const char **p, char *buf, size_t len)
{
	const char *s = *p, *e;

	while (*s == ' ')
		s++;
	if (!*s)
		return 0;
	e = strchr(s, ' ');
	if (!e)
		e = s + strlen(s);
	snprintf(buf, len, "%.*s", (int)(e - s), s);
	*p = e;
	return 1;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

int migsettings_parse(const struct migsettings *s, json_t **caps, json_t **params,
                      char *err, size_t errlen)
{
	const char *p;
	char w[128];

	*caps = json_array();
	*params = json_object();
	for (p = s->caps ? s->caps : ""; next_word(&p, w, sizeof(w));)
		json_array_append_new(*caps, json_pack("{s:s, s:b}", "capability", w, "state", 1));
	for (p = s->params ? s->params : ""; next_word(&p, w, sizeof(w));) {
		char *eq = strchr(w, '=');
		json_t *v;

		if (!eq || eq == w || !eq[1]) {
			snprintf(err, errlen, "migration parameter '%s' is not KEY=VALUE", w);
			goto bad;
		}
		*eq = '\0';
		if (!strcmp(eq + 1, "@channels"))
			v = json_integer(s->channels);
		else if (all_digits(eq + 1))
			v = json_integer(strtoll(eq + 1, NULL, 10));
		else
			v = json_string(eq + 1);
		json_object_set_new(*params, w, v);
	}
	return 0;
bad:
	json_decref(*caps);
	json_decref(*params);
	*caps = *params = NULL;
	return -1;
}

/* The capabilities in caps as query-migrate-capabilities reports them. */
static json_t *read_caps(struct qmp *q, json_t *caps, char *err, size_t errlen)
{
	json_t *ret = NULL, *out = json_object(), *c;
	size_t i, j;

	if (qmp_exec(q, "query-migrate-capabilities", NULL, QMP_TIMEOUT_MS, &ret)) {
		snprintf(err, errlen, "%s", q->error);
		json_decref(out);
		return NULL;
	}
	json_array_foreach(caps, i, c) {
		const char *name = json_string_value(json_object_get(c, "capability"));
		json_t *row;

		json_array_foreach(ret, j, row)
			if (!strcmp(json_string_value(json_object_get(row, "capability")) ?: "", name))
				json_object_set(out, name, json_object_get(row, "state"));
	}
	json_decref(ret);
	return out;
}

int migsettings_apply(struct qmp *q, const struct migsettings *s, json_t **applied,
                      char *err, size_t errlen)
{
	json_t *caps, *params, *got_caps = NULL, *ret = NULL, *got_params = json_object(), *v;
	const char *key;
	int rc = -1, qrc;

	*applied = NULL;
	if (migsettings_parse(s, &caps, &params, err, errlen)) {
		json_decref(got_params);
		return -1;
	}
	/* qmp_exec: -1 is QEMU's error reply (a refusal), -2 no answer. */
	if (json_array_size(caps) &&
	    (qrc = qmp_exec(q, "migrate-set-capabilities", json_pack("{s:O}", "capabilities", caps),
			    QMP_TIMEOUT_MS, NULL))) {
		snprintf(err, errlen, "%s", q->error);
		rc = qrc == -1 ? 1 : -1;
		goto out;
	}
	if (json_object_size(params) &&
	    (qrc = qmp_exec(q, "migrate-set-parameters", json_incref(params), QMP_TIMEOUT_MS, NULL))) {
		snprintf(err, errlen, "%s", q->error);
		rc = qrc == -1 ? 1 : -1;
		goto out;
	}
	got_caps = read_caps(q, caps, err, errlen);
	if (!got_caps)
		goto out;
	if (qmp_exec(q, "query-migrate-parameters", NULL, QMP_TIMEOUT_MS, &ret)) {
		snprintf(err, errlen, "%s", q->error);
		goto out;
	}
	/* Set-then-read-back: a value QEMU clamped or ignored would make the
	 * run measure something else than its name says. */
	json_object_foreach(params, key, v) {
		json_t *now = json_object_get(ret, key);

		if (!now || !json_equal(now, v)) {
			char *want = json_dumps(v, JSON_ENCODE_ANY), *have = json_dumps(now, JSON_ENCODE_ANY);

			snprintf(err, errlen, "migration parameter %s is %s after setting it to %s", key,
				 have ? have : "absent", want ? want : "?");
			free(want);
			free(have);
			goto out;
		}
		json_object_set(got_params, key, now);
	}
	json_object_foreach(got_caps, key, v) {
		if (!json_is_true(v)) {
			snprintf(err, errlen, "migration capability %s is off after turning it on", key);
			goto out;
		}
	}
	*applied = json_pack("{s:O, s:O}", "capabilities", got_caps, "parameters", got_params);
	rc = 0;
out:
	json_decref(caps);
	json_decref(params);
	json_decref(got_caps);
	json_decref(got_params);
	json_decref(ret);
	return rc;
}

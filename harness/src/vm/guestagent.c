#include "guestagent.h"

#include <string.h>

#include "util.h"

int ga_connect(struct qmp *ga, const char *name, const char *path, int timeout_ms)
{
	int64_t deadline = now_ms() + timeout_ms;
	int rc = qmp_open(ga, name, path, false, timeout_ms);

	if (rc)
		return rc;
	return ga_sync(ga, (int)(deadline - now_ms()));
}

int ga_ping(struct qmp *ga, int timeout_ms)
{
	return qmp_exec(ga, "guest-ping", NULL, timeout_ms, NULL);
}

static int b64val(int c)
{
	if (c >= 'A' && c <= 'Z') return c - 'A';
	if (c >= 'a' && c <= 'z') return c - 'a' + 26;
	if (c >= '0' && c <= '9') return c - '0' + 52;
	if (c == '+') return 62;
	if (c == '/') return 63;
	return -1;
}

long base64_decode(const char *in, unsigned char *out, size_t outlen)
{
	unsigned int acc = 0;
	int bits = 0;
	size_t n = 0;

	for (; *in && *in != '='; in++) {
		int v = b64val((unsigned char)*in);

		if (v < 0) {
			if (*in == '\n' || *in == '\r')
				continue;
			return -1;
		}
		acc = (acc << 6) | (unsigned int)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n >= outlen)
				return -1;
			out[n++] = (unsigned char)(acc >> bits);
		}
	}
	return (long)n;
}

static json_t *shell_args(const char *cmdline, int capture)
{
	return json_pack("{s:s, s:[s,s], s:b}", "path", "/bin/sh",
			 "arg", "-c", cmdline, "capture-output", capture);
}

long ga_shell_bg(struct qmp *ga, const char *cmdline, int timeout_ms)
{
	json_t *ret = NULL;
	long pid = -1;

	if (qmp_exec(ga, "guest-exec", shell_args(cmdline, 0), timeout_ms, &ret) == 0)
		pid = (long)json_integer_value(json_object_get(ret, "pid"));
	json_decref(ret);
	return pid;
}

int ga_shell(struct qmp *ga, const char *cmdline, int timeout_ms,
             char *out, size_t outlen)
{
	int64_t deadline = now_ms() + timeout_ms;
	json_t *ret = NULL;
	long pid;

	if (qmp_exec(ga, "guest-exec", shell_args(cmdline, out != NULL), timeout_ms, &ret))
		return -1;
	pid = (long)json_integer_value(json_object_get(ret, "pid"));
	json_decref(ret);
	for (;;) {
		int left = (int)(deadline - now_ms());

		if (left <= 0 || pvmig_interrupted)
			return -1;
		if (qmp_exec(ga, "guest-exec-status", json_pack("{s:I}", "pid", (json_int_t)pid),
			     left, &ret))
			return -1;
		if (json_is_true(json_object_get(ret, "exited"))) {
			int code = (int)json_integer_value(json_object_get(ret, "exitcode"));
			const char *data = json_string_value(json_object_get(ret, "out-data"));

			if (out && outlen) {
				long n = data ? base64_decode(data, (unsigned char *)out, outlen - 1) : 0;

				out[n > 0 ? n : 0] = '\0';
			}
			if (!json_object_get(ret, "exitcode"))
				code = -1;	/* killed by a signal */
			json_decref(ret);
			return code;
		}
		json_decref(ret);
		sleep_ms(left > 50 ? 50 : left);
	}
}

// SPDX-License-Identifier: GPL-2.0
/*
 * json_buf.c - bounded JSON text.
 */
#include "json_buf.h"

#include <stdarg.h>
#include <stdio.h>

void json_buf_init(struct json_buf *j, char *buf, size_t size)
{
	j->buf = buf;
	j->size = size;
	j->len = 0;
	j->overflow = size == 0;
}

void json_buf_put(struct json_buf *j, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (j->overflow)
		return;
	va_start(ap, fmt);
	n = vsnprintf(j->buf + j->len, j->size - j->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= j->size - j->len)
		j->overflow = 1;
	else
		j->len += (size_t)n;
}

/* Paths and messages are ours, the user's or an errno text: escape what
 * JSON requires rather than trust them. */
void json_buf_string(struct json_buf *j, const char *s)
{
	if (!s) {
		json_buf_put(j, "null");
		return;
	}
	json_buf_put(j, "\"");
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			json_buf_put(j, "\\%c", ch);
		else if (ch < 0x20)
			json_buf_put(j, "\\u%04x", ch);
		else
			json_buf_put(j, "%c", ch);
	}
	json_buf_put(j, "\"");
}

int json_buf_result(const struct json_buf *j)
{
	return j->overflow ? -1 : (int)j->len;
}

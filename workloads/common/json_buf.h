/* SPDX-License-Identifier: GPL-2.0 */
/*
 * json_buf.h - JSON text built into a caller's fixed buffer.  The guest
 * programs render their status objects this way, with no allocation: once
 * something does not fit, the rest is dropped and the result says so.
 */
#ifndef PVMIG_COMMON_JSON_BUF_H
#define PVMIG_COMMON_JSON_BUF_H

#include <stddef.h>

struct json_buf {
	char *buf;
	size_t size;
	size_t len;
	int overflow;
};

void json_buf_init(struct json_buf *j, char *buf, size_t size);

/* Append printf-style text (already JSON: keys, numbers, punctuation). */
void json_buf_put(struct json_buf *j, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Append @s as a JSON string, escaped, or null for NULL. */
void json_buf_string(struct json_buf *j, const char *s);

/* The text's length, or -1 if it did not fit. */
int json_buf_result(const struct json_buf *j);

#endif

#include "jsonstream.h"

#include <stdbool.h>

#include <stdlib.h>
#include <string.h>

void jsonstream_init(struct jsonstream *js)
{
	memset(js, 0, sizeof(*js));
}

void jsonstream_free(struct jsonstream *js)
{
	free(js->buf);
	memset(js, 0, sizeof(*js));
}

int jsonstream_feed(struct jsonstream *js, const char *data, size_t len)
{
	if (js->len + len + 1 > js->cap) {
		size_t cap = js->cap ? js->cap : 4096;
		char *nb;

		while (cap < js->len + len + 1)
			cap *= 2;
		nb = realloc(js->buf, cap);
		if (!nb)
			return -1;
		js->buf = nb;
		js->cap = cap;
	}
	memcpy(js->buf + js->len, data, len);
	js->len += len;
	return 0;
}

static void consume(struct jsonstream *js, size_t n)
{
	memmove(js->buf, js->buf + n, js->len - n);
	js->len -= n;
}

/* Whitespace and the guest agent's 0xFF delimiter separate values. */
static size_t skip_separators(const struct jsonstream *js)
{
	size_t i = 0;

	while (i < js->len) {
		unsigned char c = (unsigned char)js->buf[i];

		if (c != ' ' && c != '\t' && c != '\r' && c != '\n' && c != 0xff)
			break;
		i++;
	}
	return i;
}

/*
 * Overwrite, in place, every integer literal in buf[0..len) that does not
 * fit in a json_int_t with "null" and spaces (same length, so positions
 * stay valid).  QEMU 10.0 reports a balloon statistic the guest did not
 * send as UINT64_MAX; jansson cannot hold it and would reject the whole
 * reply.  Strings are skipped.  Returns how many literals were replaced.
 */
static int null_big_integers(char *buf, size_t len)
{
	bool in_string = false;
	int replaced = 0;

	for (size_t i = 0; i < len; i++) {
		size_t j, digits;
		bool neg;

		if (in_string) {
			if (buf[i] == '\\')
				i++;
			else if (buf[i] == '"')
				in_string = false;
			continue;
		}
		if (buf[i] == '"') {
			in_string = true;
			continue;
		}
		if (!(buf[i] == '-' || (buf[i] >= '0' && buf[i] <= '9')))
			continue;
		neg = buf[i] == '-';
		for (j = i + neg; j < len && buf[j] >= '0' && buf[j] <= '9'; j++)
			;
		digits = j - i - neg;
		/* A fraction or exponent makes it a real, which jansson takes. */
		if (j < len && (buf[j] == '.' || buf[j] == 'e' || buf[j] == 'E')) {
			i = j;
			continue;
		}
		/* INT64_MAX has 19 digits: only 19-digit literals need a look. */
		if (digits > 19 || (digits == 19 &&
		    strncmp(buf + i + neg, neg ? "9223372036854775808" : "9223372036854775807", 19) > 0)) {
			memcpy(buf + i, "null", 4);
			memset(buf + i + 4, ' ', j - i - 4);
			replaced++;
		}
		i = j - 1;
	}
	return replaced;
}

json_t *jsonstream_next(struct jsonstream *js)
{
	for (;;) {
		json_error_t err;
		json_t *v;
		char *nl;

		consume(js, skip_separators(js));
		if (js->len == 0)
			return NULL;
		v = json_loadb(js->buf, js->len, JSON_DISABLE_EOF_CHECK, &err);
		if (v) {
			/* With EOF checking off, position is what the value used. */
			consume(js, (size_t)err.position);
			return v;
		}
		if (json_error_code(&err) == json_error_premature_end_of_input)
			return NULL;
		/* Only up to where jansson stopped, just after the literal it
		 * could not hold: past it a literal may be cut short by the end
		 * of what has arrived so far. */
		if (json_error_code(&err) == json_error_numeric_overflow &&
		    null_big_integers(js->buf, (size_t)err.position < js->len ? (size_t)err.position : js->len) > 0)
			continue;
		/* Unparsable: resynchronise at the next line, as QMP puts one
		 * value per line. If no newline yet, wait for more input. */
		nl = memchr(js->buf, '\n', js->len);
		if (!nl)
			return NULL;
		consume(js, (size_t)(nl - js->buf) + 1);
		js->malformed++;
	}
}

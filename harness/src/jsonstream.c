#include "jsonstream.h"

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
		/* Unparsable: resynchronise at the next line, as QMP puts one
		 * value per line. If no newline yet, wait for more input. */
		nl = memchr(js->buf, '\n', js->len);
		if (!nl)
			return NULL;
		consume(js, (size_t)(nl - js->buf) + 1);
		js->malformed++;
	}
}

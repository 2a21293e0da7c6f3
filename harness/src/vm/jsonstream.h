/*
 * Framing of a stream of JSON values, as QMP and the guest agent send
 * them: values may arrive split across reads or several in one read, and
 * the guest agent may put 0xFF sync bytes between them.
 */
#ifndef PVMIG_JSONSTREAM_H
#define PVMIG_JSONSTREAM_H

#include <jansson.h>
#include <stddef.h>

struct jsonstream {
	char *buf;
	size_t len;
	size_t cap;
	unsigned long malformed;	/* values dropped as unparsable */
};

void jsonstream_init(struct jsonstream *js);
void jsonstream_free(struct jsonstream *js);
int jsonstream_feed(struct jsonstream *js, const char *data, size_t len);

/*
 * Next complete value, or NULL if more input is needed.  A malformed value
 * is skipped up to the next newline and counted, never returned.
 */
json_t *jsonstream_next(struct jsonstream *js);

#endif

#include <string.h>

#include "check.h"
#include "jsonstream.h"

static int feed(struct jsonstream *js, const char *s)
{
	return jsonstream_feed(js, s, strlen(s));
}

void suite_jsonstream(void)
{
	struct jsonstream js;
	json_t *v, *w;

	jsonstream_init(&js);
	feed(&js, "{\"return\": {\"a\": ");
	CHECK(jsonstream_next(&js) == NULL, "jsonstream: half a message yields nothing");
	feed(&js, "1}}\n");
	v = jsonstream_next(&js);
	CHECK(v && json_integer_value(json_object_get(json_object_get(v, "return"), "a")) == 1,
	      "jsonstream: split message is joined");
	json_decref(v);
	CHECK(jsonstream_next(&js) == NULL, "jsonstream: nothing left after it");

	feed(&js, "{\"event\": \"STOP\"}\r\n{\"return\": {}}\n{\"x\":");
	v = jsonstream_next(&js);
	w = jsonstream_next(&js);
	CHECK(v && json_object_get(v, "event") && w && json_object_get(w, "return"),
	      "jsonstream: two merged messages come out in order");
	CHECK(jsonstream_next(&js) == NULL, "jsonstream: trailing partial message waits");
	json_decref(v);
	json_decref(w);
	feed(&js, " true}\n");
	v = jsonstream_next(&js);
	CHECK(json_is_true(json_object_get(v, "x")), "jsonstream: partial literal completes");
	json_decref(v);

	feed(&js, "\xff\xff{\"return\": 5}\n");
	v = jsonstream_next(&js);
	CHECK(v && json_integer_value(json_object_get(v, "return")) == 5,
	      "jsonstream: guest agent 0xFF sync bytes are skipped");
	json_decref(v);

	feed(&js, "{not json at all}\n{\"return\": 7}\n");
	v = jsonstream_next(&js);
	CHECK(v && json_integer_value(json_object_get(v, "return")) == 7 && js.malformed == 1,
	      "jsonstream: a malformed line is dropped and counted, the next parses");
	json_decref(v);

	feed(&js, "{\"return\": tru");
	CHECK(jsonstream_next(&js) == NULL, "jsonstream: truncated literal waits for more");
	feed(&js, "e}\n");
	v = jsonstream_next(&js);
	CHECK(json_is_true(json_object_get(v, "return")), "jsonstream: ... and then parses");
	json_decref(v);
	jsonstream_free(&js);
}

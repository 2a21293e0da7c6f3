#include <stdint.h>
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

	/* QEMU 10.0 reports a balloon statistic the guest did not send as
	 * UINT64_MAX: read as null, the rest of the reply intact. */
	{
		const char *big = "{\"return\": {\"stats\": {\"stat-oom-kills\": 18446744073709551615,"
				  " \"name\": \"12345678901234567890123\", \"stat-free\": 883535872,"
				  " \"neg\": -9223372036854775809, \"min\": -9223372036854775808,"
				  " \"real\": 18446744073709551615.0}, \"last-update\": 1795769693}}\n";
		json_t *st;

		jsonstream_init(&js);
		jsonstream_feed(&js, big, strlen(big));
		v = jsonstream_next(&js);
		st = json_object_get(json_object_get(v, "return"), "stats");
		CHECK(v && json_is_null(json_object_get(st, "stat-oom-kills")) &&
		      json_integer_value(json_object_get(st, "stat-free")) == 883535872 &&
		      json_integer_value(json_object_get(json_object_get(v, "return"), "last-update")) == 1795769693,
		      "jsonstream: an integer beyond int64 is read as null, the reply kept");
		CHECK(v && !strcmp(json_string_value(json_object_get(st, "name")) ?: "", "12345678901234567890123") &&
		      json_is_null(json_object_get(st, "neg")) &&
		      json_integer_value(json_object_get(st, "min")) == INT64_MIN &&
		      json_is_real(json_object_get(st, "real")),
		      "jsonstream: strings, INT64_MIN and reals are left alone");
		CHECK(js.malformed == 0, "jsonstream: nothing dropped as malformed");
		json_decref(v);
		jsonstream_free(&js);
	}
}

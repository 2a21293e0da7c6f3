/* A method's migration settings as data (migsettings.c, methods.c): the
 * strings turn into the QMP arguments QEMU takes, every method's parse,
 * and the names of the table are what messages list. */
#include <string.h>

#include "check.h"
#include "methods.h"
#include "migsettings.h"

void suite_migsettings(void)
{
	struct migsettings s = { .caps = "multifd postcopy-ram",
				 .params = "multifd-channels=@channels multifd-compression=zstd "
					   "multifd-zstd-level=3",
				 .channels = 4 };
	json_t *caps, *params;
	char err[256] = "";
	int rc, bad = 0;

	rc = migsettings_parse(&s, &caps, &params, err, sizeof(err));
	CHECK(rc == 0 && json_array_size(caps) == 2 &&
	      !strcmp(json_string_value(json_object_get(json_array_get(caps, 1), "capability")),
		      "postcopy-ram") &&
	      json_is_true(json_object_get(json_array_get(caps, 0), "state")),
	      "migsettings: capabilities become [{capability, state: true}]");
	CHECK(rc == 0 && json_integer_value(json_object_get(params, "multifd-channels")) == 4 &&
	      json_integer_value(json_object_get(params, "multifd-zstd-level")) == 3 &&
	      !strcmp(json_string_value(json_object_get(params, "multifd-compression")) ?: "", "zstd"),
	      "migsettings: @channels and digits are numbers, other values strings");
	json_decref(caps);
	json_decref(params);

	s.caps = NULL;
	s.params = "multifd-channels";
	CHECK(migsettings_parse(&s, &caps, &params, err, sizeof(err)) == -1 &&
	      strstr(err, "KEY=VALUE"), "migsettings: a parameter without a value is refused (%s)", err);
	s.params = "";
	CHECK(migsettings_parse(&s, &caps, &params, err, sizeof(err)) == 0 &&
	      !json_array_size(caps) && !json_object_size(params), "migsettings: none is empty");
	json_decref(caps);
	json_decref(params);

	for (int i = 0; method_at(i); i++) {
		const struct method *m = method_at(i);
		struct migsettings ms = { .caps = m->caps, .params = m->params, .channels = 2 };

		if (migsettings_parse(&ms, &caps, &params, err, sizeof(err)))
			bad++;
		else {
			json_decref(caps);
			json_decref(params);
		}
		if (!strstr(method_names(), m->name) || method_find(m->name) != m)
			bad++;
	}
	CHECK(bad == 0, "methods: every method's settings parse, and its name is listed and found");
	bad = 0;
	for (int i = 0; method_at(i); i++) {
		const struct method *m = method_at(i);

		/* The plots colour by family: a method without one would be
		 * drawn as an archived name. */
		if (m->family < 1 || m->family > FAMILY_COUNT ||
		    !strcmp(method_family_name(m->family), "other"))
			bad++;
		/* A method that runs the bitmap is in the bitmap's family. */
		if (m->balloon_props && strstr(m->balloon_props, "free-page-bitmap=on") &&
		    m->family != FAMILY_PV_BITMAP)
			bad++;
	}
	CHECK(bad == 0, "methods: every method has a family, and every bitmap method is in the bitmap's");
	CHECK(method_find("multifd") && method_find("postcopy") &&
	      method_find("postcopy")->switchover == SWITCHOVER_POSTCOPY &&
	      method_find("baseline")->switchover == SWITCHOVER_PRECOPY,
	      "methods: postcopy methods switch over, baseline does not");
	CHECK(method_hints_free_pages(method_find("pv-bitmap+postcopy")) &&
	      method_hints_free_pages(method_find("fph")) &&
	      method_hints_free_pages(method_find("pv-bitmap+fpr")) &&
	      !method_hints_free_pages(method_find("balloon")) &&
	      !method_hints_free_pages(method_find("multifd")) &&
	      !method_hints_free_pages(method_find("baseline")),
	      "methods: hinting is read from the balloon's properties (inflation is not hinting)");
	CHECK(method_waits_for_hints(method_find("pv-bitmap")) &&
	      method_waits_for_hints(method_find("pv-bitmap+postcopy")) &&
	      method_hints_free_pages(method_find("pv-bitmap-async")) &&
	      !method_waits_for_hints(method_find("pv-bitmap-async")) &&
	      !method_waits_for_hints(method_find("fph")),
	      "methods: only the bitmap's default mode waits for the answer");
}

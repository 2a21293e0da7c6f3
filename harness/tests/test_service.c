/* Reducing case3's service log to before/during/after throughput. */
#include <string.h>

#include "check.h"
#include "record.h"
#include "service.h"

void suite_service(void)
{
	/* 100 ms lines at 1000 ops/s, a 2 s window at 10000 ms with a 500 ms
	 * gap (the guest paused), slow during, back to full after. */
	static char log[8192];
	struct service_window w = { 10000, 12000 };
	struct service_figures f;
	size_t n = 0;

	for (int t = 100; t <= 10000; t += 100)
		n += (size_t)snprintf(log + n, sizeof(log) - n, "%d 100 1000.0\n", t);
	for (int t = 10100; t <= 11500; t += 100)
		n += (size_t)snprintf(log + n, sizeof(log) - n, "%d 50 500.0\n", t);
	n += (size_t)snprintf(log + n, sizeof(log) - n, "12000 0 0.0\n");
	for (int t = 12100; t <= 12300; t += 100)
		n += (size_t)snprintf(log + n, sizeof(log) - n, "%d 80 800.0\n", t);
	for (int t = 12400; t <= 15000; t += 100)
		n += (size_t)snprintf(log + n, sizeof(log) - n, "%d 100 1000.0\n", t);
	n += (size_t)snprintf(log + n, sizeof(log) - n, "garbage line\n");

	CHECK(service_reduce(log, &w, &f) == 0, "service: a log reduces");
	CHECK(f.before > 999 && f.before < 1001, "service: before is the warm-up rate (%.1f)", f.before);
	/* during: 15 lines of 50 ops over 1500 ms + 0 ops over 500 ms = 750 ops / 2 s */
	CHECK(f.during > 374 && f.during < 376, "service: during counts the gap as time without ops (%.1f)",
	      f.during);
	CHECK(f.after > 970 && f.after < 1000, "service: after the window (%.1f)", f.after);
	CHECK(f.dip == 0, "service: the dip is the paused interval (%.1f)", f.dip);
	CHECK(f.recovery_ms == 400, "service: recovery to 90%% of before takes 400 ms (%lld)",
	      (long long)f.recovery_ms);
	CHECK(json_array_size(f.series) == n / 12 || json_array_size(f.series) > 100,
	      "service: the series keeps every line (%zu)", json_array_size(f.series));
	CHECK(json_integer_value(json_object_get(json_array_get(f.series, 0), "t_ms")) == -9900,
	      "service: series time is relative to the migration start");
	json_decref(f.series);
	CHECK(service_reduce("nothing useful\n", &w, &f) == -1, "service: a log without lines is refused");
	json_decref(f.series);
}

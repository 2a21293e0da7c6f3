/* The destination's postcopy page requests, paired from its trace. */
#include <math.h>
#include <string.h>

#include "check.h"
#include "pcrequests.h"

void suite_pcrequests(void)
{
	/* Two requests placed after 800 and 3000 us, a third never placed, a
	 * page placed that nobody asked for (the background stream), and
	 * lines of other kinds in between. */
	static const char log[] =
		"qemu-system-x86_64: warning: something else\n"
		"4242@1700000000.000100:postcopy_page_req_add new page req 0x7f0000001000 total 1\n"
		"4242@1700000000.000200:postcopy_page_req_add new page req 0x7f0000200000 total 2\n"
		"4243@1700000000.000900:postcopy_page_req_del resolved page req 0x7f0000001000 total 1\n"
		"4242@1700000000.001000:postcopy_page_req_add new page req 0x7f0000400000 total 2\n"
		"4243@1700000000.003200:postcopy_page_req_del resolved page req 0x7f0000200000 total 1\n"
		"4243@1700000000.003300:postcopy_page_req_del resolved page req 0x7f0000999000 total 1\n"
		"4243@1700000000.003400:postcopy_place_page host=0x7f0000600000\n";
	struct pc_requests pr;

	CHECK(pc_requests_parse(log, &pr) == 0 && pr.requested == 3 && pr.resolved == 2,
	      "postcopy requests: three asked for, two placed (%ld, %ld)", pr.requested,
	      pr.resolved);
	CHECK(pr.median_us == 1900 && pr.max_us == 3000,
	      "postcopy requests: latency is placement minus request, per page (median %.0f, "
	      "max %.0f us)", pr.median_us, pr.max_us);
	CHECK(pc_requests_parse("", &pr) == 0 && pr.requested == 0 && pr.median_us < 0,
	      "postcopy requests: an empty trace has none, and no latency");
	CHECK(pc_requests_parse(NULL, &pr) == -1, "postcopy requests: no trace is an error");
	{
		int n = 0, has_ts = 0;

		for (int i = 0; pc_requests_qemu_args[i]; i++, n++)
			has_ts |= !strcmp(pc_requests_qemu_args[i], "timestamp=on");
		CHECK(n % 2 == 0 && has_ts, "postcopy requests: QEMU gets the events with timestamps");
	}
}

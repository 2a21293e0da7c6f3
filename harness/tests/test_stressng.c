/* Reading the memory a stress-ng job touched from its --metrics table. */
#include "check.h"
#include "stressng.h"

void suite_stressng(void)
{
	/* As the guest's stress-ng 0.15 prints it, with the agent's echo after. */
	static const char full[] =
		"stress-ng: info:  [115] setting to a 20 second run per stressor\n"
		"stress-ng: info:  [115] dispatching hogs: 1 vm\n"
		"stress-ng: metrc: [115] stressor       bogo ops real time  usr time  sys time"
		"   bogo ops/s     bogo ops/s CPU used per       RSS Max\n"
		"stress-ng: metrc: [115]                           (secs)    (secs)    (secs)"
		"   (real time) (usr+sys time) instance (%)          (KB)\n"
		"stress-ng: metrc: [115] vm                 6573     20.09      7.64     11.60"
		"       327.16         341.61        96.12        838912\n"
		"stress-ng: info:  [115] successful run completed in 20.10s\n"
		"MemFree-after: MemFree: 891668 kB\n";
	/* --metrics-brief has no RSS column: its last field is a rate. */
	static const char brief[] =
		"stress-ng: metrc: [123] stressor       bogo ops real time  usr time  sys time"
		"   bogo ops/s     bogo ops/s\n"
		"stress-ng: metrc: [123] vm                13531     20.18      8.61     10.74"
		"       670.61         699.25\n";
	static const char cut[] =
		"stress-ng: metrc: [9] stressor       bogo ops real time  usr time  sys time"
		"   bogo ops/s     bogo ops/s CPU used per       RSS Max\n"
		"stress-ng: metrc: [9] vm                 6573     20.09      7.64     11.60"
		"       327.16         341.61        96.12        8389";

	CHECK(stressng_rss_max_kb(full, "vm") == 838912,
	      "stressng: RSS Max of the vm row (%lld KB)", (long long)stressng_rss_max_kb(full, "vm"));
	CHECK(stressng_rss_max_kb(full, "v") == -1, "stressng: a stressor name is matched whole");
	CHECK(stressng_rss_max_kb(full, "cpu") == -1, "stressng: no row for another stressor");
	CHECK(stressng_rss_max_kb(brief, "vm") == -1,
	      "stressng: a table without the RSS column gives no figure");
	CHECK(stressng_rss_max_kb(cut, "vm") == 8389, "stressng: the last line needs no newline");
	CHECK(stressng_rss_max_kb("", "vm") == -1, "stressng: empty output gives no figure");
	CHECK(stressng_rss_max_kb("stress-ng: error: [1] no memory\n", "vm") == -1,
	      "stressng: an error message gives no figure");
}

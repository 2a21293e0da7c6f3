/* The balloon sizing arithmetic of the `balloon` method. */
#include "balloon.h"
#include "check.h"

#define MiB (1LL << 20)

void suite_balloon(void)
{
	int64_t mem = 8192 * MiB;

	CHECK(balloon_margin_bytes(mem) == mem / 20, "balloon: margin is 5%% of guest RAM");
	CHECK(balloon_margin_bytes(512 * MiB) == 64 * MiB, "balloon: margin is at least 64 MiB");
	CHECK(balloon_target_bytes(mem, 7800 * MiB, 409 * MiB) == mem - (7800 - 409) * MiB,
	      "balloon: target takes away available less the margin");
	CHECK(balloon_target_bytes(mem, 300 * MiB, 409 * MiB) == mem,
	      "balloon: nothing to spare means no inflation");
	CHECK(balloon_target_bytes(mem, mem, 409 * MiB) >= 409 * MiB,
	      "balloon: never below the margin even if all is 'available'");
	CHECK(balloon_target_bytes(mem, 7800 * MiB + 123, 409 * MiB) % 4096 == 0,
	      "balloon: target is whole 4 KiB pages");
}

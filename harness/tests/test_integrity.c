/* Parsing the guest memory checker's status file. */
#include <string.h>

#include "check.h"
#include "integrity.h"

void suite_integrity(void)
{
	struct integrity it = { 0 };
	char state[32];

	CHECK(integrity_parse_status("{\"state\":\"verified\",\"mismatches\":0,\"pages_verified\":65536,"
				     "\"pages_written\":900000}", state, sizeof(state), &it) == 0 &&
	      !strcmp(state, "verified") && it.mismatches == 0 && it.pages_verified == 65536,
	      "integrity: a clean verified status");
	CHECK(integrity_parse_status("{\"state\":\"verified\",\"mismatches\":23}", state, sizeof(state),
				     &it) == 0 && it.mismatches == 23,
	      "integrity: mismatches are read");
	CHECK(integrity_parse_status("{\"state\":\"running\"}", state, sizeof(state), &it) == -1,
	      "integrity: a status without a mismatch count is refused");
	CHECK(integrity_parse_status("{\"state\":", state, sizeof(state), &it) == -1,
	      "integrity: a torn status file is refused");
}

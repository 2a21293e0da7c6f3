#include "check.h"
#include "record.h"
#include "stats.h"

void suite_stats(void)
{
	double odd[] = { 5, 1, 3 };
	double even[] = { 4, 1, 3, 2 };
	double gaps[] = { NA, 7, NA };
	double none[] = { NA };
	struct summary s;

	s = summarize(odd, 3);
	CHECK(s.n == 3 && s.median == 3 && s.min == 1 && s.max == 5, "stats: odd count median/min/max");
	s = summarize(even, 4);
	CHECK(s.n == 4 && s.median == 2.5, "stats: even count median is the mean of the middle two");
	s = summarize(gaps, 3);
	CHECK(s.n == 1 && s.median == 7, "stats: missing values are skipped");
	s = summarize(none, 1);
	CHECK(s.n == 0, "stats: all missing gives no summary");
}

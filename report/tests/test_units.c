/* Unit tests of the generator's parts that need no fixture: CSV splitting,
 * statistics, number formatting, the wire-time arithmetic, QEMU version
 * labels.  Prints PASS/FAIL lines like the rest of the project's tests. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "basecompare.h"
#include "csv.h"
#include "format.h"
#include "metrics.h"
#include "seed.h"
#include "stats.h"

static int failures;

static void check(int ok, const char *what)
{
	printf("%s: %s\n", ok ? "PASS" : "FAIL", what);
	failures += !ok;
}

static int split_is(const char *line, size_t n, const char *const *want)
{
	char **cells;
	size_t got;
	struct error e;
	int ok;

	if (csv_split_line(line, &cells, &got, &e) < 0)
		return 0;
	ok = got == n;
	for (size_t i = 0; ok && i < n; i++)
		ok = !strcmp(cells[i], want[i]);
	for (size_t i = 0; i < got; i++)
		free(cells[i]);
	free(cells);
	return ok;
}

static int split_fails(const char *line, const char *msg_part)
{
	char **cells;
	size_t n;
	struct error e;

	return csv_split_line(line, &cells, &n, &e) < 0 && strstr(e.msg, msg_part);
}

static int str_is(char *s, const char *want)
{
	int ok = !strcmp(s, want);

	if (!ok)
		printf("  got '%s', want '%s'\n", s, want);
	free(s);
	return ok;
}

static void test_csv(void)
{
	static const char *const plain[] = { "a", "", "c" };
	static const char *const quoted[] = { "x", "say \"hi\", twice", "" };
	static const char *const trailing[] = { "a", "" };
	char path[] = "/tmp/report-unit-XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");
	struct csv_table t;
	struct error e;
	int rc;

	check(split_is("a,,c", 3, plain), "csv: empty cell between commas");
	check(split_is("x,\"say \"\"hi\"\", twice\",\"\"", 3, quoted),
	      "csv: quoted field with doubled quotes and a comma; empty quoted field");
	check(split_is("a,", 2, trailing), "csv: trailing comma is an empty last field");
	check(split_fails("a,\"open", "unterminated"), "csv: unterminated quote rejected");
	check(split_fails("a,\"x\"y", "after the closing quote"), "csv: text after closing quote rejected");
	check(split_fails("a,b\"c", "stray quote"), "csv: stray quote in unquoted field rejected");

	fputs("method,repeat,status\r\nbaseline,1,completed\r\n\r\nbaseline,2\n", f);
	fclose(f);
	rc = csv_read_file(path, &t, &e);
	check(rc < 0 && strstr(e.msg, ":4: 2 fields, but the header has 3"),
	      "csv: short row rejected with file:line (CRLF and blank lines tolerated)");
	f = fopen(path, "w");
	fputs("status,method,status\n", f);
	fclose(f);
	check(csv_read_file(path, &t, &e) < 0 && strstr(e.msg, "appears twice"),
	      "csv: duplicate header column rejected");
	f = fopen(path, "w");
	fputs("repeat,method\n1,pv\n", f);
	fclose(f);
	rc = csv_read_file(path, &t, &e);
	check(rc == 0 && t.nrows == 1 && !strcmp(csv_cell(&t.rows[0], csv_column(&t, "method")), "pv") &&
	      csv_column(&t, "src_cpu") == -1 && !strcmp(csv_cell(&t.rows[0], -1), ""),
	      "csv: columns found by name; a missing column reads as empty");
	if (rc == 0)
		csv_free(&t);
	unlink(path);
}

static void test_stats(void)
{
	const double odd[] = { 5, 1, NAN, 3 }, even[] = { 4, 1, 3, 2 }, none[] = { NAN };
	struct summary s = summarize(odd, 4);
	struct summary a = { 2, 1, 1, 2 }, b = { 2, 3, 3, 4 }, c = { 2, 2, 2, 3 };

	check(s.n == 3 && s.median == 3 && s.min == 1 && s.max == 5,
	      "stats: odd count median, NaN (not measured) skipped");
	s = summarize(even, 4);
	check(s.n == 4 && s.median == 2.5, "stats: even count median is the mean of the middle two");
	s = summarize(none, 1);
	check(s.n == 0 && isnan(s.median), "stats: nothing measured gives n=0 and NaN");
	check(fabs(percent_change(420, 1900) - -77.894736842) < 1e-6, "stats: percent change");
	check(isnan(percent_change(1, 0)) && isnan(percent_change(NAN, 1)),
	      "stats: percent change against 0 or missing is NaN");
	check(clearly_below(&a, &b) && !clearly_below(&a, &c) && !clearly_below(&b, &a),
	      "stats: clearly_below needs disjoint min-max ranges");
}

static void test_format_and_seed(void)
{
	const struct seed_case *s1 = seed_for("case1");

	check(str_is(fmt_num(1900), "1900") && str_is(fmt_num(27.5), "27.5") &&
	      str_is(fmt_num(3.14159), "3.14") && str_is(fmt_num(1234.5), "1234") &&
	      str_is(fmt_num(NAN), "n/a"), "format: numbers");
	check(str_is(fmt_pct(-77.8947), "-77.9%") && str_is(fmt_pct(5), "+5.0%"),
	      "format: signed percentages");
	check(str_is(fmt_ratio(1.4548), "1.45x"), "format: ratios");
	check(s1 && s1->pv_ms == 421 && s1->pv_kb == 353242 && seed_for("case2") &&
	      !seed_for("case3"), "seed: figures for case1 and case2 only");
	/* DESIGN.md: the seed's pv run sat at 1.45x its wire time. */
	check(s1 && fabs(wire_time_ms(s1->pv_kb, SEED_LINK_GBIT) - 289.37) < 0.01 &&
	      fabs(s1->pv_ms / wire_time_ms(s1->pv_kb, SEED_LINK_GBIT) - 1.4549) < 0.001,
	      "wire time: 353242 KB at 10 Gbit/s is 289.4 ms, the seed's pv at 1.45x");
}

static int short_is(const char *source, const char *want)
{
	char *got = qemu_short_version(source);
	int ok = want ? got && !strcmp(got, want) : !got;

	if (!ok)
		printf("  '%s': got '%s', want '%s'\n", source ? source : "(null)",
		       got ? got : "(null)", want ? want : "(null)");
	free(got);
	return ok;
}

static void test_qemu_version(void)
{
	check(short_is("1:10.0.13+ds-0+deb13u1", "10.0") && short_is("1:7.2+dfsg-7+deb12u18", "7.2"),
	      "qemu version: Debian source versions shortened to upstream major.minor");
	check(short_is("8.2.2", "8.2") && short_is(NULL, NULL) && short_is("unknown", NULL) &&
	      short_is("a:1.2", NULL) && short_is("1:10", NULL),
	      "qemu version: no epoch taken; missing or unparsable gives none");
}

int main(void)
{
	test_csv();
	test_stats();
	test_format_and_seed();
	test_qemu_version();
	return failures ? 1 : 0;
}

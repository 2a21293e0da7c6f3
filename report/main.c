/* report-gen: regenerate REPORT.md and the plot data from results/ and
 * nothing else.
 *
 *   report-gen report [options]   write REPORT.md
 *   report-gen plots  [options]   write plots/data/<case>-<plot>.dat and plots/data/plots.gp
 *
 * results/qemu-7.2/, the runs of the previous QEMU base, is loaded on its
 * own and feeds only the base comparison of the report.
 *
 * Runs from an uncommitted harness tree are left out of everything unless
 * --include-uncommitted is given (results.h); the report then says so at
 * the top.
 *
 * All input is loaded and checked before anything is written, and REPORT.md
 * is written to a temporary file that is renamed over the old one, so bad
 * input never leaves a half report behind. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "basecompare.h"
#include "markdown.h"
#include "plotdata.h"
#include "results.h"
#include "stats.h"
#include "util.h"

struct options {
	const char *mode;
	const char *results;
	const char *out;
	const char *data_dir;
	const char *image_dir;
	const char *script_dir;
	const char *image_prefix;
	bool include_uncommitted;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: report-gen report|plots [options]\n"
		"  --results DIR       results to read (default results)\n"
		"  --out FILE          report to write (default REPORT.md)\n"
		"  --data-dir DIR      plot data and gnuplot driver (default plots/data)\n"
		"  --image-dir DIR     where gnuplot writes images (default plots)\n"
		"  --script-dir DIR    where bars.gp etc. live (default plots)\n"
		"  --image-prefix P    image link prefix in the report (default plots/)\n"
		"  --include-uncommitted\n"
		"                      also use runs whose harness version ends in +local or\n"
		"                      -dirty (made from a tree with uncommitted changes)\n");
}

static int parse_args(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "results", required_argument, NULL, 'r' },
		{ "out", required_argument, NULL, 'o' },
		{ "data-dir", required_argument, NULL, 'd' },
		{ "image-dir", required_argument, NULL, 'i' },
		{ "script-dir", required_argument, NULL, 's' },
		{ "image-prefix", required_argument, NULL, 'p' },
		{ "include-uncommitted", no_argument, NULL, 'u' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	*o = (struct options){ NULL, "results", "REPORT.md", "plots/data", "plots", "plots", "plots/",
			       false };
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'r': o->results = optarg; break;
		case 'o': o->out = optarg; break;
		case 'd': o->data_dir = optarg; break;
		case 'i': o->image_dir = optarg; break;
		case 's': o->script_dir = optarg; break;
		case 'p': o->image_prefix = optarg; break;
		case 'u': o->include_uncommitted = true; break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); return -1;
		}
	}
	if (optind != argc - 1 || (strcmp(argv[optind], "report") && strcmp(argv[optind], "plots"))) {
		fprintf(stderr, "report-gen: say what to write: report or plots\n");
		usage(stderr);
		return -1;
	}
	o->mode = argv[optind];
	return 0;
}

/* The results path as readers should see it: no trailing slash. */
static char *display_path(const char *p)
{
	char *s = xstrdup(p);
	size_t n = strlen(s);

	while (n > 1 && s[n - 1] == '/')
		s[--n] = '\0';
	return s;
}

/* The archive of the previous QEMU base, loaded like results/ itself. */
struct archive {
	bool present;
	char *shown;		/* "results/qemu-7.2" */
	struct result_set rs;
	struct case_stats *cases;
};

static int write_report(const struct options *o, const struct result_set *rs,
			const struct case_stats *cases, const struct archive *ar, struct error *e)
{
	char *tmp = xasprintf("%s.tmp-XXXXXX", o->out);
	char *shown = display_path(o->results);
	struct host_zeroing hz;
	struct markdown_options mo = { shown, o->image_prefix, ar->present ? ar->cases : NULL,
				       ar->rs.ncases, ar->shown, &hz };
	int fd = -1, rc = -1;
	FILE *f;

	/* Read before the output is created, so a bad probe summary leaves
	 * the previous REPORT.md as it was. */
	if (host_zeroing_load(o->results, shown, &hz, e) < 0)
		goto out;
	fd = mkstemp(tmp);
	if (fd < 0) {
		error_set(e, "%s: cannot create: %s", tmp, strerror(errno));
		goto out;
	}
	f = fdopen(fd, "w");
	if (!f) {
		error_set(e, "%s: %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		goto out;
	}
	{
		/* mkstemp makes the file 0600; give it the mode a plain
		 * create would have had. */
		mode_t mask = umask(0);

		umask(mask);
		fchmod(fd, 0666 & ~mask);
	}
	if (markdown_write(f, rs, cases, &mo) < 0 || fclose(f) != 0) {
		error_set(e, "%s: write failed", tmp);
		unlink(tmp);
		goto out;
	}
	if (rename(tmp, o->out) != 0) {
		error_set(e, "cannot rename %s to %s: %s", tmp, o->out, strerror(errno));
		unlink(tmp);
		goto out;
	}
	rc = 0;
out:
	host_zeroing_free(&hz);
	free(shown);
	free(tmp);
	return rc;
}

/* Load <results>/qemu-7.2 when it exists; its absence is no error (a
 * results/ that never had another base). */
static int archive_load(const char *results, const struct load_options *lo, struct archive *ar,
			struct error *e)
{
	char *path = xasprintf("%s/%s", results, BASE_ARCHIVE_DIR);
	char *shown = display_path(results);
	struct stat st;
	int rc = 0;

	memset(ar, 0, sizeof(*ar));
	ar->shown = xasprintf("%s/%s", shown, BASE_ARCHIVE_DIR);
	free(shown);
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		/*
		 * The 7.2 archive is what it is: every run in it came from a
		 * tree with local changes (the rule below came later), and it
		 * is never re-run.  The base comparison uses it as it stands
		 * and says so; the current runs still must be committed.
		 */
		struct load_options archive_lo = *lo;

		archive_lo.include_uncommitted = true;
		rc = results_load(path, &archive_lo, &ar->rs, e);
		ar->present = rc == 0;
	}
	free(path);
	if (ar->present) {
		ar->cases = xcalloc(ar->rs.ncases, sizeof(*ar->cases));
		for (size_t i = 0; i < ar->rs.ncases; i++)
			case_stats_compute(&ar->rs.cases[i], &ar->cases[i]);
	}
	return rc;
}

static void archive_free(struct archive *ar)
{
	if (ar->present) {
		for (size_t i = 0; i < ar->rs.ncases; i++)
			case_stats_free(&ar->cases[i]);
		free(ar->cases);
		results_free(&ar->rs);
	}
	free(ar->shown);
}

int main(int argc, char **argv)
{
	struct options o;
	struct result_set rs;
	struct case_stats *cases;
	struct archive ar;
	struct error e = { "" };
	struct load_options lo;
	int rc;

	if (parse_args(argc, argv, &o) < 0)
		return 2;
	lo.include_uncommitted = o.include_uncommitted;
	if (results_load(o.results, &lo, &rs, &e) < 0) {
		fprintf(stderr, "report-gen: %s\n", e.msg);
		return 1;
	}
	if (archive_load(o.results, &lo, &ar, &e) < 0) {
		fprintf(stderr, "report-gen: %s\n", e.msg);
		archive_free(&ar);
		results_free(&rs);
		return 1;
	}
	/* A case only the archive holds still gets its section, saying it has
	 * no run yet on the current base. */
	for (size_t i = 0; ar.present && i < ar.rs.ncases; i++)
		results_add_empty_case(&rs, ar.rs.cases[i].name);
	cases = xcalloc(rs.ncases, sizeof(*cases));
	for (size_t i = 0; i < rs.ncases; i++)
		case_stats_compute(&rs.cases[i], &cases[i]);

	if (!strcmp(o.mode, "report")) {
		rc = write_report(&o, &rs, cases, &ar, &e);
	} else {
		struct plot_paths pp = { o.data_dir, o.image_dir, o.script_dir };

		rc = plotdata_write(cases, rs.ncases, &pp, &e);
	}
	if (rc < 0)
		fprintf(stderr, "report-gen: %s\n", e.msg);

	for (size_t i = 0; i < rs.ncases; i++)
		case_stats_free(&cases[i]);
	free(cases);
	results_free(&rs);
	archive_free(&ar);
	return rc < 0 ? 1 : 0;
}

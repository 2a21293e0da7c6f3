/* report-gen: regenerate REPORT.md and the plot data from results/ and
 * nothing else.
 *
 *   report-gen report [options]   write REPORT.md and APPENDIX.md, and the verdict
 *                                 and the methods table into README.md's
 *                                 marked blocks (--readme)
 *   report-gen plots  [options]   write plots/data/<case>-<plot>.dat and plots/data/plots.gp
 *
 * results/qemu-7.2/, the runs of the previous QEMU base, is loaded on its
 * own and feeds only the base comparison of the report.
 *
 * Runs from an uncommitted harness tree are left out of everything unless
 * --include-uncommitted is given (results.h); the report then says so at
 * the top.
 *
 * All input is loaded and checked before anything is written, and every
 * output is written to a temporary file; only when all of them were written
 * are they renamed over the old ones, so bad input never leaves a half
 * report, or a README.md whose verdict differs from REPORT.md's. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "basecompare.h"
#include "appendix.h"
#include "mainpage.h"
#include "methodtimes.h"
#include "readme.h"
#include "verdict.h"
#include "plotdata.h"
#include "results.h"
#include "stats.h"
#include "util.h"

struct options {
	const char *mode;
	const char *results;
	const char *out;
	const char *appendix;	/* NULL: beside out (appendix_path()) */
	const char *readme;	/* NULL: README.md is left alone */
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
		"  --appendix FILE     appendix to write (default APPENDIX.md beside a\n"
		"                      REPORT.md, else the report's name with .appendix.md)\n"
		"  --readme FILE       put the verdict between FILE's verdict markers, and\n"
		"                      the methods table between its methods markers\n"
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
		{ "appendix", required_argument, NULL, 'a' },
		{ "readme", required_argument, NULL, 'm' },
		{ "data-dir", required_argument, NULL, 'd' },
		{ "image-dir", required_argument, NULL, 'i' },
		{ "script-dir", required_argument, NULL, 's' },
		{ "image-prefix", required_argument, NULL, 'p' },
		{ "include-uncommitted", no_argument, NULL, 'u' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	*o = (struct options){ NULL, "results", "REPORT.md", NULL, NULL, "plots/data", "plots",
			       "plots", "plots/", false };
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'r': o->results = optarg; break;
		case 'o': o->out = optarg; break;
		case 'a': o->appendix = optarg; break;
		case 'm': o->readme = optarg; break;
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

/* APPENDIX.md beside a REPORT.md; beside any other name, that name with
 * ".appendix.md" for ".md", so reports written side by side (the tests)
 * keep their own appendices. */
static char *appendix_path(const char *out)
{
	const char *base = strrchr(out, '/') ? strrchr(out, '/') + 1 : out;
	size_t n = strlen(out);

	if (!strcmp(base, "REPORT.md"))
		return xasprintf("%.*sAPPENDIX.md", (int)(base - out), out);
	if (n > 3 && !strcmp(out + n - 3, ".md"))
		return xasprintf("%.*s.appendix.md", (int)(n - 3), out);
	return xasprintf("%s.appendix.md", out);
}

static const char *base_name(const char *path)
{
	return strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
}

/* An output being written: its temporary file until commit renames it. */
struct pending {
	const char *path;
	char *tmp;
	FILE *f;
};

static int pending_open(struct pending *p, const char *path, struct error *e)
{
	int fd;

	p->path = path;
	p->tmp = xasprintf("%s.tmp-XXXXXX", path);
	p->f = NULL;
	fd = mkstemp(p->tmp);
	if (fd < 0) {
		error_set(e, "%s: cannot create: %s", p->tmp, strerror(errno));
		return -1;
	}
	p->f = fdopen(fd, "w");
	if (!p->f) {
		error_set(e, "%s: %s", p->tmp, strerror(errno));
		close(fd);
		unlink(p->tmp);
		return -1;
	}
	{
		/* mkstemp makes the file 0600; give it the mode a plain
		 * create would have had. */
		mode_t mask = umask(0);

		umask(mask);
		fchmod(fd, 0666 & ~mask);
	}
	return 0;
}

/* Close it; on failure (or when ok is false) the temporary file goes. */
static int pending_close(struct pending *p, bool ok, struct error *e)
{
	if (!p->f)
		return -1;
	if (fclose(p->f) != 0 || !ok) {
		if (ok)
			error_set(e, "%s: write failed", p->tmp);
		p->f = NULL;
		unlink(p->tmp);
		return -1;
	}
	p->f = NULL;
	return 0;
}

static void pending_free(struct pending *p, bool unlink_tmp)
{
	if (p->f)
		fclose(p->f);
	if (unlink_tmp && p->tmp)
		unlink(p->tmp);
	free(p->tmp);
	memset(p, 0, sizeof(*p));
}

static int write_report(const struct options *o, const struct result_set *rs,
			const struct case_stats *cases, const struct archive *ar, struct error *e)
{
	char *shown = display_path(o->results);
	char *appendix = o->appendix ? xstrdup(o->appendix) : appendix_path(o->out);
	struct host_zeroing hz;
	struct kvm_clear kc = { 0 };
	struct report_options ro = { shown, o->image_prefix, base_name(o->out), base_name(appendix),
				     ar->present ? ar->cases : NULL, ar->rs.ncases, ar->shown, &hz,
				     &kc };
	struct pending out[3] = { { 0 } };
	struct strlist verdict = { 0 };
	char *glossary = xasprintf("%s#glossary", base_name(o->out));
	char *block = NULL, *readme = NULL, *methods = NULL;
	size_t nout = 0;
	int rc = -1;

	memset(&hz, 0, sizeof(hz));
	/* Read before any output is created, so a bad probe summary or a
	 * README.md without its markers leaves every file as it was. */
	if (host_zeroing_load(o->results, shown, &hz, e) < 0 ||
	    kvm_clear_load(o->results, shown, &kc, e) < 0)
		goto out;
	verdict_lines(cases, rs->ncases, glossary, &verdict);
	block = verdict_block(&verdict);
	methods = method_times_block(cases, rs->ncases);
	if (o->readme) {
		const struct readme_block blocks[] = {
			{ VERDICT_BEGIN, VERDICT_END, block, "verdict", true },
			{ METHODS_BEGIN, METHODS_END, methods, "methods table", false },
		};

		readme = readme_with_blocks(o->readme, blocks, 2, e);
		if (!readme)
			goto out;
	}
	if (pending_open(&out[nout++], o->out, e) < 0 ||
	    pending_close(&out[nout - 1], mainpage_write(out[nout - 1].f, rs, cases, &verdict, &ro) == 0, e) < 0)
		goto out;
	if (pending_open(&out[nout++], appendix, e) < 0 ||
	    pending_close(&out[nout - 1], appendix_write(out[nout - 1].f, rs, cases, &ro) == 0, e) < 0)
		goto out;
	if (readme && (pending_open(&out[nout++], o->readme, e) < 0 ||
		       pending_close(&out[nout - 1], fputs(readme, out[nout - 1].f) >= 0, e) < 0))
		goto out;
	for (size_t i = 0; i < nout; i++)
		if (rename(out[i].tmp, out[i].path) != 0) {
			error_set(e, "cannot rename %s to %s: %s", out[i].tmp, out[i].path,
				  strerror(errno));
			goto out;
		}
	rc = 0;
out:
	for (size_t i = 0; i < nout; i++)
		pending_free(&out[i], rc < 0);
	strlist_free(&verdict);
	host_zeroing_free(&hz);
	kvm_clear_free(&kc);
	free(block);
	free(methods);
	free(readme);
	free(glossary);
	free(appendix);
	free(shown);
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

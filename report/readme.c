#include "readme.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "verdict.h"


static char *slurp(const char *path, struct error *e)
{
	FILE *f = fopen(path, "r");
	struct strbuf sb = { 0 };
	char buf[4096];
	size_t n;

	if (!f) {
		error_set(e, "%s: %s", path, strerror(errno));
		return NULL;
	}
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		sb_addf(&sb, "%.*s", (int)n, buf);
	if (ferror(f)) {
		error_set(e, "%s: read failed", path);
		fclose(f);
		free(sb.s);
		return NULL;
	}
	fclose(f);
	return sb_take(&sb);
}

/* Where a marker's line starts and where the line after it starts; the
 * marker must stand alone on its line. */
static int find_marker_line(const char *text, const char *marker, const char **start,
			    const char **next)
{
	const char *p = text;

	while ((p = strstr(p, marker))) {
		const char *end = p + strlen(marker);

		if ((p == text || p[-1] == '\n') && (*end == '\n' || !*end)) {
			*start = p;
			*next = *end ? end + 1 : end;
			return 0;
		}
		p = end;
	}
	return -1;
}

static int count_of(const char *text, const char *marker)
{
	int n = 0;

	for (const char *p = text; (p = strstr(p, marker)); p += strlen(marker))
		n++;
	return n;
}

/* text with the lines from begin's to end's (both included) replaced by
 * block; NULL when the markers are not there in order, once each. */
static char *replace_between(const char *text, const char *begin, const char *end,
			     const char *block)
{
	const char *b0, *b1, *e0, *e1;

	if (count_of(text, begin) != 1 || count_of(text, end) != 1 ||
	    find_marker_line(text, begin, &b0, &b1) < 0 ||
	    find_marker_line(text, end, &e0, &e1) < 0 || e0 < b1)
		return NULL;
	return xasprintf("%.*s%s%s", (int)(b0 - text), text, block, e1);
}

char *readme_with_blocks(const char *path, const struct readme_block *blocks, size_t n,
			 struct error *e)
{
	char *text = slurp(path, e);

	for (size_t i = 0; text && i < n; i++) {
		const struct readme_block *b = &blocks[i];
		char *next;

		if (!b->required && !count_of(text, b->begin) && !count_of(text, b->end))
			continue;
		next = replace_between(text, b->begin, b->end, b->text);
		if (!next)
			error_set(e, "%s: needs the lines %s and %s, in that order, once each, "
				  "where the %s goes", path, b->begin, b->end, b->what);
		free(text);
		text = next;
	}
	return text;
}

char *readme_block_of(const char *text)
{
	const char *b0, *b1, *e0, *e1;

	if (find_marker_line(text, VERDICT_BEGIN, &b0, &b1) < 0 ||
	    find_marker_line(text, VERDICT_END, &e0, &e1) < 0 || e0 < b1)
		return NULL;
	return xasprintf("%.*s", (int)(e1 - b0), b0);
}

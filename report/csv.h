/* Reader for the harness's runs.csv: a header line, then one row per
 * migration.  Columns are found by header name, never by position, because
 * the harness adds columns over time.  Quoting follows RFC 4180 except that a
 * quoted field never spans lines (the harness flattens newlines). */
#ifndef REPORT_CSV_H
#define REPORT_CSV_H

#include <stddef.h>

#include "util.h"

struct csv_row {
	char **cells;		/* exactly ncols of them */
	size_t line;		/* 1-based line in the file, for error messages */
};

struct csv_table {
	char *path;
	char **header;
	size_t ncols;
	struct csv_row *rows;
	size_t nrows;
};

/* Split one line into fields.  Returns -1 with a message (no file/line: the
 * caller adds those) on an unterminated quote or text after a closing quote. */
int csv_split_line(const char *line, char ***cells, size_t *ncells, struct error *e);

/* Read a whole file.  Every row must have as many fields as the header;
 * blank lines are skipped.  On failure nothing is kept and e says
 * "path:line: what". */
int csv_read_file(const char *path, struct csv_table *t, struct error *e);

/* Index of a column by header name, or -1 when the file does not have it
 * (which callers read as "not measured"). */
int csv_column(const struct csv_table *t, const char *name);

/* The cell in column col, or "" when col is -1. */
const char *csv_cell(const struct csv_row *row, int col);

void csv_free(struct csv_table *t);

#endif

#include "csv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void free_cells(char **cells, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(cells[i]);
	free(cells);
}

int csv_split_line(const char *line, char ***cells_out, size_t *n_out, struct error *e)
{
	char **cells = NULL;
	size_t n = 0, cap = 0;
	const char *p = line;

	for (;;) {
		struct strbuf field = { 0 };

		if (*p == '"') {
			/* Quoted: "" is a literal quote, the closing quote must end
			 * the field. */
			for (p++;; p++) {
				if (*p == '\0') {
					free(field.s);
					free_cells(cells, n);
					error_set(e, "unterminated quoted field %zu", n + 1);
					return -1;
				}
				if (*p == '"') {
					if (p[1] == '"') {
						sb_addf(&field, "\"");
						p++;
						continue;
					}
					p++;
					break;
				}
				sb_addf(&field, "%c", *p);
			}
			if (*p != ',' && *p != '\0') {
				free(field.s);
				free_cells(cells, n);
				error_set(e, "text after the closing quote of field %zu", n + 1);
				return -1;
			}
		} else {
			const char *start = p;

			while (*p && *p != ',') {
				if (*p == '"') {
					free(field.s);
					free_cells(cells, n);
					error_set(e, "stray quote in unquoted field %zu", n + 1);
					return -1;
				}
				p++;
			}
			sb_addf(&field, "%.*s", (int)(p - start), start);
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			cells = xrealloc(cells, cap * sizeof(*cells));
		}
		cells[n++] = sb_take(&field);
		if (*p == '\0')
			break;
		p++;		/* the comma; a trailing comma yields an empty last field */
	}
	*cells_out = cells;
	*n_out = n;
	return 0;
}

static void chomp(char *s)
{
	size_t n = strlen(s);

	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		s[--n] = '\0';
}

int csv_read_file(const char *path, struct csv_table *t, struct error *e)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t linecap = 0, lineno = 0, cap = 0;
	struct error sub;

	memset(t, 0, sizeof(*t));
	if (!f) {
		error_set(e, "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	t->path = xstrdup(path);
	while (getline(&line, &linecap, f) >= 0) {
		char **cells;
		size_t n;

		lineno++;
		chomp(line);
		if (line[0] == '\0')
			continue;
		if (csv_split_line(line, &cells, &n, &sub) < 0) {
			error_set(e, "%s:%zu: %s", path, lineno, sub.msg);
			goto fail;
		}
		if (!t->header) {
			for (size_t i = 0; i < n; i++) {
				for (size_t j = 0; j < i; j++) {
					if (!strcmp(cells[i], cells[j])) {
						error_set(e, "%s:%zu: column '%s' appears twice in the header",
							  path, lineno, cells[i]);
						free_cells(cells, n);
						goto fail;
					}
				}
			}
			t->header = cells;
			t->ncols = n;
			continue;
		}
		if (n != t->ncols) {
			error_set(e, "%s:%zu: %zu fields, but the header has %zu", path, lineno, n,
				  t->ncols);
			free_cells(cells, n);
			goto fail;
		}
		if (t->nrows == cap) {
			cap = cap ? cap * 2 : 16;
			t->rows = xrealloc(t->rows, cap * sizeof(*t->rows));
		}
		t->rows[t->nrows].cells = cells;
		t->rows[t->nrows].line = lineno;
		t->nrows++;
	}
	if (ferror(f)) {
		error_set(e, "%s: read error", path);
		goto fail;
	}
	if (!t->header) {
		error_set(e, "%s: empty file, no header line", path);
		goto fail;
	}
	free(line);
	fclose(f);
	return 0;
fail:
	free(line);
	fclose(f);
	csv_free(t);
	return -1;
}

int csv_column(const struct csv_table *t, const char *name)
{
	for (size_t i = 0; i < t->ncols; i++)
		if (!strcmp(t->header[i], name))
			return (int)i;
	return -1;
}

const char *csv_cell(const struct csv_row *row, int col)
{
	return col < 0 ? "" : row->cells[col];
}

void csv_free(struct csv_table *t)
{
	for (size_t i = 0; i < t->nrows; i++)
		free_cells(t->rows[i].cells, t->ncols);
	free(t->rows);
	if (t->header)
		free_cells(t->header, t->ncols);
	free(t->path);
	memset(t, 0, sizeof(*t));
}

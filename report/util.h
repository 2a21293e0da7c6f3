/* Small helpers every part of the generator needs: an error message that
 * travels back to main() (so nothing half-written is ever produced), memory
 * allocation that cannot return NULL, and a growable string. */
#ifndef REPORT_UTIL_H
#define REPORT_UTIL_H

#include <stdarg.h>
#include <stddef.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* One line describing what went wrong, including the file and line where the
 * input is at fault.  Functions that can fail fill it and return -1. */
struct error {
	char msg[2048];
};

void error_set(struct error *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Out of memory is not a condition this tool can report on usefully, so these
 * print one line and exit instead of returning NULL. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Append-only string; s is always NUL-terminated once something was added. */
struct strbuf {
	char *s;
	size_t len, cap;
};

void sb_addf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_vaddf(struct strbuf *sb, const char *fmt, va_list ap);
/* Hands the string over to the caller (never NULL) and empties the buffer. */
char *sb_take(struct strbuf *sb);

/* Growable array of owned strings. */
struct strlist {
	char **v;
	size_t n, cap;
};

void strlist_add(struct strlist *l, char *owned);
void strlist_addf(struct strlist *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int strlist_find(const struct strlist *l, const char *s);
void strlist_free(struct strlist *l);

/* Parse a whole cell as a finite number: 0 on success, -1 if it is not one.
 * An empty string is not parsed here; callers treat it as "not measured". */
int parse_number(const char *s, double *out);

/* True if s contains sub. */
int contains(const char *s, const char *sub);

#endif

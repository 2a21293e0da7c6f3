#include "format.h"

#include <ctype.h>
#include <math.h>
#include <string.h>

#include "util.h"

char *fmt_num(double v)
{
	double a = fabs(v);

	if (isnan(v))
		return xstrdup("n/a");
	if (v == floor(v) || a >= 1000)
		return xasprintf("%.0f", v);
	if (a >= 100)
		return xasprintf("%.0f", v);
	if (a >= 10)
		return xasprintf("%.1f", v);
	return xasprintf("%.2f", v);
}

char *fmt_pct(double pct)
{
	return isnan(pct) ? xstrdup("n/a") : xasprintf("%+.1f%%", pct);
}

char *fmt_ratio(double r)
{
	return isnan(r) ? xstrdup("n/a") : xasprintf("%.2fx", r);
}

char *fmt_kb_as_mib(double kb)
{
	return isnan(kb) ? xstrdup("n/a") : xasprintf("%.1f MiB", kb / 1024.0);
}

void md_put_cell(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '|')
			fputs("\\|", f);
		else if (*s == '\n' || *s == '\r')
			fputc(' ', f);
		else
			fputc(*s, f);
	}
}

char *md_anchor(const char *heading)
{
	char *out = xmalloc(strlen(heading) + 1), *o = out;

	for (const unsigned char *p = (const unsigned char *)heading; *p; p++) {
		if (isalnum(*p) || *p == '-' || *p == '_')
			*o++ = (char)tolower(*p);
		else if (*p == ' ')
			*o++ = '-';
	}
	*o = '\0';
	return out;
}

#include "format.h"

#include <math.h>

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

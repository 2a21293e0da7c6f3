/* Reading stress-ng's --metrics table (stressng.h). */
#include "stressng.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* The last whitespace-separated field of the line [p, end). */
static const char *last_field(const char *p, const char *end)
{
	while (end > p && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		end--;
	while (end > p && end[-1] != ' ' && end[-1] != '\t')
		end--;
	return end;
}

int64_t stressng_rss_max_kb(const char *out, const char *stressor)
{
	const char *line, *end, *p, *f;
	size_t n = strlen(stressor);
	bool has_column = false;
	char *stop;
	long long v;

	for (line = out; line && *line; line = *end ? end + 1 : NULL) {
		end = strchr(line, '\n');
		if (!end)
			end = line + strlen(line);
		/* "stress-ng: metrc: [PID] NAME   bogo ops ... RSS Max" */
		p = strstr(line, "metrc: [");
		if (!p || p > end)
			continue;
		p = strchr(p, ']');
		if (!p || p > end)
			continue;
		p++;
		while (p < end && *p == ' ')
			p++;
		if ((size_t)(end - p) >= 8 && !strncmp(p, "stressor", 8) &&
		    memmem(p, (size_t)(end - p), "RSS Max", 7))
			has_column = true;
		if (!has_column || (size_t)(end - p) <= n || strncmp(p, stressor, n) ||
		    p[n] != ' ')
			continue;
		f = last_field(p, end);
		v = strtoll(f, &stop, 10);
		if (stop == f || (stop < end && *stop != ' ' && *stop != '\r') || v < 0)
			return -1;
		return v;
	}
	return -1;
}

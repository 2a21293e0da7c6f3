#include "provenance.h"

#include <stdlib.h>
#include <string.h>

#include "results.h"
#include "util.h"

/* The identity fields of run.json's host object; hostname is left out on
 * purpose: two names for one kind of machine measure the same thing. */
static const char *const host_keys[] = { "host.cpu_model", "host.cpus", "host.mem_mib",
					 "host.kernel" };

/* A hosts-mode run (harness --src-host/--dst-host) ran on two other
 * machines than the harness's: the pair is part of the identity, each
 * host with the NIC that carried the migration.  netns runs have none of
 * these fields, so they pool among themselves as before. */
static const char *const pair_keys[] = {
	"hosts.src.cpu_model", "hosts.src.cpus", "hosts.src.mem_mib", "hosts.src.kernel",
	"hosts.src.nic.driver", "hosts.src.nic.speed", "hosts.src.nic.mtu",
	"hosts.dst.cpu_model", "hosts.dst.cpus", "hosts.dst.mem_mib", "hosts.dst.kernel",
	"hosts.dst.nic.driver", "hosts.dst.nic.speed", "hosts.dst.nic.mtu",
};

const char *run_mode(json_t *doc)
{
	json_t *m = json_at(doc, "mode");

	return json_is_string(m) ? json_string_value(m) : "netns";
}

const char *run_harness_version(json_t *doc)
{
	json_t *v = json_at(doc, "versions.harness");

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && !strcmp(s + n - k, suffix);
}

bool run_is_uncommitted(json_t *doc)
{
	const char *v = run_harness_version(doc);

	return v && (ends_with(v, "+local") || ends_with(v, "-dirty"));
}

static bool same_fields(json_t *a, json_t *b, const char *const *keys, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		char *x = json_scalar_text(json_at(a, keys[i]));
		char *y = json_scalar_text(json_at(b, keys[i]));
		bool same = (!x && !y) || (x && y && !strcmp(x, y));

		free(x);
		free(y);
		if (!same)
			return false;
	}
	return true;
}

bool run_same_host(json_t *a, json_t *b)
{
	if (strcmp(run_mode(a), run_mode(b)))
		return false;
	if (!same_fields(a, b, pair_keys, ARRAY_SIZE(pair_keys)))
		return false;
	/* The harness's own machine: in netns mode it is both hosts. */
	return !strcmp(run_mode(a), "hosts") || same_fields(a, b, host_keys, ARRAY_SIZE(host_keys));
}

/* One host's identity text from the fields under prefix ("host",
 * "hosts.src"). */
static char *identity_text(json_t *doc, const char *prefix, bool nic)
{
	static const char *const parts[] = { "cpu_model", "cpus", "mem_mib", "kernel",
					     "nic.driver", "nic.speed", "nic.mtu" };
	char *v[ARRAY_SIZE(parts)], *out;

	for (size_t i = 0; i < ARRAY_SIZE(parts); i++) {
		char *key = xasprintf("%s.%s", prefix, parts[i]);

		v[i] = json_scalar_text(json_at(doc, key));
		free(key);
	}
	out = xasprintf("%s, %s CPUs, %s MiB, kernel %s", v[0] ? v[0] : "?", v[1] ? v[1] : "?",
			v[2] ? v[2] : "?", v[3] ? v[3] : "?");
	if (nic) {
		char *with = xasprintf("%s, NIC %s %s MTU %s", out, v[4] ? v[4] : "?",
				       v[5] ? v[5] : "?", v[6] ? v[6] : "?");

		free(out);
		out = with;
	}
	for (size_t i = 0; i < ARRAY_SIZE(parts); i++)
		free(v[i]);
	return out;
}

char *run_host_text(json_t *doc)
{
	char *src, *dst, *out;

	if (strcmp(run_mode(doc), "hosts"))
		return identity_text(doc, "host", false);
	src = identity_text(doc, "hosts.src", true);
	dst = identity_text(doc, "hosts.dst", true);
	out = xasprintf("two hosts: %s -> %s", src, dst);
	free(src);
	free(dst);
	return out;
}

#define TOKEN_ON "_prealloc_"
#define TOKEN_OFF "_noprealloc_"

int run_prealloc(json_t *doc, const char *id)
{
	json_t *v = json_at(doc, "params.dst_prealloc");

	if (json_is_boolean(v))
		return json_is_true(v);
	if (json_is_string(v) && !strcmp(json_string_value(v), "on"))
		return 1;
	if (json_is_string(v) && !strcmp(json_string_value(v), "off"))
		return 0;
	if (json_is_integer(v))
		return json_integer_value(v) != 0;
	/* "_noprealloc_" does not contain "_prealloc_", so the order of
	 * these tests does not matter. */
	if (id && strstr(id, TOKEN_OFF))
		return 0;
	if (id && strstr(id, TOKEN_ON))
		return 1;
	return -1;
}

static char *replace_once(const char *s, const char *from, const char *to)
{
	const char *at = strstr(s, from);

	if (!at)
		return NULL;
	return xasprintf("%.*s%s%s", (int)(at - s), s, to, at + strlen(from));
}

char *scenario_other_regime(const char *scenario)
{
	/* The scenario is the id after its first '_'; put one back so a
	 * regime at its very start is found like any other. */
	char *padded = xasprintf("_%s_", scenario), *swapped, *out = NULL;

	swapped = replace_once(padded, TOKEN_OFF, TOKEN_ON);
	if (!swapped)
		swapped = replace_once(padded, TOKEN_ON, TOKEN_OFF);
	if (swapped) {
		size_t n = strlen(swapped);

		out = xasprintf("%.*s", (int)(n - 2), swapped + 1);
		free(swapped);
	}
	free(padded);
	return out;
}

const char *regime_text(int prealloc)
{
	return prealloc > 0 ? "preallocated" : prealloc == 0 ? "not preallocated" : "unknown";
}

char *run_thp_text(json_t *doc)
{
	char *en = json_scalar_text(json_at(doc, "host.thp_enabled"));
	char *de = json_scalar_text(json_at(doc, "host.thp_defrag"));
	char *out;

	if (!en && !de)
		out = xstrdup("not recorded");
	else
		out = xasprintf("enabled %s, defrag %s", en ? en : "?", de ? de : "?");
	free(en);
	free(de);
	return out;
}

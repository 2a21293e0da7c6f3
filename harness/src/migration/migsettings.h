/*
 * A method's migration capabilities and parameters, as data: each side of
 * a migration gets them before it starts (the destination before
 * migrate-incoming), QEMU is asked for them back, and what it holds is
 * recorded.  A capability or parameter QEMU refuses is the method's result
 * ("refused", with QEMU's words), not a harness error: QEMU 10.0 refuses
 * postcopy-ram beside multifd, and that refusal is the finding.
 */
#ifndef PVMIG_MIGSETTINGS_H
#define PVMIG_MIGSETTINGS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "qmp.h"

/*
 * caps: capability names to turn on, space-separated ("multifd
 * postcopy-ram"); params: KEY=VALUE pairs, space-separated
 * ("multifd-compression=zstd"); a value of digits is sent as a number,
 * "@channels" as the number `channels`, anything else as a string.
 * NULL or "" for none.
 */
struct migsettings {
	const char *caps;
	const char *params;
	int channels;
};

/*
 * Apply s on the QEMU behind q and read it back.  Returns 0 with *applied
 * = {"capabilities": {NAME: bool}, "parameters": {KEY: value}} as QEMU
 * reports them after setting; 1 when QEMU refused (err: QEMU's message,
 * naming what it refused); -1 on any other failure (err says what), or when
 * QEMU's read-back differs from what was set.
 */
int migsettings_apply(struct qmp *q, const struct migsettings *s, json_t **applied,
                      char *err, size_t errlen);

/* The QMP arguments s stands for (pure; unit-tested): "capabilities" for
 * migrate-set-capabilities and the object for migrate-set-parameters, or
 * -1 with err on a malformed string. */
int migsettings_parse(const struct migsettings *s, json_t **caps, json_t **params,
                      char *err, size_t errlen);

#endif

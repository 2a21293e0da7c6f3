/*
 * What results/<case>/<run-id>/run.json says about a run besides its
 * migrations: the host, the versions of what was built, the parameters,
 * and the run's name.
 */
#ifndef PVMIG_RUNINFO_H
#define PVMIG_RUNINFO_H

#include <jansson.h>
#include <stddef.h>

#include "runenv.h"

json_t *host_json(void);
json_t *versions_json(struct env *e);
json_t *params_json(struct env *e);

/* "<UTC stamp>_<scenario>": the scenario part follows the first '_'. */
void make_run_id(struct env *e, char *buf, size_t len);

#endif

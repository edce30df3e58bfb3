/*
 * load/distribute.h — `dmpremb db distribute`: spread the schema over a Citus
 * cluster.
 *
 * Run on the coordinator, as a superuser, after 'db migrate' and once the
 * workers are added (citus_add_node). It makes the referentials and the
 * names of professionals and establishments reference tables (a copy on
 * every node), the dossier-scoped tables distributed by ins_c in one
 * co-location group, and leaves the bookkeeping (runs, batches, rejects,
 * analytics) on the coordinator: docs/scale.md says why for each table. It
 * then removes the coordinator's local copy of the rows it moved (health data
 * must not stay behind, invisible, in the coordinator's files), and lets
 * dmpremb's group roles log in on the nodes, because Citus opens its
 * connections to the workers as the current role. Each step is skipped when
 * already done: running it again (after a failure, after adding a worker)
 * finishes the job and changes nothing else.
 */
#ifndef DR_DISTRIBUTE_H
#define DR_DISTRIBUTE_H

#include <libpq-fe.h>

#include "lib/reports.h"   /* struct distribute_report */

/* The first schema version that can be distributed (010 dropped the triggers on dossier). */
#define DISTRIBUTE_MIN_VERSION 10

/*
 * Distributes the schema; shard_count is used when dossier is distributed
 * now (0: Citus's citus.shard_count). Refuses with DR_E_CONFIG, and changes
 * nothing, on a database without Citus, a node that is not the coordinator,
 * a cluster without workers, a login that is not a superuser, or a schema
 * older than DISTRIBUTE_MIN_VERSION.
 */
int distribute_apply(PGconn *c, int shard_count, struct distribute_report *rep);

/*
 * On a distributed database, before migrations: creates every group role
 * this binary knows that does not exist yet, with LOGIN, by top-level
 * statements that Citus carries to every node and commits there. A
 * migration creates a role inside its transaction (004, 011), where the
 * workers cannot see it before it commits: its GRANTs on distributed tables
 * would fail there. With the role already made, the migration's
 * IF NOT EXISTS skips it.
 */
int distribute_roles_ensure(PGconn *c);

#endif

/*
 * load/analytics.h — bringing the analysts' figures up to date after a run.
 *
 * The materialised figures behind the analysts' views (sql/005_analytics.sql,
 * in analytics_private since sql/015_small_counts.sql) are recomputed by
 * dmpremb.analytics_refresh(what, as_of), which runs as their owner and also
 * keeps the weekly refresh compliance per ISO week; ingest, dossiers import,
 * feed and backfill call it when their work is committed. The figures are a by-product: a refresh that fails is a
 * warning in the log, never a failed run.
 */
#ifndef DR_ANALYTICS_H
#define DR_ANALYTICS_H

#include <libpq-fe.h>

/* Groups of figures, for `what` (comma-separated lists work too). */
#define ANALYTICS_CLAIMS    "claims"             /* after ingest: top codes */
#define ANALYTICS_DOSSIERS  "dossiers"           /* after an import: SLA, weekly refresh */
#define ANALYTICS_FED       "dossiers,documents" /* after a feed or backfill */

/*
 * Refreshes the figures of `what` as of the instant as_of (a timestamp
 * PostgreSQL reads; NULL: now), outside any transaction of the caller.
 * Logs analytics.refresh (views, seconds) or analytics.refresh_failed.
 */
void analytics_refresh(PGconn *c, const char *what, const char *as_of);

#endif

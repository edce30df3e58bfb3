/*
 * load/analytics.c — the call to dmpremb.analytics_refresh() (see analytics.h).
 */
#include "load/analytics.h"
#include "lib/err.h"
#include "lib/log.h"
#include "load/db.h"

#include <time.h>

void analytics_refresh(PGconn *c, const char *what, const char *as_of)
{
	const char *params[2] = { what, as_of };
	struct timespec t0, t1;
	long long views;
	int rc;

	if (c == NULL || PQstatus(c) != CONNECTION_OK || PQtransactionStatus(c) != PQTRANS_IDLE) {
		dr_log(DR_LOG_WARN, "analytics.refresh_failed", "what=%s reason=\"no usable connection\"", what);
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = db_query_long(c, "SELECT dmpremb.analytics_refresh($1::text, $2::timestamptz)", 2, params, 0, &views);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (rc != 0) {
		dr_log(DR_LOG_WARN, "analytics.refresh_failed", "what=%s error=\"%s\"", what, dr_errmsg());
		dr_errclear();
		return;
	}
	dr_log(DR_LOG_INFO, "analytics.refresh", "what=%s views=%lld seconds=%.2f", what, views,
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
}

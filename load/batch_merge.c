/*
 * load/batch_merge.c — the SQL of the batch merge.
 *
 * `res` gets one row per staged valid line: (file_no, line_no, outcome,
 * reason_code, reason, column_name, ins_c). Keyed reference rows
 * (beneficiaries, professionals, establishments) follow "newest batch wins";
 * claim lines and stays follow "same identity, same content = duplicate,
 * different content = conflict" against this batch and what is stored.
 * Last, a line whose person (its own INS-C for an identity, the resolved one
 * for a claim line or a stay) has a deleted dossier becomes 'filtered' under
 * the rule DOSSIER_SUPPRIME, whatever it was: nothing of it is written.
 */
#include "load/batch_merge.h"
#include "load/db.h"
#include "lib/buf.h"
#include "lib/err.h"
#include "lib/text.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MERGE_LOCK "7368210934"     /* advisory lock key of the batch merges */
#define STR_(x) #x
#define STR(x) STR_(x)

/*
 * Statistics: the planner needs the row counts (which CREATE INDEX and
 * ANALYZE set) and the spread of the keys it joins and filters on; never the
 * values of a person's identifiers or names, which ANALYZE would copy into
 * pg_statistic (its most common values and histogram bounds), a catalog every
 * DBA reads and no deletion reaches. So each ANALYZE names its columns, and
 * none of them is an INS-C, a NIR, a name, a birth date, or a stay's RSA_NUM;
 * the tables of persons alone (batch_person, nir_known) are not analysed:
 * their unique index gives the planner their size and their keys' spread.
 */
#define MERGE_STG_STATS "file_no, line_no, rej_code, line_key, flx_trt_dtd, domain, content_hash"

static const char classify_setup_sql[] =
	"CREATE TEMP TABLE res ("
	" file_no smallint NOT NULL, line_no bigint NOT NULL, outcome text NOT NULL,"
	" reason_code text, reason text, column_name text, ins_c text, kind \"char\" NOT NULL) ON COMMIT DROP;"
	"CREATE INDEX ON stg (file_no, line_no);"
	"ANALYZE stg (" MERGE_STG_STATS ")";

/*
 * Keyed reference rows: the first line of a key in the batch is compared with
 * the stored row (same content hash = duplicate, else loaded); later lines of
 * the same key are duplicates when identical, conflicts otherwise.
 * %1$s staged key column, %2$s stored table, %3$s stored key column,
 * %4$s extra condition on stored row, %5$s what is being keyed (for messages).
 */
static const char keyed_sql_fmt[] =
	"INSERT INTO res (file_no, line_no, outcome, reason_code, reason, column_name, ins_c, kind)"
	" SELECT k.file_no, k.line_no,"
	"  CASE WHEN k.rn > 1 AND k.content_hash = k.first_hash THEN 'duplicate'"
	"       WHEN k.rn > 1 THEN 'rejected'"
	"       WHEN x.%3$s IS NOT NULL THEN 'duplicate' ELSE 'loaded' END,"
	"  CASE WHEN k.rn > 1 AND k.content_hash <> k.first_hash THEN 'conflict' END,"
	"  CASE WHEN k.rn > 1 AND k.content_hash <> k.first_hash THEN"
	"   format('%5$s repeated in this file (first at line %%s) with different content', k.first_line) END,"
	"  CASE WHEN k.rn > 1 AND k.content_hash <> k.first_hash THEN upper('%1$s') END,"
	"  k.ins_c, '%7$s'"
	" FROM (SELECT s.file_no, s.line_no, s.%1$s AS key, s.content_hash, s.ins_c,"
	"        row_number() OVER w AS rn, first_value(s.content_hash) OVER w AS first_hash,"
	"        first_value(s.line_no) OVER w AS first_line"
	"       FROM stg s WHERE s.rej_code IS NULL AND s.%1$s IS NOT NULL %6$s"
	"       WINDOW w AS (PARTITION BY s.%1$s ORDER BY s.file_no, s.line_no)) k"
	/* the stored row with the same key and content (at most one: the key is
	 * its primary key); a join, not a correlated EXISTS, which Citus cannot
	 * plan over a subquery */
	" LEFT JOIN %2$s x ON k.rn = 1 AND x.%3$s = k.key AND x.content_hash = k.content_hash %4$s";

/* This batch's persons: the first valid line of each NIR in beneficiaires. */
static const char batch_person_sql[] =
	"CREATE TEMP TABLE batch_person ON COMMIT DROP AS"
	" SELECT DISTINCT ON (s.ben_nir) s.ben_nir, s.ins_c FROM stg s"
	" WHERE s.ins_c IS NOT NULL AND s.rej_code IS NULL ORDER BY s.ben_nir, s.file_no, s.line_no;"
	"CREATE UNIQUE INDEX ON batch_person (ben_nir)";

/*
 * The persons the batch's claim lines and stays name without naming them in
 * its beneficiaires: each NIR's stored INS-C (the latest identity when a
 * corrected one left two), read in one pass over the NIRs, not by a probe
 * per line, so that the lookup is one query Citus can plan as well (a
 * correlated subquery on the distributed beneficiary table is not).
 */
static const char nir_known_sql[] =
	"CREATE TEMP TABLE nir_known ON COMMIT DROP AS"
	" SELECT DISTINCT ON (x.ben_nir) x.ben_nir, x.ins_c FROM ("
	"  SELECT b.ben_nir, b.ins_c, b.updated_at FROM beneficiary b"
	"  WHERE b.ben_nir IN (SELECT s.ben_nir FROM stg s"
	"                      WHERE s.rej_code IS NULL AND s.ben_nir IS NOT NULL"
	"                        AND NOT EXISTS (SELECT 1 FROM batch_person bp WHERE bp.ben_nir = s.ben_nir))) x"
	" ORDER BY x.ben_nir, x.updated_at DESC;"
	"CREATE UNIQUE INDEX ON nir_known (ben_nir)";

/*
 * Claim lines and stays: person resolved from this batch's beneficiaries, else
 * from the stored ones; identity compared within the batch (window over the
 * identity) and with the stored line of that identity, whoever's it is (one
 * probe of the identity's index, sql/017_claim_identity.sql): the same
 * identity under another person is a conflict, never a second line. The
 * stored lines of the batch's identities are first read into `seen_all` (an
 * inner join, which Citus plans by sending `cand` to every shard), cut to
 * one per identity (the candidate's own person's first: lines stored twice
 * before this rule existed), then outer-joined locally. %1$s identity
 * columns of stg, %2$s filter on stg, %3$s stored table, %4$s join of stored
 * row x on candidate c by identity, %5$s line kind for messages, %6$s the
 * kind's letter, %7$s the identity columns of x, %8$s the columns of the
 * identity whose statistics are kept (none naming a person: see above).
 */
static const char identity_sql_fmt[] =
	"CREATE TEMP TABLE cand ON COMMIT DROP AS"
	" SELECT s.file_no, s.line_no, s.content_hash, %1$s,"
	"  coalesce(bp.ins_c, nk.ins_c) AS ins_c,"
	"  row_number() OVER w AS rn, first_value(s.content_hash) OVER w AS first_hash,"
	"  first_value(s.line_no) OVER w AS first_line"
	" FROM stg s LEFT JOIN batch_person bp ON bp.ben_nir = s.ben_nir"
	" LEFT JOIN nir_known nk ON nk.ben_nir = s.ben_nir"
	" WHERE s.rej_code IS NULL AND %2$s"
	" WINDOW w AS (PARTITION BY %1$s ORDER BY s.file_no, s.line_no);"
	"ANALYZE cand (file_no, line_no, rn, content_hash, %8$s);"
	"CREATE TEMP TABLE seen_all ON COMMIT DROP AS"
	" SELECT x.ins_c, %7$s, x.content_hash, x.batch_id FROM %3$s x JOIN cand c ON c.rn = 1 AND %4$s;"
	"CREATE TEMP TABLE seen ON COMMIT DROP AS"
	" SELECT DISTINCT ON (%7$s) x.* FROM seen_all x JOIN cand c ON c.rn = 1 AND %4$s"
	" ORDER BY %7$s, x.ins_c = c.ins_c DESC, x.batch_id;"
	"ANALYZE seen (content_hash, batch_id, %8$s);"
	"INSERT INTO res (file_no, line_no, outcome, reason_code, reason, column_name, ins_c, kind)"
	" SELECT c.file_no, c.line_no,"
	"  CASE WHEN c.ins_c IS NULL THEN 'rejected'"
	"       WHEN c.rn > 1 AND c.content_hash = c.first_hash THEN 'duplicate'"
	"       WHEN c.rn > 1 THEN 'rejected'"
	"       WHEN x.batch_id IS NULL THEN 'loaded'"
	"       WHEN x.content_hash = c.content_hash THEN 'duplicate'"
	"       ELSE 'rejected' END,"
	"  CASE WHEN c.ins_c IS NULL THEN 'unknown_person'"
	"       WHEN c.rn > 1 AND c.content_hash <> c.first_hash THEN 'conflict'"
	"       WHEN c.rn = 1 AND x.batch_id IS NOT NULL AND x.content_hash <> c.content_hash THEN 'conflict'"
	"  END,"
	"  CASE WHEN c.ins_c IS NULL THEN 'BEN_NIR is neither in this batch''s beneficiaires nor already known'"
	"       WHEN c.rn > 1 AND c.content_hash <> c.first_hash THEN"
	"        format('%5$s identity already in this batch (line %%s) with different content', c.first_line)"
	"       WHEN c.rn = 1 AND x.batch_id IS NOT NULL AND x.content_hash <> c.content_hash"
	"        AND x.ins_c IS DISTINCT FROM c.ins_c THEN"
	"        format('%5$s identity already loaded by batch %%s for another person', x.batch_id)"
	"       WHEN c.rn = 1 AND x.batch_id IS NOT NULL AND x.content_hash <> c.content_hash THEN"
	"        format('%5$s identity already loaded by batch %%s with different content', x.batch_id)"
	"  END,"
	"  CASE WHEN c.ins_c IS NULL THEN 'BEN_NIR' END,"
	"  c.ins_c, '%6$s'"
	" FROM cand c LEFT JOIN seen x ON c.rn = 1 AND %4$s;"
	"DROP TABLE cand;"
	"DROP TABLE seen_all;"
	"DROP TABLE seen";

/*
 * A deleted dossier's person gets nothing back from a later batch: identities,
 * claim lines and stays resolved to its INS-C are filtered (one probe on the
 * dossier's primary key per line). It runs after the other classifications,
 * so such a line is filtered rather than loaded, duplicate or in conflict, and
 * the other lines' outcomes do not depend on it (duplicates and conflicts
 * were decided with it in place, as without the deletion).
 */
static const char deleted_sql[] =
	"UPDATE res r SET outcome = 'filtered', reason_code = 'DOSSIER_SUPPRIME', reason = NULL, column_name = NULL"
	" FROM dossier d WHERE d.ins_c = r.ins_c AND d.state = 'deleted' AND r.kind IN ('B', 'C', 'S')";

static int exec_fmt(PGconn *c, const char *what, const char *sql)
{
	int rc = db_exec(c, sql);

	if (rc)
		return dr_error(rc, "%s: %s", what, dr_errmsg());
	return 0;
}

/* exec_fmt of a statement made from one of the templates above (its
 * arguments are names of ours, never data), assembled in a struct buf */
static int exec_printf(PGconn *c, const char *what, const char *fmt, ...)
{
	struct buf sql;
	va_list ap;
	int rc;

	buf_init(&sql, 65536);
	va_start(ap, fmt);
	rc = buf_vprintf(&sql, fmt, ap);
	va_end(ap);
	if (rc == 0)
		rc = exec_fmt(c, what, sql.data);
	buf_free(&sql);
	return rc;
}

/* Partitions created per transaction of the side connection: each takes a
 * few locks (table, indexes, TOAST), held to its commit; a batch of many
 * processing months must not exhaust max_locks_per_transaction. */
#define PARTITIONS_PER_TX 12

/* see batch_merge.h */
int merge_partitions(PGconn *c, PGconn *side)
{
	PGresult *r = NULL;
	int rc = db_query(c, "listing the months of the staged claims",
			  "SELECT array_agg(m ORDER BY m)::text FROM ("
			  " SELECT m, (row_number() OVER (ORDER BY m) - 1) / " STR(PARTITIONS_PER_TX) " AS g FROM ("
			  "  SELECT DISTINCT date_trunc('month', flx_trt_dtd)::date AS m"
			  "  FROM stg WHERE line_key IS NOT NULL AND rej_code IS NULL) d) x"
			  " GROUP BY g ORDER BY g", 0, NULL, &r);

	for (int i = 0; rc == 0 && i < PQntuples(r); i++) {
		const char *params[1] = { PQgetvalue(r, i, 0) };
		/* one statement, one transaction: autocommit */
		rc = db_execp(side, "SELECT claim_line_partition(m) FROM unnest($1::date[]) m", 1, params);
		if (rc)
			rc = dr_error(rc, "creating the monthly claim partitions: %s", dr_errmsg());
	}
	PQclear(r);
	return rc;
}

int merge_classify(PGconn *c, const char *const *file_names, int nfiles)
{
	int rc;

	/* One merge at a time, from its classification to its commit: two
	 * batches with the same lines would otherwise both classify them as
	 * new and the second's INSERT fail on the primary key (23505), whose
	 * DETAIL puts the INS-C into the server log. The parse and the staging
	 * COPY, most of an ingest's time, still run side by side. */
	if ((rc = exec_fmt(c, "waiting for another batch's merge",
			   "SELECT pg_advisory_xact_lock(" MERGE_LOCK ")")) != 0)
		return rc;

	/* files (file_no, file_name) from a text array literal: the names were
	 * checked against the contract's file list, so they need no escaping */
	struct buf arr;
	buf_init(&arr, 16384);
	rc = buf_putc(&arr, '{');
	for (int i = 0; rc == 0 && i < nfiles; i++)
		rc = buf_printf(&arr, "%s\"%s\"", i ? "," : "", file_names[i]);
	if (rc == 0 && (rc = buf_putc(&arr, '}')) == 0) {
		const char *params[1] = { arr.data };
		rc = db_execp(c, "CREATE TEMP TABLE files ON COMMIT DROP AS"
			      " SELECT (n - 1)::smallint AS file_no, name AS file_name"
			      " FROM unnest($1::text[]) WITH ORDINALITY AS u(name, n)", 1, params);
	}
	buf_free(&arr);
	if (rc == 0)
		rc = exec_fmt(c, "preparing the merge", classify_setup_sql);

	/* beneficiaries, professionals, establishments */
	if (rc == 0) {
		rc = exec_printf(c, "classifying beneficiaries", keyed_sql_fmt, "ben_nir", "beneficiary", "ben_nir",
			 "AND x.ins_c = k.ins_c", "BEN_NIR", "AND s.ins_c IS NOT NULL", "B");
	}
	if (rc == 0) {
		rc = exec_printf(c, "classifying professionals", keyed_sql_fmt, "pfs_num", "professional", "pfs_num", "",
			 "PFS_NUM", "", "P");
	}
	if (rc == 0) {
		rc = exec_printf(c, "classifying establishments", keyed_sql_fmt, "finess", "establishment", "finess", "",
			 "FINESS", "", "E");
	}
	if (rc == 0)
		rc = exec_fmt(c, "listing the batch's persons", batch_person_sql);
	if (rc == 0)
		rc = exec_fmt(c, "finding the persons already known", nir_known_sql);

	/* claim lines: identity = line_key (whose partition is flx_trt_dtd) */
	if (rc == 0) {
		rc = exec_printf(c, "classifying claim lines", identity_sql_fmt, "s.line_key, s.flx_trt_dtd",
			 "s.line_key IS NOT NULL", "claim_line",
			 "x.line_key = c.line_key AND x.flx_trt_dtd = c.flx_trt_dtd",
			 "claim line", "C", "x.line_key, x.flx_trt_dtd", "line_key, flx_trt_dtd");
	}
	/* stays: identity = (ETA_NUM, RSA_NUM) */
	if (rc == 0) {
		rc = exec_printf(c, "classifying stays", identity_sql_fmt, "s.eta_num, s.rsa_num",
			 "s.rsa_num IS NOT NULL", "hospital_stay",
			 "x.eta_num = c.eta_num AND x.rsa_num = c.rsa_num",
			 "stay", "S", "x.eta_num, x.rsa_num", "eta_num");
	}
	if (rc == 0)
		rc = exec_fmt(c, "filtering the lines of deleted dossiers", deleted_sql);
	/* temporary tables have no statistics until analysed: without them the
	 * planner takes nested loops for million-row joins */
	if (rc == 0)
		rc = exec_fmt(c, "analysing the classification", "ANALYZE res (file_no, line_no, outcome, kind)");
	return rc;
}

int merge_counts(PGconn *c, struct merge_count *out, int nfiles)
{
	PGresult *r;
	int rc = db_query(c, "counting outcomes",
			  "SELECT file_no, outcome, count(*) FROM res GROUP BY 1, 2", 0, NULL, &r);

	memset(out, 0, sizeof(*out) * (size_t)nfiles);
	if (rc)
		return rc;
	for (int i = 0; rc == 0 && i < PQntuples(r); i++) {
		long long f, n;
		const char *o = PQgetvalue(r, i, 1);
		if ((rc = db_get_long(r, i, 0, -1, &f)) != 0 || (rc = db_get_long(r, i, 2, 0, &n)) != 0)
			break;
		if (f < 0 || f >= nfiles)
			continue;
		if (strcmp(o, "loaded") == 0)
			out[f].loaded = n;
		else if (strcmp(o, "duplicate") == 0)
			out[f].duplicate = n;
		else if (strcmp(o, "filtered") == 0)
			out[f].filtered_deleted = n;
		else if (strcmp(o, "rejected") == 0)
			out[f].rejected = n;
		else
			rc = dr_error(DR_E_INTERNAL, "counting outcomes: unknown outcome '%s'", o);
	}
	PQclear(r);
	return rc;
}

/* The stored columns of a claim line and of a stay, INS-C first. */
#define CLAIM_LINE_COLS_BUT_INS_C \
	"line_key, flx_trt_dtd, exe_soi_dtd, domain, ben_rng_gem, dpn_qlf, pfs_exe_num, pse_spe_cod," \
	" etb_exe_fin, pfs_pre_num, psp_spe_cod, etb_pre_fin, pha_prs_c13, tip_prs_ide, pha_atc_c07," \
	" prs_nat_ref, cam_prs_ide, bio_prs_ide, act_qsn, content_hash, batch_id"
#define CLAIM_LINE_COLS "ins_c, " CLAIM_LINE_COLS_BUT_INS_C
#define STAY_COLS_BUT_INS_C \
	"eta_num, rsa_num, ben_rng_gem, ent_dat, sor_dat, sej_nbj, grg_ghm, ghs_num, content_hash, batch_id"
#define STAY_COLS "ins_c, " STAY_COLS_BUT_INS_C

static const char apply_sql[] =
	/* a corrected identity can change the INS-C: move the person's data —
	 * never out of a deleted dossier (what is left under its INS-C is the
	 * deletion's to purge; into one, the identity was filtered) */
	"CREATE TEMP TABLE rekey ON COMMIT DROP AS"
	" SELECT DISTINCT b.ins_c AS old_ins_c, r.ins_c AS new_ins_c"
	" FROM res r JOIN stg s USING (file_no, line_no)"
	" JOIN beneficiary b ON b.ben_nir = s.ben_nir AND b.ins_c <> r.ins_c"
	" WHERE r.kind = 'B' AND r.outcome = 'loaded'"
	"  AND NOT EXISTS (SELECT 1 FROM dossier d WHERE d.ins_c = b.ins_c AND d.state = 'deleted');"
	/* copied under the new INS-C, then deleted under the old: ins_c is the
	 * distribution column on Citus, which no UPDATE may change (the rows
	 * move to another shard) */
	/* a line the new INS-C already has stays as it is (no 23505) */
	"INSERT INTO claim_line (" CLAIM_LINE_COLS ")"
	" SELECT k.new_ins_c, " CLAIM_LINE_COLS_BUT_INS_C " FROM claim_line l JOIN rekey k ON l.ins_c = k.old_ins_c"
	" ON CONFLICT DO NOTHING;"
	"DELETE FROM claim_line WHERE ins_c IN (SELECT old_ins_c FROM rekey);"
	"INSERT INTO hospital_stay (" STAY_COLS ")"
	" SELECT k.new_ins_c, " STAY_COLS_BUT_INS_C " FROM hospital_stay h JOIN rekey k ON h.ins_c = k.old_ins_c"
	" ON CONFLICT DO NOTHING;"
	"DELETE FROM hospital_stay WHERE ins_c IN (SELECT old_ins_c FROM rekey);"
	"DELETE FROM beneficiary WHERE ins_c IN (SELECT old_ins_c FROM rekey);"
	"INSERT INTO beneficiary (ins_c, ben_nir, ben_nir_cle, ben_rng_gem, ben_nom_nai, ben_nom_usu,"
	"  ben_prn, ben_prn_lis, ben_nai_dte, ben_sex_cod, ben_nai_com, ben_dcd_dte, content_hash, batch_id,"
	"  updated_at)"
	" SELECT s.ins_c, s.ben_nir, s.ben_nir_cle, coalesce(s.ben_rng_gem, 1), s.ben_nom_nai, s.ben_nom_usu,"
	"  s.ben_prn, s.ben_prn_lis, s.ben_nai_dte, s.ben_sex_cod, s.ben_nai_com, s.ben_dcd_dte,"
	"  s.content_hash, $1::bigint, clock_timestamp()"
	" FROM res r JOIN stg s USING (file_no, line_no)"
	" WHERE r.kind = 'B' AND r.outcome = 'loaded'"
	" ON CONFLICT (ins_c) DO UPDATE SET ben_nir = EXCLUDED.ben_nir, ben_nir_cle = EXCLUDED.ben_nir_cle,"
	"  ben_rng_gem = EXCLUDED.ben_rng_gem, ben_nom_nai = EXCLUDED.ben_nom_nai,"
	"  ben_nom_usu = EXCLUDED.ben_nom_usu, ben_prn = EXCLUDED.ben_prn, ben_prn_lis = EXCLUDED.ben_prn_lis,"
	"  ben_nai_dte = EXCLUDED.ben_nai_dte, ben_sex_cod = EXCLUDED.ben_sex_cod,"
	"  ben_nai_com = EXCLUDED.ben_nai_com, ben_dcd_dte = EXCLUDED.ben_dcd_dte,"
	/* the time comes with the row: Citus evaluates no volatile function in DO UPDATE */
	"  content_hash = EXCLUDED.content_hash, batch_id = EXCLUDED.batch_id, updated_at = EXCLUDED.updated_at;"
	"INSERT INTO professional (pfs_num, pfs_nom, pfs_prn, pfs_rai_soc, content_hash, batch_id)"
	" SELECT s.pfs_num, s.pfs_nom, s.pfs_prn, s.pfs_rai_soc, s.content_hash, $1::bigint"
	" FROM res r JOIN stg s USING (file_no, line_no) WHERE r.kind = 'P' AND r.outcome = 'loaded'"
	" ON CONFLICT (pfs_num) DO UPDATE SET pfs_nom = EXCLUDED.pfs_nom, pfs_prn = EXCLUDED.pfs_prn,"
	"  pfs_rai_soc = EXCLUDED.pfs_rai_soc, content_hash = EXCLUDED.content_hash, batch_id = EXCLUDED.batch_id;"
	"INSERT INTO establishment (finess, raison_sociale, content_hash, batch_id)"
	" SELECT s.finess, s.raison_sociale, s.content_hash, $1::bigint"
	" FROM res r JOIN stg s USING (file_no, line_no) WHERE r.kind = 'E' AND r.outcome = 'loaded'"
	" ON CONFLICT (finess) DO UPDATE SET raison_sociale = EXCLUDED.raison_sociale,"
	"  content_hash = EXCLUDED.content_hash, batch_id = EXCLUDED.batch_id;"
	"INSERT INTO hospital_stay (" STAY_COLS ")"
	" SELECT r.ins_c, s.eta_num, s.rsa_num, coalesce(s.ben_rng_gem, 1), s.ent_dat, s.sor_dat, s.sej_nbj,"
	"  s.grg_ghm, s.ghs_num, s.content_hash, $1::bigint"
	" FROM res r JOIN stg s USING (file_no, line_no) WHERE r.kind = 'S' AND r.outcome = 'loaded';"
	"INSERT INTO claim_line (" CLAIM_LINE_COLS ")"
	" SELECT r.ins_c, s.line_key, s.flx_trt_dtd, s.exe_soi_dtd, s.domain, coalesce(s.ben_rng_gem, 1),"
	"  s.dpn_qlf, s.pfs_exe_num, s.pse_spe_cod, s.etb_exe_fin, s.pfs_pre_num, s.psp_spe_cod, s.etb_pre_fin,"
	"  s.pha_prs_c13, s.tip_prs_ide, s.pha_atc_c07, s.prs_nat_ref, s.cam_prs_ide, s.bio_prs_ide,"
	"  s.act_qsn, s.content_hash, $1::bigint"
	" FROM res r JOIN stg s USING (file_no, line_no) WHERE r.kind = 'C' AND r.outcome = 'loaded'"
	" ORDER BY r.ins_c, s.line_key;"
	/* the claim lines and stays just written, counted for the analysts
	 * (claim_stat, sql/005_analytics.sql) in the same transaction; in key
	 * order, so that two merges lock shared counters in the same order */
	"INSERT INTO claim_stat AS t (flx_month, care_month, domain, code_kind, code, atc, lines)"
	" SELECT date_trunc('month', l.flx)::date, date_trunc('month', l.care)::date, l.domain, l.code_kind,"
	"  l.code, l.atc, count(*)"
	" FROM (SELECT s.flx_trt_dtd AS flx, s.exe_soi_dtd AS care, s.domain, k.code_kind, k.code,"
	"        coalesce(s.pha_atc_c07, '') AS atc"
	"       FROM res r JOIN stg s USING (file_no, line_no)"
	"       CROSS JOIN LATERAL claim_stat_code(s.domain, s.pha_prs_c13, s.tip_prs_ide, s.cam_prs_ide,"
	"                                          s.prs_nat_ref, s.bio_prs_ide) k"
	"       WHERE r.kind = 'C' AND r.outcome = 'loaded'"
	"       UNION ALL"
	"       SELECT s.ent_dat, s.ent_dat, 'H', 'ghm', s.grg_ghm, ''"
	"       FROM res r JOIN stg s USING (file_no, line_no) WHERE r.kind = 'S' AND r.outcome = 'loaded') l"
	" GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6"
	" ON CONFLICT (flx_month, care_month, domain, code_kind, code, atc) DO UPDATE SET lines = t.lines + EXCLUDED.lines";

/* Runs a multi-statement string with one parameter by splitting on ";" at
 * statement ends (our SQL has no ';' inside literals). */
static int exec_script(PGconn *c, const char *script, const char *param, const char *what)
{
	const char *p = script;
	char stmt[8192];

	while (*p) {
		const char *end = strchr(p, ';');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		if (n >= sizeof(stmt))
			return dr_error(DR_E_INTERNAL, "%s: statement too long", what);
		memcpy(stmt, p, n);
		stmt[n] = '\0';
		const char *params[1] = { param };
		int np = strstr(stmt, "$1") ? 1 : 0;
		int rc = db_execp(c, stmt, np, params);
		if (rc)
			return dr_error(rc, "%s: %s", what, dr_errmsg());
		p = end ? end + 1 : p + n;
	}
	return 0;
}

int merge_apply(PGconn *c, long long batch_id)
{
	char id[32];

	text_decimal(batch_id, id);
	return exec_script(c, apply_sql, id, "writing the batch");
}

int merge_store_rejects(PGconn *c, long long batch_id)
{
	char id[32];
	const char *params[1] = { id };

	text_decimal(batch_id, id);
	return db_execp(c,
		"INSERT INTO reject (batch_id, file_name, line_no, column_name, reason_code, reason, raw_value)"
		" SELECT $1::bigint, f.file_name, s.line_no, s.rej_column, s.rej_code, s.rej_reason, s.rej_value"
		" FROM stg s JOIN files f USING (file_no) WHERE s.rej_code IS NOT NULL"
		" UNION ALL"
		" SELECT $1::bigint, f.file_name, r.line_no, r.column_name, r.reason_code, r.reason, NULL"
		" FROM res r JOIN files f USING (file_no) WHERE r.outcome = 'rejected'", 1, params);
}

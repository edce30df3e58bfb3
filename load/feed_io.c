/*
 * load/feed_io.c — the feed's SQL: window, selection, COPY out, store (see feed_io.h).
 */
#include "load/feed_io.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/err.h"
#include "lib/text.h"
#include "lib/num.h"
#include "load/copy.h"
#include "load/copy_out.h"
#include "load/db.h"

int feed_window(PGconn *c, const char *as_of, struct feed_window *w)
{
	static const char sql[] =
		"SELECT t::text,"
		"       to_char(t, 'YYYYMMDDHH24MISS') || replace(to_char(t, 'TZH:TZM'), ':', ''),"
		"       to_char(t - interval '24 months', 'YYYYMMDDHH24MISS')"
		"         || replace(to_char(t - interval '24 months', 'TZH:TZM'), ':', ''),"
		"       (t::date - interval '24 months')::date::text, t::date::text"
		"  FROM (SELECT coalesce($1::timestamptz, now()) AS t) x";
	const char *params[1] = { as_of };
	PGresult *r;
	int rc = db_query_option(c, "computing the window", sql, 1, params, DB_AS_OF_USAGE, &r);

	if (rc)
		return rc;
	snprintf(w->as_of, sizeof(w->as_of), "%s", PQgetvalue(r, 0, 0));
	snprintf(w->effective_time, sizeof(w->effective_time), "%s", PQgetvalue(r, 0, 1));
	snprintf(w->period_low, sizeof(w->period_low), "%s", PQgetvalue(r, 0, 2));
	snprintf(w->lo, sizeof(w->lo), "%s", PQgetvalue(r, 0, 3));
	snprintf(w->hi, sizeof(w->hi), "%s", PQgetvalue(r, 0, 4));
	PQclear(r);
	if (strlen(w->lo) != 10 || strlen(w->hi) != 10 || strlen(w->effective_time) != 19)
		return dr_error(DR_E_INTERNAL, "unexpected window from the server (year beyond 9999?)");
	for (int i = 0, o = 0; i < 10; i++)
		if (w->lo[i] != '-') {
			w->lo8[o] = w->lo[i];
			w->hi8[o++] = w->hi[i];
		}
	w->lo8[8] = w->hi8[8] = '\0';
	return 0;
}

int feed_as_of_future(PGconn *c, const char *as_of, bool *future)
{
	const char *params[1] = { as_of };
	long long v = 0;
	int rc = db_query_long(c, "SELECT ($1::timestamptz > now() + interval '5 minutes')::int", 1, params, 0, &v);

	*future = v != 0;
	return rc;
}

int feed_session(PGconn *c)
{
	return db_exec(c, "SET DateStyle = ISO");
}

int feed_list_open(PGconn *c, struct copy *cp)
{
	int rc = db_exec(c, "TRUNCATE feed_list");

	return rc ? rc : copy_begin(cp, c, "COPY feed_list FROM STDIN");
}

int feed_chunk_one(PGconn *c, const char *ins_c)
{
	const char *params[1] = { ins_c };

	return db_execp(c, "INSERT INTO feed_chunk VALUES ($1)", 1, params);
}

/*
 * The staging table of documents, declared once: its DDL, the COPY's
 * column list and the number of fields of a row come from it; the types as
 * format_type() prints them are what document_store_staged() checks
 * (sql/012_privacy.sql), which tests/cli/t0070-source-checks.sh compares.
 */
#define FEED_DOC_COLUMNS(X) \
	X(ins_c, "text", "text") \
	X(set_id, "text", "text") \
	X(doc_id, "text", "text") \
	X(version, "int", "integer") \
	X(xml, "text COMPRESSION lz4", "text") \
	X(sha256, "text", "text") \
	X(bytes, "int", "integer") \
	X(section_rows, "int[]", "integer[]")
#define FEED_DOC_ITEM(name, ddl, type) { #name, ddl },
static const struct { const char *name, *ddl; } feed_doc_cols[] = { FEED_DOC_COLUMNS(FEED_DOC_ITEM) };
#undef FEED_DOC_ITEM
#define FEED_DOC_NCOLS ((int)(sizeof(feed_doc_cols) / sizeof(feed_doc_cols[0])))

/* "CREATE TEMP TABLE ... feed_doc (ins_c text, ...)" or "COPY feed_doc (ins_c, ...)": head, the
 * columns (with their DDL when ddl), tail */
static int feed_doc_sql(struct buf *b, const char *head, bool ddl, const char *tail)
{
	int rc = buf_puts(b, head);

	for (int i = 0; rc == 0 && i < FEED_DOC_NCOLS; i++)
		rc = buf_printf(b, "%s%s%s%s", i ? ", " : "", feed_doc_cols[i].name, ddl ? " " : "",
				ddl ? feed_doc_cols[i].ddl : "");
	return rc ? rc : buf_puts(b, tail);
}

int feed_prepare(PGconn *c)
{
	struct buf sql;
	int rc = db_exec(c,
		"CREATE TEMP TABLE IF NOT EXISTS feed_list (ins_c text PRIMARY KEY);"
		"CREATE TEMP TABLE IF NOT EXISTS feed_todo (seq bigint PRIMARY KEY, ins_c text NOT NULL,"
		"  first boolean NOT NULL);"
		"CREATE TEMP TABLE IF NOT EXISTS feed_cand (seq bigint PRIMARY KEY, ins_c text NOT NULL);"
		"CREATE TEMP TABLE IF NOT EXISTS feed_claimed (ins_c text PRIMARY KEY);"
		"CREATE TEMP TABLE IF NOT EXISTS feed_chunk (ins_c text PRIMARY KEY) ON COMMIT DELETE ROWS;");

	if (rc != 0)
		return rc;
	buf_init(&sql, 4096);
	rc = feed_doc_sql(&sql, "CREATE TEMP TABLE IF NOT EXISTS feed_doc (", true, ") ON COMMIT DELETE ROWS;"
			  /* document_store_staged() runs as the owner and reads it */
			  "GRANT SELECT ON pg_temp.feed_doc TO dmpremb_owner");
	if (rc == 0)
		rc = db_exec(c, sql.data);
	buf_free(&sql);
	return rc;
}

void feed_shard_sql(char *out, size_t size, int k, int n)
{
	if (n > 0)
		snprintf(out, size, " AND mod(('x' || left(md5(d.ins_c), 8))::bit(32)::bigint, %d) = %d", n, k);
	else if (size > 0)
		out[0] = '\0';
}

#define FEEDABLE FEED_SQL_FEEDABLE
#define FIRST_DUE FEED_SQL_FIRST_DUE
#define REFRESH_DUE FEED_SQL_REFRESH_DUE
#define NOT_CURRENT "NOT " FEED_SQL_CURRENT

int feed_plan_run(PGconn *c, const struct feed_window *w, const struct feed_selection *sel,
		  struct feed_plan *p)
{
	char shard[128], max[24], days[16], run[24];
	const char *params[3] = { w->as_of, sel->max_dossiers > 0 ? max : NULL, days };
	struct buf plan;
	PGresult *r;
	int rc;

	feed_shard_sql(shard, sizeof(shard), sel->shard_k, sel->shard_n);
	snprintf(max, sizeof(max), "%ld", sel->max_dossiers);
	snprintf(days, sizeof(days), "%d", sel->refresh_days);
	text_decimal(sel->backfill_run, run);
	memset(p, 0, sizeof(*p));
	if (sel->mode == FEED_BACKFILL) {
		const char *bp[1] = { run };
		return db_query_long(c, "SELECT count(*) FROM backfill_item WHERE run_id = $1::bigint AND done_at IS NULL",
				     1, bp, 0, &p->total);
	}
	if ((rc = db_exec(c, "TRUNCATE feed_todo")) != 0)
		return rc;
	buf_init(&plan, 16384);
	if (sel->mode == FEED_DUE)
		/* first feeds by the time they became due, then the oldest refreshes */
		rc = buf_printf(&plan,
			"WITH ins AS (INSERT INTO feed_todo (seq, ins_c, first)"
			" SELECT row_number() OVER (ORDER BY cls, t, ins_c), ins_c, cls = 0 FROM ("
			"  (SELECT d.ins_c, 0 AS cls, d.due_at AS t FROM dossier d"
			"    WHERE " FEEDABLE " AND " FIRST_DUE
			"      AND d.due_at <= $1::timestamptz%s ORDER BY d.due_at LIMIT $2::bigint)"
			"  UNION ALL"
			"  (SELECT d.ins_c, 1, d.last_fed_at FROM dossier d"
			"    WHERE " FEEDABLE " AND " REFRESH_DUE
			"      AND d.last_fed_at >= d.due_at%s ORDER BY d.last_fed_at LIMIT $2::bigint)) x"
			" ORDER BY cls, t, ins_c LIMIT $2::bigint", shard, shard);
	else
		rc = buf_printf(&plan,
			"WITH ins AS (INSERT INTO feed_todo (seq, ins_c, first)"
			" SELECT row_number() OVER (ORDER BY d.ins_c), d.ins_c, false FROM feed_list d"
			" WHERE true%s"
			" ORDER BY d.ins_c LIMIT $2::bigint", shard);
	if (rc == 0)
		rc = buf_puts(&plan, " RETURNING first) SELECT count(*), count(*) FILTER (WHERE first) FROM ins");
	if (rc == 0)
		rc = db_query_text(c, "planning the run", plan.data, 3, params, &r);
	buf_free(&plan);
	if (rc != 0)
		return rc;
	if ((rc = db_get_long(r, 0, 0, 0, &p->total)) == 0)
		rc = db_get_long(r, 0, 1, 0, &p->first);
	PQclear(r);
	if (rc != 0)
		return rc;
	/* never the INS-Cs: their values would land in pg_statistic (batch_merge.c) */
	return db_exec(c, "ANALYZE feed_todo (seq, first)");
}

/* The advisory lock namespace of a dossier claimed by a feed's chunk. */
#define FEED_LOCK_NS "736821"

/* Steps 1-3 of feed_select() for the candidates after *after: *cands read
 * from the plan, *n kept in feed_chunk. */
static int select_once(PGconn *c, const struct feed_selection *sel, const char *const *params,
		       long long *after, long long *cands, long long *n)
{
	PGresult *r;
	int rc;

	/* 1. the next candidates of the plan, in its order */
	if ((rc = db_exec(c, "TRUNCATE feed_cand")) != 0)
		return rc;
	if (sel->mode == FEED_BACKFILL)
		rc = db_query_text(c, "selecting dossiers",
			"WITH ins AS (INSERT INTO feed_cand (seq, ins_c)"
			"  SELECT t.seq, t.ins_c FROM backfill_item t"
			"   WHERE t.run_id = $5::bigint AND t.done_at IS NULL AND t.seq > $2::bigint"
			"   ORDER BY t.seq LIMIT $4::int RETURNING seq)"
			" SELECT count(*), coalesce(max(seq), 0) FROM ins", 5, params, &r);
	else
		rc = db_query_text(c, "selecting dossiers",
			"WITH ins AS (INSERT INTO feed_cand (seq, ins_c)"
			"  SELECT t.seq, t.ins_c FROM feed_todo t WHERE t.seq > $2::bigint"
			"   ORDER BY t.seq LIMIT $4::int RETURNING seq)"
			" SELECT count(*), coalesce(max(seq), 0) FROM ins", 5, params, &r);
	if (rc != 0)
		return rc;
	rc = db_get_long(r, 0, 0, 0, cands);
	if (rc == 0 && *cands > 0)
		rc = db_get_long(r, 0, 1, 0, after);
	PQclear(r);
	*n = 0;
	if (rc != 0 || *cands == 0)
		return rc;

	/*
	 * 2. claimed: a transaction-level advisory lock per dossier, taken on
	 * the node the feeds connect to (the coordinator on Citus, which runs no
	 * FOR UPDATE over shards); one held by another feed is passed over,
	 * never waited for, and stays with it until its chunk commits.
	 */
	if ((rc = db_exec(c, "TRUNCATE feed_claimed;"
			  "INSERT INTO feed_claimed SELECT ins_c FROM feed_cand"
			  " WHERE pg_try_advisory_xact_lock(" FEED_LOCK_NS ", hashtext(ins_c))")) != 0)
		return rc;

	/*
	 * 3. checked again, by a statement that starts after the locks were
	 * taken: a chunk of another feed that held one of them has committed,
	 * and what it stored is seen (still open, no objection, still due or not
	 * already current). Those kept make the chunk.
	 */
#define CHUNK_KEEP(cond) "WITH ins AS (INSERT INTO feed_chunk" \
	"  SELECT d.ins_c FROM feed_claimed k JOIN dossier d ON d.ins_c = k.ins_c" \
	"   WHERE " FEEDABLE " AND " cond " RETURNING 1)" \
	" SELECT count(*) FROM ins"
	if ((rc = db_query_text(c, "selecting dossiers", sel->mode == FEED_DUE
				? CHUNK_KEEP("((" FIRST_DUE " AND d.due_at <= $1::timestamptz) OR " REFRESH_DUE ")")
				: CHUNK_KEEP(NOT_CURRENT), 3, params, &r)) != 0)
		return rc;
#undef CHUNK_KEEP
	rc = db_get_long(r, 0, 0, 0, n);
	PQclear(r);
	return rc;
}

int feed_select(PGconn *c, const struct feed_window *w, const struct feed_selection *sel,
		long long *after, long *n)
{
	char limit[16], from[24], days[16], run[24];
	const char *params[5] = { w->as_of, from, days, limit, run };
	long long cands, kept = 0;
	int rc;

	snprintf(limit, sizeof(limit), "%d", sel->limit);
	snprintf(days, sizeof(days), "%d", sel->refresh_days);
	text_decimal(sel->backfill_run, run);
	/* candidates all held by other feeds, or no longer due: the next ones */
	do {
		text_decimal(*after, from);
		rc = select_once(c, sel, params, after, &cands, &kept);
	} while (rc == 0 && cands > 0 && kept == 0);
	*n = (long)kept;
	return rc;
}

int feed_backfill_close(PGconn *c, const struct feed_window *w, const struct feed_selection *sel,
			long long *skipped, long long *left)
{
	char run[24], at[64];
	const char *params[3] = { w->as_of, run, at };
	PGresult *r;
	int rc;

	text_decimal(sel->backfill_run, run);
	/* the time first: Citus runs no volatile function in an UPDATE */
	if ((rc = db_query(c, "closing the backfill's list", "SELECT clock_timestamp()::text", 0, NULL, &r)) != 0)
		return rc;
	snprintf(at, sizeof(at), "%s", PQgetvalue(r, 0, 0));
	PQclear(r);
	/* the item and its dossier are co-located: one join on ins_c, shard by shard */
	if ((rc = db_query_text(c, "closing the backfill's list",
		"UPDATE backfill_item b SET done_at = $3::timestamptz, outcome = 'skipped: ' ||"
		"    CASE WHEN d.ins_c IS NULL OR d.state = 'deleted' THEN 'deleted'"
		"         WHEN d.state <> 'open' THEN d.state"
		"         WHEN d.opposition THEN 'objection'"
		"         ELSE 'already current' END"
		"  FROM backfill_item b2 LEFT JOIN dossier d ON d.ins_c = b2.ins_c"
		"  WHERE b.run_id = $2::bigint AND b.done_at IS NULL AND b2.run_id = b.run_id AND b2.ins_c = b.ins_c"
		"    AND (d.ins_c IS NULL OR NOT (" FEEDABLE ") OR " FEED_SQL_CURRENT ")", 3, params, &r)) != 0)
		return rc;
	rc = db_cmd_rows(r, skipped);
	PQclear(r);
	if (rc != 0)
		return rc;
	return db_query_long(c, "SELECT count(*) FROM backfill_item WHERE run_id = $1::bigint AND done_at IS NULL",
			     1, params + 1, 0, left);
}

/* ---- fetching a chunk ------------------------------------------------------ */

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
	return array_grow(p, cap, need, size, "reading a chunk of dossiers");
}

static int keep_row(struct feed_chunk *ch, struct copy_out *co)
{
	if (grow((void **)&ch->bufs, &ch->cap_bufs, ch->n_bufs + 1, sizeof(char *)) != 0)
		return DR_E_NOMEM;
	ch->bufs[ch->n_bufs++] = copy_out_keep(co);
	return 0;
}

/* A field, with "" read as absent. */
static const char *f(const struct copy_out *co, int i)
{
	return co->field[i] && co->field[i][0] ? co->field[i] : NULL;
}

/* Field i as a whole number (NULL: 0); DR_E_INTERNAL naming what when it is not one. */
static int num(const struct copy_out *co, int i, const char *what, long long *out)
{
	*out = 0;
	if (co->field[i] == NULL || num_parse_ll(co->field[i], out) == 0)
		return 0;
	return dr_error(DR_E_INTERNAL, "%s: the server sent a value that is not a number", what);
}

/* AAAAMMJJ from a date as the server sends it under DateStyle ISO
 * (AAAA-MM-JJ; setup() sets it): the digits, at most 8. to_char() on the
 * server cost a quarter of reading the claim lines. */
static void date8(char out[9], const char *s)
{
	int n = 0;

	for (; s && *s && n < 8; s++)
		if (*s >= '0' && *s <= '9')
			out[n++] = *s;
	out[n] = '\0';
}

/* Runs one COPY; row() takes each row. On error, drains the COPY. */
static int each_row(PGconn *c, const char *what, const char *sql, int nfield, struct feed_chunk *ch,
		    int (*row)(struct feed_chunk *, struct copy_out *, void *), void *arg)
{
	struct copy_out co;
	int rc = copy_out_begin(&co, c, what, sql);
	if (rc != 0)
		return rc;
	while ((rc = copy_out_next(&co)) > 0) {
		if (co.nfield != nfield) {
			rc = dr_error(DR_E_INTERNAL, "%s: %d columns, expected %d", what, co.nfield, nfield);
			break;
		}
		if ((rc = row(ch, &co, arg)) != 0 || (rc = keep_row(ch, &co)) != 0)
			break;
	}
	if (rc != 0)
		copy_out_drain(&co);
	return rc;
}

static int dossier_row(struct feed_chunk *ch, struct copy_out *co, void *arg)
{
	(void)arg;
	if (grow((void **)&ch->d, &ch->cap, ch->n + 1, sizeof(*ch->d)) != 0)
		return DR_E_NOMEM;
	struct dossier_in *d = &ch->d[ch->n++];
	memset(d, 0, sizeof(*d));
	d->ins_c = co->field[0];
	d->has_identity = co->field[1] != NULL;
	d->ben_nir = f(co, 1);
	d->ben_nir_cle = f(co, 2);
	d->nom_nai = f(co, 3);
	d->nom_usu = f(co, 4);
	d->prn = f(co, 5);
	d->prn_lis = f(co, 6);
	d->nai_dte = f(co, 7);
	long long sex, version;
	int rc = num(co, 8, "ben_sex_cod", &sex);
	if (rc == 0)
		rc = num(co, 10, "version", &version);
	if (rc != 0)
		return rc;
	d->sex = (int)sex;
	d->nai_com = f(co, 9);
	d->prev_version = (int)version;
	d->prev_set_id = f(co, 11);
	d->prev_doc_id = f(co, 12);
	if (d->has_identity && (!d->nom_nai || !d->prn || !d->nai_dte || strlen(d->nai_dte) != 8))
		d->has_identity = false;
	return 0;
}

/* Rows of a dossier-ordered stream are attached to dossiers by merging on
 * INS-C: first[i] / count[i] index the stream's array. */
struct attach {
	size_t di;
	size_t *first, *count;
};

static int attach_to(struct feed_chunk *ch, struct attach *at, const char *ins_c, size_t index)
{
	while (at->di < ch->n && strcmp(ch->d[at->di].ins_c, ins_c) < 0)
		at->di++;
	if (at->di == ch->n || strcmp(ch->d[at->di].ins_c, ins_c) != 0)
		return dr_error(DR_E_INTERNAL, "rows out of dossier order in a chunk");
	if (at->count[at->di]++ == 0)
		at->first[at->di] = index;
	return 0;
}

static int stay_row(struct feed_chunk *ch, struct copy_out *co, void *arg)
{
	if (grow((void **)&ch->stays, &ch->cap_stays, ch->n_stays + 1, sizeof(*ch->stays)) != 0)
		return DR_E_NOMEM;
	struct stay_in *s = &ch->stays[ch->n_stays];
	date8(s->ent, co->field[1]);
	date8(s->sor, co->field[2]);
	date8(s->end, co->field[3]);
	s->eta_num = f(co, 4);
	s->grg_ghm = f(co, 5);
	s->ghs_num = f(co, 6);
	return attach_to(ch, arg, co->field[0], ch->n_stays++);
}

static int claim_row(struct feed_chunk *ch, struct copy_out *co, void *arg)
{
	if (grow((void **)&ch->claims, &ch->cap_claims, ch->n_claims + 1, sizeof(*ch->claims)) != 0)
		return DR_E_NOMEM;
	struct claim_in *l = &ch->claims[ch->n_claims];
	l->domain = co->field[1] ? co->field[1][0] : '?';
	date8(l->date, co->field[2]);
	long long qty;
	int rc = num(co, 3, "act_qsn", &qty);
	if (rc != 0)
		return rc;
	l->qty = (long)qty;
	l->pha_prs_c13 = f(co, 4);
	l->tip_prs_ide = f(co, 5);
	l->pha_atc_c07 = f(co, 6);
	l->prs_nat_ref = f(co, 7);
	l->cam_prs_ide = f(co, 8);
	l->bio_prs_ide = f(co, 9);
	l->pfs_exe_num = f(co, 10);
	l->pse_spe_cod = f(co, 11);
	l->etb_exe_fin = f(co, 12);
	l->pfs_pre_num = f(co, 13);
	l->psp_spe_cod = f(co, 14);
	l->etb_pre_fin = f(co, 15);
	l->line_key = f(co, 16);
	return attach_to(ch, arg, co->field[0], ch->n_claims++);
}

int feed_fetch(PGconn *c, const struct feed_window *w, struct feed_chunk *ch)
{
	int rc;

	feed_chunk_reset(ch);
	rc = each_row(c, "reading identities",
		/* the chunk outer-joined with what the shards return for it (Citus
		 * plans each subquery on its own: a lateral join over a temporary
		 * table it cannot) */
		"COPY (SELECT k.ins_c, b.ben_nir, b.ben_nir_cle, b.ben_nom_nai, b.ben_nom_usu, b.ben_prn,"
		"             b.ben_prn_lis, b.ben_nai_dte, b.ben_sex_cod, b.ben_nai_com,"
		"             v.version, v.set_id, v.doc_id"
		"        FROM feed_chunk k"
		"        LEFT JOIN (SELECT x.* FROM beneficiary x JOIN feed_chunk y ON y.ins_c = x.ins_c) b"
		"               ON b.ins_c = k.ins_c"
		"        LEFT JOIN (SELECT DISTINCT ON (dv.ins_c) dv.ins_c, dv.version, dv.set_id, dv.doc_id"
		"                     FROM document_version dv JOIN feed_chunk y ON y.ins_c = dv.ins_c"
		"                    ORDER BY dv.ins_c, dv.version DESC) v ON v.ins_c = k.ins_c"
		"       ORDER BY k.ins_c) TO STDOUT", 13, ch, dossier_row, NULL);
	if (rc != 0)
		return rc;

	size_t *idx = calloc(4 * (ch->n + 1), sizeof(size_t));
	if (idx == NULL)
		return dr_error(DR_E_NOMEM, "out of memory reading a chunk of dossiers");
	struct attach stays = { 0, idx, idx + ch->n + 1 };
	struct attach claims = { 0, idx + 2 * (ch->n + 1), idx + 3 * (ch->n + 1) };

	/* Stays that end inside or after the window's first day: those admitted
	 * in the window are shown, and any of them may put an H on a line. The
	 * window's days (YYYY-MM-DD, computed by the server) go into the
	 * statement: COPY takes no parameter. */
	struct buf sql;
	buf_init(&sql, 8192);
	rc = buf_printf(&sql,
		"COPY (SELECT s.ins_c, s.ent_dat, s.sor_dat, coalesce(s.sor_dat, s.ent_dat + coalesce(s.sej_nbj, 0)),"
		"             s.eta_num, s.grg_ghm, s.ghs_num"
		"        FROM feed_chunk k JOIN hospital_stay s ON s.ins_c = k.ins_c"
		"       WHERE s.ent_dat <= '%s'"
		"         AND coalesce(s.sor_dat, s.ent_dat + coalesce(s.sej_nbj, 0)) >= '%s'"
		"       ORDER BY s.ins_c, s.ent_dat, s.eta_num, s.rsa_num) TO STDOUT", w->hi, w->lo);
	if (rc == 0)
		rc = each_row(c, "reading stays", sql.data, 7, ch, stay_row, &stays);

	/* Claim lines of the window, never DPN_QLF 71. Care precedes processing,
	 * so FLX_TRT_DTD >= the window's start prunes the older partitions. */
	if (rc == 0) {
		buf_reset(&sql);
		rc = buf_printf(&sql,
			"COPY (SELECT c.ins_c, c.domain, c.exe_soi_dtd, c.act_qsn,"
			"             c.pha_prs_c13, c.tip_prs_ide, c.pha_atc_c07, c.prs_nat_ref, c.cam_prs_ide,"
			"             c.bio_prs_ide, c.pfs_exe_num, c.pse_spe_cod, c.etb_exe_fin,"
			"             c.pfs_pre_num, c.psp_spe_cod, c.etb_pre_fin, c.line_key"
			"        FROM feed_chunk k JOIN claim_line c ON c.ins_c = k.ins_c"
			"       WHERE c.exe_soi_dtd BETWEEN '%s' AND '%s' AND c.flx_trt_dtd >= '%s'"
			"         AND c.dpn_qlf IS DISTINCT FROM 71"
			"       ORDER BY c.ins_c) TO STDOUT", w->lo, w->hi, w->lo);
		if (rc == 0)
			rc = each_row(c, "reading claim lines", sql.data, 17, ch, claim_row, &claims);
	}
	buf_free(&sql);
	if (rc == 0)
		for (size_t i = 0; i < ch->n; i++) {
			struct dossier_in *d = &ch->d[i];
			d->stays = stays.count[i] ? &ch->stays[stays.first[i]] : NULL;
			d->n_stays = stays.count[i];
			d->claims = claims.count[i] ? &ch->claims[claims.first[i]] : NULL;
			d->n_claims = claims.count[i];
		}
	free(idx);
	return rc;
}

void feed_chunk_reset(struct feed_chunk *ch)
{
	for (size_t i = 0; i < ch->n_bufs; i++)
		PQfreemem(ch->bufs[i]);
	ch->n = ch->n_claims = ch->n_stays = ch->n_bufs = 0;
}

void feed_chunk_free(struct feed_chunk *ch)
{
	feed_chunk_reset(ch);
	free(ch->d);
	free(ch->claims);
	free(ch->stays);
	free(ch->bufs);
	memset(ch, 0, sizeof(*ch));
}

/* ---- storing documents ----------------------------------------------------- */

int feed_store_begin(PGconn *c, struct copy *cp)
{
	/* binary: the documents' bytes go as they are, unescaped on both sides */
	struct buf sql;
	int rc;

	buf_init(&sql, 4096);
	if ((rc = feed_doc_sql(&sql, "COPY feed_doc (", false, ") FROM STDIN (FORMAT binary)")) == 0)
		rc = copy_begin_binary(cp, c, sql.data);
	buf_free(&sql);
	return rc;
}

int feed_store_doc(struct copy *cp, const struct feed_doc *d, const char *xml)
{
	int rc;

	/* in FEED_DOC_COLUMNS' order */
	if ((rc = copy_bin_row(cp, FEED_DOC_NCOLS)) || (rc = copy_bin_textz(cp, d->ins_c))
	    || (rc = copy_bin_textz(cp, d->set_id)) || (rc = copy_bin_textz(cp, d->doc_id))
	    || (rc = copy_bin_int4(cp, d->version)) || (rc = copy_bin_text(cp, xml, d->bytes))
	    || (rc = copy_bin_textz(cp, d->sha256)) || (rc = copy_bin_int4(cp, (long)d->bytes)))
		return rc;
	return copy_bin_int4_array(cp, d->section_rows, FEED_DOC_SECTIONS);
}

/* The chunk's array arguments of document_store_staged(): the too-large
 * dossiers and their claim lines, and for a backfill every INS-C of the
 * chunk. Array literals of digits only. */
struct store_args {
	struct buf too_large, lines, chunk;
};

/* Appends item to the array literal being built in b ("{" at first). */
static int array_item(struct buf *b, const char *item)
{
	return buf_printf(b, "%s%s", b->len == 0 ? "{" : ",", item);
}

static int array_close(struct buf *b)
{
	int rc = b->len == 0 ? buf_putc(b, '{') : 0;

	return rc ? rc : buf_putc(b, '}');
}

static int store_args(struct store_args *a, const struct feed_doc *docs, size_t n, bool backfill)
{
	int rc = 0;

	buf_init(&a->too_large, 1u << 20);
	buf_init(&a->lines, 1u << 20);
	buf_init(&a->chunk, 1u << 24);
	for (size_t i = 0; i < n && rc == 0; i++) {
		char lines[24];
		snprintf(lines, sizeof(lines), "%zu", docs[i].claim_lines);
		if (docs[i].too_large
		    && ((rc = array_item(&a->too_large, docs[i].ins_c)) != 0
			|| (rc = array_item(&a->lines, lines)) != 0))
			break;
		if (backfill)
			rc = array_item(&a->chunk, docs[i].ins_c);
	}
	if (rc == 0 && (rc = array_close(&a->too_large)) == 0 && (rc = array_close(&a->lines)) == 0)
		rc = array_close(&a->chunk);
	return rc;
}

static void store_args_free(struct store_args *a)
{
	buf_free(&a->too_large);
	buf_free(&a->lines);
	buf_free(&a->chunk);
}

int feed_store_end(PGconn *c, struct copy *cp, const struct feed_window *w, long long run_id,
		   const struct feed_selection *sel, const struct feed_doc *docs, size_t n_docs,
		   size_t max_bytes, long *refused)
{
	char run[24], mb[24], backfill[24];
	struct store_args a;
	long long n;
	int rc;

	*refused = 0;
	if ((rc = copy_finish(cp, &n)) != 0)
		return rc;
	if ((rc = store_args(&a, docs, n_docs, sel->mode == FEED_BACKFILL)) != 0) {
		store_args_free(&a);
		return rc;
	}
	/* document_store_staged() (sql/011_enforced_writes.sql) writes the
	 * current document, the version row and the trace from feed_doc, for
	 * the dossiers still open without objection, and the chunk's refusals
	 * and backfill marks: the feed role writes none of them itself. */
	text_decimal(run_id, run);
	snprintf(mb, sizeof(mb), "%zu", max_bytes >> 20);
	text_decimal(sel->backfill_run, backfill);
	const char *params[9] = { w->lo, w->hi, w->as_of, run_id > 0 ? run : NULL, a.too_large.data, a.lines.data,
				  mb, sel->mode == FEED_BACKFILL ? backfill : NULL,
				  sel->mode == FEED_BACKFILL ? a.chunk.data : NULL };
	PGresult *r = PQexecParams(c,
		"SELECT * FROM document_store_staged($1::date, $2::date, $3::timestamptz, $4::bigint,"
		" $5::text[], $6::bigint[], $7::int, $8::bigint, $9::text[])",
		9, NULL, params, NULL, NULL, 0);
	store_args_free(&a);
	if (PQresultStatus(r) != PGRES_TUPLES_OK) {
		rc = strcmp(db_sqlstate(r), "23505") == 0
			? dr_error(DR_E_RETRY, "another feed stored a version of these dossiers meanwhile; run again")
			: db_fail(c, r, "storing documents");
		PQclear(r);
		return rc;
	}
	long long stored = 0, versions = 0, refused_n = 0;
	if ((rc = db_get_long(r, 0, 0, 0, &stored)) == 0 && (rc = db_get_long(r, 0, 1, 0, &versions)) == 0)
		rc = db_get_long(r, 0, 4, 0, &refused_n);
	PQclear(r);
	if (rc != 0)
		return rc;
	*refused = (long)refused_n;
	if (stored + *refused != n || versions != stored)
		return dr_error(DR_E_RETRY, "%lld of %lld documents were newer in the database; run again",
				n - stored - *refused, n);
	return 0;
}

int feed_render_audit(PGconn *c, const char *ins_c, const char *reason, char *verdict, size_t size)
{
	const char *params[2] = { ins_c, reason };
	PGresult *r;
	int rc = db_query_text(c, "recording the render", "SELECT dmpremb.render_audit_record($1, $2)",
			       2, params, &r);

	if (rc)
		return rc;
	snprintf(verdict, size, "%s", PQntuples(r) == 1 ? PQgetvalue(r, 0, 0) : "");
	PQclear(r);
	return 0;
}

#!/bin/sh
# tests/cli/t0810-analytics.sh — the analysts' schema (sql/005_analytics.sql).
# Every view's figures against an independent count: the stored rows counted
# here by the superuser, or the fixtures' hand-made EXPECTED files and the
# known times of made-up events (the raw figures, analytics_private; what
# analysts see of them under the small-count rule: t0815); by catalog, no column
# that looks like an identifier and nothing of dmpremb for dmpremb_analyst
# (probes fail with 42501); a keyed pseudonym, stable, unlike any plain hash;
# the README's examples run as the analyst. Output: counts and names of
# views, never an INS-C or a pseudonym.
. "$TESTLIB"
demo="$FIXTURES/batch-demo"
AS_OF=2026-11-15T10:00:00+01:00

# as_login ROLE SQL: psql under the test login holding only dmpremb_ROLE
as_login() {
	PGUSER=dmpremb_t_$1 psql -X -q -tA -v ON_ERROR_STOP=1 -v VERBOSITY=sqlstate -c "$2" 2>"$TMP/login.err"
}
# denied SQL: the analyst's attempt fails with SQLSTATE 42501
denied() {
	as_login analyst "$1" >/dev/null
	check_eq "analyst may not: $1" 42501 "$(sed -n 's/^ERROR: *\([0-9A-Z]\{5\}\).*/\1/p' "$TMP/login.err" | head -1)"
}
# digest SQL: md5 of the rows of a query, as text, in their order
digest() { sql "SELECT md5(coalesce(string_agg(x::text, ',' ORDER BY n), '')) FROM (SELECT x, row_number() OVER () n FROM ($1) x) y"; }
refreshed() { sql "SELECT refreshed_at FROM analytics.freshness WHERE relation = '$1'"; }
logs() { cat "$TMP/err" >>"$TMP/all.err"; }

# the claim lines and stays of the database, counted here, code rules written
# anew: the code the document shows, CCAM before the nature of an act
base_stat="SELECT date_trunc('month', flx_trt_dtd)::date AS flx_month, date_trunc('month', exe_soi_dtd)::date AS care_month,
        domain, CASE WHEN pha_prs_c13 IS NOT NULL THEN 'cip13' WHEN tip_prs_ide IS NOT NULL THEN 'lpp'
                     WHEN cam_prs_ide IS NOT NULL THEN 'ccam' WHEN domain IN ('A', 'R') THEN 'ngap' ELSE 'nabm' END AS code_kind,
        coalesce(pha_prs_c13, tip_prs_ide, cam_prs_ide, prs_nat_ref::text, bio_prs_ide::text) AS code,
        coalesce(pha_atc_c07, '') AS atc, count(*) AS lines
   FROM claim_line GROUP BY 1, 2, 3, 4, 5, 6
  UNION ALL
 SELECT date_trunc('month', ent_dat)::date, date_trunc('month', ent_dat)::date, 'H'::\"char\", 'ghm', grg_ghm, '', count(*)
   FROM hospital_stay GROUP BY 1, 2, 3, 4, 5, 6"
stat_matches_base() {
	check_eq "$1" "$(digest "SELECT * FROM ($base_stat) b ORDER BY 1, 2, 3, 4, 5, 6")" \
		"$(digest "SELECT flx_month, care_month, domain, code_kind, code, atc, lines FROM claim_stat ORDER BY 1, 2, 3, 4, 5, 6")"
}

# ============================================================================
# A. batch-demo: volumes, quality, codes, documents, runs, pseudonyms, rights
new_db analytics
dbA=$PGDATABASE
check_exit 0 "referentials load" "$DMPREMB" referentials load --snds "$FIXTURES/referentials/snds" \
	--bdpm "$FIXTURES/referentials/bdpm"
t=$(sql "SELECT now()")
check_exit 0 "ingest batch-demo" "$DMPREMB" ingest "$demo" --max-reject-ratio 0.5
logs
check_grep "the ingest refreshed the claims' figures" "analytics.refresh .*what=claims views=1" "$TMP/err"
check_eq "... top_code, after the ingest began" t "$(sql "SELECT refreshed_at > '$t' FROM analytics.freshness WHERE relation = 'top_code'")"

# --- claim_stat: the lines loaded, counted in the merge
stat_matches_base "claim_stat holds exactly the stored claim lines and stays, by month, domain and code"
check_eq "... as many as EXPECTED.tsv loads in the five claim and stay files" \
	"$(awk -F'\t' '$1 ~ /^(pharmacie|actes|radiologie|biologie|hospitalisation)\.csv$/ { n += $3 } END { print n }' "$demo/EXPECTED.tsv")" \
	"$(sql "SELECT sum(lines) FROM claim_stat")"

# --- claim_volume: by processing month, care month, file and section
check_eq "claim_volume = the stored lines' cells by month, file and document section (their counts: t0815)" \
	"$(digest "SELECT date_trunc('month', flx_trt_dtd)::date, date_trunc('month', exe_soi_dtd)::date,
	           CASE domain WHEN 'P' THEN 'pharmacie' WHEN 'A' THEN 'actes' WHEN 'R' THEN 'radiologie' ELSE 'biologie' END,
	           CASE WHEN domain = 'P' AND pha_prs_c13 IS NULL THEN 'Dispositifs médicaux'
	                WHEN domain = 'P' AND pha_atc_c07 LIKE 'J07%' THEN 'Vaccinations'
	                WHEN domain = 'P' THEN 'Médicaments' WHEN domain = 'A' THEN 'Soins médicaux et dentaires'
	                WHEN domain = 'R' THEN 'Radiologie' ELSE 'Biologie' END
	      FROM claim_line GROUP BY 1, 2, 3, 4
	     UNION ALL SELECT date_trunc('month', ent_dat)::date, date_trunc('month', ent_dat)::date,
	           'hospitalisation', 'Hospitalisations' FROM hospital_stay GROUP BY 1, 2 ORDER BY 1, 2, 3, 4")" \
	"$(digest "SELECT processing_month, care_month, domain, section FROM analytics.claim_volume ORDER BY 1, 2, 3, 4")"

# --- ingest_file and ingest_reason: the hand-made reports of batch-demo
check_eq "ingest_file: read, loaded, filtered, rejected, duplicate per file = EXPECTED.tsv" \
	"$(tail -n +2 "$demo/EXPECTED.tsv" | tr '\t' '|' | LC_ALL=C sort)" \
	"$(as_login analyst "SELECT file, lines_read, loaded, filtered, rejected, duplicate FROM analytics.ingest_file
	                     WHERE batch_label = 'batch-demo' ORDER BY file COLLATE \"C\"")"
check_eq "ingest_reason: lines per file, outcome and reason = EXPECTED-rejects.tsv and EXPECTED-filtered.tsv" \
	"$({ tail -n +2 "$demo/EXPECTED-rejects.tsv" | awk -F'\t' '{ print $1 "|rejected|" $4 }'
	     tail -n +2 "$demo/EXPECTED-filtered.tsv" | awk -F'\t' '{ print $1 "|filtered|" $3 }'; } |
	   sort | uniq -c | awk '{ print $2 "|" $1 }' | LC_ALL=C sort)" \
	"$(as_login analyst "SELECT r FROM (SELECT file || '|' || outcome || '|' || reason_code || '|' || lines AS r
	                     FROM analytics.ingest_reason) x ORDER BY r COLLATE \"C\"")"

# --- top_code over the window of 2027-01-10: care months 2025-01 .. 2027-01
check_eq "the ingest role may refresh the claims' figures" 1 \
	"$(as_login ingest "SELECT dmpremb.analytics_refresh('claims', '2027-01-10T12:00:00+01:00')")"
check "batch-demo has lines before the window (December 2024)" \
	test "$(sql "SELECT count(*) FROM claim_line WHERE exe_soi_dtd < '2025-01-01'")" -gt 0
top_base="SELECT kind, code, count(*) AS n FROM (
	SELECT CASE WHEN pha_prs_c13 IS NOT NULL THEN 'cip13' WHEN tip_prs_ide IS NOT NULL THEN 'lpp'
	            WHEN cam_prs_ide IS NOT NULL THEN 'ccam' WHEN domain IN ('A', 'R') THEN 'ngap' ELSE 'nabm' END AS kind,
	       coalesce(pha_prs_c13, tip_prs_ide, cam_prs_ide, prs_nat_ref::text, bio_prs_ide::text) AS code
	  FROM claim_line WHERE exe_soi_dtd BETWEEN '2025-01-01' AND '2027-01-10'
	UNION ALL SELECT 'ghm', grg_ghm FROM hospital_stay WHERE ent_dat BETWEEN '2025-01-01' AND '2027-01-10') l
	GROUP BY 1, 2"
check_eq "top_code's figures: every code of the window once, with its lines (what analysts see of them: t0815)" \
	"$(sql "SELECT string_agg(kind || ' ' || code || ' ' || lines, ',' ORDER BY kind, code)
	        FROM analytics_private.top_code" | md5sum)" \
	"$(sql "SELECT string_agg(kind || ' ' || code || ' ' || n, ',' ORDER BY kind, code)
	        FROM ($top_base) b" | md5sum)"
check_eq "both sides of the secrecy threshold occur (hidden codes, shown codes)" "true true" \
	"$(sql "SELECT bool_or(n < 10) || ' ' || bool_or(n >= 10) FROM ($top_base) b")"
check_eq "a code listed has 10 lines or more, and a rank" "0 0" \
	"$(as_login analyst "SELECT count(*) FILTER (WHERE lines < 10) || ' ' || count(*) FILTER (WHERE rank_in_kind IS NULL)
	                     FROM analytics.top_code WHERE code IS NOT NULL")"
check_eq "rank 1 of each kind has its most lines" "0" \
	"$(sql "SELECT count(*) FROM analytics.top_code t WHERE rank_in_kind = 1
	         AND lines < (SELECT max(lines) FROM analytics.top_code u WHERE u.kind = t.kind AND u.code IS NOT NULL)")"
check_eq "labels: BDPM name (CIP13 -> CIS), LPP, CCAM, PRS_NAT, NABM, GHM" "0 true" \
	"$(sql "SELECT count(*) FILTER (WHERE t.label IS DISTINCT FROM coalesce(
	          (SELECT s.denomination FROM ref_bdpm_cip p JOIN ref_bdpm_cis s USING (cis) WHERE t.kind = 'cip13' AND p.cip13 = t.code),
	          (SELECT lpp_red_lib FROM ref_nt_lpp WHERE t.kind = 'lpp' AND lpp_prs_ide = t.code),
	          (SELECT cam_prs_ide_lib FROM ref_ir_ccam WHERE t.kind = 'ccam' AND cam_prs_ide_cod = t.code),
	          (SELECT prs_nat_lib FROM ref_ir_nat_v WHERE t.kind = 'ngap' AND prs_nat::text = t.code),
	          (SELECT bio_inf_lib FROM ref_ir_bio_r WHERE t.kind = 'nabm' AND bio_prs_ide::text = t.code),
	          (SELECT ghm_lib FROM ref_ms_gm9_v WHERE t.kind = 'ghm' AND gm9_ghm_cod = t.code)))
	        || ' ' || (count(DISTINCT t.kind) = 6) FROM analytics_private.top_code t")"
check_eq "drugs: the ATC of the lines and its level-3 group" "0 true" \
	"$(sql "SELECT count(*) FILTER (WHERE t.atc IS DISTINCT FROM (SELECT mode() WITHIN GROUP (ORDER BY pha_atc_c07) FROM claim_line
	                                  WHERE pha_prs_c13 = t.code AND exe_soi_dtd >= '2025-01-01')
	                            OR t.atc_group IS DISTINCT FROM left(t.atc, 3))
	        || ' ' || bool_and(t.atc IS NOT NULL) FROM analytics_private.top_code t WHERE t.kind = 'cip13'")"

# --- documents: every person's dossier created on 01/11, all fed at $AS_OF,
# so that the documents are those of EXPECTED-docs.tsv
{
	echo 'INS_C;EVENEMENT;HORODATAGE'
	sql "SELECT ins_c || ';CREATION;2026-11-01T09:00:00+01:00' FROM beneficiary"
} >"$TMP/events.csv"
t=$(sql "SELECT now()")
check_exit 0 "dossiers import" "$DMPREMB" dossiers import "$TMP/events.csv"
logs
check_eq "the import refreshed the dossiers' figures" t \
	"$(sql "SELECT bool_and(refreshed_at > '$t') FROM analytics.freshness WHERE relation IN ('first_feed_sla', 'refresh_compliance')")"
sql "SELECT ins_c FROM dossier" >"$TMP/all.list"
t=$(sql "SELECT now()")
check_exit 0 "feed at $AS_OF" "$DMPREMB" feed --as-of "$AS_OF" --ins-c "$TMP/all.list"
logs
check_grep "the feed refreshed the dossiers' and documents' figures" "analytics.refresh .*what=dossiers,documents views=4" "$TMP/err"
check_eq "... as of the feed's own --as-of" "4 4" \
	"$(sql "SELECT count(*) FILTER (WHERE refreshed_at > '$t') || ' ' || count(*) FILTER (WHERE as_of = '$AS_OF')
	        FROM analytics.freshness WHERE relation IN ('first_feed_sla', 'refresh_compliance', 'document_section', 'document_size')")"
ndocs=$(($(tail -n +2 "$demo/EXPECTED-docs.tsv" | cut -f1 | sort -u | wc -l) + $(tail -n +2 "$demo/EXPECTED-docs-empty.tsv" | wc -l)))
check_eq "one document per person of EXPECTED-docs.tsv" "$ndocs" "$(sql "SELECT count(*) FROM document")"
check_eq "document_section: documents with rows, empty, and rows per section = EXPECTED-docs.tsv" \
	"$(tail -n +2 "$demo/EXPECTED-docs.tsv" | awk -F'\t' -v n="$ndocs" '
	    { rows[$2]++; if (!seen[$2 "," $1]++) docs[$2]++ }
	    END { split("MED VAC DM HOSP ACTE RAD BIO", s, " ")
	          for (i = 1; i <= 7; i++) print i "|" docs[s[i]] + 0 "|" n - docs[s[i]] "|" rows[s[i]] + 0 }')" \
	"$(sql "SELECT section_no, documents_with_rows, documents_empty, rows_shown
	        FROM analytics_private.document_section ORDER BY section_no")"
check_eq "document_size: documents per power-of-two size class" \
	"$(sql "SELECT bytes FROM document" | awk '{ lo = 1; while (lo * 2 <= $1) lo *= 2; n[lo]++; b[lo] += $1 }
	    END { for (lo in n) print lo "|" 2 * lo "|" n[lo] "|" b[lo] }' | sort -n)" \
	"$(sql "SELECT bytes_from, bytes_below, documents, total_bytes FROM analytics_private.document_size ORDER BY 1")"
check_eq "first_feed_sla: the 20 dossiers of 01/11, all fed 14 days late" "2026-11-01|20|0|20|0|0|0|337.0|337.0" \
	"$(as_login analyst "SELECT * FROM analytics.first_feed_sla")"

# --- run_history: every run, numeric counts only, throughput
check_eq "run_history has every run" "$(sql "SELECT count(*) FROM run")" "$(as_login analyst "SELECT count(*) FROM analytics.run_history")"
check "the feed's counts in run hold text (as_of)" \
	test "$(sql "SELECT count(*) FROM run r, jsonb_each(r.counts) e WHERE jsonb_typeof(e.value) = 'string'")" -gt 0
check_eq "... which run_history leaves out: numbers only" 0 \
	"$(as_login analyst "SELECT count(*) FROM analytics.run_history r, jsonb_each(r.counts) e WHERE jsonb_typeof(e.value) <> 'number'")"
check_eq "feed: 20 documents, documents per second over the run's duration" \
	"$(sql "SELECT '20|' || round(20 / extract(epoch FROM ended_at - started_at)::numeric, 1) FROM run WHERE command = 'feed'")" \
	"$(as_login analyst "SELECT counts->>'documents' || '|' || documents_per_second FROM analytics.run_history WHERE command = 'feed'")"
check_eq "ingest: lines read per second over the run's duration" \
	"$(sql "SELECT round(381 / extract(epoch FROM ended_at - started_at)::numeric, 1) FROM run WHERE command = 'ingest'")" \
	"$(as_login analyst "SELECT lines_read_per_second FROM analytics.run_history WHERE command = 'ingest'")"

# --- the pseudonym: HMAC-SHA256 under the owner's key, stable, unlike a plain hash
pseudonyms="SELECT pseudonym FROM analytics_private.dossier_pseudonym ORDER BY 1"
p1=$(digest "$pseudonyms")
check_eq "one pseudonym per dossier, all different, 64 hex digits" "20 20 20" \
	"$(sql "SELECT count(*) || ' ' || count(DISTINCT pseudonym) || ' ' || count(*) FILTER (WHERE pseudonym ~ '^[0-9a-f]{64}$')
	        FROM analytics_private.dossier_pseudonym")"
check_eq "each is HMAC-SHA256(INS-C, the key only the owner reads)" 20 \
	"$(sql "SELECT count(*) FROM dossier d CROSS JOIN analytics_private.pseudonym_key k
	         JOIN analytics_private.dossier_pseudonym f ON f.ins_c = d.ins_c
	          AND f.pseudonym = encode(analytics_private.hmac(convert_to(d.ins_c, 'UTF8'), k.hmac_key, 'sha256'), 'hex')")"
check_eq "none is a plain hash of an INS-C (md5, sha256, HMAC with an empty key)" 0 \
	"$(sql "SELECT count(*) FROM dossier d JOIN analytics_private.dossier_pseudonym f ON f.pseudonym IN (md5(d.ins_c),
	          encode(sha256(convert_to(d.ins_c, 'UTF8')), 'hex'),
	          encode(analytics_private.hmac(convert_to(d.ins_c, 'UTF8'), ''::bytea, 'sha256'), 'hex'))")"
check_eq "the feed role may refresh everything" 5 "$(as_login feed "SELECT dmpremb.analytics_refresh('all')")"
check_eq "... twice" 5 "$(as_login feed "SELECT dmpremb.analytics_refresh('all')")"
check_eq "the pseudonyms are the same after two refreshes" "$p1" "$(digest "$pseudonyms")"
check_exit 0 "a later feed (every dossier again)" "$DMPREMB" feed --as-of 2026-11-16T10:00:00+01:00 --ins-c "$TMP/all.list"
check_eq "... changes no pseudonym" "$p1" "$(digest "$pseudonyms")"
check_eq "the refresh of a bad group is refused" 22023 \
	"$(as_login feed "SELECT dmpremb.analytics_refresh('everything')" >/dev/null; sed -n 's/^ERROR: *\([0-9A-Z]*\).*/\1/p' "$TMP/login.err")"

check_eq "the ingest role adds to claim_stat and cannot erase it (the purge does, as the owner)" "true false false" \
	"$(sql "SELECT has_table_privilege('dmpremb_ingest', 'dmpremb.claim_stat', 'INSERT, UPDATE') || ' '
	            || has_table_privilege('dmpremb_ingest', 'dmpremb.claim_stat', 'DELETE') || ' '
	            || has_table_privilege('dmpremb_ingest', 'dmpremb.claim_stat', 'TRUNCATE')")"

# --- batch-late adds its lines; a batch applied again adds nothing
sum1=$(sql "SELECT sum(lines) FROM claim_stat")
check_exit 0 "ingest batch-late" "$DMPREMB" ingest "$FIXTURES/batch-late" --max-reject-ratio 0.5
check_eq "claim_stat grew by batch-late's loaded claim lines (EXPECTED.tsv)" \
	"$(awk -F'\t' -v s="$sum1" 'NR == 1 { next }
	    $1 ~ /^(pharmacie|actes|radiologie|biologie|hospitalisation)\.csv$/ { s += $3 } END { print s }' "$FIXTURES/batch-late/EXPECTED.tsv")" \
	"$(sql "SELECT sum(lines) FROM claim_stat")"
stat2=$(digest "SELECT * FROM claim_stat ORDER BY 1, 2, 3, 4, 5, 6")
check_exit 0 "batch-late again" "$DMPREMB" ingest "$FIXTURES/batch-late" --max-reject-ratio 0.5
check_eq "... counts nothing twice" "$stat2" "$(digest "SELECT * FROM claim_stat ORDER BY 1, 2, 3, 4, 5, 6")"

# --- a deleted dossier: its pseudonym goes, the claim counts stay
heavy=$(sql "SELECT ins_c FROM claim_line GROUP BY ins_c ORDER BY count(*) DESC, ins_c LIMIT 1")
stat1=$(digest "SELECT * FROM claim_stat ORDER BY 1, 2, 3, 4, 5, 6")
lines1=$(sql "SELECT count(*) FROM claim_line")
printf 'INS_C;EVENEMENT;HORODATAGE\n%s;SUPPRESSION;2026-11-17T09:00:00+01:00\n' "$heavy" >"$TMP/delete.csv"
check_exit 0 "the dossier with the most claim lines is deleted" "$DMPREMB" dossiers import "$TMP/delete.csv"
check "its claim lines are destroyed" test "$(sql "SELECT count(*) FROM claim_line")" -lt "$lines1"
check_eq "claim_stat still counts them (lines received)" "$stat1" "$(digest "SELECT * FROM claim_stat ORDER BY 1, 2, 3, 4, 5, 6")"
check_eq "its pseudonym is gone; the 19 others stay" "0 19" \
	"$(sql "SELECT count(*) FROM analytics_private.dossier_pseudonym WHERE ins_c = '$heavy'") $(sql "SELECT count(*) FROM analytics_private.dossier_pseudonym")"

# --- a failed refresh is a warning, never a failed run
sql "REVOKE EXECUTE ON FUNCTION dmpremb.analytics_refresh(text, timestamptz) FROM dmpremb_feed" >/dev/null
check_exit 0 "a feed whose refresh is refused still succeeds" "$DMPREMB" feed --as-of 2026-11-16T11:00:00+01:00
logs
check_grep "... and says so" "warn analytics.refresh_failed .*what=dossiers,documents .*42501" "$TMP/err"
sql "GRANT EXECUTE ON FUNCTION dmpremb.analytics_refresh(text, timestamptz) TO dmpremb_feed" >/dev/null

# --- (c) by catalog: no identifier-like column, nothing of dmpremb for the analyst
check_eq "no column of schema analytics is named like an identifier, a name, a birth date or free text" "" \
	"$(sql "SELECT string_agg(c.relname || '.' || a.attname, ' ') FROM pg_attribute a
	          JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
	         WHERE n.nspname = 'analytics' AND a.attnum > 0 AND NOT a.attisdropped
	           AND (a.attname ~ '(ins_?c|nir|nom|prn|nai|birth|name|xml|raw|message|secret|hmac|sex|adress|address|login)'
	                OR a.attname IN ('reason', 'options', 'host', 'pid', 'role', 'key', 'value', 'text', 'comment')
	                OR a.atttypid IN ('bytea'::regtype, 'xml'::regtype))")"
check "... the check sees the columns (more than 60)" \
	test "$(sql "SELECT count(*) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
	             WHERE c.relnamespace = 'analytics'::regnamespace AND a.attnum > 0")" -gt 60
check_eq "the analyst reads every view of analytics" "" \
	"$(sql "SELECT string_agg(relname, ' ') FROM pg_class WHERE relnamespace = 'analytics'::regnamespace
	         AND relkind IN ('r', 'v', 'm') AND NOT has_table_privilege('dmpremb_analyst', oid, 'SELECT')")"
check_eq "... and no relation of dmpremb or analytics_private, not even a column" "" \
	"$(sql "SELECT string_agg(c.relname, ' ') FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
	         WHERE n.nspname IN ('dmpremb', 'analytics_private')
	           AND (has_table_privilege('dmpremb_analyst', c.oid, 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES')
	                OR has_any_column_privilege('dmpremb_analyst', c.oid, 'SELECT, INSERT, UPDATE, REFERENCES'))")"
check_eq "... and only reads analytics" "" \
	"$(sql "SELECT string_agg(relname, ' ') FROM pg_class WHERE relnamespace = 'analytics'::regnamespace
	         AND has_table_privilege('dmpremb_analyst', oid, 'INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER')")"
check_eq "... nor uses those schemas" "false false" \
	"$(sql "SELECT has_schema_privilege('dmpremb_analyst', 'dmpremb', 'USAGE') || ' '
	            || has_schema_privilege('dmpremb_analyst', 'analytics_private', 'USAGE')")"
check_eq "no dmpremb function is executable by the analyst" "" \
	"$(sql "SELECT string_agg(p.oid::regprocedure::text, ' ') FROM pg_proc p
	         WHERE p.pronamespace = 'dmpremb'::regnamespace AND has_function_privilege('dmpremb_analyst', p.oid, 'EXECUTE')")"
check_eq "every column of every analytics view has a comment (unit, window, freshness)" "" \
	"$(sql "SELECT string_agg(c.relname || '.' || a.attname, ' ') FROM pg_attribute a
	         JOIN pg_class c ON c.oid = a.attrelid
	        WHERE c.relnamespace = 'analytics'::regnamespace AND c.relkind IN ('v', 'm') AND a.attnum > 0
	          AND NOT a.attisdropped AND coalesce(col_description(c.oid, a.attnum), '') = ''")"
check_eq "no function outside pg_catalog can be called by the analyst (schema and EXECUTE), pgcrypto's included" "" \
	"$(sql "SELECT string_agg(p.oid::regprocedure::text, ' ') FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
	         WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
	           AND has_schema_privilege('dmpremb_analyst', n.oid, 'USAGE')
	           AND has_function_privilege('dmpremb_analyst', p.oid, 'EXECUTE')")"
check "... the check sees pgcrypto's hmac" test "$(sql "SELECT count(*) FROM pg_proc WHERE proname = 'hmac'")" -gt 0
check_eq "no view of analytics reads claim_line (scale): only claim_stat" "claim_volume top_code" \
	"$(sql "SELECT string_agg(DISTINCT v.relname, ' ' ORDER BY v.relname) FROM pg_rewrite r
	          JOIN pg_class v ON v.oid = r.ev_class JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid
	          JOIN pg_class t ON t.oid = d.refobjid
	         WHERE v.relnamespace IN ('analytics'::regnamespace, 'analytics_private'::regnamespace)
	           AND t.relnamespace = 'dmpremb'::regnamespace
	           AND (t.relname ~ '^claim_line' OR t.relname = 'claim_stat')")"
check_eq "every view says what it answers and how fresh it is" "" \
	"$(sql "SELECT string_agg(relname, ' ') FROM pg_class WHERE relnamespace = 'analytics'::regnamespace
	         AND relkind IN ('v', 'm') AND coalesce(obj_description(oid, 'pg_class'), '') !~ '\\?.*(Live|Fresh as of)'")"
check_eq "freshness lists every view: refreshed ones with their time (live: the ingest and run reports, freshness)" "6 5 0" \
	"$(as_login analyst "SELECT count(*) FILTER (WHERE kind = 'refreshed') || ' ' || count(*) FILTER (WHERE kind = 'live')
	                     || ' ' || count(*) FILTER (WHERE kind = 'refreshed' AND refreshed_at IS NULL) FROM analytics.freshness")"
denied "SELECT count(*) FROM dmpremb.dossier"
denied "SELECT count(*) FROM dmpremb.claim_stat"
denied "SELECT dmpremb.analytics_refresh('all')"
denied "SELECT * FROM analytics_private.pseudonym_key"
denied "SELECT * FROM analytics_private.dossier_pseudonym"
denied "SELECT analytics_private.pseudonym('0', 'x'::bytea)"
denied "SELECT analytics_private.hmac('0'::bytea, 'x'::bytea, 'sha256')"
denied "REFRESH MATERIALIZED VIEW analytics_private.top_code"
denied "SELECT count(*) FROM analytics_private.first_feed_sla"
denied "CREATE VIEW analytics.mine AS SELECT 1"

# --- the README's examples, as the analyst
awk '/^## For analysts/ { on = 1; next } /^## / { on = 0 } on && /^```sql/ { n++; f = 1; next }
     f && /^```/ { f = 0; next } f { print > (dir "/example" n ".sql") }' dir="$TMP" "$TOP/README.md"
n=$(ls "$TMP"/example*.sql 2>/dev/null | wc -l)
check "the README's 'For analysts' chapter has five examples or more ($n)" test "$n" -ge 5
for f in "$TMP"/example*.sql; do
	PGUSER=dmpremb_t_analyst psql -X -q -tA -v ON_ERROR_STOP=1 -f "$f" >"$TMP/out" 2>"$TMP/err"
	check_eq "README $(basename "$f" .sql) runs as the analyst and answers" "0 t" "$? $(test -s "$TMP/out" && echo t)"
done

# ============================================================================
# B. the 72-hour and weekly figures on dossiers of known times: P1..P12 are
# batch-demo persons, O1 a person no batch names (never fed)
new_db analytics_sla
"$DMPREMB" referentials load --snds "$FIXTURES/referentials/snds" --bdpm "$FIXTURES/referentials/bdpm" \
	>"$TMP/setup" 2>&1 &&
"$DMPREMB" ingest "$demo" --max-reject-ratio 0.5 >>"$TMP/setup" 2>&1 ||
	{ echo "setup failed"; sed 's/^/    | /' "$TMP/setup" | tail -5; exit 1; }
sql "SELECT ins_c FROM beneficiary ORDER BY ins_c LIMIT 12" >"$TMP/p"
P() { sed -n "$1p" "$TMP/p"; }
O1=$(printf 'Zoe;900101;2900175999999\n' | "$DMPREMB" insc)
ev() { echo "$(P "$1");$2;$3"; }
events() { { echo 'INS_C;EVENEMENT;HORODATAGE'; cat; } >"$TMP/ev.csv"; check_exit 0 "$1" "$DMPREMB" dossiers import "$TMP/ev.csv"; }
feed() { as=$1; shift; for n in "$@"; do P "$n"; done >"$TMP/list"
	check_exit 0 "feed P$* at $as" "$DMPREMB" feed --as-of "$as" --ins-c "$TMP/list"; logs; }

{ ev 10 CREATION 2026-10-20T10:00:00+02:00; ev 11 CREATION 2026-10-20T10:00:00+02:00; } | events "E0: two creations (summer time)"
feed 2026-10-21T10:00:00+02:00 10 11
{
	ev 10 FERMETURE 2026-10-25T12:00:00+01:00
	ev 1 CREATION 2026-11-02T00:30:00+01:00      # 01/11 in UTC, 02/11 in Paris
	ev 2 CREATION 2026-11-02T09:00:00+01:00
	ev 3 CREATION 2026-11-02T10:00:00+01:00
	ev 4 CREATION 2026-11-02T23:00:00+01:00
	ev 5 CREATION 2026-11-03T08:00:00+01:00
	ev 9 CREATION 2026-11-03T09:00:00+01:00
	ev 6 CREATION 2026-11-03T12:00:00+01:00
	ev 7 CREATION 2026-11-03T12:00:00+01:00
	ev 8 CREATION 2026-11-03T13:00:00+01:00
	ev 8 OPPOSITION 2026-11-03T14:00:00+01:00
	echo "$O1;CREATION;2026-11-03T15:00:00+01:00"
	ev 12 CREATION 2026-11-03T16:00:00+01:00
} | events "E1: creations on 02/11 and 03/11, an objection"
feed 2026-11-03T10:00:00+01:00 1 2 3 4 9
{
	ev 7 FERMETURE 2026-11-04T12:00:00+01:00
	ev 12 SUPPRESSION 2026-11-04T09:00:00+01:00
	ev 10 REACTIVATION 2026-11-05T10:00:00+01:00
} | events "E2: a closure before the first feed, a deletion, a reactivation"
feed 2026-11-07T08:00:00+01:00 5 6 10
check_eq "the last feed refreshed the figures as of its --as-of" t \
	"$(sql "SELECT as_of = '2026-11-07T08:00:00+01:00' FROM analytics.freshness WHERE relation = 'first_feed_sla'")"

# day | dossiers within late not_fed overdue stopped | median p95 of the hours
# 20/10: P11 24 h (P10 counts on its reactivation day); 02/11: P1 33.5, P2 25,
# P3 24, P4 11; 03/11: P9 1, P6 92, P5 96, P7 closed, P8 objection, O1 waiting
# 89 h (overdue); P12 deleted; 05/11: P10 46 h
check_eq "first_feed_sla, day by day (Europe/Paris)" \
"2026-10-20|1|1|0|0|0|0|24.0|24.0
2026-11-02|4|4|0|0|0|0|24.5|32.2
2026-11-03|6|1|2|3|1|2|92.0|95.6
2026-11-05|1|1|0|0|0|0|46.0|46.0" \
	"$(sql "SELECT * FROM analytics_private.first_feed_sla ORDER BY day")"
# open without objection: P1-P4, P9 fed 03/11 10:00; P5, P6, P10 07/11 08:00;
# P11 21/10; O1 never
check_eq "refresh_compliance at 07/11 08:00: 8 on time, 1 over 14 days, 1 never" \
	"t|10|8|0|1|1" "$(sql "SELECT as_of = '2026-11-07T08:00:00+01:00', open_dossiers, fed_0_7_days_ago,
	                           fed_8_14_days_ago, fed_over_14_days_ago, never_fed FROM analytics_private.refresh_compliance")"
check_eq "... which analysts see under the small-count rule (the hidden ones add up to 10)" "10||0||" \
	"$(as_login analyst "SELECT open_dossiers, fed_0_7_days_ago, fed_8_14_days_ago, fed_over_14_days_ago, never_fed
	                     FROM analytics.refresh_compliance")"
check_eq "the feed role may refresh as of another instant" 2 \
	"$(as_login feed "SELECT dmpremb.analytics_refresh('dossiers', '2026-11-12T10:00:00+01:00')")"
check_eq "refresh_compliance at 12/11 10:00: 3 on time, 5 at 8-14 days" \
	"t|10|3|5|1|1" "$(sql "SELECT as_of = '2026-11-12T10:00:00+01:00', open_dossiers, fed_0_7_days_ago,
	                           fed_8_14_days_ago, fed_over_14_days_ago, never_fed FROM analytics_private.refresh_compliance")"
# no row per person for analysts: counting such rows would undo the
# small-count rule of the views (t0815)
check_eq "analysts have no view of one row per dossier (no pseudonym column, no dossier_feed)" "0 0" \
	"$(as_login analyst "SELECT count(*) FILTER (WHERE column_name = 'pseudonym') || ' '
	                            || count(*) FILTER (WHERE table_name = 'dossier_feed')
	                     FROM information_schema.columns WHERE table_schema = 'analytics'")"
check_eq "another database draws another key: no pseudonym in common" 0 \
	"$(sql "SELECT count(*) FROM analytics_private.dossier_pseudonym WHERE pseudonym IN
	        ($(psql -X -q -tA -d "$dbA" -c "SELECT string_agg(quote_literal(pseudonym), ',') FROM analytics_private.dossier_pseudonym"))")"
check "... for the same persons" test "$(sql "SELECT count(*) FROM analytics_private.dossier_pseudonym WHERE ins_c IN
	($(psql -X -q -tA -d "$dbA" -c "SELECT string_agg(quote_literal(ins_c), ',') FROM analytics_private.dossier_pseudonym"))")" -gt 5

# --- the upgrade path: 005 applied to a database that already holds data
stat_before=$(digest "SELECT * FROM ($base_stat) b ORDER BY 1, 2, 3, 4, 5, 6")
check "the analytics objects are dropped" sql "DROP SCHEMA analytics, analytics_private CASCADE; DROP TABLE claim_stat;
     DROP FUNCTION analytics_refresh(text, timestamptz), claim_stat_code(\"char\", text, text, text, int, int)"
check "005_analytics.sql applies to a database with data" \
	psql -X -q -1 -v ON_ERROR_STOP=1 -f "$TOP/sql/005_analytics.sql"
stat_matches_base "... claim_stat counts the lines already stored"
check_eq "... every dossier not deleted has its pseudonym" \
	"$(sql "SELECT count(*) FROM dossier WHERE state <> 'deleted'")" "$(sql "SELECT count(*) FROM analytics.dossier_feed")"
check_eq "... and the views are computed" "4" "$(sql "SELECT count(*) FROM analytics.first_feed_sla")"

# --- nothing printed or logged holds an INS-C
check "the commands' logs were kept for the next check" grep -q 'analytics.refresh' "$TMP/all.err"
check_eq "no INS-C in the commands' logs" "0" "$(grep -cE '[0-9]{22}' "$TMP/all.err")"
finish

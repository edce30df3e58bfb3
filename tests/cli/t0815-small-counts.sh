#!/bin/sh
# tests/cli/t0815-small-counts.sh — the small-count rule of the analysts'
# views (sql/015_small_counts.sql; issue 17 B2, issue 18 "Analyst"), read as
# dmpremb_analyst through psql, on the fixtures, whose cells are mostly small:
#   - no count a view shows is from 1 to 9 (every count column, by catalog);
#   - what is shown is the true count, what is computed from a hidden count
#     (bytes, hours, ranks) is hidden with it;
#   - differencing: for every group whose total is shown or can be added up
#     from another view (claim_volume against top_code and the batch report,
#     documents by section and by size, a day's dossiers...), the true total
#     minus the counts shown is 0, or 10 or more, and never tells that every
#     hidden count is 1;
#   - no view lists one row per dossier (rows one could count);
#   - document_section and document_size come out in order, and
#     refresh_compliance_week keeps one row per ISO week.
# Output: counts and view names, never an INS-C or a pseudonym.
. "$TESTLIB"
AS_OF=2026-11-16T10:00:00+01:00

# analyst SQL: psql as the test login holding only dmpremb_analyst
analyst() { PGUSER=dmpremb_t_analyst psql -X -q -tA -v ON_ERROR_STOP=1 -c "$1" 2>&1; }
# residuals QUERY: the groups of QUERY (g, its true total, the sum of its
# counts shown, its small cells, its cells shown) whose hidden part (total -
# shown) gives a hidden count away: from 1 to 9, or as many as the small
# cells (each 1); a group that shows nothing tells nothing of its cells
residuals() {
	sql "SELECT string_agg(g || ': ' || total || ' - ' || shown || ' = ' || (total - shown), ', ' ORDER BY g)
	       FROM ($1) x
	      WHERE shown_cells > 0 AND ((total - shown) BETWEEN 1 AND 9 OR (small_cells > 0 AND total - shown = small_cells))"
}

new_db small_counts
demo_fed "$AS_OF"
check_exit 0 "ingest batch-late (corrections, more lines)" "$DMPREMB" ingest "$FIXTURES/batch-late" --max-reject-ratio 0.5
check "the figures refreshed as of the feed" sql "SELECT dmpremb.analytics_refresh('all', '$AS_OF')"

# --- the fixtures have small counts everywhere (the test can fail) --------
check_eq "the raw figures have counts from 1 to 9 in each view of counts (none without)" "" \
	"$(sql "SELECT string_agg(v, ' ') FROM (VALUES
	        ('claim_volume', (SELECT count(*) FROM claim_stat WHERE lines BETWEEN 1 AND 9)),
	        ('top_code', (SELECT count(*) FROM analytics_private.top_code WHERE lines BETWEEN 1 AND 9)),
	        ('first_feed_sla', (SELECT count(*) FROM analytics_private.first_feed_sla WHERE dossiers BETWEEN 1 AND 9)),
	        ('document_section', (SELECT count(*) FROM analytics_private.document_section
	                               WHERE documents_with_rows BETWEEN 1 AND 9)),
	        ('document_size', (SELECT count(*) FROM analytics_private.document_size WHERE documents BETWEEN 1 AND 9))
	       ) x (v, n) WHERE n = 0")"
check "... and a death (no view may tell it)" test "$(sql "SELECT count(*) FROM dossier WHERE state = 'deceased'")" -gt 0

# --- 1. no count shown is from 1 to 9, in every count column of every view
# of counts; the columns that are not counts are listed (a new count column
# is checked by default). Not under the rule: the batch and run reports
# (ingest_file, ingest_reason, run_history: lines of the files delivered and
# runs, by outcome; README), freshness.
not_counts="'section_no', 'bytes_from', 'bytes_below', 'total_bytes', 'rank_in_kind', 'median_hours', 'p95_hours'"
sql "SELECT c.relname || ' ' || a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
      WHERE c.relnamespace = 'analytics'::regnamespace AND c.relkind IN ('v', 'm') AND a.attnum > 0
        AND NOT a.attisdropped AND a.atttypid IN ('bigint'::regtype, 'integer'::regtype, 'numeric'::regtype)
        AND c.relname NOT IN ('ingest_file', 'ingest_reason', 'run_history', 'freshness')
        AND a.attname NOT IN ($not_counts) ORDER BY 1" >"$TMP/count-columns"
check "the rule's check sees 22 count columns or more in 7 views" \
	test "$(wc -l <"$TMP/count-columns")" -ge 22 -a "$(cut -d' ' -f1 "$TMP/count-columns" | sort -u | wc -l)" -ge 7
bad=""; hidden=0
while read -r v c; do
	n=$(analyst "SELECT count(*) FILTER (WHERE $c BETWEEN 1 AND 9) || ' ' || count(*) FILTER (WHERE $c IS NULL)
	             FROM analytics.$v")
	[ "${n%% *}" = 0 ] || bad="$bad $v.$c:${n%% *}"
	hidden=$((hidden + ${n#* }))
done <"$TMP/count-columns"
check_eq "as the analyst, no view shows a count from 1 to 9" "" "$bad"
check "... they are NULL instead ($hidden cells)" test "$hidden" -gt 50

# --- 2. what is shown is true; what comes from a hidden count is hidden ----
# claim_volume's cells with their true count n, counted here from claim_stat
cvj="SELECT v.processing_month, v.care_month, v.domain, v.section, v.lines, b.n, b.domain IS NULL AS only_v,
            v.domain IS NULL AS only_b
       FROM (SELECT flx_month AS processing_month, care_month,
                    CASE domain WHEN 'P' THEN 'pharmacie' WHEN 'A' THEN 'actes' WHEN 'R' THEN 'radiologie'
                                WHEN 'B' THEN 'biologie' ELSE 'hospitalisation' END AS domain,
                    CASE WHEN code_kind = 'none' THEN NULL WHEN domain = 'P' AND code_kind = 'lpp' THEN 'Dispositifs médicaux'
                         WHEN domain = 'P' AND atc LIKE 'J07%' THEN 'Vaccinations' WHEN domain = 'P' THEN 'Médicaments'
                         WHEN domain = 'A' THEN 'Soins médicaux et dentaires' WHEN domain = 'R' THEN 'Radiologie'
                         WHEN domain = 'B' THEN 'Biologie' ELSE 'Hospitalisations' END AS section,
                    sum(lines) AS n
               FROM claim_stat GROUP BY 1, 2, 3, 4) b
       FULL JOIN analytics.claim_volume v ON v.processing_month = b.processing_month AND v.care_month = b.care_month
            AND v.domain = b.domain AND v.section IS NOT DISTINCT FROM b.section"
check_eq "claim_volume: every cell listed once, each count shown equal to the lines counted" "0 0 $(sql "SELECT count(*) FROM analytics.claim_volume")" \
	"$(sql "SELECT count(*) FILTER (WHERE only_v OR only_b) || ' ' || count(*) FILTER (WHERE lines <> n) || ' ' || count(*)
	         FROM ($cvj) x")"
for v in document_size:bytes_from document_section:section_no first_feed_sla:day; do
	key=${v#*:}; v=${v%%:*}
	check_eq "$v: the same rows as its raw figures, every count shown equal to the raw one" "0" \
		"$(sql "SELECT count(*) FROM analytics.$v s FULL JOIN analytics_private.$v r USING ($key)
		         CROSS JOIN LATERAL (SELECT (to_jsonb(s) - ARRAY['rank_in_kind', 'label', 'atc', 'atc_group']) js,
		                                    to_jsonb(r) jr) j
		         WHERE s IS NULL OR r IS NULL
		            OR EXISTS (SELECT 1 FROM jsonb_each(j.js) e WHERE e.value <> 'null' AND e.value <> j.jr -> e.key)")"
done
check_eq "document_size: the bytes of a class are hidden with its count" "0" \
	"$(analyst "SELECT count(*) FROM analytics.document_size WHERE (documents IS NULL) <> (total_bytes IS NULL)")"
check_eq "document_section: rows shown are hidden with the documents that show them" "0" \
	"$(analyst "SELECT count(*) FROM analytics.document_section WHERE documents_with_rows IS NULL AND rows_shown IS NOT NULL")"
check_eq "first_feed_sla: hours only over 10 fed dossiers or more" "0" \
	"$(sql "SELECT count(*) FROM analytics.first_feed_sla s JOIN analytics_private.first_feed_sla r USING (day)
	         WHERE s.median_hours IS NOT NULL AND r.fed_within_72h + r.fed_late < 10")"
check_eq "top_code lists a code only with its true count, and a rank" "0" \
	"$(sql "SELECT count(*) FROM analytics.top_code s LEFT JOIN analytics_private.top_code r USING (kind, code)
	         WHERE s.code IS NOT NULL AND (s.lines IS DISTINCT FROM r.lines OR s.rank_in_kind IS NULL)")"
check_eq "... and adds up the others of its group in one row, without a rank (NULL when 1 to 9)" "0" \
	"$(sql "WITH g AS (SELECT CASE WHEN kind IN ('ccam', 'ngap') THEN 'ccam, ngap' ELSE kind END AS grp,
	                          sum(lines) AS total FROM analytics_private.top_code GROUP BY 1),
	             l AS (SELECT CASE WHEN kind IN ('ccam', 'ngap') THEN 'ccam, ngap' ELSE kind END AS grp, sum(lines) AS listed
	                     FROM analytics.top_code WHERE code IS NOT NULL GROUP BY 1)
	        SELECT count(*) FROM g LEFT JOIN l USING (grp) LEFT JOIN analytics.top_code o ON o.kind = g.grp AND o.code IS NULL
	         WHERE CASE WHEN o.kind IS NULL THEN g.total <> coalesce(l.listed, 0)
	                    WHEN o.lines IS NULL THEN g.total - coalesce(l.listed, 0) NOT BETWEEN 1 AND 9
	                    ELSE g.total <> coalesce(l.listed, 0) + o.lines OR o.rank_in_kind IS NOT NULL END")"
check "top_code leaves codes out (GHM among them)" \
	test "$(sql "SELECT count(*) FROM analytics_private.top_code r WHERE kind = 'ghm' AND NOT EXISTS
	              (SELECT 1 FROM analytics.top_code s WHERE s.kind = r.kind AND s.code = r.code)")" -gt 0

# --- 3. differencing: a total minus what is shown gives no hidden count away
# group | true total | shown sum | small cells | cells shown
win="(SELECT date_trunc('month', (as_of AT TIME ZONE 'Europe/Paris')::date - interval '24 months')::date AS lo,
             (as_of AT TIME ZONE 'Europe/Paris')::date AS hi FROM analytics_private.refreshed WHERE relation = 'top_code')"
check_eq "claim_volume's lines of the window (or the batch report's) minus top_code's shown, per code group: 0, or 10 or more" "" \
	"$(residuals "SELECT g, sum(lines) AS total,
	                     coalesce((SELECT sum(t.lines) FROM analytics.top_code t WHERE t.kind = ANY (string_to_array(g, ', '))
	                                  OR t.kind = g), 0) AS shown,
	                     0 AS small_cells,
	                     (SELECT count(*) FROM analytics.top_code t WHERE t.code IS NOT NULL AND t.kind = ANY (string_to_array(g, ', ')))
	                         AS shown_cells
	                FROM (SELECT CASE WHEN code_kind IN ('ccam', 'ngap') THEN 'ccam, ngap' ELSE code_kind END AS g, lines
	                        FROM claim_stat s, $win w WHERE care_month BETWEEN w.lo AND w.hi AND code_kind <> 'none') x
	               GROUP BY g")"
check_eq "... and the other way: top_code's total minus claim_volume's cells of the window, per section group" "" \
	"$(residuals "SELECT g, sum(n) AS total, coalesce(sum(lines), 0) AS shown,
	                     count(*) FILTER (WHERE n < 10) AS small_cells, count(lines) AS shown_cells
	                FROM (SELECT x.*, CASE WHEN section IN ('Médicaments', 'Vaccinations') THEN 'cip13'
	                                       WHEN section = 'Dispositifs médicaux' THEN 'lpp'
	                                       WHEN domain IN ('actes', 'radiologie') THEN 'acts'
	                                       WHEN domain = 'biologie' THEN 'nabm' ELSE 'ghm' END AS g
	                        FROM ($cvj) x, $win w
	                       WHERE x.section IS NOT NULL AND x.care_month BETWEEN w.lo AND w.hi) y GROUP BY g")"
check_eq "the lines of a file (ingest_file adds them up) minus claim_volume's shown: 0, or 10 or more" "" \
	"$(residuals "SELECT domain AS g, sum(n) AS total, coalesce(sum(lines), 0) AS shown,
	                     count(*) FILTER (WHERE n < 10) AS small_cells, count(lines) AS shown_cells
	                FROM ($cvj) x GROUP BY domain")"
check_eq "... of a file's processing month (a monthly batch adds them up)" "" \
	"$(residuals "SELECT processing_month || ' ' || domain AS g, sum(n) AS total, coalesce(sum(lines), 0) AS shown,
	                     count(*) FILTER (WHERE n < 10) AS small_cells, count(lines) AS shown_cells
	                FROM ($cvj) x GROUP BY processing_month, domain")"
check_eq "the documents (document_size's classes) minus those shown: 0, or 10 or more" "" \
	"$(residuals "SELECT 'document_size' AS g, (SELECT count(*) FROM document) AS total, coalesce(sum(s.documents), 0) AS shown,
	                     count(*) FILTER (WHERE r.documents < 10) AS small_cells, count(s.documents) AS shown_cells
	                FROM analytics.document_size s JOIN analytics_private.document_size r USING (bytes_from)")"
check_eq "document_section: a section's documents with rows and empty are hidden together (their sum is all documents)" "0" \
	"$(analyst "SELECT count(*) FROM analytics.document_section WHERE (documents_with_rows IS NULL) <> (documents_empty IS NULL)")"
check_eq "first_feed_sla: a day's dossiers minus its shown parts; not_fed minus overdue and stopped" "" \
	"$(residuals "SELECT day || ' dossiers' AS g, r.dossiers AS total,
	                     coalesce(s.fed_within_72h, 0) + coalesce(s.fed_late, 0) + coalesce(s.not_fed, 0) AS shown,
	                     (r.fed_within_72h BETWEEN 1 AND 9)::int + (r.fed_late BETWEEN 1 AND 9)::int
	                     + (r.not_fed BETWEEN 1 AND 9)::int AS small_cells, (s.dossiers IS NOT NULL)::int AS shown_cells
	                FROM analytics.first_feed_sla s JOIN analytics_private.first_feed_sla r USING (day)
	              UNION ALL
	              SELECT day || ' not_fed', r.not_fed, coalesce(s.not_fed_overdue, 0) + coalesce(s.not_fed_stopped, 0),
	                     (r.not_fed_overdue BETWEEN 1 AND 9)::int + (r.not_fed_stopped BETWEEN 1 AND 9)::int,
	                     (s.not_fed IS NOT NULL)::int
	                FROM analytics.first_feed_sla s JOIN analytics_private.first_feed_sla r USING (day)")"
check_eq "first_feed_sla: a hidden total hides its parts" "0" \
	"$(analyst "SELECT count(*) FROM analytics.first_feed_sla
	            WHERE (dossiers IS NULL AND num_nonnulls(fed_within_72h, fed_late, not_fed, median_hours) > 0)
	               OR (not_fed IS NULL AND num_nonnulls(not_fed_overdue, not_fed_stopped) > 0)")"
check_eq "refresh_compliance and its weeks: open dossiers minus the shown columns" "" \
	"$(residuals "SELECT 'week ' || week_start AS g, r.open_dossiers AS total,
	                     coalesce(s.fed_0_7_days_ago, 0) + coalesce(s.fed_8_14_days_ago, 0)
	                     + coalesce(s.fed_over_14_days_ago, 0) + coalesce(s.never_fed, 0) AS shown,
	                     (r.fed_0_7_days_ago BETWEEN 1 AND 9)::int + (r.fed_8_14_days_ago BETWEEN 1 AND 9)::int
	                     + (r.fed_over_14_days_ago BETWEEN 1 AND 9)::int + (r.never_fed BETWEEN 1 AND 9)::int AS small_cells,
	                     (s.open_dossiers IS NOT NULL)::int AS shown_cells
	                FROM analytics.refresh_compliance_week s JOIN analytics_private.refresh_compliance_week r USING (week_start)")"

# --- 4. no row per person: counting them would give the hidden cells back
# (GROUP BY due_day was first_feed_sla's days, small ones included)
check_eq "analysts have no dossier_feed, nor any relation with a pseudonym" "0" \
	"$(sql "SELECT count(*) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
	         WHERE c.relnamespace = 'analytics'::regnamespace AND a.attnum > 0
	           AND (c.relname = 'dossier_feed' OR a.attname IN ('pseudonym', 'due_day', 'hours_to_first_feed'))")"
check_eq "... and the function that listed them is gone" 0 \
	"$(sql "SELECT count(*) FROM pg_proc WHERE proname = 'dossier_feed_rows'")"

# --- 5. the rule said once, in every view of counts and in the README -----
rule='Small counts: 1 to 9 shown as NULL, with what is computed from them, and a second count hidden where a total would give a hidden one away'
check_eq "every view of counts says the rule in its comment" "" \
	"$(sql "SELECT string_agg(relname, ' ') FROM pg_class WHERE relnamespace = 'analytics'::regnamespace
	         AND relkind IN ('v', 'm') AND relname IN (SELECT DISTINCT split_part(l, ' ', 1) FROM
	             regexp_split_to_table('$(cat "$TMP/count-columns" | tr '\n' ',')', ',') l)
	         AND position('$rule' IN coalesce(obj_description(oid, 'pg_class'), '')) = 0")"
sed -n '/^## For analysts/,/^## Layout/p' "$TOP/README.md" | tr '\n' ' ' >"$TMP/readme-analysts"
check_grep "the README's chapter for analysts says the rule" "counts of persons, documents or claim lines from 1 to 9 are shown as NULL" "$TMP/readme-analysts"

# --- 6. order: document_section and document_size, as read ---------------
sql "UPDATE document SET bytes = bytes * 3 WHERE ins_c IN (SELECT ins_c FROM document ORDER BY ins_c LIMIT 7)" >/dev/null
check "a refresh after the documents changed" sql "SELECT dmpremb.analytics_refresh('documents', '$AS_OF')"
check_eq "document_section comes out in the document's order (no ORDER BY in the query)" "1 2 3 4 5 6 7" \
	"$(analyst "SELECT section_no FROM analytics.document_section" | tr '\n' ' ' | sed 's/ $//')"
check_eq "document_size comes out smallest class first" \
	"$(analyst "SELECT bytes_from FROM analytics.document_size ORDER BY bytes_from" | tr '\n' ' ')" \
	"$(analyst "SELECT bytes_from FROM analytics.document_size" | tr '\n' ' ')"
check "... over several classes" test "$(analyst "SELECT count(*) FROM analytics.document_size")" -gt 2

check_eq "every relation of analytics is a view: \\dv analytics.* lists them all (the README says so)" "" \
	"$(sql "SELECT string_agg(relname, ' ') FROM pg_class WHERE relnamespace = 'analytics'::regnamespace
	         AND relkind NOT IN ('v', 'i')")"
check_grep "... the README names \\dv+" 'Every relation of `analytics` is a view: `\\dv+ analytics.\*` lists' "$TMP/readme-analysts"

# --- 7. refresh_compliance_week: one row per ISO week, the current one updated
check_exit 0 "a feed a week later (week 48)" "$DMPREMB" feed --as-of 2026-11-24T10:00:00+01:00
check_exit 0 "... and two days after, the same week" "$DMPREMB" feed --as-of 2026-11-26T10:00:00+01:00
check "a refresh of the dossiers' figures as of an earlier day of week 48" \
	sql "SELECT dmpremb.analytics_refresh('dossiers', '2026-11-23T09:00:00+01:00')"
check_eq "refresh_compliance_week keeps weeks 47 and 48, each as of its latest refresh" \
	"2026-W47|2026-11-16|2026-11-16 09:00:00+00
2026-W48|2026-11-23|2026-11-26 09:00:00+00" \
	"$(PGTZ=UTC analyst "SELECT iso_week, week_start, as_of FROM analytics.refresh_compliance_week
	                     WHERE week_start BETWEEN '2026-11-16' AND '2026-11-23'")"
check_eq "... its week 48 is refresh_compliance as of 26/11, the rule applied" \
	"$(analyst "SELECT open_dossiers, fed_0_7_days_ago, fed_8_14_days_ago, fed_over_14_days_ago, never_fed
	            FROM analytics.refresh_compliance_week WHERE iso_week = '2026-W48'")" \
	"$(sql "SELECT dmpremb.analytics_refresh('dossiers', '2026-11-26T10:00:00+01:00')" >/dev/null
	    analyst "SELECT open_dossiers, fed_0_7_days_ago, fed_8_14_days_ago, fed_over_14_days_ago, never_fed
	             FROM analytics.refresh_compliance")"
check_eq "... whose raw counts add up" "0" \
	"$(sql "SELECT count(*) FROM analytics_private.refresh_compliance_week
	         WHERE open_dossiers <> fed_0_7_days_ago + fed_8_14_days_ago + fed_over_14_days_ago + never_fed")"
check_eq "freshness lists it, refreshed" "refreshed" \
	"$(analyst "SELECT kind FROM analytics.freshness WHERE relation = 'refresh_compliance_week'")"
finish

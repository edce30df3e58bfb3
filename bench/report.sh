# bench/report.sh — the table, bench.csv, bench.json and the national
# projection of bench/run.sh (sourced by it; bash). Rows, measures and notes
# are collected in $work while the stages run, then written once:
#
#   row STAGE WHAT MEASURED VALUE UNIT BASELINE BASELINE_VALUE RATIO GOAL MET
#                       one line of the table (MEASURED, BASELINE: the text
#                       shown; VALUE, BASELINE_VALUE, RATIO: numbers or "")
#   measure KEY VALUE   a raw figure, for bench.json and the projection (the
#                       last value of a KEY measured more than once counts)
#   note TEXT           printed under the table
#   report DIR          prints everything, writes DIR/bench.csv and DIR/bench.json
#
# Numbers: calc EXPR, div A B [SCALE] (A / B / SCALE, "" when either is
# missing or B is 0), fmt_int, fmt1, fmt2 ("n/a" for ""), met_ge / met_le
# VALUE GOAL ("yes", "no", or "not measured" for "").

calc() { awk "BEGIN {printf \"%.3f\", $1}"; }

div() {
	awk -v a="$1" -v b="$2" -v k="${3:-1}" 'BEGIN {
		if (a == "" || b == "" || b + 0 == 0) exit
		v = a / b / k
		printf ((v >= 1000 || v <= -1000) ? "%.0f" : "%.4g"), v }'
}

fmt_int() {
	awk -v v="$1" 'BEGIN {
		if (v == "") { printf "n/a"; exit }
		s = sprintf("%.0f", v); neg = s ~ /^-/; sub(/^-/, "", s)
		o = ""; while (length(s) > 3) { o = "," substr(s, length(s) - 2) o; s = substr(s, 1, length(s) - 3) }
		printf "%s%s%s", (neg ? "-" : ""), s, o }'
}
fmt1() { if [ -n "$1" ]; then awk -v v="$1" 'BEGIN {printf "%.1f", v}'; else printf 'n/a'; fi; }
fmt2() { if [ -n "$1" ]; then awk -v v="$1" 'BEGIN {printf "%.2f", v}'; else printf 'n/a'; fi; }

met_ge() { if [ -z "$1" ]; then echo "not measured"; else awk -v v="$1" -v g="$2" 'BEGIN {print (v >= g ? "yes" : "no")}'; fi; }
met_le() { if [ -z "$1" ]; then echo "not measured"; else awk -v v="$1" -v g="$2" 'BEGIN {print (v <= g ? "yes" : "no")}'; fi; }

row() {
	local IFS='	'
	printf '%s\n' "$*" >>"$work/rows.tsv"
}
measure() { printf '%s\t%s\n' "$1" "$2" >>"$work/measures"; }
mval() { awk -F'\t' -v k="$1" '$1 == k {v = $2} END {print v}' "$work/measures"; }
note() { printf '%s\n' "$1" >>"$work/notes"; }

# the table on stdout (plain ASCII, columns aligned)
report_table() {
	sorted_rows | awk -F'\t' '
		BEGIN { n = 1; split("stage|what|measured|baseline|ratio|goal|met", h, "|")
			for (i = 1; i <= 7; i++) { c[1, i] = h[i]; w[i] = length(h[i]) } }
		{ n++; c[n, 1] = $1; c[n, 2] = $2; c[n, 3] = $3
		  c[n, 4] = ($6 == "" ? "-" : $6); c[n, 5] = ($8 == "" ? "-" : sprintf("%.2f", $8))
		  c[n, 6] = $9; c[n, 7] = $10
		  for (i = 1; i <= 7; i++) if (length(c[n, i]) > w[i]) w[i] = length(c[n, i]) }
		END { for (r = 1; r <= n; r++) {
			line = ""
			for (i = 1; i <= 7; i++) line = line (i > 1 ? " | " : "") sprintf(i == 5 ? "%" w[i] "s" : "%-" w[i] "s", c[r, i])
			sub(/ +$/, "", line); print line
			if (r == 1) { line = ""; for (i = 1; i <= 7; i++) { d = sprintf("%" w[i] "s", ""); gsub(/ /, "-", d)
				line = line (i > 1 ? "-+-" : "") d }; print line } } }'
}

# the rows in the order of the issue's table, whatever order they were measured in
sorted_rows() {
	awk -F'\t' 'BEGIN { split("ingest parse render feed scaling concurrency citus memory storage deletion", o, " "); for (i in o) r[o[i]] = i }
		{ print (($1 in r) ? r[$1] : 9) "\t" NR "\t" $0 }' "$work/rows.tsv" | sort -n -k1,1 -k2,2 | cut -f3-
}

# the national projection, from the measures: its text (stdout) and, with
# argument "json", the same figures as a JSON object
report_projection() {
	awk -F'\t' -v mode="${1:-text}" '
		{ m[$1] = $2 }
		function ceil(x) { return (x == int(x)) ? x : int(x) + 1 }
		function grp(v,   s, o) { s = sprintf("%.0f", v); o = ""
			while (length(s) > 3) { o = "," substr(s, length(s) - 2) o; s = substr(s, 1, length(s) - 3) }
			return s o }
		END {
			dossiers = 40000000; first = 200000; night = 6; nights = 7; first_h = 72
			weeks = 730.5 / 7; sheets = 23000000
			if (m["feed1.documents"] + 0 == 0 || m["feed1.lines"] + 0 == 0 || m["claim_lines"] + 0 == 0) {
				if (mode == "json") print "null"; else print "National projection: not computed (no feed or no claim line measured)"
				exit }
			L = m["feed1.lines"] / m["feed1.documents"]
			feed_cpu = m["feed1.cpu_client"] + m["feed1.cpu_server"]
			ing_cpu = m["ingest.cpu_client"] + m["ingest.cpu_server"]
			feed_rate = m["feed1.lines"] / feed_cpu          # claim lines per CPU-second
			ing_rate = m["claim_lines"] / ing_cpu
			refresh_h = dossiers * L / feed_rate / 3600
			first_ch = first * L / feed_rate / 3600
			weekly_lines = dossiers * L / weeks
			ingest_h = weekly_lines / ing_rate / 3600
			if (mode == "json") {
				printf "{\"dossiers\": %d, \"first_feeds_per_week\": %d, \"lines_per_dossier\": %.1f,", dossiers, first, L
				printf " \"feed_lines_per_cpu_s\": %.0f, \"ingest_lines_per_cpu_s\": %.0f,", feed_rate, ing_rate
				printf " \"weekly_refresh_core_hours\": %.1f, \"weekly_refresh_cores_6h_night\": %d,", refresh_h, ceil(refresh_h / night)
				printf " \"weekly_refresh_cores_7_nights\": %d,", ceil(refresh_h / night / nights)
				printf " \"first_feeds_core_hours\": %.2f, \"first_feeds_cores_72h\": %d,", first_ch, ceil(first_ch / first_h)
				printf " \"weekly_ingest_lines\": %.0f, \"weekly_ingest_core_hours\": %.1f,", weekly_lines, ingest_h
				printf " \"lines_per_care_sheet\": %.2f}\n", weekly_lines / sheets
				exit }
			print "National projection (per-core rates of this run: CPU seconds of dmpremb and of the PostgreSQL server together)"
			printf "  assumed:  %s dossiers refreshed every week, %s first feeds a week; %.0f claim lines a dossier\n", grp(dossiers), grp(first), L
			printf "            (this run: %s lines in %s documents); weekly ingest = 24 months of lines renewed:\n", grp(m["feed1.lines"]), grp(m["feed1.documents"])
			printf "            %s x %.0f / %.1f weeks = %s claim lines (%.1f a care sheet of the ~23 M a week);\n", grp(dossiers), L, weeks, grp(weekly_lines), weekly_lines / sheets
			print  "            cores add up linearly (the scaling row says how far from it), the database stays as"
			print  "            fast as this one that fits in memory, disk and network are not the limit"
			printf "  rates:    feed %s claim lines per CPU-second (dmpremb %.0f %%, PostgreSQL %.0f %%);", grp(feed_rate), 100 * m["feed1.cpu_client"] / feed_cpu, 100 * m["feed1.cpu_server"] / feed_cpu
			printf " ingest %s (dmpremb %.0f %%)\n", grp(ing_rate), 100 * m["ingest.cpu_client"] / ing_cpu
			printf "  weekly refresh  %12s dossiers  %10.1f core-hours  -> %d cores to fit a 6-hour night (%d over 7 nights)\n", grp(dossiers), refresh_h, ceil(refresh_h / night), ceil(refresh_h / night / nights)
			printf "  first feeds     %12s dossiers  %10.2f core-hours  -> %d core(s) to do them all within 72 hours\n", grp(first), first_ch, ceil(first_ch / first_h)
			printf "  weekly ingest   %12s lines     %10.1f core-hours\n", grp(weekly_lines), ingest_h
		}' "$work/measures"
}

report_csv() {
	{
		echo "stage,what,measured,value,unit,baseline,baseline_value,ratio,goal,met"
		awk -F'\t' '
			function q(s) { gsub(/"/, "\"\"", s); return "\"" s "\"" }
			{ print q($1) "," q($2) "," q($3) "," $4 "," q($5) "," q($6) "," $7 "," $8 "," q($9) "," q($10) }' <(sorted_rows)
	} >"$1"
}

report_json() {
	{
		printf '{"generated_at": "%s", "commit": "%s", "cores": %s, "load_average": "%s",\n' \
			"$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$(git -C "$top" describe --always --dirty 2>/dev/null || echo unknown)" \
			"$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
		echo ' "rows": ['
		awk -F'\t' '
			function q(s) { gsub(/\\/, "\\\\", s); gsub(/"/, "\\\"", s); return "\"" s "\"" }
			function num(s) { return (s == "") ? "null" : s }
			{ printf "%s  {\"stage\": %s, \"what\": %s, \"measured\": %s, \"value\": %s, \"unit\": %s,", (NR > 1 ? ",\n" : ""), q($1), q($2), q($3), num($4), q($5)
			  printf " \"baseline\": %s, \"baseline_value\": %s, \"ratio\": %s, \"goal\": %s, \"met\": %s}", ($6 == "" ? "null" : q($6)), num($7), num($8), q($9), q($10) }
			END { print "" }' <(sorted_rows)
		echo ' ],'
		printf ' "projection": %s,\n' "$(report_projection json)"
		echo ' "notes": ['
		awk 'function q(s) { gsub(/\\/, "\\\\", s); gsub(/"/, "\\\"", s); return "\"" s "\"" }
			{ printf "%s  %s", (NR > 1 ? ",\n" : ""), q($0) } END { print "" }' "$work/notes"
		echo ' ],'
		echo ' "measures": {'
		awk -F'\t' 'function q(s) { gsub(/\\/, "\\\\", s); gsub(/"/, "\\\"", s); return "\"" s "\"" }
			!($1 in v) { k[++n] = $1 }
			{ v[$1] = ($2 ~ /^-?[0-9]+(\.[0-9]+)?$/) ? $2 : q($2) }
			END { for (i = 1; i <= n; i++) printf "%s  %s: %s", (i > 1 ? ",\n" : ""), q(k[i]), v[k[i]]; print "" }' "$work/measures"
		echo ' }'
		echo '}'
	} >"$1"
}

report() {
	local dir=$1
	echo
	echo "dmpremb bench: $(fmt_int "$(mval persons)") persons, $(fmt_int "$(mval claim_lines)") claim lines," \
		"$(mb "$(mval csv_bytes)") MiB of CSV; referentials $(mval referentials); $(nproc) cores," \
		"load average $(cut -d' ' -f1-3 /proc/loadavg); $(fmt1 "$(mval total_seconds)") s"
	report_table
	if [ -s "$work/notes" ]; then
		echo
		sed 's/^/note: /' "$work/notes"
	fi
	echo
	report_projection text
	report_csv "$dir/bench.csv"
	report_json "$dir/bench.json"
	echo
	echo "(results in $dir/bench.csv and $dir/bench.json)"
}

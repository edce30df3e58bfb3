#!/bin/sh
# tests/fuzz/seed.sh NAME DIR — fills DIR with the seed corpus of fuzz target
# NAME, made at run time from the repository's own fixtures/ (never from
# ../shared) plus the small hand-made seeds committed in tests/fuzz/corpus/NAME/.
set -eu
name=$1; out=$2
top=$(cd "$(dirname "$0")/../.." && pwd)
fx=$top/fixtures
mkdir -p "$out"
[ -d "$top/tests/fuzz/corpus/$name" ] && cp "$top/tests/fuzz/corpus/$name"/* "$out"/ 2>/dev/null || true

kinds="beneficiaires pharmacie hospitalisation actes radiologie biologie professionnels etablissements"
for batch in "$fx"/batch-*; do
	b=$(basename "$batch")
	case $name in
	csvr)
		for f in "$batch"/*.csv; do cp "$f" "$out/$b-$(basename "$f")"; done ;;
	manifest)
		cp "$batch/manifest.csv" "$out/$b-manifest.csv" ;;
	ingest)
		# first byte: '0' + kind (order of FILE_KINDS), + 8 for a CP1252 file
		cp=0
		grep -qi ';CP1252' "$batch/manifest.csv" && cp=8
		k=0
		for kind in $kinds; do
			f=$batch/$kind.csv
			if [ -f "$f" ]; then
				c=$((48 + k + cp))
				{ printf "\\$(printf %03o "$c")"; cat "$f"; } >"$out/$b-$kind"
			fi
			k=$((k + 1))
		done ;;
	cda)
		# identities: one beneficiaires line, fields NUL-separated
		tail -n +2 "$batch/beneficiaires.csv" | head -n 5 | while IFS= read -r line; do
			printf '%s' "$line" | tr ';' '\000' >"$out/$b-$(printf '%s' "$line" | cksum | cut -d' ' -f1)"
		done ;;
	esac
done

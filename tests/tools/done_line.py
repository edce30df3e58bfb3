#!/usr/bin/env python3
"""tests/tools/done_line.py — a command's `.done` log line against its run row.

    done_line.py LOG EVENT RUN_ID COUNTS_JSON

The dispatcher (cli/main.c) writes one run summary twice: as the run row's
counts and as the `.done` line. This checks, for the last EVENT line of LOG
(text format), that it names the run, says status=ok, and carries every count
of the row with the same value, nested objects (row only) aside, plus
max_rss_kb; nothing more, nothing less. Exit 1 with the difference otherwise.
"""
import json
import re
import sys

log, event, run_id, counts = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
lines = [l for l in open(log, encoding="utf-8") if f" {event} " in l]
if not lines:
    sys.exit(f"no {event} line in {log}")
fields = dict(re.findall(r'(\w+)=("(?:[^"\\]|\\.)*"|\S+)', lines[-1].split(f" {event} ", 1)[1]))


def value(text):
    return json.loads(text) if text != "null" else None


problems = []
if fields.pop("run", None) != run_id:
    problems.append(f"run= is not {run_id}")
if fields.pop("status", None) != "ok":
    problems.append("status= is not ok")
if not fields.get("max_rss_kb", "").isdigit():
    problems.append("no max_rss_kb=")
for key, want in counts.items():
    if isinstance(want, dict):
        continue
    if key not in fields:
        problems.append(f"{key}: in the row, not in the line")
        continue
    got = value(fields.pop(key))
    if got != want:
        problems.append(f"{key}: line {got!r}, row {want!r}")
problems += [f"{key}: in the line, not in the row" for key in fields]
if problems:
    sys.exit("\n".join(problems))

#!/usr/bin/env python3
"""tests/tools/operator_messages.py — what an operator can read, taken from the sources.

    operator_messages.py list TOP            every entry: KIND<TAB>FILE:LINE<TAB>TEXT
    operator_messages.py missing TOP DOC...  the entries that no line of the DOCs documents

The inventory is read from the code itself, so that a message added or
reworded there without its entry in docs/troubleshooting.md is caught by
tests/cli/t0990-troubleshooting.sh. Kinds:

  message  a message in C: every string literal of a dr_error() or
           cli_usage_error() call after its status code, of an fprintf(stderr)
           in cli/, and the ingest and status report lines that say REFUSED or
           BROKEN or give a warning (printf in cli/ matching REPORT_WORDS)
  line     what a refused line gets: the phrases assigned to a `why` or passed
           to refuse(why, ...), and the reject sentences of ingest/rows.c
  event    a log event at warn or error level (dr_log), and every event of
           cron/dmpremb-run but the routine ones (.start, .done, .end,
           .would-*, .written)
  code     reject reason codes (ingest/rows.h and the SQL of
           load/batch_merge.c), filter rules, feed warning names
  exit     every exit status of lib/err.c dr_exit_code()
  run      cron/dmpremb-run: its usage errors and every reason="..."

A TEXT is a printf format (C) or a shell word ($NAME): each conversion (%s,
%ld, $1, ${x}) may stand for anything in the documentation, so that it can say
`<file>` where the program prints a name, but every fixed character around it
must be there, in order, on one line of a DOC. A code must appear between
backquotes (`too_long`), an exit status as "exit N". Literals with fewer than
two letters once the conversions are removed ("%s", "%s: %s") are wrappers
around another message and are skipped.
"""
import os
import re
import sys

C_DIRS = ("cli", "ingest", "transform", "load", "lib")
REPORT_WORDS = re.compile(r"REFUSED|BROKEN|\bwarning\b|stopped by|held by another")
C_CONV = re.compile(r"%(?:%|[-+ #0]*(?:\d+|\*)?(?:\.(?:\d+|\*))?(?:hh|h|ll|l|z|j|t|L)?[diouxXeEfFgGcsp])")
SH_CONV = re.compile(r"\$(?:\{[^}]*\}|[A-Za-z_][A-Za-z_0-9]*|[0-9#?@*])")
ROUTINE_EVENT = re.compile(r"\.(?:start|done|end|written|would-[a-z-]+)$")


# ---- a small C lexer: enough to find calls and their string literals -------

TOKEN = re.compile(r"""
    (?P<comment>/\*.*?\*/|//[^\n]*)
  | (?P<str>"(?:\\.|[^"\\\n])*")
  | (?P<chr>'(?:\\.|[^'\\\n])+')
  | (?P<ident>[A-Za-z_][A-Za-z_0-9]*)
  | (?P<nl>\n)
  | (?P<op>==|!=|<=|>=|->|\+\+|--|&&|\|\||[-+*/%=<>!&|^~?:;,.(){}\[\]#\\])
  | (?P<other>\S)
""", re.S | re.X)

ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "'": "'", "\\": "\\", "0": "\0", "a": "\a"}


def unescape(body):
    return re.sub(r"\\(.)", lambda m: ESCAPES.get(m.group(1), m.group(1)), body)


def lex(text):
    """Tokens (kind, value, line) of C text, comments dropped."""
    out, line = [], 1
    for m in TOKEN.finditer(text):
        kind, val = m.lastgroup, m.group()
        if kind == "nl":
            line += 1
            continue
        if kind != "comment":
            out.append((kind, unescape(val[1:-1]) if kind == "str" else val, line))
        line += val.count("\n")
    return out


def call_args(toks, i):
    """The arguments (token lists) of the call whose '(' is toks[i]."""
    args, cur, depth = [], [], 0
    for t in toks[i:]:
        if t[1] in "([{" and t[0] == "op":
            depth += 1
            if depth == 1:
                continue
        elif t[1] in ")]}" and t[0] == "op":
            depth -= 1
            if depth == 0:
                args.append(cur)
                return args
        elif t[1] == "," and t[0] == "op" and depth == 1:
            args.append(cur)
            cur = []
            continue
        cur.append(t)
    return args


def literal_runs(toks):
    """Each run of adjacent string literals (C concatenates them): (text, line)."""
    runs, cur, line = [], None, 0
    for t in toks:
        if t[0] == "str":
            if cur is None:
                cur, line = "", t[2]
            cur += t[1]
        else:
            if cur is not None:
                runs.append((cur, line))
            cur = None
    if cur is not None:
        runs.append((cur, line))
    return runs


def until_semicolon(toks, i):
    out, depth = [], 0
    for t in toks[i:]:
        if t[0] == "op" and t[1] in "([{":
            depth += 1
        elif t[0] == "op" and t[1] in ")]}":
            depth -= 1
        elif t[0] == "op" and t[1] == ";" and depth <= 0:
            break
        out.append(t)
    return out


def scan_c(top, path, entries):
    rel = os.path.relpath(path, top)
    with open(path, encoding="utf-8") as f:
        toks = lex(f.read())
    in_cli = rel.startswith("cli/")

    def add(kind, runs):
        for text, line in runs:
            for part in text.split("\n"):
                entries.append((kind, "%s:%d" % (rel, line), part.strip()))

    for i, (kind, val, line) in enumerate(toks):
        # a message kept in a macro: #define NAME_USAGE "text"
        if kind == "ident" and val.endswith("_USAGE") and i > 0 and toks[i - 1][1] == "define":
            add("message", literal_runs(toks[i + 1:i + 2]))
            continue
        if kind != "ident" or i + 1 >= len(toks) or toks[i + 1][1] != "(":
            if kind == "ident" and val == "why" and i + 1 < len(toks) and toks[i + 1][1] == "=":
                add("line", literal_runs(until_semicolon(toks, i + 2)))
            continue
        args = call_args(toks, i + 1)
        if val == "db_query_option" and len(args) >= 6:   # its usage message
            add("message", literal_runs(args[5]))
        elif val in ("dr_error", "cli_usage_error"):
            for a in args[1:]:
                add("message", literal_runs(a))
        elif val == "fprintf" and in_cli and args and [t[1] for t in args[0]] == ["stderr"]:
            for a in args[1:]:
                add("message", literal_runs(a))
        elif val == "printf" and in_cli:
            for a in args:
                add("message", [r for r in literal_runs(a) if REPORT_WORDS.search(r[0])])
        elif val == "refuse" and args and [t[1] for t in args[0]] == ["why"]:
            for a in args[1:]:
                add("line", literal_runs(a))
        elif val in ("reject", "reject_named") and rel == "ingest/rows.c":
            for a in args[3:]:
                add("line", literal_runs(a))
        elif val == "dr_log" and args and any(t[1] in ("DR_LOG_WARN", "DR_LOG_ERROR") for t in args[0]):
            for text, line2 in literal_runs(args[1]):
                entries.append(("event", "%s:%d" % (rel, line2), text))


def scan_codes(top, entries):
    rows_h = os.path.join(top, "ingest/rows.h")
    text = open(rows_h, encoding="utf-8").read()
    for macro in ("REJECT_REASONS", "FILTER_RULES"):
        m = re.search(r"#define %s\(X\)((?:[^\n]*\\\n)*[^\n]*)" % macro, text)
        if not m:
            sys.exit("operator_messages.py: no %s in ingest/rows.h" % macro)
        line = text[:m.start()].count("\n") + 1
        for code in re.findall(r"X\((\w+)\)", m.group(1)):
            entries.append(("code", "ingest/rows.h:%d" % line, code))
    merge = os.path.join(top, "load/batch_merge.c")
    for n, l in enumerate(open(merge, encoding="utf-8"), 1):
        for code in re.findall(r"(?:THEN|reason_code =|outcome =) '([A-Za-z_]+)'", l):
            entries.append(("code", "load/batch_merge.c:%d" % n, code))
    build = os.path.join(top, "transform/build.c")
    text = open(build, encoding="utf-8").read()
    m = re.search(r"build_warning_names\[\w+\]\s*=\s*\{(.*?)\};", text, re.S)
    if not m:
        sys.exit("operator_messages.py: no build_warning_names in transform/build.c")
    line = text[:m.start()].count("\n") + 1
    for code in re.findall(r'"(\w+)"', m.group(1)):
        entries.append(("code", "transform/build.c:%d" % line, code))


def scan_exits(top, entries):
    ex = {}
    for hdr in ("/usr/include/sysexits.h", "/usr/include/x86_64-linux-gnu/sysexits.h"):
        if os.path.exists(hdr):
            for m in re.finditer(r"#define\s+(EX_\w+)\s+(\d+)", open(hdr).read()):
                ex[m.group(1)] = m.group(2)
    text = open(os.path.join(top, "lib/err.c"), encoding="utf-8").read()
    m = re.search(r"int dr_exit_code\(int code\)\s*\{(.*?)\n\}", text, re.S)
    if not m or not ex:
        sys.exit("operator_messages.py: cannot read dr_exit_code() or sysexits.h")
    line = text[:m.start()].count("\n") + 1
    for v in sorted({int(ex.get(v, v)) for v in re.findall(r"return (\w+);", m.group(1))}):
        entries.append(("exit", "lib/err.c:%d" % line, "exit %d" % v))


def scan_wrapper(top, entries):
    path = os.path.join(top, "cron/dmpremb-run")
    rel = "cron/dmpremb-run"
    for n, l in enumerate(open(path, encoding="utf-8"), 1):
        if l.lstrip().startswith("#"):
            continue
        code = l
        for m in re.finditer(r'usage_error "([^"]*)"', code):
            entries.append(("run", "%s:%d" % (rel, n), m.group(1)))
        for m in re.finditer(r'reason="([^"]*)"', code):
            entries.append(("run", "%s:%d" % (rel, n), m.group(1)))
        for m in re.finditer(r'(?:\blog|\bstop_run +\S+) +"?(\$?\{?[a-z]\w*\}?(?:\.[\w-]+)*)', code):
            ev = m.group(1)
            if not ROUTINE_EVENT.search(ev):
                entries.append(("event", "%s:%d" % (rel, n), ev))


def inventory(top):
    entries = []
    for d in C_DIRS:
        for name in sorted(os.listdir(os.path.join(top, d))):
            if name.endswith((".c", ".h")):   # .h: messages kept in macros
                scan_c(top, os.path.join(top, d, name), entries)
    scan_codes(top, entries)
    scan_exits(top, entries)
    scan_wrapper(top, entries)
    seen, out = set(), []
    for kind, where, text in entries:
        conv = SH_CONV if where.startswith("cron/") else C_CONV
        if kind in ("message", "line", "run") and len(re.findall(r"[A-Za-z]", conv.sub("", text))) < 2:
            continue
        if (kind, text) not in seen:
            seen.add((kind, text))
            out.append((kind, where, text))
    return out


def pattern(kind, where, text):
    if kind == "code":
        return re.compile(r"`%s`" % re.escape(text))
    if kind == "exit":
        return re.compile(r"\b%s\b" % re.escape(text))
    conv = SH_CONV if where.startswith("cron/") else C_CONV
    parts, pos = [], 0
    for m in conv.finditer(text):
        parts.append(re.escape(text[pos:m.start()]))
        parts.append("%" if m.group() == "%%" else ".*?")
        pos = m.end()
    parts.append(re.escape(text[pos:]))
    return re.compile("".join(parts))


def main(argv):
    if len(argv) >= 3 and argv[1] == "list":
        for e in inventory(argv[2]):
            print("\t".join(e))
        return 0
    if len(argv) >= 4 and argv[1] == "missing":
        lines = []
        for doc in argv[3:]:
            lines += [l.replace("\\|", "|") for l in open(doc, encoding="utf-8")]
        for e in inventory(argv[2]):
            p = pattern(*e)
            if not any(p.search(l) for l in lines):
                print("\t".join(e))
        return 0
    sys.stderr.write(__doc__)
    return 64


if __name__ == "__main__":
    sys.exit(main(sys.argv))

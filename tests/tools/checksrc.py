#!/usr/bin/env python3
"""tests/tools/checksrc.py — banned C constructs, checked by the build (make lint).

  checksrc.py TOP     exit 1 on a finding not listed in tests/tools/checksrc.allow
  checksrc.py TOP --shrink   lower the allow list to what still occurs

In the spirit of curl's checksrc: what review keeps finding is refused by a
script instead. Rules (each finding is "file:line rule"):

  parse-number   atoi, atol, atoll, atof, sscanf, and strtol & co. without
                 an end pointer: no error, no range, no trailing garbage. Use strtol-based parsers that say what is
                 wrong (cli_parse_long, db_get_long for values read back).
  unbounded      sprintf, vsprintf, strcpy, strcat, gets: no bound.
  not-reentrant  strtok, asctime, ctime, gmtime, localtime: shared state, and
                 the workers are threads (OpenMP).
  sql-in-array   SQL assembled with snprintf into a fixed char[]: a long
                 statement is cut silently. Use struct buf (lib/buf.h).
  len-snprintf   "len += snprintf(...)": past the end of the buffer once it
                 is full. Use struct buf.

Comments and string literals are not searched for function names. The
allow list holds findings still to remove ("file rule", one per line, the
line number left out so that edits do not move them); the check fails on a
finding not listed, and on a listed one that no longer occurs.
"""
import collections
import os
import re
import sys

import ratchet

DIRS = ['cli', 'jobs', 'transform', 'ingest', 'load', 'lib']
CALLS = {
    'parse-number': ('atoi', 'atol', 'atoll', 'atof', 'sscanf'),
    'unbounded': ('sprintf', 'vsprintf', 'strcpy', 'strcat', 'gets'),
    'not-reentrant': ('strtok', 'asctime', 'ctime', 'gmtime', 'localtime'),
}
SQL_WORD = re.compile(r'"\s*(SELECT|INSERT|UPDATE|DELETE|CREATE|ALTER|DROP|WITH|SET|ANALYZE|COPY|TRUNCATE|VACUUM|'
                      r'GRANT|REVOKE|LOCK|BEGIN)\b')
SNPRINTF_ARRAY = re.compile(r'\bsnprintf\s*\(\s*(\w+)\s*,\s*sizeof\s*\(?\s*(\w+)\s*\)?\s*,')


def strip(text):
    """Comments and the contents of string and char literals blanked (newlines kept)."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith('/*', i):
            j = text.find('*/', i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r'[^\n]', ' ', text[i:j]))
            i = j
        elif text.startswith('//', i):
            j = text.find('\n', i)
            j = n if j < 0 else j
            out.append(' ' * (j - i))
            i = j
        elif c in '"\'':
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == '\\' else 1
            out.append(c + re.sub(r'[^\n]', ' ', text[i + 1:j]) + c)
            i = j + 1
        else:
            out.append(c)
            i += 1
    return ''.join(out)


def findings(top):
    for d in DIRS:
        base = os.path.join(top, d)
        if not os.path.isdir(base):
            continue
        for name in sorted(os.listdir(base)):
            if not name.endswith(('.c', '.h')):
                continue
            rel = '%s/%s' % (d, name)
            with open(os.path.join(base, name), encoding='utf-8') as f:
                text = f.read()
            code = strip(text)
            lines = code.split('\n')
            raw = text.split('\n')
            arrays = {a for decl in re.findall(r'^\s*(?:static\s+)?char\s+([^;=]*\[[^;]*);', code, re.M)
                      for a in re.findall(r'(\w+)\s*\[', decl)}
            for no, line in enumerate(lines, 1):
                for rule, names in CALLS.items():
                    for fn in names:
                        if re.search(r'(?<![\w.>])%s\s*\(' % fn, line):
                            yield rel, no, rule, fn
                if re.search(r'(?<![\w.>])strto[a-z]+\s*\([^;]*,\s*NULL\b', line):
                    yield rel, no, 'parse-number', 'strto*(..., NULL)'
                if re.search(r'\+=\s*(\(\w+\)\s*)?snprintf\s*\(', line):
                    yield rel, no, 'len-snprintf', 'snprintf'
                m = SNPRINTF_ARRAY.search(line)
                if m and m.group(1) in arrays:
                    # the format: the first literal after the size, on this line or the next
                    rest = '\n'.join(raw[no - 1:no + 1])[m.end():]
                    q = rest.find('"')
                    if (q >= 0 and SQL_WORD.match(rest[q:])) or re.search(r'sql|plan|query|stmt', m.group(1)):
                        yield rel, no, 'sql-in-array', m.group(1)


def main():
    top = sys.argv[1] if len(sys.argv) > 1 else '.'
    allow_path = os.path.join(top, 'tests', 'tools', 'checksrc.allow')
    seen, where = collections.Counter(), {}
    for rel, no, rule, what in findings(top):
        key = '%s %s %s' % (rel, rule, what)
        seen[key] += 1
        where.setdefault(key, []).append('%s:%d: %s: %s' % (rel, no, rule, what))
    new, gone = ratchet.compare(allow_path, seen, '--shrink' in sys.argv)
    # a key found more often than listed: its last occurrences are the new ones
    bad = []
    for k, n in collections.Counter(new).items():
        bad += where[k][-n:]
    gone = ['%s (%d listed, %d found)' % g for g in gone]
    for b in bad:
        print('checksrc: %s' % b)
    for g in gone:
        print('checksrc: fewer than listed: %s: lower tests/tools/checksrc.allow' % g)
    print('checksrc: %d finding(s) listed as still to remove, %d new, %d fixed'
          % (sum(seen.values()) - len(bad), len(bad), len(gone)))
    return 1 if bad or gone else 0


if __name__ == '__main__':
    sys.exit(main())

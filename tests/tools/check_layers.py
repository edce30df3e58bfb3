#!/usr/bin/env python3
"""tests/tools/check_layers.py — the layers of the C sources go one way (make check-layers).

  check_layers.py TOP            check; exit 1 on a wrong-way include or libpq call
  check_layers.py TOP --graph    print the include graph between folders, then check
  check_layers.py TOP --shrink   drop from the allow list what no longer occurs

The layers, from the top (docs/architecture.md):

  cli/        parse options, call one job, print its report
  jobs/       compose the stages; alone own transactions, locks, connections
  transform/  pure transforms (claims -> document model -> CDA)
  ingest/     parse and validate the extracts
  load/       everything that talks to PostgreSQL: the only SQL, the only libpq calls
  lib/        helpers with no project dependency

A folder may include its own headers and those of the layers below it, as
ALLOWED says; libpq functions (PQ...) are called in load/ only; and cli/
calls no function that a header of transform/, ingest/ or load/ declares
(what it reaches through a job's header is the job's to call). Exceptions
still being removed are listed in tests/tools/layers.allow, one
"file -> included" or "file -> libpq" per line (tests/tools/ratchet.py: the
check fails on a violation not listed there, and on a listed one that no
longer occurs, so the list only shrinks).
"""
import collections
import os
import re
import sys

import ratchet

ALLOWED = {
    'cli': {'cli', 'jobs', 'lib'},
    'jobs': {'jobs', 'transform', 'ingest', 'load', 'lib'},
    'transform': {'transform', 'load', 'lib'},
    'ingest': {'ingest', 'load', 'lib'},
    'load': {'load', 'lib'},
    'lib': {'lib'},
}
ORDER = ['cli', 'jobs', 'transform', 'ingest', 'load', 'lib']
INCLUDE = re.compile(r'^\s*#\s*include\s+"([a-z_]+)/[^"]+"', re.M)
PQ_CALL = re.compile(r'\bPQ[a-zA-Z]+\s*\(')
COMMENT = re.compile(r'/\*.*?\*/|//[^\n]*', re.S)


def sources(top):
    for d in ORDER:
        base = os.path.join(top, d)
        if not os.path.isdir(base):
            continue
        for name in sorted(os.listdir(base)):
            if name.endswith(('.c', '.h')):
                yield d, '%s/%s' % (d, name), os.path.join(base, name)


def main():
    top = sys.argv[1] if len(sys.argv) > 1 else '.'
    graph = '--graph' in sys.argv
    allow_path = os.path.join(top, 'tests', 'tools', 'layers.allow')
    edges, found = {}, set()
    for layer, rel, path in sources(top):
        with open(path, encoding='utf-8') as f:
            text = f.read()
        code = COMMENT.sub('', text)
        for m in INCLUDE.finditer(code):
            to = m.group(1)
            if to not in ALLOWED:
                continue
            edges[(layer, to)] = edges.get((layer, to), 0) + 1
            if to not in ALLOWED[layer]:
                found.add('%s -> %s' % (rel, m.group(0).split('"')[1]))
        if layer != 'load' and PQ_CALL.search(code):
            found.add('%s -> libpq' % rel)
    # functions declared by the headers below jobs/, called from cli/
    declared = set()
    for layer in ('transform', 'ingest', 'load'):
        for _, rel, path in sources(top):
            if rel.startswith(layer + '/') and rel.endswith('.h'):
                with open(path, encoding='utf-8') as f:
                    code = COMMENT.sub('', f.read())
                declared |= set(re.findall(r'^[A-Za-z_][\w \t\*]*?\b([a-z_][a-z0-9_]*)\s*\(', code, re.M))
    declared -= {'int', 'void', 'char', 'long', 'short', 'double', 'float', 'bool', 'size_t', 'unsigned',
                 'signed', 'const', 'return', 'sizeof', 'if', 'while', 'for', 'switch', 'typedef', 'struct'}
    for layer, rel, path in sources(top):
        if layer != 'cli' or not rel.endswith('.c'):
            continue
        with open(path, encoding='utf-8') as f:
            code = COMMENT.sub('', f.read())
        code = re.sub(r'"(\\.|[^"\\])*"', '""', code)
        for name in sorted(declared):
            if re.search(r'(?<![\w.>])%s\s*\(' % name, code):
                found.add('%s -> %s()' % (rel, name))
    if graph:
        print('include graph between folders (includer -> included: #include lines)')
        for a in ORDER:
            row = ['%s %d' % (b, edges[(a, b)]) for b in ORDER if (a, b) in edges and a != b]
            print('  %-10s -> %s' % (a, ', '.join(row) if row else '(none)'))
        calls = sorted({v.split(' -> ')[0] for v in found if v.endswith('-> libpq')})
        print('libpq calls outside load/: %d file(s)%s' % (len(calls), (': ' + ', '.join(calls)) if calls else ''))
    new, gone = ratchet.compare(allow_path, collections.Counter(found), '--shrink' in sys.argv)
    gone = [k for k, _, _ in gone]
    for v in new:
        print('check-layers: wrong way: %s' % v)
    for v in gone:
        print('check-layers: %s no longer occurs: remove it from tests/tools/layers.allow' % v)
    print('check-layers: %d wrong-way use(s) listed as still to remove, %d new, %d gone'
          % (len(found) - len(new), len(new), len(gone)))
    return 1 if new or gone else 0


if __name__ == '__main__':
    sys.exit(main())

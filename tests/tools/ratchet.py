"""tests/tools/ratchet.py — the allow lists of check_layers.py and checksrc.py.

An allow list names findings still to remove, one per line (a finding that
occurs twice is listed twice); '#' lines are comments. A check passes when
every finding is listed and every listed one still occurs: the list can only
shrink. With --shrink, entries that no longer occur are dropped from the file.
"""
import collections
import os


def read(path):
    """The listed findings, counted."""
    listed = collections.Counter()
    if os.path.exists(path):
        with open(path) as f:
            for ln in f:
                ln = ln.strip()
                if ln and not ln.startswith('#'):
                    listed[ln] += 1
    return listed


def compare(path, found, shrink=False):
    """found: a Counter of findings. Returns (new, gone): the occurrences not
    listed, and the listed entries no longer (as often) found, each as
    (key, listed, found). With shrink, rewrites the file without the gone
    ones and returns no gone entry."""
    listed = read(path)
    new = sorted((found - listed).elements())
    gone = [(k, n, found[k]) for k, n in sorted(listed.items()) if found[k] < n]
    if shrink and gone:
        left = {k: min(n, found[k]) for k, n in listed.items()}
        with open(path) as f:
            lines = f.readlines()
        with open(path, 'w') as f:
            for ln in lines:
                k = ln.strip()
                if k and not k.startswith('#'):
                    if left.get(k, 0) <= 0:
                        continue
                    left[k] -= 1
                f.write(ln)
        gone = []
    return new, gone

#!/usr/bin/env python3
"""The committed collector/pylayout_builtin.c must match the CPython headers.

For every CPython 3.8-3.12 found with headers (incl. internal/), regenerates
the layout table with tools/gen-layouts.py into a temporary file and checks
that this version's entry equals the committed one, field by field. Prints a
matrix of the versions checked and skipped (and why).

usage: test_layouts.py GEN_LAYOUTS_PY COMMITTED_TABLE_C PYLAYOUT_H [--cc 'CC ARGS']
Exit: 0 all checked versions match, 1 a mismatch or error, 77 nothing to check.
"""
import argparse
import glob
import os
import re
import shlex
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pythons  # noqa: E402

ENTRY = re.compile(r'static const py_layout pyl_3_(\d+) = \{\n(.*?)\n\};', re.S)
FIELD = re.compile(r'^\s*\.(\w+) = ([^,\n]+),$', re.M)


def entries(path):
    """minor -> {field: value text} of a generated table."""
    with open(path) as f:
        text = f.read()
    return {int(m.group(1)): dict(FIELD.findall(m.group(2))) for m in ENTRY.finditer(text)}


def layout_fields(header):
    """Member names of struct py_layout, from the header (independent of the generator)."""
    with open(header) as f:
        text = f.read()
    body = re.search(r'typedef struct py_layout \{(.*?)\} py_layout;', text, re.S).group(1)
    body = re.sub(r'/\*.*?\*/', '', body, flags=re.S)
    names = []
    for decl in filter(None, (d.strip() for d in body.split(';'))):
        names += [n.strip() for n in re.sub(r'^(int|uint32_t)\s+', '', decl).split(',')]
    return names


def headers_of(p):
    """(include dir, None) or (None, why not)."""
    cands = []
    if p.get('prefix'):
        cands += sorted(glob.glob(os.path.join(p['prefix'], 'include', 'python3.*')))
    try:
        r = subprocess.run([p['exe'], '-c', 'import sysconfig; print(sysconfig.get_paths()["include"])'],
                           capture_output=True, text=True, timeout=30)
        if r.returncode == 0 and r.stdout.strip():
            cands.append(r.stdout.strip())
    except (OSError, subprocess.TimeoutExpired):
        pass
    why = 'no headers (no Python.h)'
    for c in cands:
        if os.path.isfile(os.path.join(c, 'Python.h')):
            if os.path.isdir(os.path.join(c, 'internal')):
                return c, None
            why = 'headers without internal/'
    return None, why


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('gen')
    ap.add_argument('table')
    ap.add_argument('header')
    ap.add_argument('--cc', default=os.environ.get('CC', 'cc'))
    args = ap.parse_args()

    fields = layout_fields(args.header)
    committed = entries(args.table)
    failures, rows = [], []
    for minor in range(8, 13):
        e = committed.get(minor)
        if e is None:
            failures.append('committed table has no entry for 3.%d' % minor)
        elif sorted(e) != sorted(fields):
            failures.append('committed 3.%d entry fields differ from py_layout: %s'
                            % (minor, sorted(set(e) ^ set(fields))))

    found = pythons.find()
    pythons.report(found, sys.stdout)
    checked = 0
    for p in found:
        v = p['version']
        if not (v[0] == 3 and 8 <= v[1] <= 12):
            rows.append((p['label'], '-', 'skipped: 3.13+ describe themselves (test_debug_offsets)'))
            continue
        inc, why = headers_of(p)
        if not inc:
            rows.append((p['label'], '-', 'skipped: ' + why))
            continue
        with tempfile.TemporaryDirectory(prefix='mw-layouts-') as tmp:
            out = os.path.join(tmp, 'table.c')
            r = subprocess.run([sys.executable, args.gen, '--out', out, '--cc', args.cc, inc],
                               capture_output=True, text=True, timeout=300)
            if r.returncode != 0:
                failures.append('%s: gen-layouts failed: %s' % (p['label'], r.stderr.strip()[-2000:]))
                rows.append((p['label'], inc, 'FAILED: gen-layouts'))
                continue
            fresh = entries(out).get(v[1])
        want = committed.get(v[1], {})
        if not fresh or sorted(fresh) != sorted(fields):
            failures.append('%s: regenerated entry missing or incomplete' % p['label'])
            rows.append((p['label'], inc, 'FAILED: no entry'))
            continue
        diff = ['%s: headers %s, committed %s' % (f, fresh[f], want.get(f)) for f in fields
                if fresh[f] != want.get(f)]
        checked += 1
        if diff:
            failures.append('%s differs from the committed table: %s' % (p['label'], '; '.join(diff)))
            rows.append((p['label'], inc, 'FAILED: %d fields differ' % len(diff)))
        else:
            rows.append((p['label'], inc, 'ok: %d fields match' % len(fields)))

    print('\nversion matrix (committed table vs headers):')
    for label, inc, result in rows:
        print('  %-20s %-50s %s' % (label, inc, result))
    for f in failures:
        print('FAIL ' + f)
    if failures:
        print('test_layouts: %d checked, %d failed' % (checked, len(failures)))
        return 1
    if checked == 0:
        print('test_layouts: SKIPPED: no CPython 3.8-3.12 with headers on this machine')
        return 77
    print('test_layouts: %d versions checked, all match' % checked)
    return 0


if __name__ == '__main__':
    sys.exit(main())

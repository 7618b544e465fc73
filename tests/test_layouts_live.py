#!/usr/bin/env python3
"""memwatch's layouts walk real interpreters: every CPython found, headers or not.

Runs tests/layout_selfwalk.py inside each CPython 3.8+ that tests/pythons.py
finds (Debian's headerless python3 included). It gets its layout from
pylayout_dump (built-in table, or _Py_DebugOffsets for 3.13+) and walks its own
runtime -> interpreter -> threads -> frames -> code objects -> str/bytes and
GIL holder with ctypes, comparing everything with what Python reports.

usage: test_layouts_live.py PYLAYOUT_DUMP SELFWALK_PY
Exit: 0 all passed, 1 a failure, 77 no CPython found.
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pythons  # noqa: E402


def main():
    dump, walker = sys.argv[1], sys.argv[2]
    found = pythons.find()
    pythons.report(found, sys.stdout)
    rows, failures, covered = [], [], 0
    for p in found:
        try:
            r = subprocess.run([p['exe'], walker, dump], capture_output=True, text=True, timeout=120)
        except subprocess.TimeoutExpired:
            failures.append('%s: timed out' % p['label'])
            rows.append((p['label'], 'FAILED: timeout'))
            continue
        out = r.stdout.strip()
        print('--- ' + p['label'])
        print(out)
        if r.stderr.strip():
            print(r.stderr.strip()[-3000:])
        last = out.splitlines()[-1] if out else 'no output'
        if r.returncode == 3:
            # No layout: a defect for 3.8-3.13 and Pythons with a GIL; the
            # parser's clean refusal of newer or free-threaded builds is expected.
            newer = p['version'] >= (3, 14)
            if newer or 'free-threaded' in out:
                rows.append((p['label'], 'skipped: ' + last))
            else:
                failures.append('%s: %s' % (p['label'], last))
                rows.append((p['label'], 'FAILED: ' + last))
        elif r.returncode != 0:
            failures.append('%s: exit %d: %s' % (p['label'], r.returncode, last))
            rows.append((p['label'], 'FAILED: ' + last))
        else:
            covered += 1
            rows.append((p['label'], 'ok: ' + last))

    print('\nversion matrix (live self-walk with memwatch layouts):')
    for label, result in rows:
        print('  %-20s %s' % (label, result))
    for f in failures:
        print('FAIL ' + f)
    if failures:
        print('test_layouts_live: %d covered, %d failed' % (covered, len(failures)))
        return 1
    if covered == 0:
        print('test_layouts_live: SKIPPED: no CPython found')
        return 77
    print('test_layouts_live: %d interpreters walked, all checks passed' % covered)
    return 0


if __name__ == '__main__':
    sys.exit(main())

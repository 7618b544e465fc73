#!/usr/bin/env python3
"""Cross-check memwatch's line-table decoders against every CPython 3.8+ found.

For each interpreter, linetable_dump.py (run under that interpreter) dumps
the line tables of the stdlib's typing and argparse with the line CPython
gives every code unit; the checker decodes each one and compares. Prints a
matrix and fails on any mismatch, on any interpreter that cannot be checked,
or when Debian's python3 is missing.

Usage: test_linetable_versions.py LINETABLE_CHECK
"""
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import pythons  # noqa: E402

WANTED_MINORS = range(8, 14)   # 3.8 .. 3.13: the versions memwatch supports


def check_one(checker, py):
    dump = subprocess.run([py['exe'], os.path.join(HERE, 'linetable_dump.py')],
                          capture_output=True, timeout=300)
    if dump.returncode != 0:
        return None, 'dump failed (%d): %s' % (dump.returncode, dump.stderr.decode(errors='replace')[-400:])
    chk = subprocess.run([checker], input=dump.stdout, capture_output=True, timeout=300)
    result = None
    for line in chk.stdout.decode().splitlines():
        parts = line.split()
        if len(parts) == 5 and parts[0] == 'RESULT':
            result = dict(version=parts[1], codes=int(parts[2]), units=int(parts[3]),
                          mismatches=int(parts[4]))
    err = chk.stderr.decode(errors='replace')
    if chk.returncode != 0 or result is None:
        return result, 'checker failed (%d):\n%s' % (chk.returncode, err[-3000:])
    want = '%d.%d' % py['version'][:2]
    if result['version'] != want:
        return result, 'dump says %s, interpreter is %s' % (result['version'], want)
    return result, None


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    checker = argv[1]
    found = pythons.find()
    pythons.report(found, sys.stdout)
    failures = []
    rows = []
    for py in found:
        result, err = check_one(checker, py)
        rows.append((py['label'], result, err))
        if err:
            failures.append('%s: %s' % (py['label'], err))

    print('\nline tables vs CPython (typing + argparse, every code unit):')
    print('%-22s %8s %14s %11s  %s' % ('python', 'codes', 'units checked', 'mismatches', 'status'))
    for label, r, err in rows:
        if r:
            print('%-22s %8d %14d %11d  %s' % (label, r['codes'], r['units'], r['mismatches'],
                                                'FAIL' if err else 'ok'))
        else:
            print('%-22s %8s %14s %11s  FAIL' % (label, '-', '-', '-'))
    covered = {p['version'][:2] for p in found}
    skipped = ['3.%d' % m for m in WANTED_MINORS if (3, m) not in covered]
    print('covered: %s' % ', '.join(sorted({'%d.%d' % v for v in covered}, key=lambda s: int(s.split('.')[1]))))
    print('SKIPPED (no interpreter on this machine): %s' % (', '.join(skipped) if skipped else 'none'))

    if pythons.system_python(found) is None:
        failures.append("the system python3 (outside pyenv) was not found")
    if not any(r and r['units'] > 0 for _, r, _ in rows):
        failures.append('nothing was checked')
    for f in failures:
        print('FAIL: ' + f, file=sys.stderr)
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))

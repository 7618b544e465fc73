#!/usr/bin/env python3
"""Manual pages lint clean (groff -man -ww -z writes nothing) and name every subcommand.

Usage: test_man.py GROFF PAGE...
"""
import subprocess
import sys

SUBCOMMANDS = ('run', 'attach', '--pid', 'list', 'report', 'export', 'plot', 'diff', 'daemon')


def main():
    groff, pages = sys.argv[1], sys.argv[2:]
    bad = 0
    for page in pages:
        p = subprocess.run([groff, '-man', '-ww', '-z', page], capture_output=True, text=True)
        if p.returncode != 0 or p.stderr.strip():
            print('%s: groff warns:\n%s' % (page, p.stderr))
            bad += 1
        text = subprocess.run([groff, '-man', '-Tutf8', page], capture_output=True, text=True).stdout
        plain = ''.join(ch for i, ch in enumerate(text) if ch != '\b' and (i + 1 >= len(text) or text[i + 1] != '\b'))
        if page.endswith('memwatch.1'):
            for sub in SUBCOMMANDS:
                if sub not in plain:
                    print('%s: does not document %s' % (page, sub))
                    bad += 1
        print('%s: %s' % (page, 'ok' if not bad else 'FAILED'))
    sys.exit(1 if bad else 0)


if __name__ == '__main__':
    main()

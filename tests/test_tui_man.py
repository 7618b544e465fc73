#!/usr/bin/env python3
"""memwatch-tui(1) documents every key the program's help lists (the tables in
tui/keys.c), under the heading of the screen it belongs to.

Usage: test_tui_man.py KEYS_C PAGE
"""
import re
import sys

SCREENS = {'help_common': 'Every screen', 'help_sessions': 'Sessions screen', 'help_session': 'Session screen',
           'help_source': 'Source screen', 'help_compare': 'Compare screen'}


def man_sections(page):
    """Map of .SS heading -> the keys (.B lines after .TP) under it, with troff escapes undone."""
    out, cur, after_tp = {}, None, False
    for line in open(page, encoding='utf-8'):
        line = line.rstrip('\n')
        if line.startswith('.SS '):
            cur = line[4:].strip()
            out[cur] = []
        elif line.startswith('.SH '):
            cur = None
        elif line == '.TP':
            after_tp = True
            continue
        elif after_tp and cur and line.startswith('.B '):
            out[cur].append(line[3:].replace('\\-', '-').strip())
        after_tp = False
    return out


def main():
    keys_c, page = sys.argv[1], sys.argv[2]
    src = open(keys_c, encoding='utf-8').read()
    sections = man_sections(page)
    bad, total = 0, 0
    for table, heading in SCREENS.items():
        m = re.search(r'static const key_help %s\[\] = \{(.*?)\n\};' % table, src, re.S)
        if not m:
            print('FAIL: %s: no table %s' % (keys_c, table))
            bad += 1
            continue
        keys = re.findall(r'\{\s*"((?:[^"\\]|\\.)*)",', m.group(1))
        if not keys:
            print('FAIL: %s: table %s is empty' % (keys_c, table))
            bad += 1
        for k in keys:
            total += 1
            if k not in sections.get(heading, []):
                print('FAIL: %s does not document key %r under "%s"' % (page, k, heading))
                bad += 1
    print('test_tui_man: %d keys checked, %d missing' % (total, bad))
    sys.exit(1 if bad else 0)


if __name__ == '__main__':
    main()

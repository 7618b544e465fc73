#!/usr/bin/env python3
"""Compile schema migrations (NNN_name.sql) into a C array for the store."""
import os
import re
import sys


def c_string(text):
    out = []
    for line in text.splitlines():
        out.append('"' + line.replace('\\', '\\\\').replace('"', '\\"') + '\\n"')
    return '\n    '.join(out) if out else '""'


def main():
    output, inputs = sys.argv[1], sys.argv[2:]
    migs = []
    for path in inputs:
        m = re.match(r'(\d+)_', os.path.basename(path))
        if not m:
            sys.exit(f'embed.py: {path}: name must start with a number')
        with open(path, encoding='utf-8') as f:
            migs.append((int(m.group(1)), os.path.basename(path), f.read()))
    migs.sort()
    for i, (num, name, _) in enumerate(migs, 1):
        if num != i:
            sys.exit(f'embed.py: {name}: migrations must be numbered 1..N without gaps')
    with open(output, 'w', encoding='utf-8') as f:
        f.write('/* Built from the schema migrations by schema/embed.py. */\n')
        f.write('#include "schema.h"\n\n')
        f.write('const schema_migration schema_migrations[] = {\n')
        for num, name, text in migs:
            f.write(f'  {{ {num}, "{name}",\n    {c_string(text)} }},\n')
        f.write('};\n')
        f.write(f'const int schema_count = {len(migs)};\n')


if __name__ == '__main__':
    main()

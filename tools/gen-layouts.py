#!/usr/bin/env python3
"""Generate collector/pylayout_builtin.c from real CPython headers.

For each CPython 3.8-3.12 given (an install prefix, or an include dir holding
Python.h and internal/), compiles tools/layout-probe.c against that version's
headers with Py_BUILD_CORE, runs it, and writes one `static const py_layout`
per minor version plus pylayout_builtin().

With no arguments, uses every CPython 3.8-3.12 that tests/pythons.py finds and
that has headers including internal/. Several installs of one minor version
must agree on every offset. Entries for minor versions not probed in this run
are carried over from the existing output file, if there is one.

    tools/gen-layouts.py                       # rewrite collector/pylayout_builtin.c
    tools/gen-layouts.py --out /tmp/x.c PREFIX # one version into a new file
"""
import argparse
import glob
import os
import re
import shlex
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PROBE = os.path.join(HERE, 'layout-probe.c')
HEADER = os.path.join(ROOT, 'collector', 'pylayout.h')
DEFAULT_OUT = os.path.join(ROOT, 'collector', 'pylayout_builtin.c')
MINORS = range(8, 13)
ARCH_MACRO = {'x86_64': '__x86_64__', 'aarch64': '__aarch64__'}


def header_fields(path=HEADER):
    """Field names of struct py_layout, in declaration order."""
    with open(path) as f:
        text = f.read()
    m = re.search(r'typedef struct py_layout \{(.*?)\} py_layout;', text, re.S)
    if not m:
        raise SystemExit('gen-layouts: struct py_layout not found in %s' % path)
    body = re.sub(r'/\*.*?\*/', '', m.group(1), flags=re.S)
    fields = []
    for decl in body.split(';'):
        decl = decl.strip()
        if not decl:
            continue
        mm = re.match(r'(?:int|uint32_t)\s+(.*)$', decl, re.S)
        if not mm:
            raise SystemExit('gen-layouts: cannot parse py_layout member %r' % decl)
        fields += [n.strip() for n in mm.group(1).split(',')]
    return fields


def include_dir(path):
    """The include dir (holding Python.h and internal/) under a prefix or include path."""
    cands = [path] + sorted(glob.glob(os.path.join(path, 'include', 'python3.*')))
    for c in cands:
        if os.path.isfile(os.path.join(c, 'Python.h')):
            if os.path.isdir(os.path.join(c, 'internal')):
                return c, None
            return None, 'headers lack internal/'
    return None, 'no Python.h'


def header_version(inc):
    """(major, minor) from patchlevel.h, or None."""
    try:
        with open(os.path.join(inc, 'patchlevel.h')) as f:
            text = f.read()
    except OSError:
        return None
    m = re.search(r'#define\s+PY_MAJOR_VERSION\s+(\d+).*?#define\s+PY_MINOR_VERSION\s+(\d+)', text, re.S)
    return (int(m.group(1)), int(m.group(2))) if m else None


def sysconfig_include(exe):
    try:
        out = subprocess.run([exe, '-c', 'import sysconfig; print(sysconfig.get_paths()["include"])'],
                             capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def discover():
    """(include dirs to probe, [(label, reason)] skipped) from tests/pythons.py."""
    sys.path.insert(0, os.path.join(ROOT, 'tests'))
    import pythons  # noqa: E402
    dirs, skipped = [], []
    for p in pythons.find():
        v = p['version']
        if not (v[0] == 3 and v[1] in MINORS):
            skipped.append((p['label'], 'not 3.8-3.12'))
            continue
        inc, why = None, 'no include path'
        for cand in [p.get('prefix'), sysconfig_include(p['exe'])]:
            if cand:
                inc, why = include_dir(cand)
                if inc:
                    break
        if inc:
            dirs.append(inc)
        else:
            skipped.append((p['label'], why))
    return dirs, skipped


def probe(inc, cc):
    """Runs layout-probe against one include dir; returns its key -> value dict."""
    with tempfile.TemporaryDirectory(prefix='mw-probe-') as tmp:
        exe = os.path.join(tmp, 'probe')
        cmd = cc + ['-std=gnu11', '-O0', '-DPy_BUILD_CORE', '-I', inc,
                    '-I', os.path.join(inc, 'internal'), PROBE, '-o', exe]
        r = subprocess.run(cmd, capture_output=True, text=True)
        if r.returncode != 0:
            raise SystemExit('gen-layouts: compiling the probe against %s failed:\n%s'
                             % (inc, r.stderr[-4000:]))
        r = subprocess.run([exe], capture_output=True, text=True, timeout=60)
        if r.returncode != 0:
            raise SystemExit('gen-layouts: probe for %s failed: %s' % (inc, r.stderr.strip()))
    vals = {}
    for line in r.stdout.splitlines():
        k, _, v = line.partition(' ')
        vals[k] = v.strip()
    return vals


ENTRY_RE = re.compile(r'/\* CPython 3\.(\d+) \(headers of ([0-9.]+)\) \*/\n'
                      r'static const py_layout pyl_3_\d+ = \{\n(.*?)\n\};', re.S)


def parse_entries(text):
    """minor -> (source version, {field: value text}) from a generated file."""
    out = {}
    for m in ENTRY_RE.finditer(text):
        fields = dict(re.findall(r'^\s*\.(\w+) = ([^,\n]+),$', m.group(3), re.M))
        out[int(m.group(1))] = (m.group(2), fields)
    return out


def arch_of(text):
    m = re.search(r'^#if defined\((\w+)\)', text, re.M)
    return m.group(1) if m else None


def render(entries, fields, macro):
    lines = [
        '/* Generated by tools/gen-layouts.py from the CPython headers of',
        ' * ' + ', '.join(src for _, (src, _) in sorted(entries.items())) + ' (offsetof/sizeof',
        ' * with Py_BUILD_CORE, and the bit positions of PyASCIIObject.state).',
        ' * Verified against installed headers by tests/test_layouts.py and on',
        ' * live interpreters by tests/test_layouts_live.py.',
        ' * Do not edit: rerun tools/gen-layouts.py. */',
        '#include "pylayout.h"',
        '',
        '#if defined(%s)' % macro,
        '',
    ]
    for minor, (src, vals) in sorted(entries.items()):
        lines.append('/* CPython 3.%d (headers of %s) */' % (minor, src))
        lines.append('static const py_layout pyl_3_%d = {' % minor)
        for f in fields:
            lines.append('    .%s = %s,' % (f, vals[f]))
        lines.append('};')
        lines.append('')
    lines.append('const py_layout *pylayout_builtin(int major, int minor)')
    lines.append('{')
    lines.append('    if (major != 3)')
    lines.append('        return NULL;')
    lines.append('    switch (minor) {')
    for minor in sorted(entries):
        lines.append('    case %d: return &pyl_3_%d;' % (minor, minor))
    lines.append('    default: return NULL;')
    lines.append('    }')
    lines.append('}')
    lines.append('')
    lines.append('#else')
    lines.append('')
    lines.append('/* The offsets were taken on another architecture: no built-in layouts here. */')
    lines.append('const py_layout *pylayout_builtin(int major, int minor)')
    lines.append('{')
    lines.append('    (void)major;')
    lines.append('    (void)minor;')
    lines.append('    return NULL;')
    lines.append('}')
    lines.append('')
    lines.append('#endif')
    return '\n'.join(lines) + '\n'


def as_c(field, value):
    if value == 'none':
        return 'PYL_NONE'
    if field in ('frame_kind', 'lines_kind'):
        if not re.fullmatch(r'PYL_[A-Z0-9_]+', value):
            raise SystemExit('gen-layouts: bad %s %r' % (field, value))
        return value
    if not value.isdigit() or int(value) >= 0xffffffff:
        raise SystemExit('gen-layouts: bad value %s=%r' % (field, value))
    return value


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('paths', nargs='*', help='CPython prefixes or include dirs (default: discover)')
    ap.add_argument('--out', default=DEFAULT_OUT, help='file to write (default: %(default)s)')
    ap.add_argument('--cc', default=os.environ.get('CC', 'cc'), help='C compiler command')
    args = ap.parse_args()
    cc = shlex.split(args.cc)
    fields = header_fields()

    skipped = []
    if args.paths:
        dirs = []
        for p in args.paths:
            inc, why = include_dir(p)
            if not inc:
                raise SystemExit('gen-layouts: %s: %s' % (p, why))
            v = header_version(inc)
            if not v or v[0] != 3 or v[1] not in MINORS:
                raise SystemExit('gen-layouts: %s: version %s is not 3.8-3.12 (3.13+ layouts come '
                                 'from _Py_DebugOffsets at run time)' % (p, '.'.join(map(str, v or ()))))
            dirs.append(inc)
    else:
        dirs, skipped = discover()
    for label, why in skipped:
        print('gen-layouts: skipped %s: %s' % (label, why), file=sys.stderr)
    if not dirs:
        raise SystemExit('gen-layouts: no CPython 3.8-3.12 headers to probe')

    probed, arch = {}, None
    for inc in dirs:
        vals = probe(inc, cc)
        src = vals.pop('version', '?')
        a = vals.pop('arch', 'other')
        if a not in ARCH_MACRO:
            raise SystemExit('gen-layouts: unsupported architecture %s' % a)
        if arch and a != arch:
            raise SystemExit('gen-layouts: probes disagree on architecture')
        arch = a
        if set(vals) != set(fields):
            raise SystemExit('gen-layouts: probe fields %s differ from py_layout fields %s'
                             % (sorted(set(vals) ^ set(fields)), HEADER))
        minor = int(vals['minor'])
        cvals = {f: as_c(f, vals[f]) for f in fields}
        if minor in probed and probed[minor][1] != cvals:
            diff = [f for f in fields if probed[minor][1][f] != cvals[f]]
            raise SystemExit('gen-layouts: %s and %s disagree on %s'
                             % (probed[minor][0], src, ', '.join(diff)))
        probed.setdefault(minor, (src, cvals))
        print('gen-layouts: probed %s (%s)' % (src, inc), file=sys.stderr)

    entries = dict(probed)
    macro = ARCH_MACRO[arch]
    if os.path.exists(args.out):
        with open(args.out) as f:
            old = f.read()
        if arch_of(old) == macro:
            for minor, (src, vals) in parse_entries(old).items():
                if minor not in entries and set(vals) == set(fields):
                    entries[minor] = (src, vals)
                    print('gen-layouts: kept 3.%d from %s' % (minor, args.out), file=sys.stderr)
    missing = [m for m in MINORS if m not in entries]
    if missing:
        print('gen-layouts: no layout for ' + ', '.join('3.%d' % m for m in missing), file=sys.stderr)
    with open(args.out, 'w') as f:
        f.write(render(entries, fields, macro))
    print('gen-layouts: wrote %s' % args.out, file=sys.stderr)


if __name__ == '__main__':
    main()

#!/usr/bin/env python3
"""pylayout_from_debug_offsets against every CPython 3.13+ with headers and a libpython.

For each such install, compiles tests/pylayout_debug_check.c against that
version's headers (Py_BUILD_CORE) and libpython together with
collector/pylayout.c (with ASan+UBSan when the compiler can), runs it: it
embeds the interpreter, parses the start of its own _PyRuntime and compares
every py_layout field with offsetof() from the headers, then checks that bad
cookie, wrong version, free_threaded=1, truncated and out-of-range copies are
refused with a one-line reason. Prints a matrix of versions covered/skipped.

usage: test_debug_offsets.py PYLAYOUT_C CHECK_C COLLECTOR_DIR [--cc 'CC ARGS']
Exit: 0 all passed, 1 a failure, 77 no CPython 3.13+ with headers and libpython.
"""
import argparse
import glob
import json
import os
import shlex
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pythons  # noqa: E402

CONFIG = ('import json, sysconfig; g = sysconfig.get_config_var; '
          'print(json.dumps({"include": sysconfig.get_paths()["include"], "libdir": g("LIBDIR"), '
          '"ldlibrary": g("LDLIBRARY"), "library": g("LIBRARY"), "libs": g("LIBS") or "", '
          '"syslibs": g("SYSLIBS") or "", "shared": g("Py_ENABLE_SHARED"), '
          '"ft": g("Py_GIL_DISABLED")}))')


def config_of(p):
    r = subprocess.run([p['exe'], '-c', CONFIG], capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        return None
    return json.loads(r.stdout)


def include_dir(p, cfg):
    cands = [cfg['include']]
    if p.get('prefix'):
        cands += sorted(glob.glob(os.path.join(p['prefix'], 'include', 'python3.*')))
    for c in cands:
        if c and os.path.isfile(os.path.join(c, 'Python.h')) and os.path.isdir(os.path.join(c, 'internal')):
            return c
    return None


def link_args(cfg):
    """Linker arguments for libpython, or None when there is none to link."""
    libdir = cfg['libdir'] or ''
    shared = os.path.join(libdir, cfg['ldlibrary'] or '')
    if cfg['ldlibrary'] and cfg['ldlibrary'].endswith('.so') and os.path.isfile(shared):
        name = cfg['ldlibrary'][3:-3]
        return ['-L', libdir, '-l' + name, '-Wl,-rpath,' + libdir]
    static = os.path.join(libdir, cfg['library'] or '')
    if cfg['library'] and os.path.isfile(static):
        return [static] + shlex.split(cfg['libs']) + shlex.split(cfg['syslibs'])
    return None


def build(cc, sources, inc, colldir, links, tmp, sanitize):
    san = ['-fsanitize=address,undefined', '-fno-omit-frame-pointer'] if sanitize else []
    obj = os.path.join(tmp, 'pylayout.o')
    exe = os.path.join(tmp, 'check' + ('-san' if sanitize else ''))
    steps = [
        cc + san + ['-std=c11', '-D_GNU_SOURCE', '-Wall', '-Wextra', '-Werror', '-pedantic',
                    '-c', sources[0], '-o', obj],
        cc + san + ['-std=gnu11', '-Wall', '-Wextra', '-DPy_BUILD_CORE', '-I', inc,
                    '-I', os.path.join(inc, 'internal'), '-I', colldir, sources[1], obj,
                    '-o', exe] + links,
    ]
    for cmd in steps:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
        if r.returncode != 0:
            return None, r.stderr.strip()[-3000:]
    return exe, None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('pylayout_c')
    ap.add_argument('check_c')
    ap.add_argument('collector_dir')
    ap.add_argument('--cc', default=os.environ.get('CC', 'cc'))
    args = ap.parse_args()
    cc = shlex.split(args.cc)

    found = pythons.find()
    pythons.report(found, sys.stdout)
    rows, failures, covered = [], [], 0
    for p in found:
        if p['version'] < (3, 13):
            rows.append((p['label'], 'skipped: before 3.13, no _Py_DebugOffsets (test_layouts)'))
            continue
        cfg = config_of(p)
        inc = include_dir(p, cfg) if cfg else None
        links = link_args(cfg) if cfg else None
        if not inc:
            rows.append((p['label'], 'skipped: no headers with internal/'))
            continue
        if not links:
            rows.append((p['label'], 'skipped: no libpython to link'))
            continue
        with tempfile.TemporaryDirectory(prefix='mw-dbgoff-') as tmp:
            exe, err = build(cc, [args.pylayout_c, args.check_c], inc, args.collector_dir, links, tmp, True)
            how = 'ASan+UBSan'
            if not exe:
                print('%s: no sanitized build (%s), building plain' % (p['label'], err.splitlines()[-1:]))
                exe, err = build(cc, [args.pylayout_c, args.check_c], inc, args.collector_dir, links, tmp, False)
                how = 'plain'
            if not exe:
                failures.append('%s: build failed:\n%s' % (p['label'], err))
                rows.append((p['label'], 'FAILED: build'))
                continue
            env = dict(os.environ, ASAN_OPTIONS='detect_leaks=0:abort_on_error=0',
                       UBSAN_OPTIONS='print_stacktrace=1:halt_on_error=1')
            r = subprocess.run([exe], capture_output=True, text=True, timeout=120, env=env)
        print('--- %s (%s build)' % (p['label'], how))
        print(r.stdout.rstrip())
        if r.stderr.strip():
            print(r.stderr.rstrip()[-3000:])
        tally = r.stdout.strip().splitlines()[-1] if r.stdout.strip() else 'no output'
        if r.returncode != 0:
            failures.append('%s: exit %d: %s' % (p['label'], r.returncode, tally))
            rows.append((p['label'], 'FAILED: ' + tally))
        elif 'UNSUPPORTED' in r.stdout:
            rows.append((p['label'], 'refused cleanly (no description for it): ' + tally))
        else:
            covered += 1
            rows.append((p['label'], 'ok (%s): %s' % (how, tally)))

    print('\nversion matrix (_Py_DebugOffsets parser vs headers):')
    for label, result in rows:
        print('  %-20s %s' % (label, result))
    for f in failures:
        print('FAIL ' + f)
    if failures:
        print('test_debug_offsets: %d covered, %d failed' % (covered, len(failures)))
        return 1
    if covered == 0:
        print('test_debug_offsets: SKIPPED: no CPython 3.13 with headers and libpython here')
        return 77
    print('test_debug_offsets: %d versions covered, all passed' % covered)
    return 0


if __name__ == '__main__':
    sys.exit(main())

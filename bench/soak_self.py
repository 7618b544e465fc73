#!/usr/bin/env python3
"""memwatch's own footprint over a long session (default one hour).

Runs `memwatch run` (default --rate and --interval) on a long-running Python
service that allocates and frees in a cycle through many distinct lines and
call stacks and starts a short-lived Python child now and then. Every few
seconds it reads memwatch's own VmRSS, RssAnon and VmHWM from
/proc/<memwatch pid>/status. After a warm-up it prints memwatch's RSS at the
start and at the end, the highest, the slope in KiB/hour (least squares over
the samples after the warm-up) and how much the database (with its -wal)
grew, in MiB and MiB/hour.

Usage: soak_self.py MEMWATCH [--seconds S] [--warmup S] [--step S] [--python EXE]
                    [--attach] [--keep DIR]

--attach profiles the service with `memwatch --pid` instead of `run`
(memwatch is stopped with SIGINT at the end, which detaches it).
tests/test_footprint.py drives the same code for a minute and a half.
"""
import argparse
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'tests'))
import pythons  # noqa: E402

HANDLERS = 48      # distinct allocating functions (each a few lines)
ROUTES = 6         # distinct dispatch functions above them
DEPTH = 3          # dispatch depth: stacks differ by route path and handler

CHILD = '''import sys, time
# a short-lived worker: grows a few MB for a moment, then exits
keep = []
for i in range(int(sys.argv[1])):
    keep.append(bytearray(256 * 1024))
    time.sleep(0.02)
del keep
'''


def service_source():
    """The service: HANDLERS functions that allocate on different lines,
    reached through DEPTH levels of ROUTES dispatch functions, so the set of
    stacks is large but finite; a buffer grows to ~40 MB and is freed, over
    and over; a child process starts every few seconds."""
    out = ['import os, subprocess, sys, time', '', 'held = []', 'held_bytes = 0', '']
    for h in range(HANDLERS):
        out += ['def handler_%d(n):' % h,
                '    global held_bytes',
                '    a = [str(i) * %d for i in range(n)]' % (1 + h % 7),
                '    b = bytearray(%d * n)' % (16 + h % 5),
                '    c = {i: a[i] for i in range(0, n, %d)}' % (1 + h % 3),
                '    held.append(b)',
                '    held_bytes += len(b)',
                '    return len(a) + len(c)', '']
    out.append('HANDLERS = [%s]' % ', '.join('handler_%d' % h for h in range(HANDLERS)))
    out.append('')
    for r in range(ROUTES):
        out += ['def route_%d(depth, k):' % r,
                '    if depth == 0:',
                '        return HANDLERS[k % len(HANDLERS)](200 + 40 * (k % 11))',
                '    return ROUTES[%d](depth - 1, k)' % ((r + 1) % ROUTES), '']
    out.append('ROUTES = [%s]' % ', '.join('route_%d' % r for r in range(ROUTES)))
    out += ['',
            'def main():',
            '    global held_bytes',
            '    child, seconds = sys.argv[1], float(sys.argv[2])',
            '    end = time.time() + seconds',
            '    next_child, kids, k = time.time() + 1.0, [], 0',
            '    while time.time() < end:',
            '        k += 1',
            '        ROUTES[k %% len(ROUTES)](k %% %d, k * 7919 %% 100003)' % (DEPTH + 1),
            '        if held_bytes > (40 << 20):',
            '            held.clear()',
            '            held_bytes = 0',
            '        if time.time() >= next_child:',
            '            kids.append(subprocess.Popen([sys.executable, child, str(8 + k % 16)]))',
            '            next_child = time.time() + 3.0',
            '        kids = [p for p in kids if p.poll() is None]',
            '        time.sleep(0.001)',
            '    for p in kids:',
            '        p.wait()',
            '',
            'main()', '']
    return '\n'.join(out)


def status(pid):
    """VmRSS, RssAnon and VmHWM of pid in bytes (None when it is gone)."""
    want = {'VmRSS': 0, 'RssAnon': 0, 'VmHWM': 0}
    try:
        with open('/proc/%d/status' % pid) as f:
            for line in f:
                key = line.split(':', 1)[0]
                if key in want:
                    want[key] = int(line.split()[1]) * 1024
    except OSError:
        return None
    return want


def db_bytes(db):
    """Size of the database and its -wal on disk (0 for a file not there)."""
    total = 0
    for path in (db, db + '-wal'):
        try:
            total += os.path.getsize(path)
        except OSError:
            pass
    return total


def db_used(db):
    """Bytes of pages in use in the database as a reader sees it (the -wal included)."""
    c = sqlite3.connect('file:%s?mode=ro' % db, uri=True, timeout=10)
    try:
        pages, size, free = (c.execute('PRAGMA ' + p).fetchone()[0]
                             for p in ('page_count', 'page_size', 'freelist_count'))
    finally:
        c.close()
    return (pages - free) * size


def slope_per_hour(points):
    """Least-squares slope of [(t, v)] in v per hour (0 with fewer than 2 points)."""
    if len(points) < 2:
        return 0.0
    n = float(len(points))
    mt = sum(t for t, _ in points) / n
    mv = sum(v for _, v in points) / n
    var = sum((t - mt) ** 2 for t, _ in points)
    if var == 0:
        return 0.0
    return sum((t - mt) * (v - mv) for t, v in points) / var * 3600.0


def mean(vals):
    return sum(vals) / len(vals) if vals else 0.0


def soak(memwatch, python, seconds, warmup=30.0, step=5.0, attach=False, workdir=None, log=print):
    """Profiles the service for warmup + seconds and samples memwatch's own
    memory. Returns a dict of figures; raises RuntimeError if memwatch fails."""
    own = workdir is None
    work = workdir or tempfile.mkdtemp(prefix='mwsoak-self-')
    db = os.path.join(work, 'soak.db')
    service = os.path.join(work, 'service.py')
    child = os.path.join(work, 'child.py')
    with open(service, 'w') as f:
        f.write(service_source())
    with open(child, 'w') as f:
        f.write(CHILD)
    life = warmup + seconds
    target, mw = None, None
    err = open(os.path.join(work, 'memwatch.err'), 'w+')
    try:
        if attach:
            target = subprocess.Popen([python, service, child, str(life + 5)])
            mw = subprocess.Popen([memwatch, '--db', db, '--pid', str(target.pid)],
                                  stdout=subprocess.DEVNULL, stderr=err)
        else:
            mw = subprocess.Popen([memwatch, '--db', db, 'run', '--', python, service, child, str(life)],
                                  stdout=subprocess.DEVNULL, stderr=err)
        t0 = time.time()
        samples = []          # (seconds since start, status dict)
        db_start, disk_end = None, 0
        while True:
            elapsed = time.time() - t0
            st = status(mw.pid) if mw.poll() is None else None
            if st is None or elapsed >= life:
                break
            samples.append((elapsed, st))
            disk_end = db_bytes(db)
            if db_start is None and elapsed >= warmup:
                db_start = (elapsed, db_used(db), disk_end)
                log('  warm-up over: memwatch RSS %.1f MiB' % (st['VmRSS'] / 1048576.0))
            time.sleep(min(step, max(0.05, life - elapsed)))
        hwm = samples[-1][1]['VmHWM'] if samples else 0
        if attach and mw.poll() is None:
            mw.send_signal(signal.SIGINT)
        rc = mw.wait(timeout=120)
        t_end = time.time() - t0
        err.seek(0)
        stderr = err.read()
        if rc != 0:
            raise RuntimeError('memwatch exited %d: %s' % (rc, stderr[-2000:]))
        after = [(t, s) for t, s in samples if t >= warmup]
        if len(after) < 2:
            raise RuntimeError('memwatch ended after %.0f s, before the warm-up (%.0f s) was over: %s' % (
                t_end, warmup, stderr[-2000:]))
        head = after[:3]
        tail = after[-3:]
        rss = [(t, s['VmRSS']) for t, s in after]
        db_t0, db0, disk0 = db_start
        db_end = db_used(db)
        span = max(1e-9, t_end - db_t0)
        return {
            'seconds': after[-1][0] - after[0][0],
            'samples': len(after),
            'rss_start': after[0][1]['VmRSS'],
            'rss_end': after[-1][1]['VmRSS'],
            'rss_max': max(v for _, v in rss),
            'rss_growth': mean([s['VmRSS'] for _, s in tail]) - mean([s['VmRSS'] for _, s in head]),
            'anon_start': after[0][1]['RssAnon'],
            'anon_end': after[-1][1]['RssAnon'],
            'anon_growth': mean([s['RssAnon'] for _, s in tail]) - mean([s['RssAnon'] for _, s in head]),
            'hwm': hwm,
            'slope_kib_h': slope_per_hour(rss) / 1024.0,
            'anon_slope_kib_h': slope_per_hour([(t, s['RssAnon']) for t, s in after]) / 1024.0,
            'rss_series': [v for _, v in rss],
            'db_start': db0,
            'db_end': db_end,
            'disk_start': disk0,
            'disk_end': disk_end,
            'db_growth_mib_h': (db_end - db0) / 1048576.0 / span * 3600.0,
            'summary': stderr,
        }
    finally:
        for p in (mw, target):
            if p and p.poll() is None:
                p.kill()
                p.wait()
        err.close()
        if own:
            shutil.rmtree(work, ignore_errors=True)


def describe(r):
    """The figures as printable lines."""
    mib = 1048576.0
    return [
        'memwatch RSS after warm-up: %.2f MiB; at end: %.2f MiB; highest: %.2f MiB; VmHWM %.2f MiB' % (
            r['rss_start'] / mib, r['rss_end'] / mib, r['rss_max'] / mib, r['hwm'] / mib),
        'memwatch RSS growth (mean of last 3 samples - first 3): %+.0f KiB; slope %+.0f KiB/hour '
        '(%d samples over %.0f s)' % (r['rss_growth'] / 1024.0, r['slope_kib_h'], r['samples'], r['seconds']),
        'memwatch RssAnon: %.2f -> %.2f MiB, growth %+.0f KiB, slope %+.0f KiB/hour' % (
            r['anon_start'] / mib, r['anon_end'] / mib, r['anon_growth'] / 1024.0, r['anon_slope_kib_h']),
        'database in use: %.2f -> %.2f MiB, +%.2f MiB = %.1f MiB/hour; on disk with -wal: %.2f -> %.2f MiB' % (
            r['db_start'] / mib, r['db_end'] / mib, (r['db_end'] - r['db_start']) / mib, r['db_growth_mib_h'],
            r['disk_start'] / mib, r['disk_end'] / mib),
        'RSS series (MiB): ' + ' '.join('%.1f' % (v / mib) for v in r['rss_series']),
    ]


def pick_python(exe=None):
    """The interpreter to profile: exe, else the newest CPython found."""
    if exe:
        return exe, exe
    found = pythons.find()
    if not found:
        return None, None
    return found[-1]['exe'], found[-1]['label']


def main():
    ap = argparse.ArgumentParser(description='memwatch RSS and database growth over a long session')
    ap.add_argument('memwatch')
    ap.add_argument('--seconds', type=float, default=3600.0, help='measured time after the warm-up')
    ap.add_argument('--warmup', type=float, default=30.0)
    ap.add_argument('--step', type=float, default=5.0, help='seconds between two RSS readings')
    ap.add_argument('--python', help='interpreter to profile (default: the newest CPython found)')
    ap.add_argument('--attach', action='store_true', help='memwatch --pid instead of memwatch run')
    ap.add_argument('--keep', metavar='DIR', help='work in DIR and keep the database')
    a = ap.parse_args()
    py, label = pick_python(a.python)
    if not py:
        sys.exit('soak_self: no CPython found')
    if a.keep:
        os.makedirs(a.keep, exist_ok=True)
    print('memwatch self-soak: %s, Python %s, %.0f s after a %.0f s warm-up, default --rate/--interval' % (
        'memwatch --pid' if a.attach else 'memwatch run', label, a.seconds, a.warmup), flush=True)
    r = soak(os.path.abspath(a.memwatch), py, a.seconds, a.warmup, a.step, a.attach, a.keep,
             log=lambda m: print(m, flush=True))
    for line in describe(r):
        print('  ' + line)


if __name__ == '__main__':
    main()

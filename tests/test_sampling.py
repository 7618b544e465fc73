#!/usr/bin/env python3
"""Growth-triggered sampling: page-fault counter overflows name the line that
grew memory even between timer ticks and in threads that released the GIL;
with the counter unavailable, timer ticks carry on and memwatch says so.

Usage: test_sampling.py MEMWATCH
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mwtest  # noqa: E402
import pythons  # noqa: E402
from mwtest import Failure  # noqa: E402

BURST = '''import time


def busy(seconds):
    end = time.perf_counter() + seconds
    n = 0
    while time.perf_counter() < end:
        n += 1
    return n


def burst():
    busy(0.15)
    block = b"x" * (16 * 1024 * 1024)
    busy(0.15)
    return block


keep = burst()
'''
BURST_LINE = next(i for i, ln in enumerate(BURST.splitlines(), 1) if 'block =' in ln)

READER = '''import os, sys, threading, time

path = sys.argv[1]


def reader(out):
    time.sleep(0.05)   # a new thread gets its counter within a tick or two of starting
    with open(path, "rb") as f:
        out.append(f.read())
    time.sleep(0.1)


def spin(seconds):
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass


out = []
t = threading.Thread(target=reader, args=(out,))
time.sleep(0.1)
t.start()
spin(0.6)
t.join()
'''
SHORT = '''import time


def busy(ms):
    end = time.perf_counter() + ms / 1000.0
    while time.perf_counter() < end:
        pass


def work(rounds, k):
    keep = []
    for i in range(rounds):
        r = range(i * k, (i + 1) * k)
        keep.append(list(zip(r, map(str, r))))
        busy(0.2)
    return keep


time.sleep(0.2)
keep = work(1500, 200)
'''
SHORT_LINE = next(i for i, ln in enumerate(SHORT.splitlines(), 1) if 'list(zip(' in ln)
BUSY_LINE = next(i for i, ln in enumerate(SHORT.splitlines(), 1) if 'while time' in ln)

READER_LINE = next(i for i, ln in enumerate(READER.splitlines(), 1) if 'f.read()' in ln)


def top(env):
    ses = env.sessions()[-1]
    rows = env.report(str(ses['id']), '--lines')
    rows.sort(key=lambda r: -r['growth_bytes'])
    if not rows:
        raise Failure('empty report')
    return rows[0], ses


def case_burst(s, env, py):
    """16 MB in a few ms between two CPU-busy lines: named 10 times out of 10 with faults."""
    script = env.script('burst.py', BURST)
    hit = 0
    for i in range(10):
        p = env.mw('run', '--quiet', '--sampling', 'faults', '--', py['exe'], script, timeout=60)
        if p.returncode != 0:
            raise Failure('exit %d: %s' % (p.returncode, p.stderr))
        row, _ = top(env)
        hit += row['line'] == BURST_LINE and row['file'].endswith('burst.py')
    s.check(hit == 10, '%s: faults named the 16 MB line in %d/10 runs' % (py['label'], hit))
    timer_hit = 0
    for i in range(10):
        env.mw('run', '--quiet', '--sampling', 'timer', '--rate', '100', '--', py['exe'], script, timeout=60)
        row, _ = top(env)
        timer_hit += row['line'] == BURST_LINE
    print('  %s: 16 MB burst named by faults %d/10, by timer at 100 Hz %d/10' % (py['label'], hit, timer_hit))


def case_thread_read(s, env, py):
    """A worker's f.read() of 32 MB (GIL released) while the main thread spins."""
    data = os.path.join(env.dir, 'data.bin')
    with open(data, 'wb') as f:
        f.write(os.urandom(1 << 20) * 32)
    script = env.script('reader.py', READER)
    p = env.mw('run', '--quiet', '--', py['exe'], script, data, timeout=60)
    if p.returncode != 0:
        raise Failure('exit %d: %s' % (p.returncode, p.stderr))
    row, _ = top(env)
    s.check(row['line'] == READER_LINE and row['function'].split('.')[-1] == 'reader',
            '%s: read() growth charged to the worker line %d (got %s:%d %s)' % (
                py['label'], READER_LINE, row['function'], row['line'], row.get('text')))
    s.check(row['growth_bytes'] >= 24 << 20, '%s: most of the 32 MB charged there (%d)' % (py['label'], row['growth_bytes']))


def case_short_lines(s, env, py):
    """Lines far shorter than the collector's wake-up (tens of us) between CPU-busy
    ones: the faulting thread's registers place each fault sample on the line
    that grew, not on the busy line running when the stack is read."""
    script = env.script('short.py', SHORT)
    p = env.mw('run', '--', py['exe'], script, timeout=60)
    if p.returncode != 0:
        raise Failure('exit %d: %s' % (p.returncode, p.stderr))
    ses = env.sessions()[-1]
    rows = env.report(str(ses['id']), '--lines')
    mine = [r for r in rows if r['file'].endswith('short.py')]
    alloc = sum(r['growth_bytes'] for r in mine if r['line'] == SHORT_LINE)
    busy = sum(r['growth_bytes'] for r in mine if r['line'] == BUSY_LINE)
    print('  %s: short line %.1f MiB, busy line %.1f MiB' % (py['label'], alloc / 2**20, busy / 2**20))
    s.check(alloc >= 30 << 20, '%s: the short allocating line is charged most of its ~50 MiB (%.1f MiB)' % (
        py['label'], alloc / 2**20))
    s.check(busy * 10 <= alloc, '%s: the busy line after it gets under a tenth of that (%.1f MiB)' % (
        py['label'], busy / 2**20))
    s.check('placed at the fault' in p.stderr, '%s: the summary says fault samples were placed: %r' % (
        py['label'], [ln for ln in p.stderr.splitlines() if 'stack samples' in ln]))


def case_fallback(s, env, py):
    """Counter refused (forced): timer ticks go on, one line says so."""
    script = env.script('burst.py', BURST)
    envv = dict(os.environ, MEMWATCH_NO_PERF_EVENTS='1')
    p = env.mw('run', '--', py['exe'], script, env=envv, timeout=60)
    s.check(p.returncode == 0, 'fallback run exits 0 (%s)' % p.stderr)
    notes = [ln for ln in p.stderr.splitlines() if 'page-fault sampling unavailable' in ln]
    s.check(len(notes) == 1 and 'timer' in notes[0], 'one line says timer ticks only: %r' % notes)
    row, ses = top(env)
    s.check(row['hits'] > 0, 'timer samples still attribute lines')
    s.check('(0 where memory grew)' in p.stderr, 'no fault samples taken: %r' % p.stderr)
    q = env.mw('run', '--quiet', '--', py['exe'], script, env=envv, timeout=60)
    s.check(q.stderr == '', '--quiet keeps the fallback note quiet')


def main():
    s = mwtest.Suite('test_sampling')
    found = pythons.find()
    pythons.report(found, sys.stdout)
    system = pythons.system_python(found)
    s.check(system is not None, "the system's python3 is available")
    if system:
        for fn in (case_burst, case_fallback):
            env = mwtest.Env(sys.argv[1])
            try:
                s.run(fn, env, system)
            finally:
                env.cleanup()
    for py in found:
        env = mwtest.Env(sys.argv[1])
        try:
            s.run(case_thread_read, env, py)
            s.run(case_short_lines, env, py)
        finally:
            env.cleanup()
    s.done()


if __name__ == '__main__':
    main()

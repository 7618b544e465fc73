#!/usr/bin/env python3
"""Line attribution on every CPython this machine has: a line that allocates
~100 MB while the program is otherwise idle must be the top growth line of
`memwatch report --json`, under `run` and under `--pid`; a worker thread's
allocation is charged to the worker's line.

Usage: test_attribution.py MEMWATCH
"""
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mwtest  # noqa: E402
import pythons  # noqa: E402
from mwtest import Failure  # noqa: E402

ALLOC = '''import os, sys, time
go = sys.argv[1] if len(sys.argv) > 1 else None


def idle(seconds):
    time.sleep(seconds)


def allocate():
    data = bytearray(100 * 1024 * 1024)
    return data


print("ready", flush=True)
while go and not os.path.exists(go):
    time.sleep(0.01)
idle(0.3)
keep = allocate()
idle(0.5)
'''
ALLOC_LINE = next(i for i, ln in enumerate(ALLOC.splitlines(), 1) if 'data = bytearray' in ln)

THREADS = '''import threading, time


def worker(out):
    time.sleep(0.2)
    block = bytearray(80 * 1024 * 1024)
    out.append(block)
    time.sleep(0.3)


out = []
t = threading.Thread(target=worker, args=(out,))
t.start()
time.sleep(1.0)
t.join()
'''
THREAD_LINE = next(i for i, ln in enumerate(THREADS.splitlines(), 1) if 'block = bytearray' in ln)


def top_line(env, session):
    rows = env.report(str(session), '--lines')
    if not rows:
        raise Failure('empty line report')
    rows.sort(key=lambda r: -r['growth_bytes'])
    return rows[0]


def expect_top(s, label, top, script, line, func, min_bytes):
    s.check(os.path.basename(top['file']) == os.path.basename(script) and top['line'] == line,
            '%s: top growth line is %s:%d (got %s:%s, %s)' % (label, os.path.basename(script), line,
                                                              top['file'], top['line'], top.get('text')))
    s.check(top['function'].split('.')[-1] == func, '%s: function %s (got %s)' % (label, func, top['function']))
    s.check(top['growth_bytes'] >= min_bytes, '%s: growth %d >= %d' % (label, top['growth_bytes'], min_bytes))
    s.check(top['hits'] >= 1 and top['peak_rss_bytes'] >= min_bytes, '%s: hits and peak recorded' % label)
    s.check(top.get('text', '').strip().startswith(('data = bytearray', 'block = bytearray')),
            '%s: source text saved (%r)' % (label, top.get('text')))


def case_run(s, env, py, results):
    script = env.script('alloc.py', ALLOC)
    p = env.mw('run', '--quiet', '--', py['exe'], script, timeout=60)
    if p.returncode != 0:
        raise Failure('exit %d: %s' % (p.returncode, p.stderr))
    ses = env.sessions()[-1]
    s.check(ses['python'] and ses['python'].startswith('%d.%d' % py['version'][:2]),
            'run %s: interpreter version recorded (%r)' % (py['label'], ses['python']))
    before = len(s.failed)
    expect_top(s, 'run ' + py['label'], top_line(env, ses['id']), script, ALLOC_LINE, 'allocate', 75 << 20)
    results[(py['label'], 'run')] = 'ok' if len(s.failed) == before else 'FAIL'


def case_attach(s, env, py, results):
    script = env.script('alloc.py', ALLOC)
    go = os.path.join(env.dir, 'go')
    tgt = subprocess.Popen([py['exe'], script, go], stdout=subprocess.PIPE, text=True)
    try:
        tgt.stdout.readline()
        mw = subprocess.Popen(env.cmd('--pid', str(tgt.pid), '--quiet'), stderr=subprocess.PIPE, text=True)
        time.sleep(0.4)
        open(go, 'w').close()
        tgt.wait(timeout=30)
        err = mw.communicate(timeout=30)[1]
        if mw.returncode != 0:
            raise Failure('attach exit %d: %s' % (mw.returncode, err))
    finally:
        mwtest.kill_quietly(tgt)
    ses = env.sessions()[-1]
    before = len(s.failed)
    expect_top(s, 'attach ' + py['label'], top_line(env, ses['id']), script, ALLOC_LINE, 'allocate', 75 << 20)
    results[(py['label'], 'attach')] = 'ok' if len(s.failed) == before else 'FAIL'


def case_thread(s, env, py, results):
    script = env.script('threads.py', THREADS)
    p = env.mw('run', '--quiet', '--', py['exe'], script, timeout=60)
    if p.returncode != 0:
        raise Failure('exit %d: %s' % (p.returncode, p.stderr))
    ses = env.sessions()[-1]
    before = len(s.failed)
    expect_top(s, 'thread ' + py['label'], top_line(env, ses['id']), script, THREAD_LINE, 'worker', 70 << 20)
    results[(py['label'], 'thread')] = 'ok' if len(s.failed) == before else 'FAIL'


def main():
    s = mwtest.Suite('test_attribution')
    found = pythons.find()
    pythons.report(found, sys.stdout)
    results = {}
    for py in found:
        for fn in (case_run, case_attach, case_thread):
            env = mwtest.Env(sys.argv[1])
            try:
                s.run(fn, env, py, results)
            finally:
                env.cleanup()
    print('\nversion matrix (top growth line named correctly):')
    print('  %-22s %-6s %-6s %-6s' % ('python', 'run', 'attach', 'thread'))
    for py in found:
        print('  %-22s %-6s %-6s %-6s' % (py['label'], results.get((py['label'], 'run'), 'FAIL'),
                                          results.get((py['label'], 'attach'), 'FAIL'),
                                          results.get((py['label'], 'thread'), 'FAIL')))
    minors = sorted({p['version'][:2] for p in found})
    missing = [v for v in [(3, m) for m in range(8, 14)] if v not in minors]
    if missing:
        print('SKIPPED (not installed here): ' + ', '.join('%d.%d' % v for v in missing))
    s.check(pythons.system_python(found) is not None, "the system's python3 (Debian's) is among the versions covered")
    s.check(len(found) > 0, 'at least one CPython found')
    s.done()


if __name__ == '__main__':
    main()

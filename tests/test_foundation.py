#!/usr/bin/env python3
"""Integration tests of the foundation: run, attach, children, timeline, cut-short runs.

Usage: test_foundation.py MEMWATCH
"""
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mwtest  # noqa: E402
import pythons  # noqa: E402
from mwtest import Failure  # noqa: E402

PY = None   # the interpreter the scripts run under (Debian's python3 when present)

ALLOC_200 = r'''
import sys, time
keep = []
for i in range(10):
    keep.append(bytearray(20 * 1024 * 1024))   # 20 MiB a step, pages touched
    time.sleep(0.1)
time.sleep(0.5)
sys.exit(3)
'''


def timeline(env, session):
    return env.report(str(session), '--timeline')


def test_run_200mb(s, env):
    t0 = time.time()
    p = env.mw('run', '--quiet', '--interval', '0.2', '--', PY, '-c', ALLOC_200)
    wall = time.time() - t0
    if p.returncode != 3:
        raise Failure('exit status %d, wanted the script\'s 3: %s' % (p.returncode, p.stderr))
    sessions = env.sessions()
    s.check(len(sessions) == 1, 'one session listed, got %d' % len(sessions))
    ses = sessions[0]
    s.check(ses['status'] == 'ended', 'status ended, got %r' % ses['status'])
    s.check(ses['exit_code'] == 3, 'exit code 3 recorded, got %r' % ses['exit_code'])
    s.check(ses['pid'] > 0 and PY.split('/')[-1] in ses['command'], 'command recorded: %r' % ses['command'])
    rows = timeline(env, ses['id'])
    dur = ses['duration_s']
    want = dur / 0.2
    s.check(abs(len(rows) - want) <= 1.5, 'rows %d for %.2fs at 0.2s (want %.1f±1)' % (len(rows), dur, want))
    s.check(dur <= wall + 0.1, 'duration %.2f within wall time %.2f' % (dur, wall))
    peak = max(r['rss_bytes'] for r in rows)
    s.check(peak > 200 * 1024 * 1024, 'RSS rose past 200 MiB (peak %d)' % peak)
    s.check(ses['peak_rss_bytes'] >= peak, 'listed peak >= timeline peak')
    s.check(all(r['uss_bytes'] is not None and r['pss_bytes'] is not None for r in rows),
            'USS and PSS present in every row')
    s.check(max(r['uss_bytes'] for r in rows) > 190 * 1024 * 1024, 'USS follows the growth')
    ts = [r['t'] for r in rows]
    s.check(ts == sorted(ts), 'timeline in time order')


def test_short_command(s, env):
    p = env.mw('run', '--quiet', '--', 'sleep', '0.02')
    s.check(p.returncode == 0, 'sleep 0.02 exits 0 (got %d: %s)' % (p.returncode, p.stderr))
    ses = env.sessions()[0]
    rows = timeline(env, ses['id'])
    s.check(len(rows) >= 1, 'a 20 ms command has at least one row (got %d)' % len(rows))
    p = env.mw('run', '--quiet', '--', 'true')
    s.check(p.returncode == 0, 'true exits 0')
    p = env.mw('run', '--quiet', '--', 'false')
    s.check(p.returncode == 1, 'false exits 1 through memwatch (got %d)' % p.returncode)


def test_killed_status(s, env):
    p = env.mw('run', '--quiet', '--', PY, '-c', 'import os, signal; os.kill(os.getpid(), signal.SIGKILL)')
    s.check(p.returncode == 128 + 9, 'killed by SIGKILL gives 137 (got %d)' % p.returncode)


def test_summary(s, env):
    p = env.mw('run', '--', PY, '-c', 'x = bytearray(30 * 1024 * 1024); import time; time.sleep(0.5)')
    s.check(p.returncode == 0, 'summary run exits 0')
    err = p.stderr
    for word in ('session', 'peak RSS', 'USS', 'PSS', 'final RSS', 'samples', 'memwatch report'):
        s.check(word in err, 'summary mentions %r' % word)
    q = env.mw('run', '--quiet', '--', PY, '-c', 'pass')
    s.check(q.stderr == '', '--quiet prints nothing on stderr (got %r)' % q.stderr)


def test_forward_signal(s, env):
    script = env.script('term.py', '''
import signal, sys, time
def bye(sig, frame):
    sys.exit(42)
signal.signal(signal.SIGTERM, bye)
print("ready", flush=True)
time.sleep(30)
''')
    p = subprocess.Popen(env.cmd('run', '--quiet', '--', PY, script), stdout=subprocess.PIPE, text=True)
    try:
        line = p.stdout.readline()
        s.check(line.strip() == 'ready', 'child started')
        p.send_signal(signal.SIGTERM)
        rc = p.wait(timeout=10)
        s.check(rc == 42, 'SIGTERM forwarded: the child\'s handler ran (status %d)' % rc)
    finally:
        mwtest.kill_quietly(p)


def test_attach(s, env):
    script = env.script('target.py', '''
import os, signal, sys, time
got = []
for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGUSR1, signal.SIGUSR2,
            signal.SIGCONT, signal.SIGALRM):
    signal.signal(sig, lambda n, f: got.append(n))
print("ready", flush=True)
n = 0
while True:
    n += 1
    time.sleep(0.01)
    if os.path.exists(sys.argv[1]):
        print("signals %s count %d" % (got, n), flush=True)
        break
''')
    stopfile = os.path.join(env.dir, 'stop')
    tgt = subprocess.Popen([PY, script, stopfile], stdout=subprocess.PIPE, text=True)
    try:
        tgt.stdout.readline()
        p = env.mw('--pid', str(tgt.pid), '--interval', '0.1', '--duration', '2', '--quiet', timeout=30)
        s.check(p.returncode == 0, 'attach exits 0 (got %d: %s)' % (p.returncode, p.stderr))
        s.check(tgt.poll() is None, 'target still running after memwatch detached')
        with open('/proc/%d/stat' % tgt.pid) as f:
            state = f.read().rsplit(')', 1)[1].split()[0]
        s.check(state in ('S', 'R'), 'target not stopped (state %s)' % state)
        open(stopfile, 'w').close()
        out = tgt.stdout.readline().strip()
        tgt.wait(timeout=10)
        s.check(out.startswith('signals []'), 'target received no signal: %r' % out)
        ses = env.sessions()[0]
        s.check(ses['status'] == 'detached', 'session detached, got %r' % ses['status'])
        s.check(ses['pid'] == tgt.pid, 'session pid is the target')
        rows = timeline(env, ses['id'])
        s.check(19 <= len(rows) <= 21, '2 s at 0.1 s gives 19-21 rows (got %d)' % len(rows))
    finally:
        mwtest.kill_quietly(tgt)


def test_attach_until_exit(s, env):
    tgt = subprocess.Popen([PY, '-c', 'import time; time.sleep(0.8)'])
    p = env.mw('attach', str(tgt.pid), '--quiet', timeout=30)
    tgt.wait()
    s.check(p.returncode == 0, 'attach to exit returns 0 (got %d: %s)' % (p.returncode, p.stderr))
    ses = env.sessions()[0]
    s.check(ses['status'] == 'ended', 'session ended when the target exited (%r)' % ses['status'])


def test_children(s, env):
    script = env.script('pool.py', '''
import multiprocessing as mp, time
def work(n):
    data = bytearray(8 * 1024 * 1024)
    time.sleep(0.6)
    return len(data) + n
if __name__ == "__main__":
    mp.set_start_method("fork")
    with mp.Pool(3) as pool:
        print(sum(pool.map(work, range(6))))
''')
    p = env.mw('run', '--quiet', '--interval', '0.1', '--', PY, script, timeout=60)
    s.check(p.returncode == 0, 'pool script exits 0 (%s)' % p.stderr)
    sessions = env.sessions()
    root = [x for x in sessions if x['parent'] is None]
    kids = [x for x in sessions if x['parent'] is not None]
    s.check(len(root) == 1, 'one root session')
    s.check(len(kids) >= 3, 'at least 3 child sessions (got %d)' % len(kids))
    s.check(all(k['parent'] == root[0]['id'] for k in kids), 'children linked to the parent session')
    s.check(all(k['status'] in ('ended', 'detached') for k in kids), 'children closed: %r' % [k['status'] for k in kids])
    p = env.mw('run', '--quiet', '--no-children', '--interval', '0.1', '--', PY, script, timeout=60)
    after = env.sessions()
    s.check(len(after) == len(sessions) + 1, '--no-children records only the parent')


def test_kill9(s, env):
    script = env.script('slow.py', '''
import time
keep = []
for i in range(200):
    keep.append(bytearray(512 * 1024))
    time.sleep(0.02)
''')
    p = subprocess.Popen(env.cmd('run', '--quiet', '--interval', '0.1', '--', PY, script))
    time.sleep(1.5)
    p.send_signal(signal.SIGKILL)
    p.wait()
    # the database opens, passes integrity_check, and keeps every committed interval
    con = sqlite3.connect(env.db)
    ok = con.execute('PRAGMA integrity_check').fetchone()[0]
    s.check(ok == 'ok', 'integrity_check after kill -9: %s' % ok)
    con.close()
    ses = env.sessions()[0]
    s.check(ses['status'] == 'cut', 'session reads as cut short (got %r)' % ses['status'])
    rows = timeline(env, ses['id'])
    s.check(len(rows) >= 10, 'committed intervals kept (%d rows for ~1.5 s at 0.1 s)' % len(rows))
    # the next run works
    q = env.mw('run', '--quiet', '--', 'true')
    s.check(q.returncode == 0, 'the next run works')
    s.check(len(env.sessions()) == 2, 'two sessions now')


def main():
    global PY
    memwatch = sys.argv[1]
    found = pythons.find()
    pythons.report(found, sys.stdout)
    system = pythons.system_python(found)
    PY = (system or (found[-1] if found else None) or {}).get('exe')
    if not PY:
        print('no CPython 3.8+ found')
        sys.exit(1)
    print('scripts run under %s' % PY)
    s = mwtest.Suite('test_foundation')
    for fn in (test_run_200mb, test_short_command, test_killed_status, test_summary,
               test_forward_signal, test_attach, test_attach_until_exit, test_children, test_kill9):
        env = mwtest.Env(memwatch)
        try:
            s.run(fn, env)
        finally:
            env.cleanup()
    s.done()


if __name__ == '__main__':
    main()

#!/usr/bin/env python3
"""Faults memwatch must survive: targets dying at random moments, memwatch
itself killed with SIGKILL, a reader holding the database, targets that exec,
rename themselves or fork hundreds of children, and a thousand launches of a
5 ms script. Prints the trial counts.

Usage: test_faults.py MEMWATCH [--quick]
"""
import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mwtest  # noqa: E402
import pythons  # noqa: E402

QUICK = '--quick' in sys.argv
TRIALS = {'target_killed': 20 if QUICK else 100, 'memwatch_killed': 10 if QUICK else 50,
          'launches': 100 if QUICK else 1000}
counts = {}

BUSY = '''import sys, time
keep = []
t0 = time.time()
while time.time() - t0 < 3:
    keep.append(bytearray(256 * 1024))
    if len(keep) > 200:
        del keep[:100]
    sum(range(2000))
'''


def integrity(path):
    con = sqlite3.connect('file:%s?mode=ro' % path, uri=True)
    try:
        return con.execute('PRAGMA integrity_check').fetchone()[0]
    finally:
        con.close()


def case_target_killed(s, env, found):
    """The target is killed at a random moment while being sampled: the session ends cleanly."""
    script = env.script('busy.py', BUSY)
    n = TRIALS['target_killed']
    rng = random.Random(1234)
    bad = 0
    for i in range(n):
        py = found[i % len(found)]
        tgt = subprocess.Popen([py['exe'], script])
        mw = subprocess.Popen(env.cmd('--pid', str(tgt.pid), '--quiet', '--interval', '0.05'),
                              stderr=subprocess.PIPE, text=True)
        time.sleep(rng.uniform(0.0, 0.4))
        tgt.send_signal(rng.choice([signal.SIGKILL, signal.SIGTERM, signal.SIGSEGV]))
        tgt.wait()
        try:
            err = mw.communicate(timeout=20)[1]
        except subprocess.TimeoutExpired:
            mwtest.kill_quietly(mw)
            bad += 1
            print('  trial %d: memwatch did not end after its target died' % i)
            continue
        if mw.returncode not in (0, 3):   # 3: the target was gone before memwatch could start
            bad += 1
            print('  trial %d (%s): memwatch exited %d: %s' % (i, py['label'], mw.returncode, err.strip()))
    s.check(bad == 0, 'target killed at random moments: %d/%d trials ended cleanly' % (n - bad, n))
    sessions = env.sessions()
    s.check(all(x['status'] == 'ended' for x in sessions), 'every session ended: %r' %
            sorted({x['status'] for x in sessions}))
    s.check(integrity(env.db) == 'ok', 'database intact')
    counts['target killed at random moments'] = n


def case_memwatch_killed(s, env, found):
    """memwatch is SIGKILLed at random moments: the database stays whole and the next run works."""
    script = env.script('busy.py', BUSY)
    n = TRIALS['memwatch_killed']
    rng = random.Random(99)
    py = pythons.system_python(found) or found[-1]
    committed_before = 0
    for i in range(n):
        mw = subprocess.Popen(env.cmd('run', '--quiet', '--interval', '0.05', '--', py['exe'], script))
        time.sleep(rng.uniform(0.0, 0.6))
        mw.send_signal(signal.SIGKILL)
        mw.wait()
        # the orphaned target goes on; stop it so trials don't pile up
        subprocess.run(['pkill', '-KILL', '-f', script])
        ok = integrity(env.db) if os.path.exists(env.db) else 'ok'
        if ok != 'ok':
            s.check(False, 'trial %d: integrity_check says %s' % (i, ok))
            return
        if os.path.exists(env.db):
            con = sqlite3.connect('file:%s?mode=ro' % env.db, uri=True)
            rows = con.execute('SELECT count(*) FROM samples').fetchone()[0]
            con.close()
            s.check(rows >= committed_before, 'trial %d: committed rows kept (%d >= %d)' % (i, rows, committed_before))
            committed_before = rows
    sessions = env.sessions()
    s.check(len(sessions) >= 1 and all(x['status'] == 'cut' for x in sessions),
            'killed sessions read as cut short: %r' % sorted({x['status'] for x in sessions}))
    p = env.mw('run', '--quiet', '--', 'true')
    s.check(p.returncode == 0, 'the next run works after %d kills' % n)
    counts['memwatch killed with SIGKILL'] = n


def case_locked_by_reader(s, env, found):
    """A reader holding a long read transaction (like the TUI) loses nothing of the recording."""
    py = pythons.system_python(found) or found[-1]
    env.mw('run', '--quiet', '--', 'true', check=True)
    con = sqlite3.connect(env.db, timeout=30, check_same_thread=False)
    con.execute('BEGIN')
    con.execute('SELECT count(*) FROM samples').fetchone()
    stop = threading.Event()

    def hold():
        while not stop.is_set():
            con.execute('SELECT count(*) FROM samples').fetchone()
            time.sleep(0.05)
    th = threading.Thread(target=hold)
    th.start()
    try:
        p = env.mw('run', '--quiet', '--interval', '0.05', '--', py['exe'], '-c',
                   'import time\nx=[]\nfor i in range(30):\n    x.append(bytearray(1<<20)); time.sleep(0.02)')
    finally:
        stop.set()
        th.join()
        con.rollback()
        con.close()
    s.check(p.returncode == 0, 'recording under a long reader exits 0 (%s)' % p.stderr)
    ses = env.sessions()[-1]
    rows = env.report(str(ses['id']), '--timeline')
    s.check(len(rows) >= 0.8 * ses['duration_s'] / 0.05, 'every interval kept under a reader (%d rows for %.2fs)' %
            (len(rows), ses['duration_s']))


def case_exec_rename_fork(s, env, found):
    py = pythons.system_python(found) or found[-1]
    # exec into another program: the session follows the pid through the exec
    p = env.mw('run', '--quiet', '--', 'sh', '-c', 'sleep 0.3; exec %s -c "import time; x=bytearray(20<<20); time.sleep(0.5)"' % py['exe'])
    s.check(p.returncode == 0, 'exec target exits 0 (%s)' % p.stderr)
    ses = [x for x in env.sessions() if x['parent'] is None][-1]
    s.check(ses['python'] is not None, 'the Python after exec was found (%r)' % ses['python'])
    rows = env.report(str(ses['id']), '--lines')
    s.check(any(r['growth_bytes'] >= 15 << 20 for r in rows), 'growth after exec attributed to a line')
    # a target that renames itself
    p = env.mw('run', '--quiet', '--', py['exe'], '-c',
               'import ctypes, time\nctypes.CDLL(None).prctl(15, b"renamed", 0, 0, 0)\nx = bytearray(10 << 20)\ntime.sleep(0.3)')
    s.check(p.returncode == 0, 'renaming target exits 0 (%s)' % p.stderr)
    # hundreds of short children
    script = env.script('forker.py', '''import os
for i in range(300):
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
''')
    p = env.mw('run', '--quiet', '--interval', '0.01', '--', py['exe'], script, timeout=120)
    s.check(p.returncode == 0, 'forking 300 children: exit 0 (%s)' % p.stderr)
    s.check(integrity(env.db) == 'ok', 'database intact after the forks')


def case_launches(s, env, found):
    """memwatch run on a 5 ms program, many times in a row."""
    n = TRIALS['launches']
    fails = 0
    for i in range(n):
        p = subprocess.run(env.cmd('run', '--quiet', '--', 'sh', '-c', 'sleep 0.005'), capture_output=True, text=True)
        if p.returncode != 0:
            fails += 1
            if fails < 5:
                print('  launch %d failed: %d %s' % (i, p.returncode, p.stderr.strip()))
    s.check(fails == 0, '%d launches, %d failed' % (n, fails))
    s.check(len(env.sessions()) >= n, '%d sessions recorded (got %d)' % (n, len(env.sessions())))
    counts['launches of a 5 ms program'] = n


def main():
    s = mwtest.Suite('test_faults')
    found = pythons.find()
    pythons.report(found, sys.stdout)
    if not found:
        print('no CPython found')
        sys.exit(1)
    for fn in (case_target_killed, case_memwatch_killed, case_locked_by_reader, case_exec_rename_fork, case_launches):
        env = mwtest.Env(sys.argv[1])
        try:
            s.run(fn, env, found)
        finally:
            env.cleanup()
    print('fault trials: ' + ', '.join('%s: %d' % kv for kv in counts.items()))
    s.done()


if __name__ == '__main__':
    main()

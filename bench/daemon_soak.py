#!/usr/bin/env python3
"""Soak benchmark of `memwatch daemon`: watches N Python processes (default 50)
for a fixed time (default 60 s) with the daemon's default settings, and prints
the daemon's CPU share, its peak RSS (and whether its RSS stayed flat), and how
fast the database grows per process-hour.

Usage: daemon_soak.py MEMWATCH [--procs N] [--duration S] [--python EXE] [--keep-detail D]
                       [--leak-window D] [--interval D]

Most processes do a little work and stay flat; one in five grows slowly, as a
service with a leak would. The database is private (a temporary directory).
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

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'tests'))
import pythons  # noqa: E402

WORKER = '''import sys, time
# a service: handles "requests" (small allocations freed at once); some leak a little
grow = sys.argv[1] == 'grow'
kept = []
t_end = time.time() + float(sys.argv[2])
while time.time() < t_end:
    scratch = [str(i) * 10 for i in range(2000)]
    del scratch
    if grow:
        kept.append(bytearray(b'x' * 20000))
    time.sleep(0.1)
'''


def proc_stat(pid):
    with open('/proc/%d/stat' % pid) as f:
        fields = f.read().rsplit(')', 1)[1].split()
    return int(fields[11]) + int(fields[12])   # utime + stime, clock ticks


def proc_status(pid, key):
    with open('/proc/%d/status' % pid) as f:
        for line in f:
            if line.startswith(key + ':'):
                return int(line.split()[1]) * 1024
    return 0


def db_bytes(path):
    with sqlite3.connect('file:%s?mode=ro' % path, uri=True, timeout=10) as c:
        pages = c.execute('PRAGMA page_count').fetchone()[0]
        size = c.execute('PRAGMA page_size').fetchone()[0]
        free = c.execute('PRAGMA freelist_count').fetchone()[0]
    return (pages - free) * size


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('memwatch')
    ap.add_argument('--procs', type=int, default=50)
    ap.add_argument('--duration', type=float, default=60.0)
    ap.add_argument('--python')
    ap.add_argument('--keep-detail', default='24h')
    ap.add_argument('--interval', default='1s')
    ap.add_argument('--leak-window', default='40s', help='short enough for the slow growers to be flagged')
    a = ap.parse_args()
    py = a.python
    if not py:
        found = pythons.find()
        if not found:
            sys.exit('daemon_soak: no CPython found')
        py = found[-1]['exe']
        print('Python: %s' % found[-1]['label'])
    work = tempfile.mkdtemp(prefix='mwsoak-')
    db = os.path.join(work, 'soak.db')
    script = os.path.join(work, 'worker.py')
    with open(script, 'w') as f:
        f.write(WORKER)
    marker = 'mwsoak-%d' % os.getpid()
    tick = os.sysconf('SC_CLK_TCK')
    workers, daemon = [], None
    try:
        log = open(os.path.join(work, 'daemon.log'), 'w')
        daemon = subprocess.Popen([a.memwatch, 'daemon', '--match', marker, '--db', db, '--config', '/dev/null',
                                   '--keep-detail', a.keep_detail, '--leak-window', a.leak_window, '--interval', a.interval, '--quiet'], stdout=log, stderr=log)
        time.sleep(0.5)
        life = a.duration + 30
        for i in range(a.procs):
            kind = 'grow' if i % 5 == 0 else 'flat'
            workers.append(subprocess.Popen([py, script, kind, str(life), marker]))
        # let every process be found and its interpreter read before measuring
        time.sleep(5)
        cpu0, t0, db0 = proc_stat(daemon.pid), time.time(), db_bytes(db)
        rss_samples = []
        while time.time() - t0 < a.duration:
            time.sleep(min(5, a.duration / 10))
            rss_samples.append(proc_status(daemon.pid, 'VmRSS'))
            if daemon.poll() is not None:
                sys.exit('daemon_soak: the daemon exited (%s): %s' % (daemon.returncode,
                                                                       open(log.name).read()[-2000:]))
        cpu1, t1, db1 = proc_stat(daemon.pid), time.time(), db_bytes(db)
        hwm = proc_status(daemon.pid, 'VmHWM')
        daemon.send_signal(signal.SIGTERM)
        rc = daemon.wait(60)
        wall = t1 - t0
        cpu = (cpu1 - cpu0) / tick
        per_hour = (db1 - db0) / (a.procs * wall / 3600.0)
        with sqlite3.connect('file:%s?mode=ro' % db, uri=True) as c:
            nses = c.execute('SELECT count(*) FROM sessions WHERE cmdline LIKE ?', ('%' + marker + '%',)).fetchone()[0]
            leaks = c.execute('SELECT count(*) FROM sessions WHERE leak_t IS NOT NULL').fetchone()[0]
        print('memwatch daemon soak: %d processes for %.0f s (interval %s, 20 Hz, page-fault sampling)' % (
            a.procs, wall, a.interval))
        print('  sessions recorded: %d; flagged as leaking: %d (the %d slow growers grow ~200 KB/s)' % (
            nses, leaks, (a.procs + 4) // 5))
        print('  daemon CPU: %.2f s = %.2f%% of one core' % (cpu, 100.0 * cpu / wall))
        print('  daemon peak RSS: %.1f MiB; RSS over the run (MiB): %s' % (
            hwm / 1048576.0, ' '.join('%.1f' % (r / 1048576.0) for r in rss_samples)))
        print('  database: %.1f MiB written in %.0f s = %.1f MiB per process-hour at full detail' % (
            (db1 - db0) / 1048576.0, wall, per_hour / 1048576.0))
        print('  daemon exit status after SIGTERM: %d' % rc)
    finally:
        if daemon and daemon.poll() is None:
            daemon.kill()
            daemon.wait()
        for w in workers:
            if w.poll() is None:
                w.kill()
            w.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == '__main__':
    main()

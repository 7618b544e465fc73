#!/usr/bin/env python3
"""memwatch daemon end to end.

Usage: test_daemon.py MEMWATCH

- watch: the daemon, given a unique marker with --match (partly from a config
  file), picks up three Pythons carrying it in argv as they start: one leaking
  about 3 MB/s on a known line, one flat, one short-lived. Within a bounded
  time it has three sessions; the leaking one is flagged (list --json "leak",
  with the leaking line) and has a 'leak' event naming the line; the flat one
  is not flagged; the short-lived one ended. The daemon never watches itself.
  /metrics (scraped with urllib) has every gauge with the right labels, 404
  elsewhere, 400 for garbage, and answers while another client sits idle;
  `promtool check metrics` accepts it when promtool is installed. SIGTERM ends
  the daemon with status 0, every session ended, the database passes PRAGMA
  integrity_check, and the watched processes are untouched (still running).
- unreadable: run as an unprivileged user, the daemon skips a root process it
  may not read with one log line, once (needs root and setpriv).
- retention: with the clock compressed (hidden --clock-speed), detail older
  than --keep-detail is folded into per-minute rows, ended sessions older than
  --keep-summary are deleted, and the database stops growing.
- --on-leak runs its command with MEMWATCH_PID, MEMWATCH_SESSION, MEMWATCH_SLOPE.
- children/notify: a matching child of a watched process is recorded as its
  child session; under systemd (NOTIFY_SOCKET) READY=1, STATUS= and STOPPING=1
  arrive on the socket.
"""
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pythons  # noqa: E402
from mwtest import Failure, Suite, kill_quietly, wait_for  # noqa: E402

LEAK_LINE = 9
# The pause shares the allocating line: growth seen a moment after the
# allocation (the process already sleeping) still lands on that line.
LEAK_PY = '''import sys, time
# memwatch test: grows about 3 MB/s, every byte allocated on line %d
ready = sys.argv[1]
data = []
open(ready, 'w').close()
t_end = time.time() + 120
while time.time() < t_end:
    n = len(data)
    data.append(b'\\x01' * (256 * 1024)); time.sleep(1 / 12)
''' % LEAK_LINE

FLAT_PY = '''import sys, time
# memwatch test: 24 MB at once, then flat for as long as it lives
ready = sys.argv[1]
keep = [b'\\x02' * (1 << 20) for _ in range(24)]
open(ready, 'w').close()
t_end = time.time() + 120
while time.time() < t_end:
    scratch = [bytes(1000) for _ in range(200)]
    del scratch
    time.sleep(0.05)
'''

SHORT_PY = '''import sys, time
# memwatch test: lives a second and a half
open(sys.argv[1], 'w').close()
time.sleep(1.5)
'''


class Daemon:
    """A memwatch daemon started with a private database; stderr to a file."""

    def __init__(self, memwatch, workdir, args, preexec=None, name='daemon', argv=None):
        self.log_path = os.path.join(workdir, name + '.log')
        self.log = open(self.log_path, 'w')
        self.cmd = argv or [memwatch, 'daemon'] + args
        self.p = subprocess.Popen(self.cmd, stdout=self.log, stderr=self.log, preexec_fn=preexec)
        self.port = None

    def text(self):
        with open(self.log_path) as f:
            return f.read()

    def wait_ready(self, timeout=15):
        m = wait_for(lambda: re.search(r'daemon watching \d+ process', self.text()), timeout)
        if not m:
            raise Failure('daemon did not start: %s' % self.text()[-2000:])
        m = re.search(r'metrics at http://([^/\s]+)/metrics', self.text())
        if m:
            self.port = int(m.group(1).rsplit(':', 1)[1])

    def stop(self, timeout=20):
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
        try:
            return self.p.wait(timeout)
        except subprocess.TimeoutExpired:
            kill_quietly(self.p)
            raise Failure('daemon did not stop within %ds of SIGTERM' % timeout)
        finally:
            self.log.close()


def sessions(memwatch, db):
    p = subprocess.run([memwatch, 'list', '--json', '--db', db], capture_output=True, text=True, timeout=60)
    if p.returncode != 0:
        raise Failure('memwatch list exited %d: %s' % (p.returncode, p.stderr))
    return json.loads(p.stdout)


def scrape(port, path='/metrics'):
    with urllib.request.urlopen('http://127.0.0.1:%d%s' % (port, path), timeout=10) as r:
        return r.status, r.headers.get('Content-Type', ''), r.read().decode('utf-8')


def raw_request(port, data, timeout=10):
    with socket.create_connection(('127.0.0.1', port), timeout=timeout) as s:
        s.sendall(data)
        out = b''
        while True:
            chunk = s.recv(65536)
            if not chunk:
                return out.decode('utf-8', 'replace')
            out += chunk


def sample_value(text, family, pid):
    m = re.search(r'^%s\{pid="%d",comm="[^"]*",session="\d+"\} (\S+)$' % (family, pid), text, re.M)
    return float(m.group(1)) if m else None


def start_py(py, workdir, name, source, marker):
    path = os.path.join(workdir, name)
    with open(path, 'w') as f:
        f.write(source)
    ready = os.path.join(workdir, name + '.ready')
    p = subprocess.Popen([py['exe'], path, ready, marker])
    return p, path, ready


def test_watch(suite, memwatch, pys):
    work = tempfile.mkdtemp(prefix='mwdaemon-')
    db = os.path.join(work, 'daemon.db')
    marker = 'mwdaemon-%d-%d' % (os.getpid(), int(time.time()))
    conf = os.path.join(work, 'daemon.conf')
    with open(conf, 'w') as f:
        f.write('# written by test_daemon.py\nmatch = %s\nleak-window = 6s\nleak_threshold = 1M/min\n'
                'interval = 1s\nscan-period = 0.3s\nmetrics = 127.0.0.1:0\n' % marker)
    leak_py, flat_py, short_py = pys[-1], pys[0], pys[len(pys) // 2]
    print('leaking: Python %s, flat: Python %s, short-lived: Python %s' % (
        leak_py['label'], flat_py['label'], short_py['label']), flush=True)
    procs = []
    d = None
    try:
        # --interval on the command line overrides the config file's
        d = Daemon(memwatch, work, ['--config', conf, '--db', db, '--interval', '0.2s', '--rate', '50',
                                    '--foreground'])
        d.wait_ready()
        if not d.port:
            raise Failure('no metrics address in the log: %s' % d.text())
        leak, leak_path, r1 = start_py(leak_py, work, 'leak.py', LEAK_PY, marker)
        flat, flat_path, r2 = start_py(flat_py, work, 'flat.py', FLAT_PY, marker)
        short, short_path, r3 = start_py(short_py, work, 'short.py', SHORT_PY, marker)
        procs = [leak, flat, short]
        if not wait_for(lambda: all(os.path.exists(r) for r in (r1, r2, r3)), 20):
            raise Failure('the test processes did not start')

        def by_pid():
            return {s['pid']: s for s in sessions(memwatch, db)}

        def flagged():
            ss = by_pid()
            return ss if ss.get(leak.pid, {}).get('leak') and short.pid in ss else None
        t0 = time.time()
        ss = wait_for(flagged, 30, 0.25)
        took = time.time() - t0
        if not ss:
            raise Failure('the leaking process was not flagged within 30 s: %s\n%s' % (
                json.dumps(by_pid(), indent=1)[:3000], d.text()[-3000:]))
        print('leak flagged %.1f s after the processes started' % took, flush=True)
        suite.check(took < 25, 'flagged within 25 s (took %.1f)' % took)
        mine = {pid: s for pid, s in ss.items() if marker in s['command']}
        suite.check(set(mine) == {leak.pid, flat.pid, short.pid},
                    'three sessions, one per process (got pids %s for %s)' % (
                        sorted(mine), [leak.pid, flat.pid, short.pid]))
        suite.check(d.p.pid not in ss, 'the daemon never watches itself')
        lk = ss[leak.pid]['leak']
        want = '%s:%d' % (leak_path, LEAK_LINE)
        suite.check(lk['where'] == want, 'leak flagged at %s (got %r)' % (want, lk['where']))
        suite.check(lk['bytes_per_min'] > 60 * 1e6, 'slope about 3 MB/s (got %.0f B/min)' % lk['bytes_per_min'])
        suite.check(lk['bytes_per_min'] < 60 * 12e6, 'slope not absurd (got %.0f B/min)' % lk['bytes_per_min'])
        if flat.pid in ss:
            suite.check(ss[flat.pid]['leak'] is None, 'the flat process is not flagged')
            suite.check(ss[flat.pid]['status'] == 'live', 'the flat process is live')
        if short.pid in ss:
            suite.check(wait_for(lambda: by_pid()[short.pid]['status'] == 'ended', 10),
                        'the short-lived process has its session ended')
        with sqlite3.connect('file:%s?mode=ro' % db, uri=True) as c:
            ev = c.execute("SELECT detail FROM events WHERE session = ? AND kind = 'leak'",
                           (ss[leak.pid]['id'],)).fetchall()
        suite.check(len(ev) == 1, 'one leak event (got %d)' % len(ev))
        if ev:
            print('leak event: ' + ev[0][0], flush=True)
            suite.check(want in ev[0][0], 'the leak event names %s' % want)
            suite.check('/min' in ev[0][0], 'the leak event gives the slope')
        suite.check('leaks' in d.text() and want in d.text(), 'the log says which line leaks')

        # metrics
        status, ctype, text = scrape(d.port)
        suite.check(status == 200 and ctype.startswith('text/plain; version=0.0.4'), 'metrics content type')
        for fam in ('memwatch_rss_bytes', 'memwatch_uss_bytes', 'memwatch_pss_bytes', 'memwatch_swap_bytes',
                    'memwatch_growth_bytes_per_second', 'memwatch_leak', 'memwatch_processes_watched'):
            suite.check('# TYPE %s gauge' % fam in text and '# HELP %s ' % fam in text, 'metrics: %s' % fam)
        suite.check(sample_value(text, 'memwatch_leak', leak.pid) == 1, 'memwatch_leak 1 for the leaking one')
        suite.check(sample_value(text, 'memwatch_leak', flat.pid) == 0, 'memwatch_leak 0 for the flat one')
        g = sample_value(text, 'memwatch_growth_bytes_per_second', leak.pid)
        suite.check(g is not None and 1e6 < g < 12e6, 'growth gauge of the leaking one (got %r)' % g)
        rss = sample_value(text, 'memwatch_rss_bytes', flat.pid)
        suite.check(rss is not None and rss > 24 << 20, 'RSS gauge of the flat one (got %r)' % rss)
        m = re.search(r'^memwatch_processes_watched (\d+)$', text, re.M)
        suite.check(m and int(m.group(1)) == 2, 'two processes watched now (got %s)' % (m and m.group(1)))
        suite.check(re.search(r'session="%d"' % ss[leak.pid]['id'], text) is not None, 'session label')
        promtool = shutil.which('promtool')
        if promtool:
            p = subprocess.run([promtool, 'check', 'metrics'], input=text, capture_output=True, text=True,
                               timeout=60)
            suite.check(p.returncode == 0, 'promtool check metrics: %s%s' % (p.stdout, p.stderr))
            print('promtool check metrics: ok', flush=True)
        else:
            suite.skip('promtool check metrics', 'promtool not installed (Debian package prometheus)')
        try:
            scrape(d.port, '/nope')
            suite.check(False, '/nope answers 404')
        except urllib.error.HTTPError as e:
            suite.check(e.code == 404, '/nope answers 404 (got %d)' % e.code)
        suite.check(raw_request(d.port, b'garbage\r\n\r\n').startswith('HTTP/1.0 400'), 'garbage gets 400')
        suite.check(raw_request(d.port, b'X' * 6000).startswith('HTTP/1.0 400'), 'an endless header gets 400')
        suite.check(raw_request(d.port, b'DELETE /metrics HTTP/1.1\r\n\r\n').startswith('HTTP/1.0 405'),
                    'DELETE gets 405')
        head = raw_request(d.port, b'HEAD /metrics HTTP/1.0\r\n\r\n')
        suite.check(head.startswith('HTTP/1.0 200') and head.endswith('\r\n\r\n'), 'HEAD: headers only')
        # a client that connects and says nothing does not hold the daemon up
        idle = socket.create_connection(('127.0.0.1', d.port))
        t1 = time.time()
        status, _, _ = scrape(d.port)
        suite.check(status == 200 and time.time() - t1 < 3, 'scraped while another client sits idle')
        idle.close()

        code = d.stop()
        suite.check(code == 0, 'SIGTERM: daemon exit status 0 (got %s)' % code)
        ss = {s['pid']: s for s in sessions(memwatch, db) if marker in s['command']}
        suite.check(all(s['status'] != 'live' for s in ss.values()), 'every session ended: %s' % (
            {p: s['status'] for p, s in ss.items()}))
        with sqlite3.connect('file:%s?mode=ro' % db, uri=True) as c:
            ok = c.execute('PRAGMA integrity_check').fetchone()[0]
        suite.check(ok == 'ok', 'integrity_check: %s' % ok)
        suite.check(leak.poll() is None and flat.poll() is None, 'the watched processes still run, untouched')
        suite.check('not allowed' not in d.text(), 'no process skipped as root')
    finally:
        if d and d.p.poll() is None:
            kill_quietly(d.p)
        for p in procs:
            kill_quietly(p)
        shutil.rmtree(work, ignore_errors=True)


def test_on_leak(suite, memwatch, pys):
    work = tempfile.mkdtemp(prefix='mwdaemon-')
    os.chmod(work, 0o755)
    db = os.path.join(work, 'daemon.db')
    out = os.path.join(work, 'hook.out')
    marker = 'mwhook-%d-%d' % (os.getpid(), int(time.time()))
    procs, d = [], None
    try:
        d = Daemon(memwatch, work, ['--match', marker, '--db', db, '--config', '/dev/null', '--interval', '0.2s',
                                    '--leak-window', '4s', '--scan-period', '0.3s',
                                    '--on-leak', 'echo "$MEMWATCH_PID $MEMWATCH_SESSION $MEMWATCH_SLOPE '
                                    '$MEMWATCH_WHERE" > %s.tmp && mv %s.tmp %s' % (out, out, out)])
        d.wait_ready()
        leak, leak_path, ready = start_py(pys[-1], work, 'leak.py', LEAK_PY, marker)
        procs.append(leak)
        got = wait_for(lambda: os.path.exists(out) and open(out).read().split(), 30, 0.2)
        suite.check(bool(got), '--on-leak ran: %s' % d.text()[-1500:])
        if got:
            suite.check(got[0] == str(leak.pid), 'MEMWATCH_PID is the leaking pid (%s)' % got)
            suite.check(got[1].isdigit() and int(got[1]) > 0, 'MEMWATCH_SESSION (%s)' % got)
            suite.check(got[2].isdigit() and int(got[2]) > 60e6, 'MEMWATCH_SLOPE in bytes/min (%s)' % got)
            suite.check(len(got) > 3 and got[3] == '%s:%d' % (leak_path, LEAK_LINE), 'MEMWATCH_WHERE (%s)' % got)
        suite.check(d.stop() == 0, 'daemon exit status 0')
        suite.check(leak.poll() is None, 'the leaking process still runs')
    finally:
        if d and d.p.poll() is None:
            kill_quietly(d.p)
        for p in procs:
            kill_quietly(p)
        shutil.rmtree(work, ignore_errors=True)


def test_unreadable(suite, memwatch, pys):
    setpriv = shutil.which('setpriv')
    if os.geteuid() != 0 or not setpriv:
        suite.skip('unreadable', 'needs root and setpriv to run the daemon as another user')
        return
    work = tempfile.mkdtemp(prefix='mwdaemon-')
    os.chmod(work, 0o777)
    db = os.path.join(work, 'daemon.db')
    marker = 'mwdeny-%d-%d' % (os.getpid(), int(time.time()))
    procs, d = [], None
    try:
        flat, _, ready = start_py(pys[0], work, 'flat.py', FLAT_PY, marker)
        procs.append(flat)
        wait_for(lambda: os.path.exists(ready), 20)
        # the daemon as nobody, with no capabilities: root's process is not its to read
        d = Daemon(memwatch, work, None, name='nobody', argv=[
            setpriv, '--reuid=65534', '--regid=65534', '--clear-groups', '--inh-caps=-all', '--bounding-set=-all',
            memwatch, 'daemon', '--match', marker, '--db', db, '--config', '/dev/null',
            '--scan-period', '0.2s', '--interval', '0.2s'])
        d.wait_ready()
        if d.p.poll() is not None:
            raise Failure('daemon as nobody exited %s: %s' % (d.p.returncode, d.text()))
        wait_for(lambda: 'not allowed' in d.text(), 10)
        time.sleep(1.5)   # several more scans
        text = d.text()
        n = text.count('not allowed to read process %d' % flat.pid)
        suite.check(n == 1, 'one line, once, for a process it may not read (got %d): %s' % (n, text[-1500:]))
        suite.check(d.stop() == 0, 'daemon exit status 0')
        ss = [s for s in sessions(memwatch, db) if marker in s['command']]
        suite.check(ss == [], 'no session for the unreadable process')
        suite.check(flat.poll() is None, 'the process still runs')
    finally:
        if d and d.p.poll() is None:
            kill_quietly(d.p)
        for p in procs:
            kill_quietly(p)
        shutil.rmtree(work, ignore_errors=True)


def db_size(path):
    """Bytes the database takes (pages in use and free), as a reader sees it through the WAL."""
    with sqlite3.connect('file:%s?mode=ro' % path, uri=True) as c:
        return c.execute('PRAGMA page_count').fetchone()[0] * c.execute('PRAGMA page_size').fetchone()[0]


def test_retention(suite, memwatch, pys):
    work = tempfile.mkdtemp(prefix='mwdaemon-')
    db = os.path.join(work, 'daemon.db')
    marker = 'mwkeep-%d-%d' % (os.getpid(), int(time.time()))
    speed = 60.0     # one real second is a recorded minute
    keep_detail, keep_summary = 180.0, 480.0
    procs, d = [], None
    try:
        d = Daemon(memwatch, work, ['--match', marker, '--db', db, '--config', '/dev/null', '--clock-speed',
                                    str(speed), '--interval', '0.1s', '--keep-detail', '3m', '--keep-summary', '8m',
                                    '--scan-period', '0.2s', '--leak-window', '1h', '--rate', '20'])
        d.wait_ready()
        t_start = time.time()
        for i in range(2):
            p, _, ready = start_py(pys[i % len(pys)], work, 'flat%d.py' % i, FLAT_PY, marker)
            procs.append(p)
        short, _, _ = start_py(pys[0], work, 'short.py', SHORT_PY, marker)
        procs.append(short)
        short.wait(30)
        sizes = []
        for t in (12, 18, 24):
            time.sleep(max(0, t - (time.time() - t_start)))
            sizes.append(db_size(db))
        print('database size at 12/18/24 recorded minutes: %s bytes' % sizes, flush=True)
        with sqlite3.connect('file:%s?mode=ro' % db, uri=True) as c:
            ids = [r[0] for r in c.execute('SELECT id FROM sessions WHERE cmdline LIKE ?', ('%' + marker + '%',))]
            tmax = c.execute('SELECT max(t) FROM samples').fetchone()[0] or 0
            tmin = c.execute('SELECT min(t) FROM samples').fetchone()[0] or 0
            nmin = c.execute('SELECT count(*) FROM samples_minute').fetchone()[0]
            mmin, mmax = c.execute('SELECT min(t), max(t) FROM samples_minute').fetchone()
            ncm = c.execute('SELECT count(*) FROM charges_minute').fetchone()[0]
            cmin = c.execute('SELECT min(t) FROM charges').fetchone()[0]
            nses = c.execute('SELECT count(*) FROM sessions WHERE watched = 1').fetchone()[0]
        span = tmax - tmin
        print('detail spans %.0f recorded s; %d minute rows from %s to %s; %d charge minute rows' % (
            span, nmin, mmin, mmax, ncm), flush=True)
        slack = 60 + 18 + 30   # whole minutes, the aging period, a scan
        suite.check(span <= keep_detail + slack, 'detail kept for --keep-detail only (%.0f s)' % span)
        suite.check(span >= keep_detail - 30, 'detail of the last --keep-detail is all there (%.0f s)' % span)
        suite.check(nmin > 0 and mmax is not None and mmax < tmin, 'older detail downsampled per minute')
        suite.check(mmin is not None and tmax - mmin <= keep_summary + slack,
                    'minute rows kept for --keep-summary only (%.0f s)' % (tmax - (mmin or 0)))
        suite.check(ncm > 0 and (cmin is None or mmax < cmin + 60), 'charges downsampled per minute too')
        suite.check(nses == 2, 'the short-lived session ended long ago was deleted (%d watched left)' % nses)
        suite.check(sizes[2] <= sizes[0] * 1.25 + 65536, 'the database stops growing: %s' % sizes)
        # what was downsampled still reads
        for sid in ids:
            p = subprocess.run([memwatch, 'report', str(sid), '--db', db, '--json'], capture_output=True,
                               text=True, timeout=60)
            suite.check(p.returncode == 0, 'report of session %d after downsampling: %s' % (sid, p.stderr))
        suite.check(d.stop() == 0, 'daemon exit status 0')
        with sqlite3.connect('file:%s?mode=ro' % db, uri=True) as c:
            ok = c.execute('PRAGMA integrity_check').fetchone()[0]
        suite.check(ok == 'ok', 'integrity_check: %s' % ok)
    finally:
        if d and d.p.poll() is None:
            kill_quietly(d.p)
        for p in procs:
            kill_quietly(p)
        shutil.rmtree(work, ignore_errors=True)


PARENT_PY = '''import subprocess, sys, time
# memwatch test: a matching process that starts a matching child
child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)', sys.argv[2]])
open(sys.argv[1], 'w').write(str(child.pid))
try:
    time.sleep(60)
finally:
    child.kill()
'''


def test_children_and_notify(suite, memwatch, pys):
    """A matching child of a watched process is its child session, not a root of its own;
    under systemd (NOTIFY_SOCKET) the daemon says READY=1, its status and STOPPING=1."""
    work = tempfile.mkdtemp(prefix='mwdaemon-')
    db = os.path.join(work, 'daemon.db')
    marker = 'mwkids-%d-%d' % (os.getpid(), int(time.time()))
    sock_path = os.path.join(work, 'notify')
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(sock_path)
    sock.settimeout(15)
    procs, d = [], None
    old = os.environ.get('NOTIFY_SOCKET')
    try:
        os.environ['NOTIFY_SOCKET'] = sock_path
        d = Daemon(memwatch, work, ['--match', marker, '--db', db, '--config', '/dev/null', '--interval', '0.2s',
                                    '--scan-period', '0.2s'])
        msgs = [sock.recv(4096).decode() for _ in range(2)]
        suite.check(msgs[0] == 'READY=1', 'READY=1 first (got %r)' % msgs)
        suite.check(msgs[1].startswith('STATUS=watching 0 processes'), 'STATUS line (got %r)' % msgs)
        d.wait_ready()
        suite.check('Ctrl-C' not in d.text(), 'as a service: no terminal hint')
        parent, _, ready = start_py(pys[-1], work, 'parent.py', PARENT_PY, marker)
        procs.append(parent)
        child_pid = wait_for(lambda: os.path.exists(ready) and open(ready).read().strip(), 20)
        suite.check(bool(child_pid), 'the parent started its child')
        if child_pid:
            child_pid = int(child_pid)

            def both():
                ss = {x['pid']: x for x in sessions(memwatch, db)}
                return ss if parent.pid in ss and child_pid in ss else None
            ss = wait_for(both, 15, 0.2)
            suite.check(bool(ss), 'sessions for the parent and its child')
            if ss:
                suite.check(ss[child_pid]['parent'] == ss[parent.pid]['id'],
                            'the matching child is the parent\'s child session (parent %r, want %r)' % (
                                ss[child_pid]['parent'], ss[parent.pid]['id']))
                roots = [x for x in ss.values() if x['parent'] is None and marker in x['command']]
                suite.check(len(roots) == 1, 'one root session (got %d)' % len(roots))
        d.p.send_signal(signal.SIGTERM)
        msg = sock.recv(4096).decode()
        suite.check(msg == 'STOPPING=1', 'STOPPING=1 on SIGTERM (got %r)' % msg)
        suite.check(d.stop() == 0, 'daemon exit status 0')
    finally:
        if old is None:
            os.environ.pop('NOTIFY_SOCKET', None)
        else:
            os.environ['NOTIFY_SOCKET'] = old
        sock.close()
        if d and d.p.poll() is None:
            kill_quietly(d.p)
        for p in procs:
            kill_quietly(p)
        shutil.rmtree(work, ignore_errors=True)


def test_usage(suite, memwatch, pys):
    work = tempfile.mkdtemp(prefix='mwdaemon-')
    try:
        def run(*args):
            return subprocess.run([memwatch, 'daemon', '--db', os.path.join(work, 'x.db')] + list(args),
                                  capture_output=True, text=True, timeout=30)
        p = run('--config', '/dev/null')
        suite.check(p.returncode == 2 and 'nothing to watch' in p.stderr, 'no criteria: usage error: ' + p.stderr)
        p = run('--config', '/dev/null', '--match', 'a(')
        suite.check(p.returncode == 2 and 'regular expression' in p.stderr, 'bad regex: ' + p.stderr)
        p = run('--config', '/dev/null', '--user', 'no-such-user-mw')
        suite.check(p.returncode == 2 and 'no such user' in p.stderr, 'unknown user: ' + p.stderr)
        bad = os.path.join(work, 'bad.conf')
        with open(bad, 'w') as f:
            f.write('match = x\nintervall = 1s\n')
        p = run('--config', bad)
        suite.check(p.returncode == 2 and 'line 2' in p.stderr and bad in p.stderr, 'config error: ' + p.stderr)
        p = run('--config', os.path.join(work, 'missing.conf'), '--match', 'x')
        suite.check(p.returncode == 2 and 'cannot read config' in p.stderr, 'missing config: ' + p.stderr)
        p = run('--help')
        suite.check(p.returncode == 0 and '--leak-threshold' in p.stdout, 'daemon --help')
        p = run('--config', '/dev/null', '--match', 'x', '--metrics', '203.0.113.1:9')
        suite.check(p.returncode == 1 and 'cannot listen' in p.stderr, 'metrics address not ours: ' + p.stderr)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main():
    memwatch = os.path.abspath(sys.argv[1])
    pys = pythons.find()
    pythons.report(pys, sys.stdout)
    suite = Suite('daemon')
    if not pys:
        suite.skip('daemon', 'no CPython found')
        suite.done()
    suite.run(test_usage, memwatch, pys)
    suite.run(test_watch, memwatch, pys)
    suite.run(test_on_leak, memwatch, pys)
    suite.run(test_children_and_notify, memwatch, pys)
    suite.run(test_unreadable, memwatch, pys)
    suite.run(test_retention, memwatch, pys)
    suite.done()


if __name__ == '__main__':
    main()

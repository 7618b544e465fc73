#!/usr/bin/env python3
"""Every error a user can cause: one clear line on stderr, a documented exit
status, and nothing already recorded lost. One row per case.

Usage: test_errors.py MEMWATCH
"""
import os
import shutil
import sqlite3
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mwtest  # noqa: E402
import pythons  # noqa: E402

# exit statuses (memwatch(1))
USAGE, NOPROC, PERM, DB, DISKFULL, NOSESSION, NOEXEC, NOTFOUND = 2, 3, 4, 5, 6, 7, 126, 127


def free_pid():
    pid = 4000000
    while os.path.exists('/proc/%d' % pid):
        pid -= 1
    return pid


def seed(env):
    """Records one session so a case can show that nothing was lost."""
    env.mw('run', '--quiet', '--', 'true', check=True)


def text_file(env):
    with open(env.db, 'w') as f:
        f.write('hello, I am not a database\n' * 20)


def foreign_sqlite(env):
    con = sqlite3.connect(env.db)
    con.execute('CREATE TABLE accounts (id INTEGER PRIMARY KEY, name TEXT)')
    con.execute("INSERT INTO accounts (name) VALUES ('x')")
    con.commit()
    con.close()


def newer_schema(env):
    seed(env)
    con = sqlite3.connect(env.db)
    con.execute('PRAGMA user_version = 999')
    con.commit()
    con.close()


def truncated(env):
    seed(env)
    for i in range(20):
        env.mw('run', '--quiet', '--', 'true')
    con = sqlite3.connect(env.db)
    con.execute('PRAGMA wal_checkpoint(TRUNCATE)')
    con.close()
    size = os.path.getsize(env.db)
    with open(env.db, 'r+b') as f:
        f.truncate(size // 2)


def corrupt(env):
    seed(env)
    con = sqlite3.connect(env.db)
    con.execute('PRAGMA wal_checkpoint(TRUNCATE)')
    con.close()
    with open(env.db, 'r+b') as f:
        f.seek(4096)
        f.write(b'\xa5' * 8192)


def symlinked(env):
    """The database path is a symbolic link (to a database elsewhere)."""
    real = os.path.join(env.dir, 'elsewhere.db')
    env.mw('--db', real, 'run', '--quiet', '--', 'true', db=False, check=True)
    os.symlink(real, env.db)


def not_a_dir(env):
    with open(os.path.join(env.dir, 'plain'), 'w') as f:
        f.write('x')
    env.db = os.path.join(env.dir, 'plain', 'sub', 'x.db')


# name, preparation, arguments (DB is --db ENV.db unless the row says db=False), status, words in the message
CASES = [
    ('no such pid', None, lambda e: ['--pid', str(free_pid())], NOPROC, 'no such process'),
    ('pid not a number', None, lambda e: ['--pid', 'abc'], USAGE, 'not a process id'),
    ('attach without pid', None, lambda e: ['attach'], USAGE, 'no process id'),
    ('kernel thread', None, lambda e: ['--pid', '2'], NOPROC, 'kernel thread'),
    ('bad interval', None, lambda e: ['run', '--interval', '0.2x', '--', 'true'], USAGE, '--interval'),
    ('zero interval', None, lambda e: ['run', '--interval', '0', '--', 'true'], USAGE, '--interval'),
    ('bad rate', None, lambda e: ['run', '--rate', 'fast', '--', 'true'], USAGE, '--rate'),
    ('bad duration', None, lambda e: ['run', '--duration', '-1', '--', 'true'], USAGE, '--duration'),
    ('option without value', None, lambda e: ['run', '--interval'], USAGE, 'needs a value'),
    ('unknown option', None, lambda e: ['run', '--frob', '--', 'true'], USAGE, 'unknown option'),
    ('unknown subcommand', None, lambda e: ['frobnicate'], USAGE, 'unknown subcommand'),
    ('no subcommand', None, lambda e: [], USAGE, 'no subcommand'),
    ('run without command', None, lambda e: ['run', '--'], USAGE, 'no command'),
    ('command not found', None, lambda e: ['run', '--', 'no-such-command-memwatch'], NOTFOUND, 'command not found'),
    ('command not executable', None, lambda e: ['run', '--', e.dir], NOEXEC, 'cannot execute'),
    ('database is a text file', text_file, lambda e: ['run', '--', 'true'], DB, 'not a memwatch database'),
    ('database is foreign SQLite', foreign_sqlite, lambda e: ['list'], DB, 'not a memwatch database'),
    ('database from a newer memwatch', newer_schema, lambda e: ['run', '--', 'true'], DB, 'newer memwatch'),
    ('database truncated', truncated, lambda e: ['list'], DB, 'database'),
    ('database corrupt', corrupt, lambda e: ['list'], DB, 'corrupt'),
    ('database under a file', not_a_dir, lambda e: ['run', '--', 'true'], DB, 'cannot'),
    ('database is a symbolic link', symlinked, lambda e: ['run', '--', 'true'], DB, 'symbolic link'),
    ('no such session', seed, lambda e: ['report', '999'], NOSESSION, 'no session'),
]


def run_case(s, env, name, prep, args, want, words):
    if prep:
        prep(env)
    before = None
    if os.path.exists(env.db) and prep in (newer_schema, seed):
        before = os.path.getsize(env.db)
    p = env.mw(*args(env), timeout=60)
    lines = [ln for ln in p.stderr.splitlines() if ln.strip()]
    s.check(p.returncode == want, '%s: exit %d, wanted %d (%s)' % (name, p.returncode, want, p.stderr.strip()))
    s.check(len(lines) == 1, '%s: one line on stderr, got %d: %r' % (name, len(lines), p.stderr))
    s.check(bool(lines) and lines[0].startswith('memwatch: '), '%s: message starts with memwatch:' % name)
    s.check(bool(lines) and words.lower() in lines[0].lower(), '%s: %r in %r' % (name, words, lines[:1]))
    if before is not None:
        s.check(os.path.getsize(env.db) >= before, '%s: database not shrunk' % name)


def case_perm(s, env):
    """pid 1 (or any root process) as an unprivileged user."""
    if os.geteuid() != 0 or not shutil.which('setpriv'):
        s.skip('not allowed to read', 'needs root and setpriv to become an unprivileged user')
        return
    os.chmod(env.dir, 0o777)
    p = subprocess.run(['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups',
                        env.memwatch, '--db', env.db, '--pid', '1'], capture_output=True, text=True, timeout=60)
    lines = [ln for ln in p.stderr.splitlines() if ln.strip()]
    s.check(p.returncode == PERM, 'pid 1 without rights: exit %d, wanted %d (%s)' % (p.returncode, PERM, p.stderr))
    s.check(len(lines) == 1 and 'not allowed' in lines[0] and 'CAP_SYS_PTRACE' in lines[0],
            'permission message says how to fix: %r' % p.stderr)


def case_readonly_dir(s, env):
    """A database in a directory memwatch may not write (as an unprivileged user when root)."""
    ro = os.path.join(env.dir, 'ro')
    os.mkdir(ro)
    os.chmod(ro, 0o555)
    db = os.path.join(ro, 'x.db')
    pre = []
    if os.geteuid() == 0:
        if not shutil.which('setpriv'):
            s.skip('read-only directory', 'root ignores permissions and setpriv is missing')
            return
        os.chmod(env.dir, 0o755)
        pre = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups']
    p = subprocess.run(pre + [env.memwatch, '--db', db, 'run', '--', 'true'], capture_output=True, text=True, timeout=60)
    lines = [ln for ln in p.stderr.splitlines() if ln.strip()]
    s.check(p.returncode == DB, 'read-only directory: exit %d wanted %d (%s)' % (p.returncode, DB, p.stderr))
    s.check(len(lines) == 1 and 'cannot' in lines[0], 'read-only directory: one clear line: %r' % p.stderr)
    s.check(not os.path.exists(db), 'read-only directory: nothing created')


def case_memory_only(s, env):
    """A target that is not Python, or a Python memwatch cannot read: one line, memory still recorded."""
    p = env.mw('run', '--', 'sleep', '0.3')
    notes = [ln for ln in p.stderr.splitlines() if 'profiled memory only' in ln]
    s.check(p.returncode == 0, 'non-Python target: exit 0')
    s.check(len(notes) == 1 and 'not a Python process' in notes[0], 'non-Python: one line says so: %r' % p.stderr)
    old = pythons.find(min_version=(3, 0), max_version=(3, 8))
    if not old:
        s.skip('unsupported Python version', 'no CPython older than 3.8 installed')
        return
    py = old[-1]
    p = env.mw('run', '--', py['exe'], '-c', 'import time; time.sleep(0.3)')
    notes = [ln for ln in p.stderr.splitlines() if 'profiled memory only' in ln]
    s.check(p.returncode == 0, 'Python %s: exit 0' % py['label'])
    want = '%d.%d' % py['version'][:2]
    s.check(len(notes) == 1 and want in notes[0] and 'not supported' in notes[0],
            'unsupported Python: one line names %s: %r' % (want, p.stderr))
    ses = [x for x in env.sessions() if x['parent'] is None][-1]
    s.check(len(env.report(str(ses['id']), '--timeline')) >= 1, 'its memory is still recorded')


def case_zombie(s, env):
    # a child that exits and is never reaped by its parent (this test) stays a zombie
    child = subprocess.Popen(['sh', '-c', 'exit 0'])
    mwtest.wait_for(lambda: open('/proc/%d/stat' % child.pid).read().rsplit(')', 1)[1].split()[0] == 'Z')
    p = env.mw('--pid', str(child.pid), timeout=30)
    child.wait()
    lines = [ln for ln in p.stderr.splitlines() if ln.strip()]
    s.check(p.returncode == NOPROC, 'zombie: exit %d wanted %d (%s)' % (p.returncode, NOPROC, p.stderr))
    s.check(len(lines) == 1 and 'zombie' in lines[0], 'zombie: one clear line: %r' % p.stderr)


def case_disk_full(s, env):
    if os.geteuid() != 0 or not shutil.which('mount'):
        s.skip('disk full', 'needs root to mount a small tmpfs')
        return
    mnt = os.path.join(env.dir, 'small')
    os.mkdir(mnt)
    if subprocess.run(['mount', '-t', 'tmpfs', '-o', 'size=400k', 'tmpfs', mnt]).returncode != 0:
        s.skip('disk full', 'mount of a tmpfs refused here')
        return
    try:
        env.db = os.path.join(mnt, 'full.db')
        script = env.script('big.py', 'import time\nfor i in range(400):\n    x = [bytearray(4096) for _ in range(50)]\n    time.sleep(0.005)\n')
        p = env.mw('run', '--interval', '0.001', '--rate', '2000', '--', sys.executable, script, timeout=120)
        lines = [ln for ln in p.stderr.splitlines() if ln.startswith('memwatch: ')]
        s.check(p.returncode == DISKFULL, 'disk full: exit %d wanted %d (%s)' % (p.returncode, DISKFULL, p.stderr[-500:]))
        s.check(any('disk full' in ln for ln in lines), 'disk full: a clear line: %r' % lines)
        con = sqlite3.connect('file:%s?mode=ro' % env.db, uri=True)
        ok = con.execute('PRAGMA integrity_check').fetchone()[0]
        n = con.execute('SELECT count(*) FROM samples').fetchone()[0]
        con.close()
        s.check(ok == 'ok', 'disk full: database intact (%s)' % ok)
        s.check(n > 0, 'disk full: committed rows kept (%d)' % n)
    finally:
        subprocess.run(['umount', '-l', mnt])


def main():
    s = mwtest.Suite('test_errors')
    for name, prep, args, want, words in CASES:
        env = mwtest.Env(sys.argv[1])
        try:
            s.run(run_case, env, name, prep, args, want, words)
        finally:
            env.cleanup()
    for fn in (case_perm, case_readonly_dir, case_memory_only, case_zombie, case_disk_full):
        env = mwtest.Env(sys.argv[1])
        try:
            s.run(fn, env)
        finally:
            env.cleanup()
    s.done()


if __name__ == '__main__':
    main()

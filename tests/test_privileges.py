#!/usr/bin/env python3
"""memwatch run as root: what it reads of a target, and what it writes.

  a. A target in a mount namespace of its own, whose script path names another
     file on this machine (and a second file reached through an absolute
     symbolic link): the saved source lines are the target's, read through
     /proc/PID/root with links resolved inside the target's root; code named
     after a file only this machine has gets no text (not this machine's).
  b. Under strace: memwatch opens the target's files (script, interpreter,
     libpython) only through /proc/PID/root; it opens nothing for writing and
     makes no write-type call (rename, unlink, mkdir, chmod...) anywhere but in
     the database directory (allowances listed in WRITE_ALLOWED).
  c. With umask 000, the directories memwatch creates are 0700 and the database,
     -wal and -shm files 0600.
  d. Symbolic links: a database path that is a link is refused (one line, exit
     5, the file it points to untouched); a link on the way to the database
     directory owned by another user is refused, one owned by root followed; a
     database directory owned by another user is refused.

Needs root and unshare (a), strace (b): each part says SKIPPED loudly otherwise.

Usage: test_privileges.py MEMWATCH
"""
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mwtest  # noqa: E402
import pythons  # noqa: E402

DB_EXIT = 5          # memwatch(1): database cannot be used
OTHER_UID = 65534    # "another user" (nobody)

# Paths outside the database directory memwatch may open for writing, and why.
# (Nothing else is: no /proc file, no perf or tracing file is written; reads are
# free — memwatch's own libraries, /proc, /sys — except that a target's files
# must be read through /proc/PID/root.)
WRITE_ALLOWED = (
    '/dev/null',     # a sink: stdin/stdout of a launched target may be pointed there
    '/dev/tty',      # the controlling terminal (messages, the summary)
    '/dev/pts/',     # a pseudo-terminal a test harness or ssh session gives it
)

MAIN_SRC = '''import sys, time  # {mark}
import link  # {mark}: through an absolute symbolic link in the target's root
code = {{}}  # {mark}: code named after a file that exists only outside the target's root
exec(compile('def grow():\\n    return [bytearray(4096) for _ in range(1500)]\\n', sys.argv[2], 'exec'), code)  # {mark}
print('ready', flush=True)  # {mark}
end = time.time() + float(sys.argv[1])  # {mark}
while time.time() < end:  # {mark}
    x = [bytearray(4096) for _ in range(1500)]  # {mark}
    link.work()  # {mark}
    code['grow']()  # {mark}
    del x  # {mark}
    time.sleep(0.01)  # {mark}
'''
HIDDEN_SRC = '''def grow():  # HOST
    return 0  # HOST
'''
LINK_SRC = '''def work():  # {mark}
    y = [bytearray(4096) for _ in range(1500)]  # {mark}
    return len(y)  # {mark}
'''


def pick_pythons():
    """The newest CPython with a shared libpython and the distribution's static one,
    as far as they are installed (loudly)."""
    found = pythons.find()
    pythons.report(found, sys.stdout)
    out = []
    pyenv = [p for p in found if p['source'] == 'pyenv']
    if pyenv:
        out.append(pyenv[-1])
    system = pythons.system_python(found)
    if system:
        out.append(system)
    elif found and found[-1] not in out:
        out.append(found[-1])
    print('covered here: ' + (', '.join(p['label'] for p in out) or 'none'), flush=True)
    return out


def wait_ready(proc, timeout=20.0):
    """Waits for the target to print 'ready'."""
    import select
    end = time.time() + timeout
    while time.time() < end:
        r, _, _ = select.select([proc.stdout], [], [], 0.2)
        if r:
            line = proc.stdout.readline()
            if line.strip() == 'ready':
                return True
            if not line:
                return False
    return False


def children_of(pid):
    try:
        with open('/proc/%d/task/%d/children' % (pid, pid)) as f:
            return [int(x) for x in f.read().split()]
    except OSError:
        return []


def session_of(env, pid):
    for ses in env.sessions():
        if ses['pid'] == pid:
            return ses
    raise mwtest.Failure('no session for PID %d in %r' % (pid, env.sessions()))


def stop(proc):
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            mwtest.kill_quietly(proc)


# ---------------------------------------------------------------- a. own root

def case_own_root(s, env, py):
    app = os.path.join(env.dir, 'app')
    keep = os.path.join(env.dir, 'target-files')
    os.makedirs(app)
    os.makedirs(keep)
    # this machine's files at the paths the target will use
    for name, src in (('main.py', MAIN_SRC), ('real.py', LINK_SRC), ('hidden.py', HIDDEN_SRC)):
        with open(os.path.join(app, name), 'w') as f:
            f.write(src.format(mark='HOST'))
    for name, src in (('main.py', MAIN_SRC), ('real.py', LINK_SRC)):
        with open(os.path.join(keep, name), 'w') as f:
            f.write(src.format(mark='TARGET'))
    # in its own mount namespace, a tmpfs over app/ holds the target's versions;
    # app/link.py -> <app>/real.py is absolute: resolved in this machine's root it
    # would name the HOST real.py
    script = ('mount -t tmpfs -o mode=0755 tmpfs "$1" && cp "$2/main.py" "$2/real.py" "$1/" && '
              'ln -s "$1/real.py" "$1/link.py" && exec "$3" -B "$1/main.py" 60 "$1/hidden.py"')
    ns = subprocess.Popen(['unshare', '--mount', '--propagation', 'private', '--fork', '--kill-child', '--',
                           'sh', '-c', script, 'sh', app, keep, py['exe']],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        if not wait_ready(ns):
            ns.kill()
            ns.wait()
            err = ns.stderr.read()[-500:]
            if 'not permitted' in err or 'Permission denied' in err:
                s.skip('a. target with its own root (%s)' % py['label'], 'no mount namespace here: %s' % err.strip())
                return
            raise mwtest.Failure('target in its own namespace did not start: %s' % err)
        kids = children_of(ns.pid)
        s.check(len(kids) == 1, 'one process under unshare: %r' % kids)
        pid = kids[0]
        with open('/proc/%d/root%s' % (pid, os.path.join(app, 'main.py'))) as f:
            s.check('TARGET' in f.read(), 'the namespace shows the target version of main.py')
        p = env.mw('--pid', str(pid), '--duration', '3', '--quiet', timeout=60)
        s.check(p.returncode == 0, 'memwatch --pid on a namespaced target: exit %d (%s)' % (
            p.returncode, p.stderr.strip()[-400:]))
    finally:
        for kid in children_of(ns.pid):
            os.kill(kid, signal.SIGKILL)
        stop(ns)
    ses = session_of(env, pid)
    rows = [r for r in env.report(str(ses['id']), '--lines') if r['file'].startswith(app + '/')]
    texts = {}
    for r in rows:
        if r.get('text'):
            texts.setdefault(os.path.basename(r['file']), []).append(r['text'])
    print('  %s: saved lines: %s' % (py['label'], {k: len(v) for k, v in texts.items()}))
    s.check(any(r['file'] == os.path.join(app, 'hidden.py') for r in rows),
            '%s: the code named hidden.py was charged' % py['label'])
    s.check(not texts.get('hidden.py'), "%s: no text saved for hidden.py, which is not in the target's root "
            "(this machine's file of that name is another one): %r" % (py['label'], texts.get('hidden.py')))
    for name in ('main.py', 'link.py'):
        s.check(bool(texts.get(name)), '%s: source lines of %s saved (%r)' % (py['label'], name, sorted(texts)))
        bad = [t for t in texts.get(name, []) if 'TARGET' not in t or 'HOST' in t]
        s.check(not bad, "%s: %s lines are the target's version, read in its root: %r" % (
            py['label'], name, bad[:3]))


# ---------------------------------------------------------------- b. strace

TRACED = ('open,openat,openat2,creat,rename,renameat,renameat2,unlink,unlinkat,mkdir,mkdirat,'
          'symlink,symlinkat,link,linkat,truncate,chmod,fchmodat,chown,lchown,fchownat,'
          'execve,clone,clone3,fork,vfork')
# syscall -> (dirfd argument index or None, path argument index) of each path it changes or opens
PATH_ARGS = {
    'open': [(None, 0)], 'creat': [(None, 0)], 'truncate': [(None, 0)], 'chmod': [(None, 0)],
    'chown': [(None, 0)], 'lchown': [(None, 0)], 'mkdir': [(None, 0)], 'unlink': [(None, 0)],
    'rename': [(None, 0), (None, 1)], 'symlink': [(None, 1)], 'link': [(None, 0), (None, 1)],
    'openat': [(0, 1)], 'openat2': [(0, 1)], 'mkdirat': [(0, 1)], 'unlinkat': [(0, 1)],
    'renameat': [(0, 1), (2, 3)], 'renameat2': [(0, 1), (2, 3)], 'symlinkat': [(1, 2)],
    'linkat': [(0, 1), (2, 3)], 'fchmodat': [(0, 1)], 'fchownat': [(0, 1)],
}
OPENS = ('open', 'openat', 'openat2')
WRITE_FLAGS = ('O_WRONLY', 'O_RDWR', 'O_CREAT', 'O_TRUNC', 'O_APPEND')
LINE_RE = re.compile(r'^(\w+)\((.*)\)\s+=\s+(-?\d+|\?)(.*)$')


def split_args(text):
    """Top-level comma-separated arguments of an strace call (quotes, braces kept whole)."""
    out, depth, cur, quoted, esc = [], 0, [], False, False
    for ch in text:
        if quoted:
            cur.append(ch)
            if esc:
                esc = False
            elif ch == '\\':
                esc = True
            elif ch == '"':
                quoted = False
            continue
        if ch == '"':
            quoted = True
        elif ch in '{[<(':
            depth += 1
        elif ch in '}]>)':
            depth -= 1
        elif ch == ',' and depth == 0:
            out.append(''.join(cur).strip())
            cur = []
            continue
        cur.append(ch)
    if cur:
        out.append(''.join(cur).strip())
    return out


def unquote(arg):
    m = re.match(r'^"((?:[^"\\]|\\.)*)"', arg)
    if not m:
        return None
    return re.sub(r'\\x([0-9a-fA-F]{2})', lambda g: chr(int(g.group(1), 16)), m.group(1)).replace('\\"', '"')


def read_traces(prefix):
    """{pid: [(syscall, args, ret, rest)]} from strace -ff files PREFIX.PID."""
    out = {}
    d, base = os.path.split(prefix)
    for name in os.listdir(d):
        if not name.startswith(base + '.'):
            continue
        pid = int(name[len(base) + 1:])
        calls = []
        with open(os.path.join(d, name), errors='replace') as f:
            for line in f:
                m = LINE_RE.match(line.strip())
                if m:
                    calls.append((m.group(1), split_args(m.group(2)), m.group(3), m.group(4)))
        out[pid] = calls
    return out


def memwatch_calls(traces, main_pid):
    """memwatch's own calls: its process and threads, and a forked launcher until it
    executes the target (the target and everything it starts are left out)."""
    children = {}
    for pid, calls in traces.items():
        for sc, _args, ret, _rest in calls:
            if sc in ('clone', 'clone3', 'fork', 'vfork') and ret.isdigit():
                children.setdefault(pid, []).append(int(ret))
    out, todo = [], [main_pid]
    while todo:
        pid = todo.pop()
        for sc, args, ret, rest in traces.get(pid, []):
            if sc == 'execve' and ret == '0' and pid != main_pid:
                break               # from here on it is the target
            out.append((pid, sc, args, ret, rest))
        else:
            todo.extend(children.get(pid, []))
    return out


def resolve(dirarg, path, fds):
    """Absolute path of a (dirfd, path) pair; fds maps fd numbers to the path they were opened with."""
    if path.startswith('/'):
        return os.path.normpath(path)
    m = re.match(r'^(AT_FDCWD|\d+)(?:<(.*)>)?$', dirarg or 'AT_FDCWD')
    base = None
    if m and m.group(1) != 'AT_FDCWD':
        base = fds.get(int(m.group(1)))
    if base is None and m:
        base = m.group(2)
    return os.path.normpath(os.path.join(base or '/', path))


def check_trace(s, what, calls, dbdir, target_pid, target_files):
    """Applies the rules of part b to memwatch's calls. Returns the opens through the target's root."""
    fds, through_root = {}, []
    root_re = re.compile(r'^/proc/\d+/(root|cwd|map_files)(/|$)')
    for pid, sc, args, ret, rest in calls:
        if sc not in PATH_ARGS:
            continue
        paths = []
        for dpos, ppos in PATH_ARGS[sc]:
            p = unquote(args[ppos]) if ppos < len(args) else None
            if p is None:
                continue
            paths.append(resolve(args[dpos] if dpos is not None else None, p, fds))
        if not paths:
            continue
        flags = (args[1] if sc == 'open' else args[2]) if sc in OPENS and len(args) > 2 else ''
        writes = sc not in OPENS or any(f in flags for f in WRITE_FLAGS)
        if sc in OPENS and ret.isdigit():
            fds[int(ret)] = paths[0]
        for path in paths:
            inside_db = path == dbdir or path.startswith(dbdir + '/')
            if writes and not inside_db and not any(path == a or (a.endswith('/') and path.startswith(a))
                                                   for a in WRITE_ALLOWED):
                s.check(False, '%s: write-type call outside the database directory: %s(%s) = %s' % (
                    what, sc, ', '.join(args), ret))
            if root_re.match(path) and writes:
                s.check(False, '%s: write-type call through a target root: %s(%s)' % (what, sc, ', '.join(args)))
            if path in target_files:
                s.check(False, "%s: a target's file opened by this machine's path: %s(%s) = %s" % (
                    what, sc, ', '.join(args), ret))
            if path.startswith('/proc/%d/root/' % target_pid) and sc in OPENS and ret.isdigit():
                through_root.append(path[len('/proc/%d/root' % target_pid):])
    return through_root


def target_files_of(pid, script, exe):
    """This machine's paths of the files the target runs: its script, interpreter, libpython."""
    files = {os.path.normpath(script), os.path.realpath(script), exe, os.path.realpath(exe)}
    try:
        files.add(os.readlink('/proc/%d/exe' % pid))
        with open('/proc/%d/maps' % pid) as f:
            for line in f:
                parts = line.split(None, 5)
                if len(parts) == 6 and 'libpython' in parts[5]:
                    files.add(parts[5].strip())
    except OSError:
        pass
    return files


def strace_cmd(prefix):
    cmd = ['strace', '-ff', '-y', '-s', '4096', '-qq', '-e', 'trace=' + TRACED, '-o', prefix]
    # stop only at the traced calls (strace 5.3+), so memwatch keeps its pace
    if subprocess.run(['strace', '--seccomp-bpf', '-f', '-e', 'trace=none', 'true'],
                      capture_output=True).returncode == 0:
        cmd.insert(1, '--seccomp-bpf')
    return cmd


def case_strace(s, env, py, mode):
    script = env.script('work.py', 'import sys, time\nprint("ready", flush=True)\n'
                        'end = time.time() + float(sys.argv[1])\nwhile time.time() < end:\n'
                        '    x = [bytearray(4096) for _ in range(1000)]\n    del x\n    time.sleep(0.01)\n')
    dbdir = os.path.join(env.dir, 'db')
    os.mkdir(dbdir, 0o700)
    db = os.path.join(dbdir, 'x.db')
    prefix = os.path.join(env.dir, 'trace', 'memwatch')
    os.mkdir(os.path.dirname(prefix))
    what = '%s %s' % (mode, py['label'])
    target = None
    try:
        if mode == 'attach':
            target = subprocess.Popen([py['exe'], '-B', script, '30'], stdout=subprocess.PIPE, text=True,
                                      cwd=env.dir)
            if not wait_ready(target):
                raise mwtest.Failure('%s: target did not start' % what)
            target_pid = target.pid
            files = target_files_of(target_pid, script, py['exe'])
            cmd = [env.memwatch, '--db', db, '--pid', str(target_pid), '--duration', '3', '--quiet']
        else:
            cmd = [env.memwatch, '--db', db, 'run', '--quiet', '--', py['exe'], '-B', script, '2']
        # LeakSanitizer cannot run under ptrace: a sanitizer build skips its leak check here
        envv = dict(os.environ, ASAN_OPTIONS=':'.join(x for x in (os.environ.get('ASAN_OPTIONS'),
                                                                   'detect_leaks=0') if x))
        p = subprocess.run(strace_cmd(prefix) + cmd, capture_output=True, text=True, timeout=120, cwd=env.dir,
                           env=envv)
        s.check(p.returncode == 0, '%s: memwatch under strace: exit %d (%s)' % (what, p.returncode, p.stderr[-400:]))
    finally:
        if target:
            stop(target)
    traces = read_traces(prefix)
    mains = [pid for pid, calls in traces.items()
             if calls and calls[0][0] == 'execve' and unquote(calls[0][1][0]) == env.memwatch]
    if len(mains) != 1:
        raise mwtest.Failure('%s: memwatch itself not found in the trace (%r)' % (what, mains))
    main_pid = mains[0]
    if mode == 'run':
        execs = [pid for pid, calls in traces.items() if pid != main_pid
                 and any(sc == 'execve' and ret == '0' for sc, _a, ret, _r in calls)]
        s.check(len(execs) >= 1, '%s: the launched target is in the trace' % what)
        target_pid = min(execs) if execs else -1
        files = {os.path.normpath(script), os.path.realpath(script), py['exe'], os.path.realpath(py['exe'])}
        # libpython of a pyenv build: named in the interpreter's own dynamic section
        lib = [ln.split('=>')[1].split()[0] for ln in subprocess.run(
            ['ldd', os.path.realpath(py['exe'])], capture_output=True, text=True).stdout.splitlines()
            if 'libpython' in ln and '=>' in ln]
        files.update(lib + [os.path.realpath(x) for x in lib])
    calls = memwatch_calls(traces, main_pid)
    s.check(len(calls) > 20, '%s: memwatch calls traced (%d)' % (what, len(calls)))
    through = check_trace(s, what, calls, dbdir, target_pid, files)
    print('  %s: %d calls checked; read through /proc/%d/root: %s' % (what, len(calls), target_pid,
                                                                     sorted(set(through))))
    s.check(os.path.realpath(script) in through or script in through,
            '%s: the script was read through /proc/PID/root (%r)' % (what, through))
    s.check(any(f in through for f in files if f != script and not f.endswith('.py')),
            '%s: the interpreter or libpython was read through /proc/PID/root (%r)' % (what, through))


# ---------------------------------------------------------------- c. modes

def case_modes(s, env, py):
    old = os.umask(0)
    try:
        state = os.path.join(env.dir, 'fresh', 'state')
        envv = dict(os.environ, XDG_STATE_HOME=state, HOME=env.dir)
        envv.pop('MEMWATCH_DB', None)
        deep = os.path.join(env.dir, 'deep', 'a', 'b', 'x.db')
        for label, extra, db, created in (
                ('XDG_STATE_HOME', {}, os.path.join(state, 'memwatch', 'memwatch.db'),
                 [os.path.join(env.dir, 'fresh'), state, os.path.join(state, 'memwatch')]),
                ('MEMWATCH_DB', {'MEMWATCH_DB': deep}, deep,
                 [os.path.join(env.dir, 'deep'), os.path.dirname(os.path.dirname(deep)), os.path.dirname(deep)])):
            proc = subprocess.Popen([env.memwatch, 'run', '--quiet', '--', py['exe'], '-c',
                                     'import time\nx = [bytearray(4096) for _ in range(5000)]\ntime.sleep(3)'],
                                    env=dict(envv, **extra), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                    text=True)
            live = mwtest.wait_for(lambda: all(os.path.exists(db + x) for x in ('', '-wal', '-shm')), timeout=10)
            modes = {x: stat.S_IMODE(os.stat(db + x).st_mode) for x in ('', '-wal', '-shm')
                     if os.path.exists(db + x)}
            _, err = proc.communicate(timeout=60)
            s.check(proc.returncode == 0, '%s: memwatch run with umask 000: exit %d (%s)' % (
                label, proc.returncode, err))
            s.check(live, '%s: database, -wal and -shm seen while recording' % label)
            for x, mode in sorted(modes.items()):
                s.check(mode == 0o600, '%s: %s%s is %o, wanted 600' % (label, os.path.basename(db), x, mode))
            for d in created:
                mode = stat.S_IMODE(os.stat(d).st_mode)
                s.check(mode == 0o700, '%s: directory %s created %o, wanted 700' % (label, d, mode))
            print('  %s: files %s, directories %s' % (label, {k: oct(v) for k, v in modes.items()},
                                                      [oct(stat.S_IMODE(os.stat(d).st_mode)) for d in created]))
    finally:
        os.umask(old)


# ---------------------------------------------------------------- d. links

def snapshot(path):
    st = os.lstat(path)
    with open(path, 'rb') as f:
        return (st.st_size, st.st_mtime_ns, st.st_mode, f.read())


def expect_refused(s, what, p, words):
    lines = [ln for ln in p.stderr.splitlines() if ln.strip()]
    s.check(p.returncode == DB_EXIT, '%s: exit %d, wanted %d (%s)' % (what, p.returncode, DB_EXIT, p.stderr.strip()))
    s.check(len(lines) == 1 and lines[0].startswith('memwatch: ') and words in lines[0],
            '%s: one line saying %r: %r' % (what, words, p.stderr))


def case_links(s, env):
    seed = os.path.join(env.dir, 'elsewhere', 'real.db')
    os.makedirs(os.path.dirname(seed))
    env.mw('--db', seed, 'run', '--quiet', '--', 'true', db=False, check=True)
    empty = os.path.join(env.dir, 'elsewhere', 'empty-file')
    open(empty, 'w').close()
    before = {f: snapshot(f) for f in (seed, empty)}
    dangling = os.path.join(env.dir, 'elsewhere', 'not-there.db')
    for i, (name, dest) in enumerate((('to a database', seed), ('to an empty file', empty), ('dangling', dangling))):
        link = os.path.join(env.dir, 'link-%d.db' % i)
        os.symlink(dest, link)
        for cmd in (['run', '--quiet', '--', 'true'], ['list']):
            p = env.mw('--db', link, *cmd, db=False)
            expect_refused(s, 'database path is a link %s (%s)' % (name, cmd[0]), p, 'symbolic link')
    s.check(not os.path.exists(dangling), 'the dangling link was not followed to create its target')
    for f, snap in before.items():
        s.check(snapshot(f) == snap, '%s unchanged behind the links' % os.path.basename(f))
    s.check(not any(os.path.exists(seed + x) for x in ('-wal', '-shm', '-journal')),
            'no -wal/-shm/-journal next to the linked database')

    # a link on the way to the database directory, planted by another user
    victim = os.path.join(env.dir, 'victim')
    os.mkdir(victim)
    state = os.path.join(env.dir, 'state')
    os.mkdir(state, 0o700)
    planted = os.path.join(state, 'memwatch')
    os.symlink(victim, planted)
    os.lchown(planted, OTHER_UID, OTHER_UID)
    envv = dict(os.environ, XDG_STATE_HOME=state)
    envv.pop('MEMWATCH_DB', None)
    p = env.mw('run', '--quiet', '--', 'true', db=False, env=envv)
    expect_refused(s, 'a link owned by another user on the way', p, 'symbolic link owned by another user')
    s.check(os.listdir(victim) == [], 'nothing written where the planted link points: %r' % os.listdir(victim))
    # the same link owned by root (or this user) is followed
    os.lchown(planted, 0, 0)
    p = env.mw('run', '--quiet', '--', 'true', db=False, env=envv)
    s.check(p.returncode == 0, "a link owned by root on the way is followed: exit %d (%s)" % (p.returncode, p.stderr))
    s.check(os.path.exists(os.path.join(victim, 'memwatch.db')), 'database created behind a trusted link')

    # a database directory that belongs to another user
    theirs = os.path.join(env.dir, 'theirs')
    os.mkdir(theirs, 0o700)
    os.chown(theirs, OTHER_UID, OTHER_UID)
    p = env.mw('--db', os.path.join(theirs, 'x.db'), 'run', '--quiet', '--', 'true', db=False)
    expect_refused(s, 'a database directory owned by another user', p, 'belongs to another user')
    s.check(os.listdir(theirs) == [], 'nothing created in the other user\'s directory')


def strace_works():
    """strace is installed and may trace here (a container may forbid ptrace)."""
    if not shutil.which('strace'):
        return 'strace is not installed'
    p = subprocess.run(['strace', '-f', '-qq', '-e', 'trace=none', 'true'], capture_output=True, text=True)
    return None if p.returncode == 0 else 'strace cannot trace here: %s' % p.stderr.strip()[-200:]


def main():
    s = mwtest.Suite('test_privileges')
    if os.geteuid() != 0:
        s.skip('all privilege checks', 'not running as root (they are about memwatch run as root)')
        s.done()
    memwatch = sys.argv[1]
    no_strace = strace_works()
    pys = pick_pythons()
    if not pys:
        s.skip('parts a, b, c', 'no CPython found')
    for py in pys:
        env = mwtest.Env(memwatch)
        try:
            if shutil.which('unshare') and shutil.which('mount'):
                s.run(case_own_root, env, py)
            else:
                s.skip('a. target with its own root (%s)' % py['label'], 'unshare or mount missing')
        finally:
            env.cleanup()
        for mode in ('attach', 'run'):
            env = mwtest.Env(memwatch)
            try:
                if not no_strace:
                    s.run(case_strace, env, py, mode)
                else:
                    s.skip('b. strace of memwatch (%s, %s)' % (mode, py['label']), no_strace)
            finally:
                env.cleanup()
    for fn, args in ((case_modes, pys[:1]), (case_links, [])):
        if fn is case_modes and not pys:
            continue
        env = mwtest.Env(memwatch)
        try:
            s.run(fn, env, *args)
        finally:
            env.cleanup()
    s.done()


if __name__ == '__main__':
    main()

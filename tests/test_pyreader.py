"""pyreader against every CPython on this machine, through the pystack_probe tool.

For each interpreter found by pythons.py (Debian's python3 is required): a script with a
known stack, single-threaded busy and with a busy worker thread holding the GIL while the
main thread sleeps; the probe must report exactly the files, (qualified) names, first lines,
current lines, thread ids and GIL holder. Also: a non-Python target, a python-named binary
of an unsupported version, a PID that does not exist, a reader without the right to read,
and an embedded interpreter (a C program linked against libpython) for each CPython that
has a shared libpython.

usage: test_pyreader.py PYSTACK_PROBE [--cc "CC ARGS"]
"""
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mwtest  # noqa: E402
import pythons  # noqa: E402

SCRIPT = '''\
import sys, threading, time

def spin():
    y = 0
    while True: y = y + 1            # L_SPIN

def worker():
    spin()                           # L_WORKER_CALL

def inner():
    print('ready', *ids, flush=True)
    if MODE == 'busy':
        x = 0
        while True: x = x + 1        # L_INNER_BUSY
    while True:
        time.sleep(                  # L_INNER_SLEEP
            1000)

class Box:
    def middle(self):
        return inner(                # L_MIDDLE_CALL
            )

def outer():
    return Box().middle(             # L_OUTER_CALL
        )

MODE = sys.argv[1]
ids = [threading.get_ident(), getattr(threading, 'get_native_id', lambda: 0)()]
if MODE == 'threads':
    ready = threading.Event()
    def start():
        ids.extend([threading.get_ident(), getattr(threading, 'get_native_id', lambda: 0)()])
        ready.set()
        worker()                     # L_START_CALL
    threading.Thread(target=start, name='w', daemon=True).start()
    ready.wait()
outer()                              # L_MODULE_CALL
'''

EMBED_C = r'''
#include <Python.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    if (argc < 3)
        return 2;
    Py_Initialize();
    PyObject *sys_argv = PyList_New(0);
    PyList_Append(sys_argv, PyUnicode_FromString(argv[1]));
    PyList_Append(sys_argv, PyUnicode_FromString(argv[2]));
    PySys_SetObject("argv", sys_argv);
    FILE *fp = fopen(argv[1], "r");
    if (!fp)
        return 2;
    int rc = PyRun_SimpleFileEx(fp, argv[1], 1);
    Py_Finalize();
    return rc ? 1 : 0;
}
'''


def lines_of(text):
    """Marker -> line number, and function name -> line of its def."""
    marks, defs = {}, {}
    for no, line in enumerate(text.splitlines(), 1):
        if '# L_' in line:
            marks[line.split('# ')[-1].strip()] = no
        s = line.strip()
        if s.startswith('def ') or s.startswith('class '):
            defs[s.split()[1].split('(')[0].rstrip(':')] = no
    return marks, defs


MARKS, DEFS = lines_of(SCRIPT)


def expected_main(ver, script, busy):
    q = ver >= (3, 11)
    return [
        (script, 'inner', DEFS['inner'], MARKS['L_INNER_BUSY' if busy else 'L_INNER_SLEEP']),
        (script, 'Box.middle' if q else 'middle', DEFS['middle'], MARKS['L_MIDDLE_CALL']),
        (script, 'outer', DEFS['outer'], MARKS['L_OUTER_CALL']),
        (script, '<module>', 1, MARKS['L_MODULE_CALL']),
    ]


def expected_worker(ver, script):
    return [
        (script, 'spin', DEFS['spin'], MARKS['L_SPIN']),
        (script, 'worker', DEFS['worker'], MARKS['L_WORKER_CALL']),
        (script, 'start', DEFS['start'], MARKS['L_START_CALL']),
    ]


def frames_of(stack):
    return [(f['file'], f['func'], f['firstline'], f['line']) for f in stack['frames']]


class Target:
    """A running script; stops it on exit."""

    def __init__(self, argv, env=None):
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True, env=env)
        line = self.proc.stdout.readline().split()
        if not line or line[0] != 'ready':
            err = self.proc.stderr.read() if self.proc.poll() is not None else ''
            mwtest.kill_quietly(self.proc)
            raise mwtest.Failure('target did not start: %r %s' % (line, err.strip()[-300:]))
        self.ids = [int(x) for x in line[1:]]
        time.sleep(0.3)            # let it enter the loop

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        mwtest.kill_quietly(self.proc)


class Probe:
    def __init__(self, exe):
        self.exe = exe

    def run(self, pid, *args, user=None):
        cmd = [self.exe, str(pid)] + [str(a) for a in args]
        if user:
            cmd = user + cmd
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        out = [json.loads(line) for line in p.stdout.splitlines() if line.strip()]
        return p.returncode, out, p.stderr.strip()

    def read(self, pid, *args):
        rc, out, err = self.run(pid, *args)
        if rc != 0:
            raise mwtest.Failure('probe exited %d: %s' % (rc, err))
        return out[0], [o for o in out[1:-1]], out[-1]


def check_version(head, py):
    ver = py['version']
    got = tuple(int(x) for x in head['version'].split('.'))
    if got[:2] != ver[:2]:
        raise mwtest.Failure('version %s, expected %d.%d' % (head['version'], ver[0], ver[1]))
    if head['how'] in ('Py_Version', '_Py_DebugOffsets') and got != tuple(ver):
        raise mwtest.Failure('version %s, expected %s' % (head['version'], py['label']))
    if ver >= (3, 11) and head['how'] != 'Py_Version':
        raise mwtest.Failure('3.11+ version found by %s, not Py_Version' % head['how'])


def good_samples(stacks, what, minimum=0.8):
    ok = [s for s in stacks if s['rc'] == 0]
    if len(ok) < minimum * len(stacks):
        raise mwtest.Failure('%s: only %d of %d samples read whole: %s'
                             % (what, len(ok), len(stacks), [s['rc'] for s in stacks]))
    return ok


def assert_stack(got, want, what):
    if got != want:
        raise mwtest.Failure('%s:\n   got  %s\n   want %s' % (what, got, want))


def run_busy(suite, probe, py, argv_prefix, script, how_expected=None, label=None):
    ver = py['version']
    with Target(argv_prefix + [script, 'busy']) as t:
        head, stacks, stats = probe.read(t.proc.pid, '--count', 20)
        check_version(head, py)
        if how_expected and head['how'] != how_expected:
            raise mwtest.Failure('version found by %s, expected %s' % (head['how'], how_expected))
        for s in good_samples(stacks, 'busy'):
            assert_stack(frames_of(s), expected_main(ver, script, True), 'busy stack')
            if s['gil'] != 1 or s['thread_id'] != t.ids[0] or s['truncated']:
                raise mwtest.Failure('busy: gil %d thread %d (want 1, %d)' % (s['gil'], s['thread_id'], t.ids[0]))
            if s['native_tid'] != (t.ids[1] if ver >= (3, 11) else 0):
                raise mwtest.Failure('busy: native tid %d, want %d' % (s['native_tid'], t.ids[1]))
        if stats['stats']['code_cache_misses'] != 4:
            raise mwtest.Failure('4 code objects decoded %d times' % stats['stats']['code_cache_misses'])


def run_threads(suite, probe, py, argv_prefix, script):
    ver = py['version']
    with Target(argv_prefix + [script, 'threads']) as t:
        main_ident, main_native, w_ident, w_native = t.ids
        # the sampled stack is the GIL holder's: the busy worker
        head, stacks, _ = probe.read(t.proc.pid, '--count', 20)
        for s in good_samples(stacks, 'threads: sample'):
            got = frames_of(s)
            assert_stack(got[:3], expected_worker(ver, script), 'worker stack')
            rest = got[3:]
            if [os.path.basename(f[0]) for f in rest] != ['threading.py'] * 3:
                raise mwtest.Failure('worker: threading.py frames expected below start(): %s' % rest)
            q = 'Thread.' if ver >= (3, 11) else ''
            if [f[1] for f in rest] != [q + 'run', q + '_bootstrap_inner', q + '_bootstrap']:
                raise mwtest.Failure('worker: threading frames %s' % [f[1] for f in rest])
            if any(f[3] <= f[2] for f in rest):
                raise mwtest.Failure('worker: threading lines not past their def: %s' % rest)
            if s['gil'] != 1 or s['thread_id'] != w_ident:
                raise mwtest.Failure('sample: gil %d thread %d, want the worker %d' % (s['gil'], s['thread_id'], w_ident))
            if ver >= (3, 11) and s['native_tid'] != w_native:
                raise mwtest.Failure('worker native tid %d, want %d' % (s['native_tid'], w_native))
        # every thread: the worker first (newest), the main thread last
        _, stacks, _ = probe.read(t.proc.pid, '--threads', '--count', 5)
        rounds = [stacks[i:i + 2] for i in range(0, len(stacks), 2)]
        whole = [r for r in rounds if len(r) == 2 and all(s['rc'] == 0 for s in r)]
        if len(whole) < 4:
            raise mwtest.Failure('--threads: %d of 5 rounds whole: %s' % (len(whole), stacks))
        for w, m in whole:
            if (w['thread_id'], m['thread_id']) != (w_ident, main_ident):
                raise mwtest.Failure('--threads: order %d, %d' % (w['thread_id'], m['thread_id']))
            assert_stack(frames_of(m), expected_main(ver, script, False), 'main thread (sleeping)')
            assert_stack(frames_of(w)[:3], expected_worker(ver, script), 'worker thread')
            if (w['gil'], m['gil']) != (1, 0):
                raise mwtest.Failure('--threads: gil flags worker %d main %d' % (w['gil'], m['gil']))
            if ver >= (3, 11) and (w['native_tid'], m['native_tid']) != (w_native, main_native):
                raise mwtest.Failure('--threads: native tids %d %d' % (w['native_tid'], m['native_tid']))


def measure(probe, py, script):
    """Cost of one sample (code objects cached) and the cache hit rate, on the busy worker."""
    with Target([py['exe'], script, 'threads']) as t:
        _, _, stats = probe.read(t.proc.pid, '--bench', 20000)
        s = stats['stats']
        rate = s['code_cache_hits'] / max(1, s['code_cache_hits'] + s['code_cache_misses'])
        print('   %s: %.1f us per sample (mean of 20000), code cache hit rate %.5f, %d torn'
              % (py['label'], stats['us_per_sample'], rate, s['torn']), flush=True)
        if rate < 0.99:
            raise mwtest.Failure('code cache hit rate %.3f' % rate)


def embed_build(py, cc, workdir):
    """Builds a C host embedding py's libpython; returns (exe, env) or None if it has none."""
    q = ('import sysconfig, sys; v = sysconfig.get_config_var; '
         'print(v("Py_ENABLE_SHARED") or 0); print(sysconfig.get_paths()["include"]); '
         'print(v("LIBDIR")); print("python" + v("LDVERSION")); print(sys.base_prefix)')
    out = subprocess.run([py['exe'], '-c', q], capture_output=True, text=True, timeout=60)
    shared, inc, libdir, lib, prefix = out.stdout.split('\n')[:5]
    if shared.strip() != '1' or not os.path.exists(os.path.join(libdir, 'lib%s.so' % lib)):
        return None
    src = os.path.join(workdir, 'embed.c')
    with open(src, 'w') as f:
        f.write(EMBED_C)
    exe = os.path.join(workdir, 'embedhost-%d%d' % py['version'][:2])
    cmd = shlex.split(cc) + [src, '-o', exe, '-I' + inc, '-L' + libdir, '-l' + lib,
                             '-Wl,-rpath,' + libdir]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    if p.returncode != 0:
        raise mwtest.Failure('cannot build the embedding host: %s' % p.stderr[-500:])
    env = dict(os.environ, PYTHONHOME=prefix)
    return exe, env


def main():
    args = sys.argv[1:]
    if not args:
        print(__doc__)
        sys.exit(2)
    probe = Probe(os.path.abspath(args[0]))
    cc = 'cc'
    if '--cc' in args:
        cc = args[args.index('--cc') + 1]
    suite = mwtest.Suite('test_pyreader')
    pys = pythons.find()
    pythons.report(pys, sys.stdout)
    workdir = tempfile.mkdtemp(prefix='mwpyreader-')
    script = os.path.join(workdir, 'known_stack.py')
    with open(script, 'w') as f:
        f.write(SCRIPT)
    matrix = {}

    def run(fn, *a):
        """Runs one named check; returns 1 if it passed."""
        before = len(suite.failed)
        suite.run(fn, *a)
        ok = len(suite.failed) == before
        suite.passed += ok
        return ok

    def case(py, kind, fn, *a):
        ok = run(fn, *a)
        kinds = matrix.setdefault(py['label'], {})
        if kinds.get(kind) != 'skipped':
            kinds[kind] = 'ok' if ok else 'FAIL'

    if not pythons.system_python(pys):
        suite.check(False, "the distribution's python3 (outside pyenv) was not found")
    for py in pys:
        prefix = [py['exe']]

        def busy(s, py=py, prefix=prefix):
            run_busy(s, probe, py, prefix, script)

        def threads(s, py=py, prefix=prefix):
            run_threads(s, probe, py, prefix, script)
        busy.__name__ = 'busy_%s' % py['label'].replace(' ', '_')
        threads.__name__ = 'threads_%s' % py['label'].replace(' ', '_')
        case(py, 'busy', busy)
        case(py, 'threads', threads)

        def embedded(s, py=py):
            built = embed_build(py, cc, workdir)
            if not built:
                s.skip('embedded %s' % py['label'], 'no shared libpython')
                matrix.setdefault(py['label'], {})['embedded'] = 'skipped'
                return
            exe, env = built
            want = 'Py_Version' if py['version'] >= (3, 11) else 'library name'
            with Target([exe, script, 'busy'], env=env) as t:
                maps = open('/proc/%d/maps' % t.proc.pid).read()
                if 'libpython' not in maps or 'python' in os.path.basename(os.readlink('/proc/%d/exe' % t.proc.pid)):
                    raise mwtest.Failure('the host is not a non-python program mapping libpython')
            run_busy(s, probe, py, [exe], script, how_expected=want)
        embedded.__name__ = 'embedded_%s' % py['label'].replace(' ', '_')
        if py['source'] == 'pyenv':
            case(py, 'embedded', embedded)

    twelve = [p for p in pys if p['version'][:2] == (3, 12)]
    if twelve:
        def cost(s):
            measure(probe, twelve[0], script)
        run(cost)
    else:
        suite.skip('cost on 3.12', 'no CPython 3.12 found')

    def not_python(s):
        sleeper = subprocess.Popen(['sleep', '30'])
        try:
            time.sleep(0.1)
            rc, _, err = probe.run(sleeper.pid)
            if rc != 2 or err != 'pystack_probe: not a Python process':
                raise mwtest.Failure('sleep: exit %d, %r' % (rc, err))
        finally:
            mwtest.kill_quietly(sleeper)

    def unsupported(s):
        fake = os.path.join(workdir, 'python3.7')
        shutil.copy(shutil.which('sleep'), fake)
        p = subprocess.Popen([fake, '30'])
        try:
            time.sleep(0.1)
            rc, _, err = probe.run(p.pid)
            if rc != 3 or 'Python 3.7 is not supported (3.8–3.13 are)' not in err:
                raise mwtest.Failure('python3.7: exit %d, %r' % (rc, err))
        finally:
            mwtest.kill_quietly(p)

    def no_process(s):
        p = subprocess.Popen(['true'])
        p.wait()
        rc, _, err = probe.run(p.pid)
        if rc != 5 or 'no process with PID %d' % p.pid not in err:
            raise mwtest.Failure('gone pid: exit %d, %r' % (rc, err))

    def permission(s):
        setpriv = shutil.which('setpriv')
        if os.geteuid() != 0 or not setpriv:
            s.skip('permission denied', 'needs root and setpriv to read as another user')
            return
        exe = probe.exe
        ok = subprocess.run([setpriv, '--reuid=65534', '--regid=65534', '--clear-groups',
                             exe], capture_output=True, text=True)
        if ok.returncode == 126 or 'Permission denied' in ok.stderr:
            s.skip('permission denied', 'the probe is not executable by nobody here')
            return
        with Target([pys[0]['exe'], script, 'busy']) as t:
            rc, _, err = probe.run(t.proc.pid, user=[setpriv, '--reuid=65534', '--regid=65534',
                                                     '--clear-groups'])
            if rc != 4 or 'permission denied reading PID %d' % t.proc.pid not in err \
                    or 'CAP_SYS_PTRACE' not in err:
                raise mwtest.Failure('as nobody: exit %d, %r' % (rc, err))

    def replaced_interpreter(s):
        sysp = pythons.system_python(pys)
        if not sysp or os.geteuid() != 0:
            s.skip('replaced interpreter', 'needs root (/proc/PID/map_files) and the system python3')
            return
        copy = os.path.join(workdir, 'python%d.%d' % sysp['version'][:2])
        shutil.copy(os.path.realpath(sysp['exe']), copy)
        with Target([copy, script, 'busy']) as t:
            os.unlink(copy)                      # upgraded under the running process
            shutil.copy(shutil.which('sleep'), copy)
            head, stacks, _ = probe.read(t.proc.pid, '--count', 5)
            check_version(head, sysp)
            for st in good_samples(stacks, 'replaced'):
                assert_stack(frames_of(st), expected_main(sysp['version'], script, True), 'replaced')

    run(replaced_interpreter)
    run(not_python)
    run(unsupported)
    run(no_process)
    if pys:
        run(permission)

    print('\nversions covered:')
    for label, kinds in matrix.items():
        print('  %-22s %s' % (label, '  '.join('%s=%s' % kv for kv in kinds.items())))
    shutil.rmtree(workdir, ignore_errors=True)
    suite.done()


if __name__ == '__main__':
    main()

"""Helpers shared by memwatch's integration tests (Python drivers)."""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


class Failure(Exception):
    pass


class Suite:
    """Runs named checks, prints each result, and exits non-zero if any failed."""

    def __init__(self, name):
        self.name = name
        self.failed = []
        self.passed = 0
        self.skipped = []

    def check(self, cond, what):
        if cond:
            self.passed += 1
        else:
            self.failed.append(what)
            print('FAIL: ' + what, flush=True)

    def skip(self, what, why):
        self.skipped.append('%s (%s)' % (what, why))
        print('SKIPPED: %s: %s' % (what, why), flush=True)

    def run(self, fn, *args):
        shown = [str(a) for a in args if isinstance(a, (str, int, float))] + \
            [a['label'] for a in args if isinstance(a, dict) and 'label' in a]
        label = fn.__name__ + (('[' + ','.join(shown) + ']') if shown else '')
        t0 = time.time()
        try:
            fn(self, *args)
            print('ok   %-50s %.1fs' % (label, time.time() - t0), flush=True)
        except Failure as e:
            self.failed.append('%s: %s' % (label, e))
            print('FAIL %s: %s' % (label, e), flush=True)
        except Exception as e:  # a bug in the test or an unexpected crash
            self.failed.append('%s: %r' % (label, e))
            print('FAIL %s: %r' % (label, e), flush=True)

    def done(self):
        print('%s: %d checks passed, %d failed, %d skipped' % (
            self.name, self.passed, len(self.failed), len(self.skipped)))
        for s in self.skipped:
            print('  SKIPPED: ' + s)
        for f in self.failed:
            print('  FAILED: ' + f)
        sys.exit(1 if self.failed else 0)


class Env:
    """A private database directory and the memwatch binary."""

    def __init__(self, memwatch):
        self.memwatch = os.path.abspath(memwatch)
        self.dir = tempfile.mkdtemp(prefix='mwtest-')
        self.db = os.path.join(self.dir, 'test.db')

    def cleanup(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def cmd(self, *args, db=True):
        out = [self.memwatch]
        if db:
            out += ['--db', self.db]
        return out + list(args)

    def mw(self, *args, db=True, timeout=120, check=False, env=None, input=None):
        """Runs memwatch; returns CompletedProcess (text)."""
        p = subprocess.run(self.cmd(*args, db=db), capture_output=True, text=True, timeout=timeout,
                           env=env, input=input)
        if check and p.returncode != 0:
            raise Failure('memwatch %s exited %d: %s' % (' '.join(args), p.returncode, p.stderr.strip()))
        return p

    def sessions(self):
        p = self.mw('list', '--json', check=True)
        return json.loads(p.stdout)

    def report(self, *args):
        p = self.mw('report', *args, '--json', check=True)
        return json.loads(p.stdout)

    def script(self, name, text):
        path = os.path.join(self.dir, name)
        with open(path, 'w') as f:
            f.write(text)
        return path


def wait_for(pred, timeout=10.0, step=0.02):
    end = time.time() + timeout
    while time.time() < end:
        v = pred()
        if v:
            return v
        time.sleep(step)
    return pred()


def kill_quietly(proc):
    if proc and proc.poll() is None:
        try:
            proc.send_signal(signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()

"""pyfind's in-memory ELF parser against the real files of every CPython found.

For each interpreter pythons.py finds (Debian's python3 is required), a sleeping CPython is
started and pyfind_elf_check reads the ELF that holds its _PyRuntime (libpython3.X.so for
shared builds, the executable for static ones) both through pyfind_locate (a file
descriptor) and from a copy in memory: the results must match and point at the real
objects; truncated, scribbled and garbage copies must be rejected cleanly.

usage: test_pyfind_elf.py PYFIND_ELF_CHECK
"""
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mwtest  # noqa: E402
import pythons  # noqa: E402

SLEEPER = "import sys, time; print('ready', flush=True); time.sleep(600)"


def check_one(s, tool, py):
    proc = subprocess.Popen([py['exe'], '-c', SLEEPER], stdout=subprocess.PIPE, text=True)
    try:
        if proc.stdout.readline().strip() != 'ready':
            raise mwtest.Failure('%s did not start' % py['exe'])
        major, minor = py['version'][:2]
        out = subprocess.run([tool, str(proc.pid), str(major), str(minor)],
                             capture_output=True, text=True, timeout=120)
        print(out.stdout.rstrip())
        if out.returncode != 0:
            raise mwtest.Failure('pyfind_elf_check exited %d: %s' % (out.returncode,
                                                                     out.stderr.strip()))
        if 'checks, 0 failed' not in out.stdout:
            raise mwtest.Failure('no tally in: %r' % out.stdout)
        first = out.stdout.splitlines()[0]
        # a shared build keeps _PyRuntime in libpython, a static one in the executable
        shared = any('libpython' in line for line in open('/proc/%d/maps' % proc.pid))
        want = 'libpython' if shared else 'executable'
        s.check('(%s,' % want in first, '%s: the ELF read is the %s: %r' % (py['label'], want, first))
    finally:
        mwtest.kill_quietly(proc)


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        sys.exit(2)
    tool = os.path.abspath(sys.argv[1])
    suite = mwtest.Suite('test_pyfind_elf')
    pys = pythons.find()
    pythons.report(pys, sys.stdout)
    if not pythons.system_python(pys):
        suite.check(False, "the distribution's python3 (outside pyenv) was not found")
    suite.check(len(pys) > 0, 'at least one CPython found')
    for py in pys:
        def one(s, py=py):
            check_one(s, tool, py)
        one.__name__ = 'elf_%s' % py['label'].replace(' ', '_')
        suite.run(one)
    print('versions covered: ' + (', '.join(p['label'] for p in pys) or 'none'))
    suite.done()


if __name__ == '__main__':
    main()

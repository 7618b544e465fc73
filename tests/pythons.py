"""Find every CPython 3.8+ this machine has, at test time.

Looks in pyenv's versions folder (PYENV_ROOT, else `pyenv root`, else
~/.pyenv) and on PATH (python3, python3.N), and reports Debian's own
python3 (the one under /usr/bin, outside pyenv) separately so tests can
insist on it.
"""
import os
import shutil
import subprocess
import sys

MIN = (3, 8)


def _version(exe):
    try:
        out = subprocess.run([exe, '-c', 'import sys; print("%d.%d.%d" % sys.version_info[:3])'],
                             capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if out.returncode != 0:
        return None
    parts = out.stdout.strip().split('.')
    try:
        return tuple(int(p) for p in parts)
    except ValueError:
        return None


def _pyenv_root():
    root = os.environ.get('PYENV_ROOT')
    if root and os.path.isdir(root):
        return root
    exe = shutil.which('pyenv')
    if exe:
        try:
            out = subprocess.run([exe, 'root'], capture_output=True, text=True, timeout=20)
            if out.returncode == 0 and os.path.isdir(out.stdout.strip()):
                return out.stdout.strip()
        except (OSError, subprocess.TimeoutExpired):
            pass
    home = os.path.expanduser('~/.pyenv')
    return home if os.path.isdir(home) else None


def _real(exe):
    """Resolve pyenv shims to nothing: a shim is a shell script, not an interpreter."""
    path = os.path.realpath(exe)
    if '/shims/' in path:
        return None
    return path


def find(min_version=MIN, max_version=(99,)):
    """Returns a list of dicts: {exe, version (tuple), label, source, prefix}
    for every CPython with min_version <= version < max_version."""
    found = {}
    root = _pyenv_root()
    if root:
        vdir = os.path.join(root, 'versions')
        for name in sorted(os.listdir(vdir)) if os.path.isdir(vdir) else []:
            bindir = os.path.join(vdir, name, 'bin')
            for cand in ('python3', 'python'):
                exe = os.path.join(bindir, cand)
                if os.access(exe, os.X_OK):
                    v = _version(exe)
                    if v and min_version <= v < max_version:
                        found[os.path.realpath(exe)] = dict(exe=exe, version=v, source='pyenv',
                                                            prefix=os.path.join(vdir, name))
                    break
    path_dirs = [d for d in os.environ.get('PATH', '').split(os.pathsep) if d and '/shims' not in d]
    for d in path_dirs:
        for cand in ['python3'] + ['python3.%d' % n for n in range(8, 20)]:
            exe = os.path.join(d, cand)
            if not os.access(exe, os.X_OK):
                continue
            real = _real(exe)
            if not real or real in found:
                continue
            v = _version(exe)
            if v and min_version <= v < max_version:
                src = 'system' if not (root and real.startswith(os.path.realpath(root))) else 'pyenv'
                found[real] = dict(exe=exe, version=v, source=src, prefix=None)
    out = []
    for real, info in found.items():
        info['label'] = '%d.%d.%d (%s)' % (info['version'] + (info['source'],))
        out.append(info)
    # one interpreter per (version, source)
    seen, uniq = set(), []
    for info in sorted(out, key=lambda i: (i['version'], i['source'])):
        key = (info['version'], info['source'])
        if key not in seen:
            seen.add(key)
            uniq.append(info)
    return uniq


def system_python(pythons):
    """The distribution's python3 (outside pyenv), or None."""
    for info in pythons:
        if info['source'] == 'system':
            return info
    return None


def report(pythons, file=sys.stderr):
    print('CPythons found: ' + (', '.join(p['label'] for p in pythons) or 'none'), file=file)


if __name__ == '__main__':
    ps = find()
    report(ps, sys.stdout)
    for p in ps:
        print(p['exe'])

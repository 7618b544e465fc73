#!/usr/bin/env python3
"""The bash completion script: subcommands, each subcommand's options, option
values (formats, --what), files after -o, session ids read from the database
named with --db, and the profiled command after `run --`.

Usage: test_completion.py BASH COMPLETION_SCRIPT MEMWATCH
"""
import os
import shlex
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mwtest  # noqa: E402
import pythons  # noqa: E402

BASH = SCRIPT = None


def complete(words, env=None):
    """COMPREPLY for the command line `words` (the last word is the one being completed)."""
    prog = 'source %s\nCOMP_WORDS=(%s)\nCOMP_CWORD=%d\n_memwatch\nprintf "%%s\\n" "${COMPREPLY[@]}"\n' % (
        shlex.quote(SCRIPT), ' '.join(shlex.quote(w) for w in words), len(words) - 1)
    p = subprocess.run([BASH, '--norc', '--noprofile', '-c', prog], capture_output=True, text=True, timeout=30,
                       env=env)
    if p.returncode != 0:
        raise mwtest.Failure('bash failed on %r: %s' % (words, p.stderr))
    return [w for w in p.stdout.splitlines() if w]


def test_words(s, env):
    mw = env.memwatch
    got = complete([mw, ''])
    s.check(set(got) == {'run', 'attach', 'list', 'report', 'export', 'plot', 'diff'}, 'subcommands: %r' % got)
    s.check(complete([mw, 'ex']) == ['export'], 'a prefix completes to its subcommand')
    s.check(complete([mw, 'pl']) == ['plot'], 'plot')
    got = complete([mw, 'export', '--format', ''])
    s.check(got == ['mprof', 'speedscope', 'collapsed', 'chrome', 'csv', 'json'], 'export formats: %r' % got)
    s.check(complete([mw, 'export', '-f', 'sp']) == ['speedscope'], '-f takes a format too')
    s.check('lines' in complete([mw, 'export', '--what', '']), '--what values')
    for sub, opts in (('export', {'--format', '--output', '--from', '--to', '--children', '--what', '--db'}),
                      ('plot', {'--output', '--width', '--height', '--children', '--top', '--from', '--to'}),
                      ('diff', {'--functions', '--json', '--top', '--lines'}),
                      ('report', {'--lines', '--functions', '--timeline', '--json', '--top'}),
                      ('run', {'--interval', '--rate', '--sampling', '--no-children', '--'})):
        got = set(complete([mw, sub, '--']))
        s.check(opts <= got, '%s options: missing %r' % (sub, sorted(opts - got)))
    s.check(complete([mw, 'run', '--sampling', 'f']) == ['faults'], '--sampling values')
    # files after -o and --db
    open(os.path.join(env.dir, 'chart-one.png'), 'w').close()
    got = complete([mw, 'plot', '-o', os.path.join(env.dir, 'chart-')])
    s.check(got == [os.path.join(env.dir, 'chart-one.png')], '-o completes files: %r' % got)
    # after `run --`: the command, then its files
    got = complete([mw, 'run', '--', os.path.join(env.dir, 'chart')])
    s.check(got == [], 'a non-executable is not offered as the command: %r' % got)
    got = complete([mw, 'run', '--', 'python3', os.path.join(env.dir, 'chart-')])
    s.check(got == [os.path.join(env.dir, 'chart-one.png')], 'then the command\'s files: %r' % got)


def test_sessions(s, env, py):
    mw = env.memwatch
    s.check(complete([mw, '--db', env.db, 'report', '']) == [], 'no database: no ids (and no error)')
    for _ in range(2):
        env.mw('run', '--quiet', '--', py, '-c', 'pass', check=True)
    ids = [str(x['id']) for x in env.sessions()]
    s.check(len(ids) == 2, 'two sessions recorded')
    for words in (['--db', env.db, 'report', ''], ['export', '--db', env.db, ''], ['plot', '--db=' + env.db, ''],
                  ['diff', '--db', env.db, ids[0], '']):
        got = complete([mw] + words)
        s.check(got == ids, '%s offers the session ids: %r' % (' '.join(words), got))
    got = complete([mw, 'report', ''], env=dict(os.environ, MEMWATCH_DB=env.db))
    s.check(got == ids, 'ids from $MEMWATCH_DB without --db: %r' % got)


def main():
    global BASH, SCRIPT
    BASH, SCRIPT, memwatch = sys.argv[1], os.path.abspath(sys.argv[2]), sys.argv[3]
    found = pythons.find()
    s = mwtest.Suite('test_completion')
    env = mwtest.Env(memwatch)
    try:
        s.run(test_words, env)
        if found:
            s.run(test_sessions, env, found[0]['exe'])
        else:
            s.skip('session ids', 'no CPython 3.8+ found to record a session')
    finally:
        env.cleanup()
    s.done()


if __name__ == '__main__':
    main()

#!/usr/bin/env python3
"""`memwatch list` and `memwatch report` on sessions recorded from a real Python:
tables, JSON keys and values, ranges, children under their parent, cut-short
sessions, and the exit statuses of the mistakes a user can make.

Usage: test_report_cli.py MEMWATCH
"""
import json
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mwtest  # noqa: E402
import pythons  # noqa: E402

USAGE, DB, NOSESSION = 2, 5, 7
PY = None

# Line numbers below are checked against the report: keep them where they are.
GROW = '''import time, subprocess, sys
def build():
    time.sleep(0.3)
    blob = bytearray(120 * 1024 * 1024)
    time.sleep(0.6)
    return blob
def main():
    keep = build()
    time.sleep(0.4)
    del keep
    time.sleep(0.4)
    subprocess.run([sys.executable, "-c", "import time; x = bytearray(30 << 20); time.sleep(0.8)"])
main()
'''
GROW_LINE = 4       # the bytearray
GROW_FUNC = 'build'
SHRINK_LINE = 10    # del keep

LIST_KEYS = {'id', 'parent', 'pid', 'command', 'exe', 'python', 'start', 'end', 'duration_s', 'exit_code',
             'peak_rss_bytes', 'status', 'interval_s', 'samples', 'leak'}
ROW_KEYS = {'file', 'line', 'function', 'growth_bytes', 'shrink_bytes', 'net_bytes', 'hits', 'peak_rss_bytes'}
TIMELINE_KEYS = {'t', 'time', 'rss_bytes', 'uss_bytes', 'pss_bytes', 'swap_bytes', 'rss_peak_bytes', 'ticks'}


def test_empty(s, env):
    p = env.mw('list')
    s.check(p.returncode == 0, 'list on no database exits 0 (%d)' % p.returncode)
    s.check('no sessions recorded yet' in p.stdout and 'memwatch run' in p.stdout,
            'list says how to record a session: %r' % p.stdout)
    s.check(not os.path.exists(env.db), 'list does not create the database')
    p = env.mw('list', '--json')
    s.check(p.returncode == 0 and json.loads(p.stdout) == [], 'list --json on nothing is []')
    p = env.mw('report')
    lines = p.stderr.strip().splitlines()
    s.check(p.returncode == NOSESSION, 'report with nothing recorded exits %d (%d)' % (NOSESSION, p.returncode))
    s.check(len(lines) == 1 and lines[0].startswith('memwatch: ') and 'no sessions' in lines[0],
            'report with nothing recorded: one line: %r' % p.stderr)
    # an empty (0-byte) database file is a database with nothing in it
    open(env.db, 'w').close()
    p = env.mw('list')
    s.check(p.returncode == 0 and 'no sessions recorded yet' in p.stdout, 'list on a 0-byte file: %r' % p.stdout)


def record(s, env):
    script = env.script('grow.py', GROW)
    p = env.mw('run', '--quiet', '--interval', '0.05', '--', PY, script, timeout=120)
    if p.returncode != 0:
        raise mwtest.Failure('run exited %d: %s' % (p.returncode, p.stderr))
    return script


def test_report(s, env):
    script = record(s, env)
    sessions = env.sessions()
    s.check(len(sessions) == 2, 'a root and a child session (%d)' % len(sessions))
    root = next(x for x in sessions if x['parent'] is None)
    child = [x for x in sessions if x['parent'] == root['id']]
    s.check(all(set(x) == LIST_KEYS for x in sessions), 'list --json keys: %r' % sorted(sessions[0]))
    s.check(all(x['leak'] is None for x in sessions), 'list --json: no leak flag outside the daemon')
    s.check(root['status'] == 'ended' and root['exit_code'] == 0, 'root ended with exit 0: %r' % root)
    s.check(root['peak_rss_bytes'] >= 120 << 20, 'root peak >= 120 MiB (%r)' % root['peak_rss_bytes'])
    s.check(root['samples'] >= 10 and root['interval_s'] == 0.05, 'samples and interval: %r' % root)
    s.check(abs(root['duration_s'] - (root['end'] - root['start'])) < 1e-3, 'duration = end - start')
    s.check(root['python'] and root['python'].count('.') == 2, 'python version listed: %r' % root['python'])
    s.check(len(child) == 1, 'the child is linked to its parent')

    # human list: the child right under its parent, indented
    p = env.mw('list', check=True)
    rows = p.stdout.splitlines()
    s.check(rows[0].split()[:3] == ['ID', 'PID', 'START'], 'list header: %r' % rows[0])
    s.check(len(rows) == 3 and rows[1].split()[0] == str(root['id']) and '\u2514 ' in rows[2],
            'child listed indented under its parent: %r' % rows)
    s.check('ended' in rows[1] and 'MiB' in rows[1], 'status and peak shown: %r' % rows[1])

    # lines, JSON: the allocation line leads, with its source text; the del line shrinks
    lines = env.report('--lines')
    s.check(all(set(r) == ROW_KEYS | {'text'} for r in lines), 'line row keys: %r' % (lines[:1],))
    top = lines[0] if lines else {}
    s.check(top.get('file') == script and top.get('line') == GROW_LINE and top.get('function') == GROW_FUNC,
            'top line by growth is %s:%d (got %r)' % (script, GROW_LINE, top))
    s.check(top.get('growth_bytes', 0) >= 100 << 20, 'it grew >= 100 MiB (%r)' % top.get('growth_bytes'))
    s.check('bytearray(120' in (top.get('text') or ''), 'its source text is kept: %r' % top.get('text'))
    s.check(all(r['net_bytes'] == r['growth_bytes'] - r['shrink_bytes'] for r in lines), 'net = growth - shrink')
    s.check([r['growth_bytes'] for r in lines] == sorted((r['growth_bytes'] for r in lines), reverse=True),
            'rows ordered by growth')
    shrink = [r for r in lines if r['file'] == script and r['line'] == SHRINK_LINE]
    s.check(shrink and shrink[0]['shrink_bytes'] >= 100 << 20, 'del line shrank >= 100 MiB: %r' % shrink)
    s.check(len(env.report('--top', '1')) == 1, '--top 1 gives one row')

    # functions
    funcs = env.report('--functions')
    s.check(all(set(r) == ROW_KEYS for r in funcs), 'function row keys')
    b = [r for r in funcs if r['function'] == GROW_FUNC]
    s.check(b and b[0]['line'] == 2 and b[0]['growth_bytes'] >= 100 << 20, 'build() at its def line grew: %r' % b)

    # timeline and ranges
    tl = env.report('--timeline')
    s.check(tl and all(set(r) == TIMELINE_KEYS for r in tl), 'timeline keys')
    s.check(all(tl[i]['t'] <= tl[i + 1]['t'] for i in range(len(tl) - 1)), 'timeline in time order')
    s.check(max(r['rss_bytes'] for r in tl) >= 120 << 20, 'timeline shows the 120 MiB')
    part = env.report('--timeline', '--from', '0.5', '--to', '1')
    s.check(part and all(0.5 <= r['t'] <= 1.0 for r in part) and len(part) < len(tl),
            '--from/--to restricts the timeline (%d of %d rows)' % (len(part), len(tl)))
    early = env.report('--lines', '--to', '0.2')
    s.check(all(r['line'] != GROW_LINE or r['growth_bytes'] < 100 << 20 for r in early),
            'before the allocation, its line has not grown')
    cid = str(child[0]['id']) if child else '0'
    ctl = env.report(cid, '--timeline')
    s.check(ctl and max(r['rss_bytes'] for r in ctl) >= 30 << 20, "the child's own timeline")

    # the text report
    p = env.mw('report', check=True)
    out = p.stdout
    s.check('Figures are sampled' in out, 'the report says the figures are sampled')
    s.check('File: ' + script in out and 'Line #' in out, 'grouped per file, memory_profiler style')
    row = [ln for ln in out.splitlines() if ln.split()[:1] == [str(GROW_LINE)]]
    s.check(row and 'bytearray(120 * 1024 * 1024)' in row[0] and 'MiB' in row[0], 'line row with text: %r' % row)
    p = env.mw('report', '--functions', check=True)
    s.check('build (' + script + ':2)' in p.stdout, 'function report names build()')
    p = env.mw('report', '--timeline', check=True)
    s.check('RSS' in p.stdout and 'USS' in p.stdout and 'PSS' in p.stdout, 'timeline table')

    # mistakes
    for args, want, words in ((['report', '999'], NOSESSION, 'no session 999'),
                              (['report', 'abc'], USAGE, 'not a session id'),
                              (['report', '--lines', '--timeline'], USAGE, 'choose one'),
                              (['report', '--from', '5', '--to', '1'], USAGE, '--from is after --to'),
                              (['report', '--top', '0'], USAGE, '--top'),
                              (['report', '--from', 'soon'], USAGE, '--from'),
                              (['list', '--frob'], USAGE, 'unknown option')):
        p = env.mw(*args)
        lines = p.stderr.strip().splitlines()
        s.check(p.returncode == want and len(lines) == 1 and words in lines[0],
                '%s: exit %d (wanted %d), %r' % (' '.join(args), p.returncode, want, p.stderr))


def test_cut(s, env):
    script = env.script('slow.py', 'import time\nx = bytearray(20 << 20)\ntime.sleep(30)\n')
    p = subprocess.Popen(env.cmd('run', '--quiet', '--interval', '0.05', '--', PY, script))
    try:
        ok = mwtest.wait_for(lambda: os.path.exists(env.db) and env.sessions() and
                             env.sessions()[0]['samples'] >= 5, timeout=20)
        s.check(bool(ok), 'the session records')
        live = env.sessions()[0]
        s.check(live['status'] == 'live' and live['end'] is None, 'a recording session reads live: %r' % live)
        p.send_signal(signal.SIGKILL)
        p.wait()
    finally:
        mwtest.kill_quietly(p)
        # the target outlives its collector: end it by the pid the session recorded
        target = env.sessions()[0]['pid'] if os.path.exists(env.db) and env.sessions() else 0
        if target:
            try:
                os.kill(target, signal.SIGKILL)
            except ProcessLookupError:
                pass
    ses = env.sessions()[0]
    s.check(ses['status'] == 'cut' and ses['end'] is not None and ses['end'] >= ses['start'],
            'killed collector: session cut short at its last sample: %r' % ses)
    out = env.mw('list', check=True).stdout
    s.check('cut short' in out, 'list shows "cut short": %r' % out)
    before = os.path.getmtime(env.db)
    time.sleep(0.05)
    env.mw('report', '--timeline', check=True)
    s.check(os.path.getmtime(env.db) == before, 'a reader does not write the database')


def main():
    global PY
    memwatch = sys.argv[1]
    found = pythons.find()
    if not found:
        print('test_report_cli: SKIPPED: no CPython 3.8+ found')
        sys.exit(77)
    # reports read only the database: one interpreter is enough; the newest one found
    chosen = max(found, key=lambda f: f['version'])
    PY = chosen['exe']
    print('test_report_cli: recording with %s (%s); other interpreters not needed here: %s' % (
        chosen['label'], PY, ', '.join(f['label'] for f in found if f is not chosen) or 'none'))
    s = mwtest.Suite('test_report_cli')
    for fn in (test_empty, test_report, test_cut):
        env = mwtest.Env(memwatch)
        try:
            s.run(fn, env)
        finally:
            env.cleanup()
    s.done()


if __name__ == '__main__':
    main()

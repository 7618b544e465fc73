#!/usr/bin/env python3
"""`memwatch diff` on sessions recorded from a real Python: a session against
itself is all zeros; a leaking run against a fixed run of the same script
names the leaking line first, per line and per function, in text and JSON;
mistakes exit with one line.

Usage: test_diff.py MEMWATCH
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mwtest  # noqa: E402
import pythons  # noqa: E402

USAGE, NOSESSION = 2, 7
PY = None

# Run with "leak": every block of small strings built at line 6 is kept; with "fixed": each one is dropped.
SCRIPT = '''import sys, time
cache = []
def work(leak):
    time.sleep(0.2)
    for i in range(30):
        block = [str(j) * 20 for j in range(40000)]
        if leak:
            cache.append(block)
        time.sleep(0.02)
work(sys.argv[1] == "leak")
time.sleep(0.2)
'''
LEAK_LINE = 6
ROW_KEYS = {'file', 'line', 'function', 'growth_a_bytes', 'growth_b_bytes', 'growth_diff_bytes', 'net_a_bytes',
            'net_b_bytes', 'in_a', 'in_b'}


def run(env, script, mode):
    p = env.mw('run', '--quiet', '--interval', '0.05', '--', PY, script, mode, timeout=120)
    if p.returncode != 0:
        raise mwtest.Failure('run %s exited %d: %s' % (mode, p.returncode, p.stderr))
    return max(x['id'] for x in env.sessions())


def diff(env, *args):
    p = env.mw('diff', *args, '--json', check=True)
    return json.loads(p.stdout)


def test_diff(s, env):
    script = env.script('leaky.py', SCRIPT)
    fixed = run(env, script, 'fixed')
    leak = run(env, script, 'leak')

    same = diff(env, str(leak), str(leak))
    s.check(same['rows'] and all(r['growth_diff_bytes'] == 0 and r['growth_a_bytes'] == r['growth_b_bytes']
                                 for r in same['rows']), 'a session against itself: all zeros')
    s.check(all(set(r) == ROW_KEYS | {'text'} for r in same['rows']), 'row keys: %r' % same['rows'][:1])
    same_f = diff(env, str(leak), str(leak), '--functions')
    s.check(same_f['by'] == 'functions' and all(r['growth_diff_bytes'] == 0 for r in same_f['rows']),
            'per function too')
    p = env.mw('diff', str(leak), str(leak), check=True)
    figures = {ln[24:36].strip() for ln in p.stdout.splitlines()[5:] if ln.strip()}
    s.check(figures == {'0 B'}, 'the text shows 0 B differences: %r' % figures)

    d = diff(env, str(fixed), str(leak))
    s.check(d['a']['id'] == fixed and d['b']['id'] == leak, 'A and B named')
    top = d['rows'][0]
    s.check(top['file'] == script and top['line'] == LEAK_LINE,
            'the leaking line %s:%d comes first: %r' % (script, LEAK_LINE, top))
    s.check(top['growth_diff_bytes'] >= 60 << 20 and top['growth_b_bytes'] >= 5 * max(top['growth_a_bytes'], 1 << 20),
            'it grew far more in the leaking run (%d vs %d)' % (top['growth_b_bytes'], top['growth_a_bytes']))
    s.check('str(j) * 20' in (top['text'] or ''), 'with its source text: %r' % top['text'])
    diffs = [abs(r['growth_diff_bytes']) for r in d['rows']]
    s.check(diffs == sorted(diffs, reverse=True), 'rows sorted by |difference|')
    s.check(all(r['growth_diff_bytes'] == r['growth_b_bytes'] - r['growth_a_bytes'] for r in d['rows']), 'diff = B - A')
    rev = diff(env, str(leak), str(fixed), '--top', '1')
    s.check(len(rev['rows']) == 1 and rev['rows'][0]['line'] == LEAK_LINE and
            rev['rows'][0]['growth_diff_bytes'] == -top['growth_diff_bytes'], 'swapped: the same line, negative')
    fn = diff(env, str(fixed), str(leak), '--functions')
    s.check(fn['rows'][0]['function'] == 'work' and fn['rows'][0]['line'] == 3 and
            fn['rows'][0]['growth_diff_bytes'] >= 60 << 20, 'per function: work() first: %r' % fn['rows'][:1])
    p = env.mw('diff', str(fixed), str(leak), '--top', '3', check=True)
    rows = [ln for ln in p.stdout.splitlines()[5:] if ln.strip()]
    s.check(len(rows) == 3 and ('%s:%d' % (script, LEAK_LINE)) in rows[0] and '+' in rows[0] and 'MiB' in rows[0],
            'text: the leaking line first, +N MiB: %r' % rows[:1])

    for args, want, words in ((['diff', str(leak)], USAGE, 'two sessions'),
                              (['diff', str(leak), 'x'], USAGE, 'not a session id'),
                              (['diff', str(leak), '999'], NOSESSION, 'no session 999'),
                              (['diff', '1', '2', '--frob'], USAGE, 'unknown option')):
        p = env.mw(*args)
        lines = p.stderr.strip().splitlines()
        s.check(p.returncode == want and len(lines) == 1 and words in lines[0],
                '%s: exit %d (wanted %d), %r' % (' '.join(args), p.returncode, want, p.stderr))


def main():
    global PY
    memwatch = sys.argv[1]
    found = pythons.find()
    if not found:
        print('test_diff: SKIPPED: no CPython 3.8+ found')
        sys.exit(77)
    chosen = max(found, key=lambda f: f['version'])
    PY = chosen['exe']
    print('test_diff: recording with %s (%s); diff reads only the database' % (chosen['label'], PY))
    s = mwtest.Suite('test_diff')
    env = mwtest.Env(memwatch)
    try:
        s.run(test_diff, env)
    finally:
        env.cleanup()
    s.done()


if __name__ == '__main__':
    main()

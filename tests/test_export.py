#!/usr/bin/env python3
"""`memwatch export` on a session recorded from a real Python (with a child
process): memory_profiler's .dat drawn by mprof itself, a speedscope file
checked against speedscope's published schema, collapsed stacks that parse
and add up to the report's growth, Chrome trace counters, CSV and JSON that
match the report, ranges, --children, -o, and the mistakes a user can make.

Usage: test_export.py MEMWATCH [--npm-dir DIR]
"""
import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mwtest  # noqa: E402
import pythons  # noqa: E402

USAGE, ERROR, NOSESSION = 2, 1, 7
PY = None
NPM_DIR = None

# Line numbers below are checked: keep them where they are.
GROW = '''import time, subprocess, sys
def build():
    time.sleep(0.4)
    blob = bytearray(100 * 1024 * 1024)
    time.sleep(0.5)
    return blob
def main():
    keep = build()
    subprocess.run([sys.executable, "-c", "import time; x = bytearray(40 << 20); time.sleep(0.6)"])
    del keep
    time.sleep(0.3)
main()
'''
GROW_LINE = 4
COLLAPSED_LINE = re.compile(r'^([^;\n]+(?:;[^;\n]+)*) (\d+)$')
FRAME = re.compile(r'^(.*) \((.*?)(?::(\d+))?\)$')


def record(env):
    script = env.script('grow.py', GROW)
    p = env.mw('run', '--quiet', '--interval', '0.05', '--', PY, script, timeout=120)
    if p.returncode != 0:
        raise mwtest.Failure('run exited %d: %s' % (p.returncode, p.stderr))
    sessions = env.sessions()
    root = next(x for x in sessions if x['parent'] is None)
    child = [x for x in sessions if x['parent'] == root['id']]
    if len(child) != 1:
        raise mwtest.Failure('expected one child session: %r' % sessions)
    return script, root, child[0]


def export(env, *args, check=True):
    p = env.mw('export', *args)
    if check and p.returncode != 0:
        raise mwtest.Failure('export %s exited %d: %s' % (' '.join(args), p.returncode, p.stderr))
    return p


def total_growth(env, sid):
    return sum(r['growth_bytes'] for r in env.report(str(sid), '--lines'))


def find_mprof():
    for name in ('python3-mprof', 'mprof'):
        exe = shutil.which(name)
        if exe:
            return exe
    return None


def test_mprof(s, env, fx):
    script, root, child = fx
    dat = os.path.join(env.dir, 'run.dat')
    p = export(env, '--format', 'mprof', '-o', dat)
    s.check(p.stdout == '', '-o writes nothing to stdout')
    lines = open(dat).read().splitlines()
    s.check(lines[0] == 'CMDLINE ' + root['command'], 'first line is CMDLINE: %r' % lines[0])
    mem = [ln.split() for ln in lines[1:]]
    s.check(all(m[0] == 'MEM' and len(m) == 3 for m in mem), 'then MEM <MiB> <time> lines only')
    tl = env.report(str(root['id']), '--timeline')
    s.check(len(mem) == len(tl), 'one MEM line per timeline row (%d, %d)' % (len(mem), len(tl)))
    s.check(all(abs(float(m[1]) - r['rss_bytes'] / 1048576) < 1e-5 and abs(float(m[2]) - r['time']) < 1e-3
                for m, r in zip(mem, tl)), 'MEM figures are RSS in MiB at the sample times')
    s.check(max(float(m[1]) for m in mem) >= 100, 'the 100 MiB shows in MiB')
    # children: CHLD <pid> <MiB> <time>
    p = export(env, '--format', 'mprof', '--children')
    chld = [ln.split() for ln in p.stdout.splitlines() if ln.startswith('CHLD ')]
    s.check(chld and all(c[1] == str(child['pid']) and len(c) == 4 for c in chld),
            'CHLD lines carry the child pid: %r' % chld[:2])
    s.check(max(float(c[2]) for c in chld) >= 40, "the child's 40 MiB shows")
    # a range keeps only its rows
    p = export(env, '--format', 'mprof', '--from', '0.5', '--to', '1')
    part = [ln.split() for ln in p.stdout.splitlines()[1:]]
    s.check(part and len(part) < len(mem) and all(root['start'] + 0.5 - 1e-3 <= float(m[2]) <= root['start'] + 1 + 1e-3
                                                  for m in part), '--from/--to restricts the rows')

    mprof = find_mprof()
    if not mprof:
        s.skip('mprof plot', 'neither python3-mprof nor mprof is installed (Debian: python3-memory-profiler)')
        return
    for args, name in (([], 'run.dat'), (['--children'], 'kids.dat')):
        path = os.path.join(env.dir, name)
        export(env, '--format', 'mprof', '-o', path, *args)
        png = path + '.png'
        q = subprocess.run([mprof, 'plot', path, '-o', png], capture_output=True, text=True, timeout=120,
                           env=dict(os.environ, MPLBACKEND='Agg'))
        if 'matplotlib' in q.stderr and 'No module' in q.stderr:
            s.skip('mprof plot', 'mprof needs matplotlib (Debian: python3-matplotlib)')
            return
        s.check(q.returncode == 0, '%s plot %s exits 0: %s' % (os.path.basename(mprof), name, q.stderr[-500:]))
        ok = os.path.exists(png) and open(png, 'rb').read(8) == b'\x89PNG\r\n\x1a\n'
        s.check(ok, 'mprof drew %s into a PNG' % name)
    print('  mprof plot (%s) drew the export' % mprof)


def npm_tools():
    """Installs speedscope (for its schema) and ajv with npm into NPM_DIR. Returns (node, schema) or a reason."""
    node, npm = shutil.which('node'), shutil.which('npm')
    if not node or not npm:
        return None, 'node and npm are not installed'
    if not NPM_DIR:
        return None, 'no --npm-dir given'
    mods = os.path.join(NPM_DIR, 'node_modules')
    schema = os.path.join(mods, 'speedscope', 'dist', 'release', 'file-format-schema.json')
    if not (os.path.exists(schema) and os.path.isdir(os.path.join(mods, 'ajv'))):
        os.makedirs(NPM_DIR, exist_ok=True)
        try:
            q = subprocess.run([npm, 'install', '--prefix', NPM_DIR, '--no-audit', '--no-fund', '--loglevel=error',
                                'speedscope@1', 'ajv@8'], capture_output=True, text=True, timeout=300)
        except subprocess.TimeoutExpired:
            return None, 'npm install timed out'
        if q.returncode != 0:
            return None, 'npm install failed: %s' % q.stderr.strip()[-300:]
    if not os.path.exists(schema):
        return None, 'the speedscope package has no %s' % schema
    return (node, schema), None


VALIDATE = r'''
const Ajv = require('ajv');
const fs = require('fs');
const schema = JSON.parse(fs.readFileSync(process.argv[1], 'utf8'));
const data = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const ajv = new Ajv({strict: false, allErrors: true});
const ok = ajv.validate(schema, data);
if (!ok) { console.log(JSON.stringify(ajv.errors.slice(0, 5))); process.exit(1); }
console.log('valid');
'''


def test_speedscope(s, env, fx):
    script, root, child = fx
    path = os.path.join(env.dir, 'run.speedscope.json')
    export(env, '--format', 'speedscope', '-o', path)
    doc = json.load(open(path))
    s.check(doc.get('$schema') == 'https://www.speedscope.app/file-format-schema.json', '$schema')
    frames = doc['shared']['frames']
    prof = doc['profiles']
    s.check(len(prof) == 1 and prof[0]['type'] == 'sampled' and prof[0]['unit'] == 'bytes', 'one sampled profile in bytes')
    p0 = prof[0]
    s.check(len(p0['samples']) == len(p0['weights']) and p0['weights'], 'a weight per sample')
    s.check(all(0 <= i < len(frames) for smp in p0['samples'] for i in smp), 'samples index shared frames')
    s.check(all(w > 0 and w == int(w) for w in p0['weights']), 'weights are growth in bytes (> 0)')
    s.check(sum(p0['weights']) == total_growth(env, root['id']) == p0['endValue'],
            'weights add up to the report growth (%d vs %d)' % (sum(p0['weights']), total_growth(env, root['id'])))
    keys = [(f['name'], f.get('file'), f.get('line')) for f in frames]
    s.check(len(set(keys)) == len(keys), 'frames are shared (no duplicates)')
    heavy = max(range(len(p0['weights'])), key=lambda k: p0['weights'][k])
    leaf = frames[p0['samples'][heavy][-1]]
    s.check(leaf.get('file') == script and leaf.get('line') == GROW_LINE and leaf['name'] == 'build',
            'the heaviest stack ends at build() %s:%d: %r' % (script, GROW_LINE, leaf))
    s.check(frames[p0['samples'][heavy][0]]['name'] == '<module>', 'stacks start outermost: %r' %
            frames[p0['samples'][heavy][0]])
    p = export(env, '--format', 'speedscope', '--children')
    kids = json.loads(p.stdout)
    s.check(len(kids['profiles']) == 2, 'with --children: a profile per process')

    tools, why = npm_tools()
    if not tools:
        s.skip('speedscope schema validation', why)
        return
    node, schema = tools
    q = subprocess.run([node, '-e', VALIDATE, schema, path], capture_output=True, text=True, timeout=60,
                       env=dict(os.environ, NODE_PATH=os.path.join(NPM_DIR, 'node_modules')))
    s.check(q.returncode == 0 and 'valid' in q.stdout,
            'the export validates against speedscope\'s schema: %s %s' % (q.stdout[-600:], q.stderr[-300:]))
    # the check can fail: a file missing its profiles does not validate
    bad = os.path.join(env.dir, 'bad.json')
    json.dump({'$schema': doc['$schema'], 'shared': {'frames': []}}, open(bad, 'w'))
    q = subprocess.run([node, '-e', VALIDATE, schema, bad], capture_output=True, text=True, timeout=60,
                       env=dict(os.environ, NODE_PATH=os.path.join(NPM_DIR, 'node_modules')))
    s.check(q.returncode != 0, 'the validator rejects a broken file')
    print('  speedscope schema: %s' % schema)


def parse_collapsed(s, text):
    out = {}
    for ln in text.splitlines():
        m = COLLAPSED_LINE.match(ln)
        s.check(m is not None, 'collapsed line parses: %r' % ln[:200])
        if m:
            s.check(m.group(1) not in out, 'one line per stack: %r' % ln[:120])
            out[m.group(1)] = int(m.group(2))
    return out


def test_collapsed(s, env, fx):
    script, root, child = fx
    p = export(env, '--format', 'collapsed')
    stacks = parse_collapsed(s, p.stdout)
    s.check(stacks and all(v > 0 for v in stacks.values()), 'growth only, positive byte counts')
    s.check(sum(stacks.values()) == total_growth(env, root['id']),
            'sums equal the report growth (%d vs %d)' % (sum(stacks.values()), total_growth(env, root['id'])))
    for st in stacks:
        for fr in st.split(';'):
            s.check(FRAME.match(fr) is not None, 'frame reads "func (file:line)": %r' % fr)
    top = max(stacks, key=stacks.get)
    s.check(top.split(';')[-1] == 'build (%s:%d)' % (script, GROW_LINE) and top.startswith('<module> ('),
            'the heaviest stack is <module> ... build (%s:%d): %r' % (script, GROW_LINE, top[-200:]))
    s.check(stacks[top] >= 90 << 20, 'it grew >= 90 MiB (%d)' % stacks[top])
    p = export(env, '--format', 'collapsed', '--children')
    both = parse_collapsed(s, p.stdout)
    want = total_growth(env, root['id']) + total_growth(env, child['id'])
    s.check(sum(both.values()) == want, 'with --children the sums cover both processes (%d vs %d)' % (
        sum(both.values()), want))
    pids = {st.split(';')[0].split(']')[0] for st in both}
    want = {'[pid %d' % root['pid']} | ({'[pid %d' % child['pid']} if total_growth(env, child['id']) else set())
    s.check(pids == want, 'stacks start at their process: %r (wanted %r)' % (pids, want))
    early = parse_collapsed(s, export(env, '--format', 'collapsed', '--to', '0.2').stdout)
    s.check(all(not k.endswith(':%d)' % GROW_LINE) or v < 90 << 20 for k, v in early.items()),
            'before the allocation its stack has not grown')


def test_chrome(s, env, fx):
    script, root, child = fx
    doc = json.loads(export(env, '--format', 'chrome').stdout)
    ev = doc['traceEvents']
    tl = env.report(str(root['id']), '--timeline')
    for name, key in (('RSS', 'rss_bytes'), ('USS', 'uss_bytes'), ('PSS', 'pss_bytes')):
        c = [e for e in ev if e['ph'] == 'C' and e['name'] == name]
        want = [r[key] for r in tl if r[key] is not None]
        s.check([e['args']['bytes'] for e in c] == want, '%s counters follow the timeline (%d events)' % (name, len(c)))
        s.check(all(c[i]['ts'] <= c[i + 1]['ts'] for i in range(len(c) - 1)), '%s in time order' % name)
        s.check(all(e['pid'] == root['pid'] for e in c), '%s on the process track' % name)
    rss = [e for e in ev if e['ph'] == 'C' and e['name'] == 'RSS']
    s.check(rss and rss[0]['ts'] >= 0 and abs(rss[-1]['ts'] / 1e6 - tl[-1]['t']) < 1e-3,
            'ts are microseconds from the start')
    meta = [e for e in ev if e['ph'] == 'M' and e['name'] == 'process_name']
    s.check(len(meta) == 1 and root['command'] in meta[0]['args']['name'], 'the process is named: %r' % meta)
    grew = [e for e in ev if e['ph'] == 'i' and e['name'] == 'grew: grow.py:%d' % GROW_LINE]
    s.check(grew and sum(e['args']['growth_bytes'] for e in grew) >= 90 << 20,
            'instant events mark where grow.py:%d grew' % GROW_LINE)
    kids = json.loads(export(env, '--format', 'chrome', '--children').stdout)
    pids = {e['pid'] for e in kids['traceEvents'] if e['ph'] == 'C'}
    s.check(pids == {root['pid'], child['pid']}, 'with --children each process has its counters: %r' % pids)


def test_csv_json(s, env, fx):
    script, root, child = fx
    tl = env.report(str(root['id']), '--timeline')
    rows = list(csv.DictReader(io.StringIO(export(env, '--format', 'csv').stdout)))
    s.check(rows and list(rows[0]) == ['session', 'pid', 't', 'time', 'rss_bytes', 'uss_bytes', 'pss_bytes',
                                       'swap_bytes', 'rss_peak_bytes', 'ticks'], 'csv timeline header')
    s.check(len(rows) == len(tl) and all(int(r['rss_bytes']) == t['rss_bytes'] for r, t in zip(rows, tl)),
            'csv timeline = report timeline')
    lines = env.report(str(root['id']), '--lines')
    rows = list(csv.DictReader(io.StringIO(export(env, '--format', 'csv', '--what', 'lines').stdout)))
    s.check(len(rows) == len(lines) and rows[0]['file'] == script and int(rows[0]['line']) == GROW_LINE,
            'csv lines: the allocating line first')
    s.check('bytearray(100 * 1024 * 1024)' in rows[0]['text'] and '\n' not in rows[0]['text'], 'with its text')
    s.check([int(r['growth_bytes']) for r in rows] == [x['growth_bytes'] for x in lines], 'csv lines = report')
    rows = list(csv.DictReader(io.StringIO(export(env, '--format', 'csv', '--what', 'functions', '--children').stdout)))
    want = {str(root['id'])} | ({str(child['id'])} if env.report(str(child['id']), '--functions') else set())
    s.check({r['session'] for r in rows} == want, 'csv --children: each session with rows (%r)' % want)

    doc = json.loads(export(env, '--format', 'json').stdout)
    s.check(set(doc) == {'session', 'from_s', 'to_s', 'timeline', 'lines', 'functions', 'exporter', 'children'},
            'json keys: %r' % sorted(doc))
    s.check(doc['session']['id'] == root['id'] and doc['children'] == [], 'the session, no children unless asked')
    s.check(doc['timeline'] == tl, 'json timeline = report --timeline --json')
    s.check([(r['file'], r['line'], r['growth_bytes']) for r in doc['lines']] ==
            [(r['file'], r['line'], r['growth_bytes']) for r in lines], 'json lines = report --lines --json')
    doc = json.loads(export(env, '--format', 'json', '--what', 'lines', '--children').stdout)
    s.check('timeline' not in doc and 'lines' in doc and len(doc['children']) == 1 and
            doc['children'][0]['session']['id'] == child['id'], '--what and --children shape the json')


def test_errors(s, env, fx):
    missing = os.path.join(env.dir, 'nothing-here', 'x.db')
    cases = (
        (['export', '--format', 'pdf'], USAGE, "'pdf' is not one of"),
        (['export'], USAGE, 'choose a format'),
        (['export', '--format', 'csv', '--what', 'lines,timeline'], USAGE, 'one table'),
        (['export', '999', '--format', 'mprof'], NOSESSION, 'no session 999'),
        (['export', '--format', 'mprof', '-o', os.path.join(env.dir, 'no', 'dir', 'x.dat')], ERROR, 'cannot write'),
        (['--db', missing, 'export', '--format', 'json'], NOSESSION, 'no sessions recorded yet'),
    )
    for args, want, words in cases:
        p = env.mw(*args, db=not args[0].startswith('--db'))
        lines = p.stderr.strip().splitlines()
        s.check(p.returncode == want and len(lines) == 1 and words in lines[0] and lines[0].startswith('memwatch: '),
                '%s: exit %d (wanted %d), %r' % (' '.join(args), p.returncode, want, p.stderr))
        s.check(p.stdout == '', '%s: nothing on stdout' % ' '.join(args))
    s.check(not os.path.exists(os.path.join(env.dir, 'nothing-here')), 'a missing database is not created')
    p = env.mw('export', '--help')
    s.check(p.returncode == 0 and 'mprof' in p.stdout and 'speedscope' in p.stdout, 'export --help')


def main():
    global PY, NPM_DIR
    memwatch = sys.argv[1]
    if '--npm-dir' in sys.argv:
        NPM_DIR = os.path.abspath(sys.argv[sys.argv.index('--npm-dir') + 1])
    found = pythons.find()
    if not found:
        print('test_export: SKIPPED: no CPython 3.8+ found')
        sys.exit(77)
    chosen = max(found, key=lambda f: f['version'])
    PY = chosen['exe']
    print('test_export: recording with %s (%s); exports read only the database, other interpreters not needed: %s' % (
        chosen['label'], PY, ', '.join(f['label'] for f in found if f is not chosen) or 'none'))
    s = mwtest.Suite('test_export')
    env = mwtest.Env(memwatch)
    try:
        fx = record(env)
        for fn in (test_mprof, test_speedscope, test_collapsed, test_chrome, test_csv_json, test_errors):
            s.run(fn, env, fx)
    except mwtest.Failure as e:
        s.failed.append('recording the fixture: %s' % e)
    finally:
        env.cleanup()
    s.done()


if __name__ == '__main__':
    main()

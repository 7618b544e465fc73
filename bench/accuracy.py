#!/usr/bin/env python3
"""Does memwatch charge memory growth to the right line?

Runs the workloads in bench/workloads/accuracy/ (their allocating lines carry
a trailing `# ALLOC` comment, found here by tokenizing the source) under
memwatch with --sampling timer (--rate 100 and 1000), faults and both, and
under memory_profiler's line-by-line mode (Debian's python3-memory-profiler),
and prints per mode:

  accuracy  = growth charged to the workload's ALLOC lines
              / all growth charged anywhere (the workload file, the helper
                module, the standard library, start-up, pseudo frames)
  in three scopes: "window" counts only what memwatch charged once the
  workload proper had started (`memwatch report --from`: the workloads print
  their start time, then burn 300 ms of CPU without allocating, which covers
  one 0.2 s interval of slack); "per-line" is the window, but an ALLOC line
  whose comment gives its size (`# ALLOC 64M`) is credited at most that much,
  so growth charged to the wrong one of two ALLOC lines counts as wrong;
  "run" counts the whole process, interpreter start-up and imports included.
  memory_profiler only ever sees the lines of @profile functions: its figure
  is the positive Increments of those lines (the function's entry row, which
  carries the whole RSS at entry, is left out). Lines tagged `# ZERO` (grow
  nothing: calloc'd, never written) and `# REUSE` (land in freed, resident
  memory) are listed with what each mode charged to them.

Workload 8 (16 MB allocated in a few ms between two CPU-busy lines) is run
--blip-runs times and scored as "the top growth line is the ALLOC line in
k/N runs". It also prints the target's slowdown (the workload times itself,
so start-up is not counted) and sweeps --fault-period for --sampling both
(accuracy, slowdown, collector CPU from memwatch's summary line), naming as
best default the most accurate period (per-line) among those whose fault
samples add at most --budget to timer@1000's slowdown, or a cheaper one
within 1 point of it. Every run gets MALLOC_MMAP_THRESHOLD_ (see ENV below).

Usage: bench/accuracy.py [--memwatch build/memwatch] [--python /usr/bin/python3]
                         [--repeat 3] [--blip-runs 10] [--only w1,w8] [--no-sweep]
                         [--no-mprof] [--modes both,...] [--budget 1.10] [--json results.json] [--from-json results.json]
"""
import argparse
import json
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import tokenize

HERE = os.path.dirname(os.path.abspath(__file__))
WDIR = os.path.join(HERE, 'workloads', 'accuracy')
MIB = 1 << 20
# charges are stored per --interval (0.2 s by default): the window starts this long after the
# workload's start, inside its 300 ms allocation-free prologue
WINDOW_SLACK = 0.25

WORKLOADS = [
    ('w1_large', '1 large objects 16-64 MB'),
    ('w2_small', '2 many small objects'),
    ('w3_short', '3 short lines (<1 ms)'),
    ('w4_long', '4 long lines'),
    ('w5_cext', '5 allocations in C'),
    ('w6_reuse', '6 free then reuse'),
    ('w7_threads', '7 threads, read() w/o GIL'),
]
BLIP = ('w8_blip', '8 16 MB in a few ms')

MODES = [
    ('timer@100', ['--sampling', 'timer', '--rate', '100']),
    ('timer@1000', ['--sampling', 'timer']),
    ('faults', ['--sampling', 'faults']),
    ('both', ['--sampling', 'both']),
]
SWEEP = ['16k', '64k', '256k', '1M']
DEFAULT_PERIOD = '1M'   # memwatch's default --fault-period: the 'both' runs are reused for it
# glibc raises its mmap threshold when a large block is freed; later blocks then come
# from the heap and reuse freed, still-resident memory, and what a line grows flips
# with the heap's layout (the environment's size is enough). Fixing the threshold at
# its default value keeps each ALLOC line's growth what its comment says.
MMAP_THRESHOLD = 128 * 1024
ENV = dict(os.environ, MALLOC_MMAP_THRESHOLD_=str(MMAP_THRESHOLD))


SIZE = re.compile(r'^(\d+(?:\.\d+)?)([kKMG])\b')


def alloc_lines(path, tag='ALLOC'):
    """{line: expected growth in bytes or None} for the lines whose trailing comment
    starts with `# ALLOC` (code before it on the line); `# ALLOC 64M` gives the size."""
    out = {}
    code_lines = set()
    with open(path, 'rb') as f:
        toks = list(tokenize.tokenize(f.readline))
    for t in toks:
        if t.type not in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT,
                          tokenize.DEDENT, tokenize.ENCODING, tokenize.ENDMARKER):
            code_lines.add(t.start[0])
    for t in toks:
        m = re.match(r'#\s*%s\b\s*' % tag, t.string) if t.type == tokenize.COMMENT else None
        if m and t.start[0] in code_lines:
            sz = SIZE.match(t.string[m.end():])
            out[t.start[0]] = (int(float(sz.group(1)) * {'k': 1 << 10, 'K': 1 << 10, 'M': MIB, 'G': 1 << 30}[sz.group(2)])
                               if sz else None)
    return out


def parse_own_output(out):
    """(start unix time, own run time) from a workload's stdout."""
    start = None
    t = float('nan')
    for ln in out.splitlines():
        ln = ln.strip()
        m = re.match(r'^start (\d+\.\d+)$', ln)
        if m:
            start = float(m.group(1))
        elif re.match(r'^\d+\.\d+$', ln):
            t = float(ln)
    return start, t


def score(rows, path, alloc):
    """Splits growth into ALLOC lines / other lines of the workload file / elsewhere."""
    real = os.path.realpath(path)
    a = own = other = 0
    for r in rows:
        g = max(0, r['growth_bytes'])
        same = r['file'] and r['file'].startswith('/') and os.path.realpath(r['file']) == real
        if same and r['line'] in alloc:
            a += g
        elif same:
            own += g
        else:
            other += g
    return dict(alloc=a, own=own, other=other, total=a + own + other)


def alloc_growth(rows, path, alloc):
    """{ALLOC line: growth charged to it}."""
    real = os.path.realpath(path)
    out = dict((ln, 0) for ln in alloc)
    for r in rows:
        if r['file'].startswith('/') and os.path.realpath(r['file']) == real and r['line'] in alloc:
            out[r['line']] += max(0, r['growth_bytes'])
    return out


def strict_share(rec, ref):
    """Per-line check: growth on an ALLOC line counts as right only up to what
    that line really grew (ref); the excess is growth that belonged elsewhere."""
    s = rec['win']
    if not s['total']:
        return float('nan')
    ok = 0
    for ln, g in rec['lines'].items():
        want = ref.get(ln)
        ok += g if want is None else min(g, want)
    return 100.0 * ok / s['total']


def share(s):
    return 100.0 * s['alloc'] / s['total'] if s['total'] else float('nan')


def top_is_alloc(rows, path, alloc):
    real = os.path.realpath(path)
    rows = [r for r in rows if r['growth_bytes'] > 0]
    if not rows:
        return False
    top = max(rows, key=lambda r: r['growth_bytes'])
    return bool(top['file'].startswith('/') and os.path.realpath(top['file']) == real and top['line'] in alloc)


def misplaced(rows, path, alloc):
    """Growth not on ALLOC lines, per place (file:line function) -> bytes."""
    real = os.path.realpath(path)
    out = {}
    for r in rows:
        if r['growth_bytes'] <= 0:
            continue
        if r['file'].startswith('/') and os.path.realpath(r['file']) == real and r['line'] in alloc:
            continue
        key = '%s:%d %s' % (os.path.basename(r['file']), r['line'], r['function'])
        out[key] = out.get(key, 0) + r['growth_bytes']
    return out


def mw_json(mw, args):
    p = subprocess.run([mw] + args, capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError('memwatch %s failed: %s' % (' '.join(args), p.stderr.strip()))
    return json.loads(p.stdout)


def run_memwatch(mw, py, path, margs, db):
    p = subprocess.run([mw, 'run', '--db', db] + margs + ['--', py, path],
                       capture_output=True, text=True, timeout=600, env=ENV)
    if p.returncode != 0:
        raise RuntimeError('memwatch run failed (%d): %s' % (p.returncode, p.stderr.strip()))
    wstart, t = parse_own_output(p.stdout)
    m = re.search(r'collector: ([\d.]+) s CPU', p.stderr)
    cpu = float(m.group(1)) if m else float('nan')
    ses = [s for s in mw_json(mw, ['list', '--db', db, '--json']) if s['parent'] is None][-1]
    rows_all = mw_json(mw, ['report', str(ses['id']), '--db', db, '--lines', '--json'])
    frm = max(0.0, wstart - ses['start'] + WINDOW_SLACK) if wstart else 0.0
    rows_win = mw_json(mw, ['report', str(ses['id']), '--db', db, '--lines', '--json', '--from', '%.3f' % frm])
    return dict(t=t, cpu=cpu, dur=ses['duration_s'], rows_all=rows_all, rows_win=rows_win)


MP_ROW = re.compile(r'^\s*(\d+)\s+(-?[\d.]+) MiB\s+(-?[\d.]+) MiB\s+(\d+)   (.*)$')


def run_mprof(py, path):
    """memory_profiler line-by-line: rows like memwatch's (growth = positive Increment)."""
    p = subprocess.run([py, '-m', 'memory_profiler', path], capture_output=True, text=True, timeout=1800,
                       env=ENV)
    if p.returncode != 0:
        raise RuntimeError('memory_profiler failed: ' + p.stderr.strip()[-500:])
    head, _, tables = p.stdout.partition('Filename:')
    _, t = parse_own_output(head)
    rows = []
    fname = None
    for ln in ('Filename:' + tables).splitlines():
        if ln.startswith('Filename: '):
            fname = ln[len('Filename: '):].strip()
            continue
        m = MP_ROW.match(ln)
        if not m:
            continue
        text = m.group(5).strip()
        if text.startswith('@') or text.startswith('def '):
            continue   # the entry row: its Increment is the whole RSS when the function was entered
        inc = float(m.group(3))
        rows.append(dict(file=fname, line=int(m.group(1)), function='', growth_bytes=int(max(0.0, inc) * MIB),
                         text=text))
    return dict(t=t, cpu=float('nan'), dur=float('nan'), rows_all=rows, rows_win=rows)


def run_alone(py, path):
    p = subprocess.run([py, path], capture_output=True, text=True, timeout=600, check=True, env=ENV)
    return parse_own_output(p.stdout)[1]


def geomean(xs):
    xs = [x for x in xs if x and x > 0 and not math.isnan(x)]
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else float('nan')


def mean(xs):
    xs = [x for x in xs if not math.isnan(x)]
    return sum(xs) / len(xs) if xs else float('nan')


def fmt(x, w=6, p=1):
    return ('%*.*f' % (w, p, x)) if not math.isnan(x) else '%*s' % (w, '-')


def refs(wls):
    """{workload: {ALLOC line: bytes it grows, from its `# ALLOC 64M` comment, or None}}."""
    return dict((w, alloc_lines(os.path.join(WDIR, w + '.py'))) for w, _ in wls)


def report(raw, wls, blip, names, sweep, budget, header):
    def recs(w, m):
        return [r for r in raw if r['workload'] == w and r['mode'] == m]

    allw = wls + ([blip] if blip else [])
    ref = refs(allw)

    def acc(w, m, scope):
        if scope == 'line':
            return mean([strict_share(r, ref[w]) for r in recs(w, m)])
        return mean([share(r[scope]) for r in recs(w, m)])

    def slow(w, m):
        base = [r['t'] for r in recs(w, 'alone')]
        ts = [r['t'] for r in recs(w, m)]
        if not base or not ts:
            return float('nan')
        return statistics.median(ts) / statistics.median(base)

    print(header)
    print('''accuracy = growth charged to the workload's `# ALLOC` lines / all growth charged anywhere
  (other lines of the workload file, the helper module's busy loop, stdlib, start-up, pseudo
  frames), mean over repeats; "overall" = mean over workloads 1-7.
  window:   from the workload's start on (memwatch report --from; start-up and imports cut off).
  per-line: as window, but an ALLOC line with a size (`# ALLOC 64M`) is credited at most
            that size, so growth of one line charged to another ALLOC line counts as wrong
            (lines without a size - small objects in w2, w3, w4 - are credited in full).
  run:      the whole process, interpreter start-up and imports included.
  memory_profiler: positive Increments of the @profile functions' lines (entry row left out);
            it sees only those lines, so it has no "run" scope.
  Every run has MALLOC_MMAP_THRESHOLD_=%d (glibc's default threshold, made fixed) so
  what a line grows does not depend on the heap's layout; workload 6 shows reuse on purpose.''' % MMAP_THRESHOLD)
    for scope, title in (('win', 'accuracy %, window'), ('line', 'accuracy %, per-line'),
                         ('run', 'accuracy %, whole run')):
        print()
        print('%-28s' % title + ''.join('%16s' % m for m in names))
        for w, label in wls:
            print('%-28s' % label + ''.join('%16s' % fmt(acc(w, m, 'win' if m == 'memory_profiler' and scope == 'run'
                                                                 else scope), 5) for m in names))
        print('%-28s' % 'overall' + ''.join('%16s' % fmt(mean([acc(w, m, 'win' if m == 'memory_profiler' and scope == 'run'
                                                                      else scope) for w, _ in wls]), 5)
                                            for m in names))
    if blip:
        print()
        print('%-28s' % (blip[1] + ',') + ''.join('%16s' % m for m in names))
        print('%-28s' % '  top growth line is ALLOC' + ''.join(
            '%16s' % ('%d/%d' % (sum(r['top'] for r in recs(blip[0], m)), len(recs(blip[0], m)))) for m in names))
        print('%-28s' % '  accuracy %, per-line' + ''.join('%16s' % fmt(acc(blip[0], m, 'line'), 5) for m in names))

    print()
    print('per ALLOC line: MiB charged (mean over runs, window) vs what the line grows')
    show = [m for m in names if m in ('timer@1000', 'faults', 'both', 'memory_profiler')]
    print('%-26s%9s' % ('line', 'grows') + ''.join('%16s' % m for m in show))
    for w, label in allw:
        for ln in sorted(ref[w]):
            want = ref[w][ln]
            print('%-26s%9s' % ('%s:%d' % (w, ln), fmt(want / MIB, 7) if want is not None else '?') +
                  ''.join('%16s' % fmt(mean([r['lines'].get(ln, float('nan')) / MIB for r in recs(w, m)]), 7)
                          for m in show))
        path = os.path.join(WDIR, w + '.py')
        for tag in ('ZERO', 'REUSE'):
            for ln in sorted(alloc_lines(path, tag)):
                print('%-26s%9s' % ('%s:%d %s' % (w, ln, tag), fmt(0.0, 7)) +
                      ''.join('%16s' % fmt(mean([r.get('zero', {}).get(ln, float('nan')) / MIB for r in recs(w, m)]), 7)
                              for m in show))

    print()
    print('%-28s%9s' % ('slowdown (median time)', 'alone s') + ''.join('%16s' % m for m in names))
    for w, label in allw:
        base = [r['t'] for r in recs(w, 'alone')]
        print('%-28s%9.3f' % (label, statistics.median(base)) +
              ''.join('%15sx' % fmt(slow(w, m), 5, 2) for m in names))
    print('%-28s%9s' % ('geometric mean', '') + ''.join('%15sx' % fmt(geomean([slow(w, m) for w, _ in allw]), 5, 2)
                                                   for m in names))

    print()
    print('where the misplaced growth went under --sampling both (window, mean MiB per run, top 3 places):')
    for w, label in allw:
        rs = recs(w, 'both')
        tot = {}
        for r in rs:
            for k, v in r['mis'].items():
                tot[k] = tot.get(k, 0) + v
        top = sorted(tot.items(), key=lambda kv: -kv[1])[:3]
        print('  %-26s %s' % (label, '; '.join('%s %.2f' % (k, v / MIB / max(1, len(rs))) for k, v in top) or '-'))

    if not sweep:
        return
    print()
    print('--fault-period sweep, --sampling both (%s = the "both" runs above). Accuracy: mean over workloads 1-7,'
          % DEFAULT_PERIOD)
    print('+- the spread (standard deviation) of that mean between repeats; slowdown: geometric mean over 1-8;')
    print('extra: slowdown over timer@1000 (what the fault samples add); collector CPU per run and per run time.')
    print('%-6s %8s %14s %6s%6s%6s%6s%6s%6s%6s %9s %9s %7s %10s %7s' % (
        'period', 'window', 'per-line', 'w1', 'w2', 'w3', 'w4', 'w5', 'w6', 'w7', 'blip top', 'slowdown', 'extra',
        'collector', 'CPU %'))
    timer_sd = geomean([slow(w, 'timer@1000') for w, _ in allw])
    res = []
    for p in SWEEP:
        m = 'both' if p == DEFAULT_PERIOD else 'both/%s' % p
        accs = [acc(w, m, 'line') for w, _ in wls]
        per_rep = {}
        for w, _ in wls:
            for r in recs(w, m):
                per_rep.setdefault(r['rep'], []).append(strict_share(r, ref[w]))
        reps = [mean(v) for v in per_rep.values() if len(v) == len(wls)]
        spread = statistics.stdev(reps) if len(reps) > 1 else float('nan')
        rs = [r for r in raw if r['mode'] == m]
        k = sum(r['top'] for r in rs if blip and r['workload'] == blip[0])
        nb = len([r for r in rs if blip and r['workload'] == blip[0]])
        cpu = mean([r['cpu'] for r in rs])
        pct = 100.0 * sum(r['cpu'] for r in rs) / sum(r['dur'] for r in rs) if rs else float('nan')
        sd = geomean([slow(w, m) for w, _ in allw])
        res.append(dict(p=p, acc=mean(accs), k=k, n=nb, cpu=cpu, pct=pct, sd=sd, extra=sd / timer_sd))
        print('%-6s %7s%% %8s +-%3s %s %9s %8sx %6sx %9ss %6s%%' % (
            p, fmt(mean([acc(w, m, 'win') for w, _ in wls]), 5), fmt(mean(accs), 5), fmt(spread, 3, 1),
            ''.join(fmt(x, 6, 0) for x in accs), '%d/%d' % (k, nb), fmt(sd, 5, 2), fmt(sd / timer_sd, 5, 2),
            fmt(cpu, 6, 3), fmt(pct, 5)))
    fit = [r for r in res if r['extra'] <= budget] or [min(res, key=lambda r: r['extra'])]
    best = max(fit, key=lambda r: (r['acc'], r['k']))
    near = [r for r in fit if r['acc'] >= best['acc'] - 1.0 and r['k'] >= best['k'] - 1]
    pick = min(near, key=lambda r: r['pct'])
    print('best default: %s  (rule: among periods whose fault samples slow the target by at most %.2fx over '
          'timer@1000, the best per-line accuracy; any within 1 point of it and within 1 run on workload 8 '
          'that costs less collector CPU is preferred)' % (pick['p'], budget))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--memwatch', default=os.path.join(HERE, '..', 'build', 'memwatch'))
    ap.add_argument('--python', default=shutil.which('python3', path='/usr/bin') or 'python3')
    ap.add_argument('--repeat', type=int, default=3)
    ap.add_argument('--blip-runs', type=int, default=10)
    ap.add_argument('--only', default='', help='comma-separated workload names (w1_large,...,w8_blip)')
    ap.add_argument('--no-sweep', action='store_true')
    ap.add_argument('--no-mprof', action='store_true')
    ap.add_argument('--modes', default='', help='comma-separated subset of: ' + ','.join(m for m, _ in MODES) +
                    ',memory_profiler (the sweep needs timer@1000 and both)')
    ap.add_argument('--budget', type=float, default=1.10,
                    help='slowdown a default --fault-period may add to timer sampling (geometric mean)')
    ap.add_argument('--json', default='', help='write the raw per-run figures here')
    ap.add_argument('--from-json', default='', help='print the tables from a --json file, run nothing')
    a = ap.parse_args()
    mw = os.path.abspath(a.memwatch)
    only = set(x for x in a.only.split(',') if x)

    if a.from_json:
        with open(a.from_json) as f:
            saved = json.load(f)
        raw = saved['runs']
        for r in raw:
            r['lines'] = dict((int(k), v) for k, v in r['lines'].items())
            r['zero'] = dict((int(k), v) for k, v in r.get('zero', {}).items())
        present = set(r['workload'] for r in raw)
        wls = [w for w in WORKLOADS if w[0] in present and (not only or w[0] in only)]
        blip = BLIP if BLIP[0] in present and (not only or BLIP[0] in only) else None
        report(raw, wls, blip, saved['modes'], saved['sweep'], a.budget, saved['header'])
        return

    wls = [w for w in WORKLOADS if not only or w[0] in only]
    blip = BLIP if not only or BLIP[0] in only else None
    have_mp = not a.no_mprof and subprocess.run([a.python, '-c', 'import memory_profiler'],
                                                capture_output=True).returncode == 0
    modes = list(MODES) + ([('memory_profiler', None)] if have_mp else [])
    if a.modes:
        keep = set(a.modes.split(','))
        modes = [m for m in modes if m[0] in keep]
    sweep = [] if a.no_sweep else [p for p in SWEEP if p != DEFAULT_PERIOD]
    d = tempfile.mkdtemp(prefix='mwacc-')
    # profile with a copy: the build tree's binary may be relinked during a long run
    mw_copy = os.path.join(d, 'memwatch')
    shutil.copy2(mw, mw_copy)
    mw = mw_copy
    ver = subprocess.run([mw, '--version'], capture_output=True, text=True).stdout.strip()
    raw = []
    counter = [0]

    def one(name, mode, margs, rep):
        for attempt in range(3):
            try:
                return one_try(name, mode, margs, rep)
            except (RuntimeError, OSError, subprocess.SubprocessError, ValueError) as e:
                print('\n%s under %s failed (%s)%s' % (name, mode, str(e)[:300], ', again' if attempt < 2 else ''),
                      file=sys.stderr)
        raise RuntimeError('%s under %s failed three times' % (name, mode))

    def one_try(name, mode, margs, rep):
        path = os.path.join(WDIR, name + '.py')
        alloc = alloc_lines(path)
        if mode == 'alone':
            r = dict(t=run_alone(a.python, path), cpu=float('nan'), dur=float('nan'), rows_all=[], rows_win=[])
        elif mode == 'memory_profiler':
            r = run_mprof(a.python, path)
        else:
            counter[0] += 1
            db = os.path.join(d, 'r%d.db' % counter[0])
            r = run_memwatch(mw, a.python, path, margs, db)
            os.unlink(db)
        raw.append(dict(workload=name, mode=mode, rep=rep, t=r['t'], cpu=r['cpu'], dur=r['dur'],
                        win=score(r['rows_win'], path, alloc), run=score(r['rows_all'], path, alloc),
                        top=top_is_alloc(r['rows_win'], path, alloc), lines=alloc_growth(r['rows_win'], path, alloc),
                        zero=alloc_growth(r['rows_win'], path, set(alloc_lines(path, 'ZERO')) | set(alloc_lines(path, 'REUSE'))),
                        mis=misplaced(r['rows_win'], path, alloc)))
        print('.', end='', flush=True, file=sys.stderr)

    all_modes = [('alone', None)] + modes + [('both/%s' % p, ['--sampling', 'both', '--fault-period', p])
                                              for p in sweep]
    load0 = os.getloadavg()
    try:
        for rep in range(a.repeat):
            for name, _ in wls:
                for mode, margs in all_modes:
                    one(name, mode, margs, rep)
        if blip:
            for rep in range(a.blip_runs):
                for mode, margs in all_modes:
                    one(blip[0], mode, margs, rep)
        print(file=sys.stderr)
    finally:
        shutil.rmtree(d, ignore_errors=True)
    load1 = os.getloadavg()
    pyv = subprocess.run([a.python, '-c', 'import sys; print(sys.version.split()[0])'],
                         capture_output=True, text=True).stdout.strip()
    header = ('memwatch attribution accuracy: %s, target %s %s, %d CPUs, load average %.2f before / %.2f after,\n'
              '%d repeats (workload 8: %d runs)' % (ver, a.python, pyv, os.cpu_count(), load0[0], load1[0],
                                                   a.repeat, a.blip_runs))
    names = [m for m, _ in modes]
    if a.json:
        with open(a.json, 'w') as f:
            json.dump(dict(header=header, modes=names, sweep=sweep, runs=raw), f, indent=1)
    report(raw, wls, blip, names, sweep, a.budget, header)


if __name__ == '__main__':
    main()

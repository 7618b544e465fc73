#!/usr/bin/env python3
"""How much memwatch slows a Python program down, and what it costs itself.

Prints, side by side on the same CPU-bound workload (bench/workloads/cpu.py):
the workload alone; under memwatch at --rate 100, 1000 and 10000 (stack
samples achieved vs requested, collector CPU per tick and per interval,
memwatch's peak RSS); under memory_profiler's line-by-line mode and mprof
(Debian's python3-memory-profiler) when installed.

Usage: bench/overhead.py [--memwatch build/memwatch] [--python python3] [--n 600000] [--repeat 3]
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
WORK = os.path.join(HERE, 'workloads', 'cpu.py')


def own_time(out):
    lines = [ln for ln in out.strip().splitlines() if re.match(r'^\d+\.\d+$', ln.strip())]
    return float(lines[-1]) if lines else float('nan')


def run_alone(py, n):
    p = subprocess.run([py, WORK, str(n)], capture_output=True, text=True, check=True)
    return own_time(p.stdout)


def run_memwatch(mw, py, n, rate, db):
    p = subprocess.run([mw, 'run', '--db', db, '--rate', str(rate), '--', py, WORK, str(n)],
                       capture_output=True, text=True)
    if p.returncode != 0:
        raise RuntimeError('memwatch failed: ' + p.stderr)
    t = own_time(p.stdout)
    m = re.search(r'collector: ([\d.]+) s CPU .*peak RSS ([\d.]+) (\w+)', p.stderr)
    cpu = float(m.group(1)) if m else float('nan')
    rss = '%s %s' % (m.group(2), m.group(3)) if m else '?'
    ses = json.loads(subprocess.run([mw, 'list', '--db', db, '--json'], capture_output=True, text=True,
                                    check=True).stdout)[-1]
    rows = json.loads(subprocess.run([mw, 'report', str(ses['id']), '--db', db, '--timeline', '--json'],
                                     capture_output=True, text=True, check=True).stdout)
    ticks = sum(r['ticks'] for r in rows)
    end, start, rows = ses['duration_s'], 0.0, len(rows)
    return dict(t=t, cpu=cpu, rss=rss, ticks=ticks, rows=rows, dur=(end - start))


def run_mprof_lines(py, n):
    """memory_profiler's line-by-line mode (python -m memory_profiler, @profile)."""
    p = subprocess.run([py, '-m', 'memory_profiler', WORK, str(n)], capture_output=True, text=True)
    if p.returncode != 0:
        return None
    return own_time(p.stdout.split('Filename:')[0])


def run_mprof_run(py, n, d):
    """mprof run: memory_profiler's RSS-over-time sampler (no line attribution)."""
    exe = shutil.which('mprof') or shutil.which('python3-mprof')
    if not exe:
        return None
    p = subprocess.run([exe, 'run', '--output', os.path.join(d, 'mprof.dat'), '--interval', '0.2',
                        py, WORK, str(n)], capture_output=True, text=True, cwd=d)
    return own_time(p.stdout) if p.returncode == 0 else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--memwatch', default=os.path.join(HERE, '..', 'build', 'memwatch'))
    ap.add_argument('--python', default=shutil.which('python3', path='/usr/bin') or 'python3')
    ap.add_argument('--n', type=int, default=600000)
    ap.add_argument('--repeat', type=int, default=3)
    a = ap.parse_args()
    d = tempfile.mkdtemp(prefix='mwbench-')
    try:
        print('workload: %s %s %d, median of %d runs' % (a.python, os.path.relpath(WORK), a.n, a.repeat))
        base = statistics.median(run_alone(a.python, a.n) for _ in range(a.repeat))
        print('%-34s %9s %9s %12s %14s %12s %10s' % ('tool', 'time s', 'slowdown', 'samples', 'achieved/asked',
                                                    'CPU/tick us', 'peak RSS'))
        print('%-34s %9.3f %9s' % ('alone', base, '1.00x'))
        for rate in (100, 1000, 10000):
            runs = []
            for i in range(a.repeat):
                runs.append(run_memwatch(a.memwatch, a.python, a.n, rate, os.path.join(d, 'r%d-%d.db' % (rate, i))))
            t = statistics.median(r['t'] for r in runs)
            r = runs[len(runs) // 2]
            asked = rate * r['dur']
            per_tick = 1e6 * r['cpu'] / r['ticks'] if r['ticks'] else float('nan')
            print('%-34s %9.3f %8.2fx %12d %13.0f%% %12.1f %10s' % (
                'memwatch --rate %d' % rate, t, t / base, r['ticks'], 100.0 * r['ticks'] / asked if asked else 0,
                per_tick, r['rss']))
        iv = run_memwatch(a.memwatch, a.python, a.n, 1, os.path.join(d, 'iv.db'))
        print('%-34s %9.3f %8.2fx %12s %14s %12s %10s   (%.0f us CPU per 0.2 s interval)' % (
            'memwatch timeline only (--rate 1)', iv['t'], iv['t'] / base, iv['rows'], '', '', iv['rss'],
            1e6 * iv['cpu'] / max(iv['rows'], 1)))
        ml = run_mprof_lines(a.python, a.n // 300)
        if ml is None:
            print('%-34s %9s   (python3-memory-profiler not installed for %s)' % ('memory_profiler line-by-line', 'skipped', a.python))
        else:
            base10 = statistics.median(run_alone(a.python, a.n // 300) for _ in range(a.repeat))
            print('%-34s %9.3f %8.1fx   (on n/300 = %d: it is too slow for the full run; alone %.3f s)' % ('memory_profiler line-by-line', ml, ml / base10, a.n // 300, base10))
        mr = run_mprof_run(a.python, a.n, d)
        if mr is None:
            print('%-34s %9s   (mprof not installed)' % ('mprof run (0.2 s)', 'skipped'))
        else:
            print('%-34s %9.3f %8.2fx' % ('mprof run (0.2 s, RSS only)', mr, mr / base))
    finally:
        shutil.rmtree(d, ignore_errors=True)


if __name__ == '__main__':
    main()

#!/usr/bin/env python3
"""How fast memwatch-tui answers on a big history: a 24-hour session at 5
timeline rows a second (432,000 rows, 1.3 million charges), written through
the store's own sink by bench/tui_gen.

memwatch-tui runs in a private tmux server with --timing FILE, which logs for
every key the milliseconds from reading it to the finished redraw, and for
what a key asked the database for (timeline rows, the line and function
tables, read on memwatch-tui's loader thread) when it arrived. The script
also measures from outside, end to end: from tmux send-keys to capture-pane
showing the expected text (this adds tmux's own delay).

Usage: tui_speed.py TUI_GEN MEMWATCH_TUI [--hours H] [--per-second N] [--keep DIR]
"""
import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

TARGET_MS = 100.0
BRAILLE = re.compile('[\u2801-\u28ff]')


class Tmux:
    def __init__(self, sock, cmd, cols=200, rows=60):
        self.tmux = ['tmux', '-S', sock]
        subprocess.run(self.tmux + ['-f', '/dev/null', 'new-session', '-d', '-x', str(cols), '-y', str(rows),
                                    'sh', '-c', cmd], check=True)

    def capture(self):
        return subprocess.run(self.tmux + ['capture-pane', '-p'], capture_output=True, text=True).stdout

    def keys(self, *k):
        subprocess.run(self.tmux + ['send-keys'] + list(k), check=True)

    def until(self, pred, timeout=30.0):
        """Seconds until pred(screen) holds (polling every 2 ms), or None."""
        t0 = time.monotonic()
        while time.monotonic() - t0 < timeout:
            if pred(self.capture()):
                return time.monotonic() - t0
            time.sleep(0.002)
        return None

    def kill(self):
        subprocess.run(self.tmux + ['kill-server'], capture_output=True)


def read_timing(path, start):
    """Lines of the timing log from byte offset start: (new offset, keys, loads)."""
    with open(path) as f:
        f.seek(start)
        text = f.read()
        end = f.tell()
    keys = [float(m.group(1)) for m in re.finditer(r'^key \S+ screen \S+ ([\d.]+) ms$', text, re.M)]
    loads = [(m.group(1), int(m.group(2)), float(m.group(3)), float(m.group(4))) for m in re.finditer(
        r'^loaded (\S+) (\d+) rows ([\d.]+) ms after asked \(reading ([\d.]+) ms\)$', text, re.M)]
    return end, keys, loads


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('tui_gen')
    ap.add_argument('tui')
    ap.add_argument('--hours', type=float, default=24)
    ap.add_argument('--per-second', type=float, default=5)
    ap.add_argument('--keep', help='keep the database in this directory')
    a = ap.parse_args()
    if not shutil.which('tmux'):
        print('tui_speed: tmux is needed (apt-get install tmux)')
        sys.exit(1)
    work = tempfile.mkdtemp(prefix='mwtui-bench-')
    db = os.path.join(a.keep or work, 'big.db')
    timing = os.path.join(work, 'timing.log')
    try:
        if not os.path.exists(db):
            t0 = time.monotonic()
            out = subprocess.run([a.tui_gen, db, str(a.hours), str(a.per_second)], capture_output=True, text=True,
                                 check=True).stdout.strip()
            print('%s (%.1f s, %.0f MB)' % (out, time.monotonic() - t0, os.path.getsize(db) / 1e6))
        open(timing, 'w').close()
        cmd = 'LANG=C.UTF-8 TERM=tmux-256color %s --db %s --timing %s' % (a.tui, db, timing)
        t0 = time.monotonic()
        t = Tmux(os.path.join(work, 'tmux.sock'), cmd)
        rows = []
        try:
            t.until(lambda s: 'GROWTH/MIN' in s and 'main.py' in s)
            print('sessions screen shown %.0f ms after starting tmux and memwatch-tui' % (
                (time.monotonic() - t0) * 1000))
            off, _, _ = read_timing(timing, 0)
            # open the session: the frame, then the plot and the tables
            t.keys('Enter')
            t0 = time.monotonic()
            t.until(lambda s: len(BRAILLE.findall(s)) > 200 and re.search(r'main\.py:\d+ ', s) is not None)
            useful = time.monotonic() - t0
            t.until(lambda s: 'reading' not in s and 'Top lines' in s)
            done = time.monotonic() - t0
            time.sleep(0.3)
            off, keys, loads = read_timing(timing, off)
            print('open the 24-hour session (Enter):')
            print('  first frame          %8.1f ms' % keys[0])
            for kind, n, after, reading in loads:
                print('  %-8s %7d rows %8.1f ms after Enter (reading %.1f ms)' % (kind, n, after, reading))
            print('  end to end (tmux)    %8.1f ms until the plot (per minute) and the tables show' % (useful * 1000))
            print('  end to end (tmux)    %8.1f ms until every sample is in the plot' % (done * 1000))
            shown = [x[2] for x in loads if x[0] in ('minutes', 'tables')]
            rows.append(('open session', keys[0], max(shown or [0])))
            script = [('Left', 'cursor left'), ('Left', 'cursor left'), ('Right', 'cursor right'),
                      ('+', 'zoom in'), ('+', 'zoom in'), ('-', 'zoom out'), ('m', 'mark range start'),
                      ('Home', 'cursor to start'), ('M', 'mark range end'), ('Escape', 'clear range'),
                      ('2', 'hide USS'), ('s', 'sort by net'), ('Tab', 'functions pane'), ('Tab', 'lines pane'),
                      ('j', 'next line'), ('Enter', 'source view'), ('Escape', 'back'), ('End', 'cursor to end'),
                      ('-', 'zoom out'), ('q', None)]
            for key, what in script:
                if what is None:
                    break
                t.keys(key)
                time.sleep(0.6)
                off, keys, loads = read_timing(timing, off)
                frame = keys[0] if keys else float('nan')
                data = max([x[2] for x in loads] or [0])
                rows.append((what, frame, data))
            t.keys('q')
        finally:
            t.kill()
        print('\n%-18s %12s %16s' % ('key', 'frame (ms)', 'data shown (ms)'))
        for what, frame, data in rows:
            print('%-18s %12.1f %16s' % (what, frame, '%.1f' % data if data else '-'))
        frames = [r[1] for r in rows]
        datas = [r[2] for r in rows if r[2]]
        print('\nkey to finished frame: median %.1f ms, worst %.1f ms (target < %.0f ms)' % (
            statistics.median(frames), max(frames), TARGET_MS))
        print('key to its data on screen: median %.1f ms, worst %.1f ms' % (
            statistics.median(datas) if datas else 0, max(datas) if datas else 0))
        verdict = max(frames) < TARGET_MS
        print('frames within target: %s' % ('yes' if verdict else 'NO'))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == '__main__':
    main()

#!/usr/bin/env python3
"""memwatch-tui driven through tmux against databases recorded at test time
with the built memwatch: the sessions list, a session's plot and top lines
naming the allocating line, the source view, resizes, quitting with the
terminal restored, ASCII and mono terminals, filter, delete, compare, a
session followed live while it is recorded, and the one-line errors of a
missing, foreign, corrupt or newer database.

Usage: test_tui.py MEMWATCH MEMWATCH_TUI
"""
import json
import os
import re
import shlex
import shutil
import sqlite3
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mwtest  # noqa: E402
import pythons  # noqa: E402

USAGE, DB_ERR, NOSESSION = 2, 5, 7
PY = None

# Line numbers are checked on screen: keep them where they are.
ALLOC = '''import os, subprocess, sys, time
def build():
    time.sleep(0.3)
    blob = bytearray(int(os.environ.get("MB", "100")) * 1024 * 1024)
    time.sleep(0.6)
    return blob
keep = build()
subprocess.run([sys.executable, "-c", "import time; x = bytearray(20 << 20); time.sleep(0.5)"])
time.sleep(0.2)
'''
ALLOC_LINE = 4
ALLOC_TEXT = 'blob = bytearray(int(os.environ.get("MB", "100"))'

LIVE = '''import time
keep = []
for i in range(60):
    keep.append(bytearray(4 * 1024 * 1024))
    time.sleep(0.25)
'''
LIVE_LINE = 4

BRAILLE = re.compile('[\u2801-\u28ff]')


class Tmux:
    """One private tmux server running memwatch-tui in a shell that reports how it ended."""

    count = 0

    def __init__(self, env, tui, args, cols=120, rows=40, lang='C.UTF-8', extra_env=None):
        # a server of its own each time: a killed one may still be going away
        Tmux.count += 1
        self.sock = os.path.join(env.dir, 'tmux%d.sock' % Tmux.count)
        self.tmux = ['tmux', '-S', self.sock]
        envs = {'LANG': lang, 'LC_ALL': lang, 'TERM': 'tmux-256color'}
        envs.update(extra_env or {})
        cmd = ' '.join('%s=%s' % (k, shlex.quote(v)) for k, v in envs.items())
        cmd += ' %s %s; echo TUI-EXIT=$?; stty -a; sleep 600' % (shlex.quote(tui), ' '.join(map(shlex.quote, args)))
        subprocess.run(self.tmux + ['-f', '/dev/null', 'new-session', '-d', '-x', str(cols), '-y', str(rows),
                                    'sh', '-c', cmd], check=True)

    def capture(self):
        return subprocess.run(self.tmux + ['capture-pane', '-p'], capture_output=True, text=True).stdout

    def keys(self, *keys):
        subprocess.run(self.tmux + ['send-keys'] + list(keys), check=True)

    def wait(self, pred, timeout=8.0):
        """Waits until pred(screen text) holds and the screen stops changing (a frame
        may be caught half drawn); returns the screen (checked by the caller)."""
        end = time.time() + timeout
        while True:
            screen = self.capture()
            if pred(screen) or time.time() > end:
                break
            time.sleep(0.05)
        for _ in range(40):
            time.sleep(0.05)
            again = self.capture()
            if again == screen:
                break
            screen = again
        return screen

    def wait_text(self, text, timeout=8.0):
        # the session screen's tables and plot arrive from a loader thread: wait for them too
        return self.wait(lambda s: text in s and 'reading' not in s, timeout)

    def resize(self, cols, rows):
        subprocess.run(self.tmux + ['resize-window', '-x', str(cols), '-y', str(rows)], check=True)

    def size(self):
        out = subprocess.run(self.tmux + ['display', '-p', '#{window_width}x#{window_height}'],
                             capture_output=True, text=True).stdout.strip()
        return out

    def kill(self):
        subprocess.run(self.tmux + ['kill-server'], capture_output=True)


def record(env, name, text, extra_env=None):
    path = env.script(name, text)
    e = dict(os.environ)
    e.update(extra_env or {})
    p = env.mw('run', '--quiet', '--', PY, path, env=e, timeout=120)
    if p.returncode != 0:
        raise mwtest.Failure('memwatch run %s exited %d: %s' % (name, p.returncode, p.stderr.strip()))
    return path


def sessions(env):
    return env.sessions()


def plot_lines(screen):
    """The plot's rows: those with a y-axis tick or bar near the left edge."""
    return [l for l in screen.splitlines()[1:] if len(l) > 7 and l[6] in '\u2524\u2502|+']


def test_browse(s, env, tui):
    script = record(env, 'alloc.py', ALLOC)
    ss = sessions(env)
    s.check(len(ss) == 2 and ss[1]['parent'] == ss[0]['id'], 'fixture: a session and its child: %r' % ss)
    t = Tmux(env, tui, ['--db', env.db])
    try:
        scr = t.wait_text('alloc.py')
        lines = scr.splitlines()
        s.check('ID' in lines[1] and 'PEAK RSS' in lines[1] and 'GROWTH/MIN' in lines[1] and 'STATUS' in lines[1],
                'sessions header names the columns: %r' % lines[1])
        parent = [l for l in lines if ('python' in l and 'alloc.py' in l)]
        # (the child's command is the -c one, or the parent's if it was seen between fork and exec)
        child = [l for l in lines if l.split()[:1] == [str(ss[1]['id'])] and '\u2514 python3' in l]
        s.check(len(parent) == 1 and 'ended' in parent[0] and 'MiB' in parent[0],
                'the session is listed as ended with its peak: %r' % parent)
        s.check(len(child) == 1 and lines.index(child[0]) == lines.index(parent[0]) + 1,
                'its child is folded right under it: %r' % child)
        # Left folds the child away under a [+1], Right shows it again
        t.keys('Left')
        scr = t.wait_text('[+1]')
        s.check('[+1] python3 alloc.py' in scr and '\u2514' not in scr,
                'Left folds the child session away: %r' % [l for l in scr.splitlines() if 'python3' in l])
        t.keys('Right')
        scr = t.wait_text('\u2514 python3')
        s.check('[+1]' not in scr and '\u2514 python3' in scr, 'Right unfolds it')
        # Enter: the session screen, plot and top lines naming the allocating line
        t.keys('Enter')
        scr = t.wait_text('Top lines')
        s.check(scr.splitlines()[0].lstrip().startswith('Session %d' % ss[0]['id']),
                'Enter opens the session: %r' % scr.splitlines()[0])
        dots = len(BRAILLE.findall(scr))
        s.check(dots > 50, 'the plot is drawn in braille (%d dots)' % dots)
        ylabels = [l[:6].strip() for l in plot_lines(scr) if l[:6].strip()]
        s.check(any(re.fullmatch(r'1[0-9][0-9]M', y) for y in ylabels),
                'the y axis reaches past 100M: %r' % ylabels)
        rows = [l for l in scr.splitlines() if 'alloc.py:%d' % ALLOC_LINE in l]
        s.check(rows and 'bytearray(' in rows[0], 'the top-lines table names alloc.py:%d with its text: %r' % (
            ALLOC_LINE, rows))
        table = scr.split('Top lines', 1)[1].splitlines()[2:]
        s.check(table and 'alloc.py:%d' % ALLOC_LINE in table[0] and re.search(r'\b(9\d|1\d\d)\.?\d* MiB', table[0]),
                'the allocating line is the top line with ~100 MiB of growth: %r' % table[:1])
        # the cursor moves, the range marks, zoom
        t.keys('Left', 'Left', 'm', 'Home', 'M')
        scr = t.wait_text('range 0s-')
        s.check('range 0s-' in scr and 'Esc clears' in scr, 'm/M mark a range from the start: %r' % [
            l for l in scr.splitlines() if 'range' in l])
        t.keys('Escape')
        scr = t.wait_text('whole session')
        s.check('range: whole session' in scr, 'Esc clears the range')
        t.keys('+')
        scr = t.wait_text('zoom 2x')
        s.check('zoom 2x' in scr, '+ zooms in 2x')
        t.keys('+')
        # (4x, or as far as zooming goes: half a second across a session of ~1.8 s)
        scr = t.wait(lambda x: re.search(r'zoom [34]x', x) is not None)
        s.check(re.search(r'zoom [34]x', scr) is not None, 'a second + zooms in further: %r' % [
            l for l in scr.splitlines() if 'zoom' in l])
        t.keys('-', '-', '2', '3')
        scr = t.wait(lambda x: 'USS off' in x and 'PSS off' in x)
        s.check('[2]USS off' in scr and '[3]PSS off' in scr, 'keys 2 and 3 hide USS and PSS')
        t.keys('2', '3', 'Tab')
        scr = t.wait_text('Top functions')
        s.check('build  (alloc.py:2)' in scr, 'Tab shows the functions pane naming build(): %r' % [
            l for l in scr.splitlines() if 'build' in l])
        t.keys('Tab')
        scr = t.wait_text('Child sessions')
        kid = [l for l in scr.split('Child sessions', 1)[-1].splitlines() if l.split()[:1] == [str(ss[1]['id'])]]
        s.check(kid and 'MiB' in kid[0] and 'ended' in kid[0],
                'a third Tab lists the child session with its figures: %r' % kid)
        t.keys('Enter')
        scr = t.wait(lambda x: ('child of %d' % ss[0]['id']) in x.splitlines()[0] and 'reading' not in x)
        s.check(scr.splitlines()[0].lstrip().startswith('Session %d (child of %d)' % (ss[1]['id'], ss[0]['id'])),
                'Enter opens the child session: %r' % scr.splitlines()[0])
        t.keys('Escape')
        scr = t.wait(lambda x: x.splitlines()[0].lstrip().startswith('Session %d ' % ss[0]['id']))
        s.check(scr.splitlines()[0].lstrip().startswith('Session %d (1 child)' % ss[0]['id']) and
                'Child sessions' in scr, 'Esc comes back to the parent: %r' % scr.splitlines()[0])
        t.keys('Tab')
        t.wait_text('Top lines')
        # s sorts the panes, / finds a row, r reads the database again
        t.keys('s')
        scr = t.wait_text('Top lines by net')
        s.check('panes sorted by net' in scr, 's sorts the panes by net')
        t.keys('s', 's', 's')
        t.wait_text('Top lines by growth')
        t.keys('/', 'b', 'y', 't', 'e', 'a', 'r', 'r', 'a', 'y', '(', 'i', 'n', 't', 'Enter', 'Enter')
        scr = t.wait_text('Line Contents')
        s.check('alloc.py' in scr.splitlines()[0] and re.search(r'^\s+%d\s' % ALLOC_LINE, '\n'.join(
            l for l in scr.splitlines() if ALLOC_TEXT in l), re.M) is not None,
            '/ finds the line by its text and Enter opens it')
        t.keys('Escape', 'r')
        scr = t.wait_text('Top lines')
        s.check('alloc.py:%d' % ALLOC_LINE in scr, 'r reads the session again')
        # Enter on the top line: its source, scrolled there, with figures beside it
        t.keys('g', 'Enter')
        scr = t.wait_text('Line Contents')
        src = [l for l in scr.splitlines() if re.match(r'\s+%d\s' % ALLOC_LINE, l)]
        s.check(scr.splitlines()[0].lstrip().startswith('Source') and script in scr.splitlines()[0],
                'Enter on the line opens the source of %s: %r' % (script, scr.splitlines()[0]))
        s.check(src and ALLOC_TEXT in src[0] and 'MiB' in src[0],
                'the source view shows line %d with its figures: %r' % (ALLOC_LINE, src))
        s.check(any(l.strip() == '\u2026' for l in scr.splitlines()[2:]),
                'lines not saved are shown as a gap (\u2026)')
        t.keys('Escape')
        t.wait_text('Top lines')
        # resizes redraw the whole screen at the new size
        t.resize(200, 60)
        scr = t.wait(lambda x: 'Top functions' in x and 'Top lines' in x and len(x.splitlines()) >= 59)
        lines = scr.splitlines()
        s.check(len(lines) >= 59 and max(len(l) for l in lines) > 150 and 'Top functions' in scr and 'Top lines' in scr,
                'at 200x60 both panes are shown side by side (%d lines, widest %d)' % (
                    len(lines), max(len(l) for l in lines)))
        s.check(len(plot_lines(scr)) >= 20, 'at 200x60 the plot grows (%d rows)' % len(plot_lines(scr)))
        t.resize(80, 24)
        scr = t.wait(lambda x: len(x.splitlines()) <= 24 and 'Top lines' in x and 'Top functions' not in x)
        lines = scr.splitlines()
        s.check(len(lines) <= 24 and max(len(l) for l in lines) <= 80 and 'Top lines' in scr,
                'at 80x24 everything fits (%d lines, widest %d)' % (len(lines), max(len(l) for l in lines)))
        s.check(lines[0].lstrip().startswith('Session') and 'alloc.py:%d' % ALLOC_LINE in scr,
                'at 80x24 the title and the top line are still shown')
        s.check(len(plot_lines(scr)) >= 6, 'at 80x24 the plot has rows (%d)' % len(plot_lines(scr)))
        t.resize(120, 40)
        # help lists the keys of the screen
        t.keys('?')
        scr = t.wait_text('Help:')
        for k in ('Left/Right', 'm or [', 'M or ]', '+ / -', 'Tab', '1 / 2 / 3', 'PgUp/PgDn', 'q'):
            s.check(k in scr, 'help lists %r' % k)
        t.keys('Escape', 'Escape')
        scr = t.wait_text('GROWTH/MIN')
        s.check('GROWTH/MIN' in scr, 'Esc goes back to the sessions list')
        # q: the terminal is given back as it was
        t.keys('q')
        scr = t.wait_text('TUI-EXIT=')
        s.check('TUI-EXIT=0' in scr, 'q exits 0')
        s.check(re.search(r'(?<![-\w])icanon\b', scr) and re.search(r'(?<![-\w])echo\b', scr),
                'the terminal is back in canonical mode with echo after q')
    finally:
        t.kill()


def test_lists(s, env, tui):
    """Filter, sort, compare and delete on the sessions list."""
    record(env, 'alloc.py', ALLOC)
    record(env, 'alloc.py', ALLOC, {'MB': '40'})
    before = sessions(env)
    roots = [x['id'] for x in before if not x['parent']]
    s.check(len(roots) == 2, 'two top-level sessions recorded: %r' % roots)
    t = Tmux(env, tui, ['--db', env.db])
    try:
        t.wait_text('GROWTH/MIN')
        t.keys('/', 'n', 'o', 'p', 'e')
        scr = t.wait_text('No session matches')
        s.check('No session matches "nope"' in scr, 'a filter matching nothing says so')
        t.keys('Escape')
        scr = t.wait(lambda x: x.count('alloc.py') >= 2)
        s.check(scr.count('alloc.py') >= 2, 'Esc clears the filter')
        t.keys('s', 's')
        scr = t.wait_text('sorted peak RSS')
        rows = [l for l in scr.splitlines() if l.lstrip(' *').split()[:1] in ([str(r)] for r in roots)]
        s.check(len(rows) == 2 and rows[0].split()[0] == str(roots[0]),
                'sorted by peak RSS the 100 MB session comes first: %r' % rows)
        # compare the two: the allocating line differs by about 60 MiB
        t.keys('g', 'Space', 'Down', 'Space')   # the 100 MB session, past its child, then the 40 MB one
        t.keys('c')
        scr = t.wait_text('Compare')
        row = [l for l in scr.splitlines() if 'alloc.py:%d' % ALLOC_LINE in l]
        s.check(scr.splitlines()[0].lstrip().startswith('Compare'), 'c opens the comparison')
        s.check(row and re.search(r'-\s*(5\d|6\d)\.?\d* MiB', row[0]) is not None,
                'the allocating line shows B - A of about -60 MiB: %r\n%s' % (row, scr))
        t.keys('Escape')
        t.wait_text('GROWTH/MIN')
        # delete: n keeps it, y deletes it and its child
        t.keys('g', 'd')
        scr = t.wait_text('y/n')
        s.check('Delete session' in scr, 'd asks before deleting')
        t.keys('n')
        t.wait_text('nothing deleted')
        s.check(len(sessions(env)) == len(before), 'n deletes nothing')
        t.keys('d')
        t.wait_text('y/n')
        t.keys('y')
        scr = t.wait_text('deleted session')
        after = sessions(env)
        s.check(len(after) == len(before) - 2 and all(x['id'] != roots[0] for x in after),
                'y deletes the session and its child: %d -> %d' % (len(before), len(after)))
        ids = [l.lstrip(' *').split()[0] for l in scr.splitlines()[2:] if l.lstrip(' *')[:1].isdigit()]
        s.check(str(roots[0]) not in ids and str(roots[1]) in ids, 'the list drops the deleted rows: %r' % ids)
        t.keys('q')
        t.wait_text('TUI-EXIT=')
    finally:
        t.kill()


def test_ascii_mono(s, env, tui):
    record(env, 'alloc.py', ALLOC)
    t = Tmux(env, tui, ['--db', env.db, '--plot', 'block', '1'])
    try:
        scr = t.wait_text('Top lines')
        plot = ''.join(l[7:] for l in plot_lines(scr))
        s.check(sum(plot.count(c) for c in '\u2580\u2584\u2588') > 20 and not BRAILLE.search(plot),
                '--plot block draws with half blocks')
        t.keys('q')
        t.wait_text('TUI-EXIT=')
    finally:
        t.kill()
    t = Tmux(env, tui, ['--db', env.db, '1'], lang='C', extra_env={'NO_COLOR': '1'})
    try:
        scr = t.wait_text('Top lines')
        s.check(all(ord(c) < 128 for c in scr), 'LANG=C: the screen is ASCII only')
        plot = ''.join(l[7:] for l in plot_lines(scr))
        s.check(sum(plot.count(c) for c in ".:'") > 20, 'LANG=C: the plot is drawn with . : \' (%r)' % plot[:80])
        s.check('alloc.py:%d' % ALLOC_LINE in scr, 'LANG=C: the top line is named')
        t.keys('Escape')
        scr = t.wait_text('GROWTH/MIN')
        s.check('`-python3' in scr, 'LANG=C: the child is folded with an ASCII branch')
        t.keys('q')
        t.wait_text('TUI-EXIT=')
    finally:
        t.kill()


def test_live(s, env, tui):
    path = env.script('live.py', LIVE)
    proc = subprocess.Popen(env.cmd('run', '--quiet', '--', PY, path), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    t = None
    try:
        ok = mwtest.wait_for(lambda: os.path.exists(env.db) and any(
            x['status'] == 'live' and x['samples'] >= 3 for x in sessions(env)), timeout=15)
        s.check(ok, 'memwatch run records a live session')
        t = Tmux(env, tui, ['--db', env.db])
        scr = t.wait_text('live.py')
        row = [l for l in scr.splitlines() if 'live.py' in l]
        s.check(row and ' live ' in row[0], 'the sessions list shows it live: %r' % row)
        t.keys('Enter')
        scr = t.wait_text('Top lines')

        def rss_at_cursor(screen):
            m = re.search(r'\[1\]RSS ([\d.]+) (MiB|KiB|GiB)', screen)
            if not m:
                return 0
            return float(m.group(1)) * {'KiB': 1 / 1024, 'MiB': 1, 'GiB': 1024}[m.group(2)]

        r1, d1 = rss_at_cursor(scr), len(BRAILLE.findall(scr))
        time.sleep(2.5)
        scr = t.capture()
        r2, d2 = rss_at_cursor(scr), len(BRAILLE.findall(scr))
        s.check(r2 > r1 + 20, 'the plot follows the session: RSS at the cursor %.1f -> %.1f MiB' % (r1, r2))
        s.check(' live ' in scr.splitlines()[0], 'the title says live: %r' % scr.splitlines()[0])
        s.check(any('live.py:%d' % LIVE_LINE in l for l in scr.splitlines()),
                'the growing line is named while live')
        print('live: RSS at cursor %.1f -> %.1f MiB, braille dots %d -> %d' % (r1, r2, d1, d2))
        proc.wait(timeout=60)
        scr = t.wait(lambda x: 'ended' in x.splitlines()[0], timeout=5)
        s.check(proc.returncode == 0, 'memwatch run of the live script exited 0 (%s)' % proc.returncode)
        s.check('ended' in scr.splitlines()[0], 'when recording ends the title says ended')
        t.keys('q')
        t.wait_text('TUI-EXIT=')
    finally:
        if t:
            t.kill()
        mwtest.kill_quietly(proc)


def test_cut(s, env, tui):
    """A recorder killed mid-way leaves its session cut short, and the list says so."""
    path = env.script('live.py', LIVE)
    proc = subprocess.Popen(env.cmd('run', '--quiet', '--', PY, path), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    t = None
    try:
        ok = mwtest.wait_for(lambda: os.path.exists(env.db) and any(
            x['status'] == 'live' and x['samples'] >= 3 for x in sessions(env)), timeout=15)
        s.check(ok, 'memwatch run records a live session')
        target = [x['pid'] for x in sessions(env) if x['status'] == 'live']
        proc.kill()
        proc.wait()
        for pid in target:
            try:
                os.kill(pid, 9)
            except ProcessLookupError:
                pass
        t = Tmux(env, tui, ['--db', env.db])
        scr = t.wait_text('live.py')
        row = [l for l in scr.splitlines() if 'live.py' in l]
        s.check(row and 'cut short' in row[0], 'a killed recording is listed as cut short: %r' % row)
        t.keys('Enter')
        scr = t.wait_text('Top lines')
        s.check('cut short' in scr.splitlines()[0] and len(BRAILLE.findall(scr)) > 10,
                'its session screen says cut short and plots what was recorded')
        t.keys('q')
        t.wait_text('TUI-EXIT=')
    finally:
        if t:
            t.kill()
        mwtest.kill_quietly(proc)


def run_tui(tui, *args):
    return subprocess.run([tui] + list(args), capture_output=True, text=True, timeout=30,
                          stdin=subprocess.DEVNULL)


def one_line(s, p, status, words, what):
    lines = p.stderr.strip().splitlines()
    s.check(p.returncode == status, '%s: exit %d (got %d)' % (what, status, p.returncode))
    s.check(len(lines) == 1 and lines[0].startswith('memwatch-tui: ') and all(w in lines[0] for w in words),
            '%s: one line naming %r: %r' % (what, words, p.stderr))


def test_errors(s, env, tui):
    missing = os.path.join(env.dir, 'none.db')
    one_line(s, run_tui(tui, '--db', missing), NOSESSION, ['no database', 'memwatch run'], 'missing database')
    s.check(not os.path.exists(missing), 'a missing database is not created')
    text = os.path.join(env.dir, 'text.db')
    with open(text, 'w') as f:
        f.write('hello, this is not a database\n')
    one_line(s, run_tui(tui, '--db', text), DB_ERR, ['not a memwatch database'], 'text file')
    foreign = os.path.join(env.dir, 'foreign.db')
    db = sqlite3.connect(foreign)
    db.execute('CREATE TABLE t (x)')
    db.commit()
    db.close()
    one_line(s, run_tui(tui, '--db', foreign), DB_ERR, ['not a memwatch database'], 'another SQLite database')
    record(env, 'alloc.py', ALLOC)
    newer = os.path.join(env.dir, 'newer.db')
    shutil.copy(env.db, newer)
    db = sqlite3.connect(newer)
    db.execute('PRAGMA user_version = 999')
    db.commit()
    db.close()
    one_line(s, run_tui(tui, '--db', newer), DB_ERR, ['newer memwatch'], 'newer schema')
    corrupt = os.path.join(env.dir, 'corrupt.db')
    data = bytearray(open(env.db, 'rb').read())
    for off in range(1024, len(data), 512):   # scramble every page past the header
        data[off:off + 64] = os.urandom(64)
    open(corrupt, 'wb').write(bytes(data))
    one_line(s, run_tui(tui, '--db', corrupt), DB_ERR, ['corrupt'], 'corrupt database')
    one_line(s, run_tui(tui, '--db', env.db, '999'), NOSESSION, ['no session 999'], 'unknown session')
    one_line(s, run_tui(tui, '--bogus'), USAGE, ['unknown option'], 'unknown option')
    p = run_tui(tui, '--db', env.db)
    s.check(p.returncode == 1 and 'terminal' in p.stderr and len(p.stderr.strip().splitlines()) == 1,
            'without a terminal: one line, exit 1: %r' % p.stderr)
    # the corrupt database seen in a terminal: the error lands on a normal screen
    t = Tmux(env, tui, ['--db', corrupt])
    try:
        scr = t.wait_text('TUI-EXIT=')
        s.check('TUI-EXIT=5' in scr and 'corrupt' in scr, 'in a terminal: the error, exit 5')
        s.check(re.search(r'(?<![-\w])icanon\b', scr) is not None, 'in a terminal: the terminal is left as it was')
    finally:
        t.kill()
    # an empty database says how to record a session
    empty = os.path.join(env.dir, 'empty.db')
    open(empty, 'w').close()
    t = Tmux(env, tui, ['--db', empty])
    try:
        scr = t.wait_text('memwatch run')
        s.check('No sessions recorded yet' in scr and 'memwatch run -- python3 script.py' in scr,
                'an empty database says how to record a session')
        t.keys('q')
        scr = t.wait_text('TUI-EXIT=')
        s.check('TUI-EXIT=0' in scr, 'q on the empty screen exits 0')
    finally:
        t.kill()


def main():
    global PY
    memwatch, tui = sys.argv[1], sys.argv[2]
    if not shutil.which('tmux'):
        print('test_tui: SKIPPED: tmux is not installed (apt-get install tmux): memwatch-tui was NOT tested')
        sys.exit(77)
    found = pythons.find()
    if not found:
        print('test_tui: SKIPPED: no CPython 3.8+ found to record fixtures')
        sys.exit(77)
    chosen = max(found, key=lambda f: f['version'])
    PY = chosen['exe']
    print('test_tui: recording fixtures with %s; the TUI reads only the database, one Python is enough' %
          chosen['label'])
    s = mwtest.Suite('test_tui')
    for fn in (test_browse, test_lists, test_ascii_mono, test_live, test_cut, test_errors):
        env = mwtest.Env(memwatch)
        try:
            s.run(fn, env, tui)
        finally:
            env.cleanup()
    s.done()


if __name__ == '__main__':
    main()

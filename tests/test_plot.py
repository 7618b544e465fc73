#!/usr/bin/env python3
"""`memwatch plot` on sessions recorded from a real Python: the PNG is decoded
here (zlib, no imaging library) and must be a valid image of the size asked,
with the RSS line low before the allocation and high after it, a marker of
the top line at the time memory rose, children summed with --children; the
SVG is well-formed XML of the size asked; mistakes exit with one line.

Usage: test_plot.py MEMWATCH
"""
import os
import struct
import sys
import xml.etree.ElementTree as ET
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mwtest  # noqa: E402
import pythons  # noqa: E402

USAGE, ERROR, NOSESSION = 2, 1, 7
PY = None
RSS = (214, 39, 40)          # plotdraw's RSS colour
MARK0 = (255, 127, 14)       # the first marked line's colour

# The allocation at line 4 comes after a quiet start; the child comes after it.
SCRIPT = '''import time, subprocess, sys
def build():
    time.sleep(0.8)
    blob = bytearray(80 * 1024 * 1024)
    time.sleep(0.8)
    return blob
keep = build()
subprocess.run([sys.executable, "-c", "import time; x = bytearray(250 << 20); time.sleep(1.2)"])
time.sleep(0.3)
'''


def read_png(path):
    """Decodes an 8-bit RGB or RGBA, non-interlaced PNG. Returns (width, height, rows of (r, g, b))."""
    data = open(path, 'rb').read()
    if data[:8] != b'\x89PNG\r\n\x1a\n':
        raise mwtest.Failure('%s is not a PNG' % path)
    pos, idat, hdr = 8, b'', None
    while pos < len(data):
        n, kind = struct.unpack('>I4s', data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        crc = struct.unpack('>I', data[pos + 8 + n:pos + 12 + n])[0]
        if zlib.crc32(kind + body) & 0xffffffff != crc:
            raise mwtest.Failure('bad CRC in chunk %r' % kind)
        if kind == b'IHDR':
            hdr = struct.unpack('>IIBBBBB', body)
        elif kind == b'IDAT':
            idat += body
        elif kind == b'IEND':
            break
        pos += 12 + n
    w, h, depth, ctype, _, _, interlace = hdr
    if depth != 8 or ctype not in (2, 6) or interlace:
        raise mwtest.Failure('unexpected PNG kind: depth %d, colour type %d, interlace %d' % (depth, ctype, interlace))
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(idat)
    stride = w * bpp
    rows, prev = [], bytearray(stride)
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 0xff
            elif f == 2:
                line[i] = (line[i] + b) & 0xff
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 0xff
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pr = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pr) & 0xff
        rows.append([tuple(line[x * bpp:x * bpp + 3]) for x in range(w)])
        prev = line
    return w, h, rows


def near(px, rgb, tol=40):
    return all(abs(a - b) <= tol for a, b in zip(px, rgb))


def frame_rows(rows, w):
    """The top and bottom border rows of the plot area: rows mostly of the frame's dark grey."""
    dark = [y for y, r in enumerate(rows) if sum(1 for p in r if max(p) < 90) > 0.6 * w]
    if len(dark) < 2:
        raise mwtest.Failure('no plot frame found (dark rows: %r)' % dark)
    return dark[0], dark[-1]


def frame_cols(rows, h, top, bottom):
    """The left and right border columns of the plot area."""
    w = len(rows[0])
    dark = [x for x in range(w) if sum(1 for y in range(top, bottom + 1) if max(rows[y][x]) < 90) > 0.9 * (bottom - top)]
    if len(dark) < 2:
        raise mwtest.Failure('no plot frame sides found')
    return dark[0], dark[-1]


def heights(rows, w, top, bottom, rgb):
    """Per column, how high (0 at the bottom border, 1 at the top) the topmost pixel of colour rgb is, or None."""
    out = []
    for x in range(w):
        hit = None
        for y in range(top + 1, bottom):
            if near(rows[y][x], rgb):
                hit = y
                break
        out.append(None if hit is None else (bottom - hit) / (bottom - top))
    return out


def record(env):
    script = env.script('alloc.py', SCRIPT)
    p = env.mw('run', '--quiet', '--interval', '0.05', '--', PY, script, timeout=120)
    if p.returncode != 0:
        raise mwtest.Failure('run exited %d: %s' % (p.returncode, p.stderr))
    return script


def test_png(s, env):
    record(env)
    root = next(x for x in env.sessions() if x['parent'] is None)
    tl = env.report(str(root['id']), '--timeline')
    png = os.path.join(env.dir, 'mem.png')
    p = env.mw('plot', '-o', png, '--width', '800', '--height', '400', '--to', '2.2')
    s.check(p.returncode == 0 and p.stdout == '' and p.stderr == '', 'plot exits 0 quietly: %r' % p.stderr)
    w, h, rows = read_png(png)
    s.check((w, h) == (800, 400), 'the image is 800x400 (%dx%d)' % (w, h))
    top, bottom = frame_rows(rows, w)
    s.check(bottom - top > 200, 'the plot area is most of the height (%d..%d)' % (top, bottom))
    fl, fr = frame_cols(rows, h, top, bottom)
    hs = heights(rows, w, top, bottom, RSS)
    cols = [x for x in range(w) if hs[x] is not None]
    s.check(len(cols) > w / 2, 'the RSS line crosses the plot (%d columns)' % len(cols))

    def t_of(x):   # the time a column shows: the plot spans 0 .. 2.2 s
        return (x - fl) / (fr - fl) * 2.2
    t_rise = next(r['t'] for r in tl if r['rss_bytes'] > 50 << 20)
    before = [hs[x] for x in cols if 0.15 <= t_of(x) <= t_rise - 0.15]
    after = [hs[x] for x in cols if t_rise + 0.25 <= t_of(x) <= 2.1]
    s.check(before and after and max(before) < 0.2 and min(after) > 0.45 and min(after) > 4 * max(before),
            'the RSS line is low before the allocation (at %.2fs) and high after it (%.2f -> %.2f)' % (
                t_rise, max(before or [1]), min(after or [0])))
    # where it rose, a marker of the top line (alloc.py:4) stands
    rise = next((x for x in cols if hs[x] > 0.3), None)
    marks = [x for x in range(w) if sum(1 for y in range(top + 1, bottom) if near(rows[y][x], MARK0, 30)) > 0.3 * (bottom - top)]
    s.check(rise is not None and marks and min(abs(t_of(m) - t_of(rise)) for m in marks) <= 0.15,
            'a marker stands where memory rose (rise at %.2fs, markers at %r s)' % (
                t_of(rise or 0), [round(t_of(m), 2) for m in marks[:8]]))
    s.check(abs(t_of(rise or 0) - t_rise) < 0.15, 'the rise is drawn at its time (%.2fs, drawn at %.2fs)' % (
        t_rise, t_of(rise or 0)))

    # the top line's own top: no marker when asked for none
    png0 = os.path.join(env.dir, 'nomarks.png')
    p = env.mw('plot', '-o', png0, '--width', '800', '--height', '400', '--to', '2.2', '--top', '0', check=True)
    _, _, rows0 = read_png(png0)
    marks0 = [x for x in range(w) if sum(1 for y in range(top + 1, bottom) if near(rows0[y][x], MARK0, 30)) > 0.3 * (bottom - top)]
    s.check(not marks0, '--top 0 draws no marker')

    # children: with --children the child's 250 MiB is added while it runs
    full = os.path.join(env.dir, 'full.png')
    kids = os.path.join(env.dir, 'kids.png')
    env.mw('plot', '-o', full, '--width', '600', '--height', '300', check=True)
    env.mw('plot', '-o', kids, '--width', '600', '--height', '300', '--children', check=True)
    for path, label, want in ((full, 'without', lambda r: r > 0.8), (kids, 'with', lambda r: r < 0.5)):
        ww, hh, rr = read_png(path)
        t2, b2 = frame_rows(rr, ww)
        h2 = heights(rr, ww, t2, b2, RSS)
        l2, r2 = frame_cols(rr, hh, t2, b2)
        c2 = [x for x in range(ww) if h2[x] is not None]
        # the parent's plateau (its 80 MiB, 0.4 s after it rose) relative to the highest point of the plot
        span = max(root['duration_s'], tl[-1]['t'])
        x = int(l2 + (t_rise + 0.4) / span * (r2 - l2))
        plateau = max(h2[i] or 0 for i in range(x - 2, x + 3))
        peak = max(h2[x] for x in c2)
        s.check(want(plateau / peak), '%s --children the parent plateau is %.2f of the peak' % (label, plateau / peak))


def test_svg(s, env):
    record(env)
    svg = os.path.join(env.dir, 'mem.svg')
    env.mw('plot', '-o', svg, '--width', '640', '--height', '320', check=True)
    root = ET.parse(svg).getroot()
    s.check(root.tag.endswith('svg'), 'an SVG document')
    s.check(root.get('width', '').startswith('640') and root.get('height', '').startswith('320'),
            'of the size asked: %r x %r' % (root.get('width'), root.get('height')))
    s.check(len(list(root.iter())) > 50, 'with drawing in it')


def test_errors(s, env):
    record(env)
    for args, want, words in ((['plot'], USAGE, '-o FILE.png'),
                              (['plot', '-o', 'x.jpg'], USAGE, '.png or .svg'),
                              (['plot', '-o', 'x.png', '--width', '5'], USAGE, '--width'),
                              (['plot', '42', '-o', os.path.join(env.dir, 'x.png')], NOSESSION, 'no session 42'),
                              (['plot', '-o', os.path.join(env.dir, 'no', 'such', 'x.png')], ERROR, 'cannot write')):
        p = env.mw(*args)
        lines = p.stderr.strip().splitlines()
        s.check(p.returncode == want and len(lines) == 1 and words in lines[0],
                '%s: exit %d (wanted %d), %r' % (' '.join(args), p.returncode, want, p.stderr))
    s.check(not os.path.exists(os.path.join(env.dir, 'x.png')), 'no image left behind by a failed plot')


def main():
    global PY
    memwatch = sys.argv[1]
    found = pythons.find()
    if not found:
        print('test_plot: SKIPPED: no CPython 3.8+ found')
        sys.exit(77)
    chosen = max(found, key=lambda f: f['version'])
    PY = chosen['exe']
    print('test_plot: recording with %s (%s); plots read only the database, other interpreters not needed' % (
        chosen['label'], PY))
    s = mwtest.Suite('test_plot')
    for fn in (test_png, test_svg, test_errors):
        env = mwtest.Env(memwatch)
        try:
            s.run(fn, env)
        finally:
            env.cleanup()
    s.done()


if __name__ == '__main__':
    main()

"""Run by test_layouts_live.py inside each CPython under test (3.8+ syntax only).

Gets memwatch's py_layout for this very interpreter from pylayout_dump (the
built-in table, or for 3.13+ the parser fed with this process's own
_PyRuntime bytes), then walks its own runtime with ctypes using only those
offsets, the way memwatch walks a target from outside: runtime ->
interpreters -> thread states -> frames -> code objects -> str/bytes, plus the
GIL holder. Everything read is compared with what Python itself reports.

usage: python layout_selfwalk.py PYLAYOUT_DUMP
Exit: 0 all checks passed, 1 a check failed, 3 no layout for this version.
"""
import ctypes
import os
import subprocess
import sys
import tempfile
import threading

DUMP = sys.argv[1]
V = sys.version_info
checks = [0]
failed = []


def check(cond, what):
    checks[0] += 1
    if not cond:
        failed.append(what)
        print('FAIL ' + what, flush=True)


def ptr(addr):
    return ctypes.c_void_p.from_address(addr).value or 0


def load_layout(rt):
    if V >= (3, 13):
        fd, name = tempfile.mkstemp(prefix='mw-rt-')
        try:
            os.write(fd, ctypes.string_at(rt, 1024))
            os.close(fd)
            r = subprocess.run([DUMP, 'debug', name], capture_output=True, text=True)
        finally:
            os.unlink(name)
        how = 'from _Py_DebugOffsets'
    else:
        r = subprocess.run([DUMP, 'builtin', str(V[0]), str(V[1])], capture_output=True, text=True)
        how = 'built-in'
    if r.returncode == 3:
        print('NOLAYOUT ' + r.stderr.strip(), flush=True)
        sys.exit(3)
    if r.returncode != 0:
        print('FAIL pylayout_dump: ' + r.stderr.strip(), flush=True)
        sys.exit(1)
    L = {}
    for line in r.stdout.splitlines():
        k, v = line.split()
        L[k] = None if v == 'none' else int(v)
    return L, how


RT = ctypes.addressof(ctypes.c_char.in_dll(ctypes.pythonapi, '_PyRuntime'))
L, HOW = load_layout(RT)


def type_name(obj):
    tp = ptr(obj + L['ob_type'])
    return ctypes.string_at(ptr(tp + L['tp_name'])).decode() if tp else None


def read_str(obj):
    check(type_name(obj) == 'str', 'str object has type str')
    n = ctypes.c_ssize_t.from_address(obj + L['str_length']).value
    state = ctypes.c_uint32.from_address(obj + L['str_state']).value
    kind = (state >> L['str_kind_shift']) & 7
    compact = (state >> L['str_compact_bit']) & 1
    ascii = (state >> L['str_ascii_bit']) & 1
    check(compact == 1 and kind in (1, 2, 4) and 0 <= n < 1 << 20,
          'str state sane (kind %d compact %d length %d)' % (kind, compact, n))
    if not compact or kind not in (1, 2, 4) or not 0 <= n < 1 << 20:
        return None
    data = obj + (L['str_ascii_size'] if ascii else L['str_compact_size'])
    raw = ctypes.string_at(data, n * kind)
    try:
        return raw.decode({1: 'latin-1', 2: 'utf-16-le', 4: 'utf-32-le'}[kind])
    except UnicodeDecodeError:
        return None


def read_bytes(obj):
    check(type_name(obj) == 'bytes', 'line table is a bytes object')
    n = ctypes.c_ssize_t.from_address(obj + L['bytes_size']).value
    return ctypes.string_at(obj + L['bytes_sval'], n) if 0 <= n < 1 << 24 else None


def check_strings():
    for s in ['plain ascii', 'caf\xe9 latin-1', '\u03bb bmp \u20ac', 'astral \U0001f600 x']:
        check(read_str(id(s)) == s, 'str %r read back' % s)
    b = bytes(range(256)) * 3
    check(read_bytes(id(b)) == b, 'bytes read back')


def threads_of(interp):
    out, t = [], ptr(interp + L['is_threads_head'])
    while t and len(out) < 1000:
        out.append(t)
        t = ptr(t + L['ts_next'])
    return out


def current(tstate):
    """The frame the layout says is running, read inline (no Python call may run
    in between), with its code object and its caller."""
    me = sys._getframe()
    if L['ts_frame_is_cframe']:
        cf = ctypes.c_void_p.from_address(tstate + L['ts_frame']).value
        fr = ctypes.c_void_p.from_address(cf + L['cframe_current_frame']).value
    else:
        fr = ctypes.c_void_p.from_address(tstate + L['ts_frame']).value
    code = ctypes.c_void_p.from_address(fr + L['fr_code']).value
    back = ctypes.c_void_p.from_address(fr + L['fr_back']).value
    return fr, code, back, me


def frame_lasti_bytes(fr, code):
    """The last instruction's byte offset per the layout, as f_lasti reports it."""
    if L['fr_lasti'] is not None:
        v = ctypes.c_int.from_address(fr + L['fr_lasti']).value
        return v * 2 if L['fr_lasti_in_units'] else v
    instr = ptr(fr + L['fr_instr'])
    off = instr - (code + L['co_code_adaptive'])
    return off - 2 if L['fr_instr_is_next'] else off


def check_code(code, expect, label):
    check(type_name(code) == 'code', '%s: f_code is a code object' % label)
    check(read_str(ptr(code + L['co_name'])) == expect.co_name, '%s: co_name' % label)
    check(read_str(ptr(code + L['co_filename'])) == expect.co_filename, '%s: co_filename' % label)
    if L['co_qualname'] is not None:
        check(read_str(ptr(code + L['co_qualname'])) == expect.co_qualname, '%s: co_qualname' % label)
    check(ctypes.c_int.from_address(code + L['co_firstlineno']).value == expect.co_firstlineno,
          '%s: co_firstlineno' % label)
    table = expect.co_lnotab if V < (3, 10) else expect.co_linetable
    check(read_bytes(ptr(code + L['co_linetable'])) == table, '%s: line table bytes' % label)


def walk(tstate):
    fr, code, back, me = current(tstate)
    if L['frame_kind'] == 1:
        check(fr == id(me), 'thread frame is the running PyFrameObject')
    check(code == id(me.f_code), 'running frame code is current()')
    check_code(code, me.f_code, 'current()')
    expect = []
    f = me.f_back
    while f is not None:
        expect.append(f)
        f = f.f_back
    got, shims, f = [], 0, back
    while f and len(got) + shims < 200:
        if L['fr_owner'] is not None:
            owner = ctypes.c_ubyte.from_address(f + L['fr_owner']).value
            if owner == L['fr_owner_cstack']:
                shims += 1
                f = ptr(f + L['fr_back'])
                continue
        got.append(f)
        f = ptr(f + L['fr_back'])
    check(len(got) == len(expect), 'frame chain length %d == %d' % (len(got), len(expect)))
    for i, (f, e) in enumerate(zip(got, expect)):
        c = ptr(f + L['fr_code'])
        label = 'frame %d (%s)' % (i, e.f_code.co_name)
        check(c == id(e.f_code), label + ': code object')
        if c == id(e.f_code):
            check_code(c, e.f_code, label)
            if i == 0:
                continue  # walk() itself: still running, its instruction moves on
            check(frame_lasti_bytes(f, c) == e.f_lasti,
                  '%s: last instruction %d == f_lasti %d' % (label, frame_lasti_bytes(f, c), e.f_lasti))
    if V >= (3, 12):
        check(shims >= 1, 'C-stack shim frames seen and skipped (%d)' % shims)
    return len(got), shims


def check_threads():
    interp = ptr(RT + L['rt_interp_head'])
    check(interp != 0, 'interpreter list head')
    interps = []
    while interp and len(interps) < 64:
        interps.append(interp)
        interp = ptr(interp + L['is_next'])
    check(len(interps) == 1, 'one interpreter (%d)' % len(interps))
    main = interps[0]

    stop, ready = threading.Event(), threading.Event()

    def idle():
        ready.set()
        stop.wait(60)
    other = threading.Thread(target=idle)
    other.start()
    ready.wait(60)
    try:
        ts = threads_of(main)
        check(all(ptr(t + L['ts_interp']) == main for t in ts), 'thread states point back to their interpreter')
        ids = {ctypes.c_ulong.from_address(t + L['ts_thread_id']).value: t for t in ts}
        check(threading.get_ident() in ids and other.ident in ids,
              'thread ids %s include this thread and the idle one' % sorted(ids))
        if L['ts_native_thread_id'] is not None:
            nat = {ctypes.c_ulong.from_address(t + L['ts_native_thread_id']).value for t in ts}
            check({threading.get_native_id(), other.native_id} <= nat, 'native thread ids')
        me = ids.get(threading.get_ident())
        if L['is_gil_ptr'] is not None:
            gil = ptr(main + L['is_gil_ptr'])
            holder = ptr(gil + L['gil_holder'])
            locked = ctypes.c_int.from_address(gil + L['gil_locked']).value
        else:
            holder = ptr(RT + L['rt_gil_holder'])
            locked = ctypes.c_int.from_address(RT + L['rt_gil_locked']).value
        check(holder == me, 'GIL holder is this thread')
        check(locked == 1, 'GIL locked (%d)' % locked)
        return me
    finally:
        stop.set()
        other.join()


def λ_called_from_c(tstate):
    return walk(tstate)


def main():
    check_strings()
    tstate = check_threads()
    if not tstate:
        return
    # through map(), a C function: 3.12+ put a C-stack shim frame in between
    frames, shims = list(map(λ_called_from_c, [tstate]))[0]
    print('walked %d frames, skipped %d C-stack shims' % (frames, shims))


main()
print('selfwalk %d.%d.%d (%s layout): %d checks, %d failed'
      % (V[0], V[1], V[2], HOW, checks[0], len(failed)), flush=True)
sys.exit(1 if failed else 0)

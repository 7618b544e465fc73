"""Dump the line tables of real code objects with the lines CPython gives them.

Runs under the interpreter being checked (any CPython 3.8+). For every code
object of the given stdlib modules (default: typing, argparse), recursively
through co_consts, writes one line:

    code NAME FIRSTLINENO HEXTABLE N L0 L1 ... L(N-1)

HEXTABLE is co_lnotab (3.8/3.9) or co_linetable (3.10+), '-' when empty. Li is
the line CPython gives code unit i (byte offset 2*i), '-' for no line:
  - 3.8/3.9: the line of the last dis.findlinestarts() start at or before it;
  - 3.10+: the co_lines() range holding it; None (or no range at all) is '-'.
For 3.10+ the list runs one unit past the end of the bytecode, which no
co_lines() range covers. The first line of the dump is `version MAJOR MINOR`.

Usage: python linetable_dump.py [MODULE ...]
"""
import dis
import importlib.util
import sys
import types


def module_code(name):
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise SystemExit('linetable_dump: no module %s' % name)
    code = spec.loader.get_code(name)
    if code is None:
        raise SystemExit('linetable_dump: no code for module %s' % name)
    return code


def walk(code):
    yield code
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            for inner in walk(const):
                yield inner


def lines_old(code, nunits):
    """3.8/3.9: lines from dis.findlinestarts."""
    starts = sorted(dis.findlinestarts(code))
    out, k, cur = [], 0, None
    for unit in range(nunits):
        while k < len(starts) and starts[k][0] <= 2 * unit:
            cur = starts[k][1]
            k += 1
        out.append(cur)
    return out


def lines_new(code, nunits):
    """3.10+: lines from co_lines(), one unit past the end included."""
    out = [None] * (nunits + 1)
    for start, end, line in code.co_lines():
        for b in range(start, end, 2):
            if 0 <= b // 2 <= nunits:
                out[b // 2] = line
    return out


def main(argv):
    mods = argv[1:] or ['typing', 'argparse']
    new = sys.version_info >= (3, 10)
    w = sys.stdout.write
    w('version %d %d\n' % sys.version_info[:2])
    for mod in mods:
        for code in walk(module_code(mod)):
            table = code.co_linetable if new else code.co_lnotab
            nunits = len(code.co_code) // 2
            lines = lines_new(code, nunits) if new else lines_old(code, nunits)
            name = '%s:%s' % (mod, getattr(code, 'co_qualname', code.co_name))
            w('code %s %d %s %d %s\n' % (
                name.replace(' ', '_'), code.co_firstlineno, table.hex() or '-', len(lines),
                ' '.join('-' if ln is None else str(ln) for ln in lines)))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))

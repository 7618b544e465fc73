"""(5) Allocations made in C code: bytearray, array.array, zlib, os.urandom.

bytes(n) is here too but marked ZERO, not ALLOC: CPython gets its buffer from
calloc, which for a large size maps fresh zero pages that stay non-resident
until written, and a bytes object is never written, so RSS does not grow on
that line (nor anywhere else). Growth charged to it is counted as misplaced.

The sizes are what a line grows while it runs (zlib's output blocks are
freed at the end of the line: it grows 32 MB and keeps 16). They hold with
glibc's mmap threshold fixed (bench/accuracy.py sets
MALLOC_MMAP_THRESHOLD_): with glibc's dynamic threshold, the array line
grows 16 or 31 MB depending on the heap's layout (the environment's size is
enough to flip it), and os.urandom reuses freed, still-resident heap memory
and grows nothing.
"""
import array
import os
import zlib

from common import busy, run

try:
    profile  # memory_profiler's line-by-line mode defines it
except NameError:
    def profile(f):
        return f


@profile
def work(blob):
    busy(50)
    a = bytearray(24 << 20)  # ALLOC 24M
    busy(50)
    b = array.array('d', [0.0]) * (3 << 20)  # ALLOC 24M
    busy(50)
    c = array.array('q', range(2 << 20))  # ALLOC 16M
    busy(50)
    z = bytes(32 << 20)  # ZERO: calloc'd, never touched
    busy(50)
    d = zlib.decompress(blob)  # ALLOC 32M: 16 MB of output blocks, joined into the 16 MB result
    busy(50)
    e = os.urandom(8 << 20)  # ALLOC 8M
    busy(50)
    return len(a) + len(b) + len(c) + len(z) + len(d) + len(e)


if __name__ == '__main__':
    run(work, zlib.compress(bytes(16 << 20)))

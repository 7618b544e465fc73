"""(1) Large objects: 16-64 MB bytearray/bytes, each made by one line."""
from common import busy, run

try:
    profile  # memory_profiler's line-by-line mode defines it
except NameError:
    def profile(f):
        return f


@profile
def work():
    busy(60)
    a = bytearray(64 << 20)  # ALLOC 64M
    busy(60)
    b = b'x' * (16 << 20)  # ALLOC 16M
    busy(60)
    c = bytes(memoryview(a)[: 32 << 20])  # ALLOC 32M
    busy(60)
    d = bytearray(b'ab') * (12 << 20)  # ALLOC 24M
    busy(60)
    return len(a) + len(b) + len(c) + len(d)


if __name__ == '__main__':
    run(work)

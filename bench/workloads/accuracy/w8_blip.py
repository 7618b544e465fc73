"""(8) A line that allocates 16 MB in a few milliseconds between two
CPU-busy lines."""
from common import busy, run

try:
    profile  # memory_profiler's line-by-line mode defines it
except NameError:
    def profile(f):
        return f


@profile
def work():
    busy(250)
    x = bytearray(16 << 20)  # ALLOC 16M
    busy(250)
    return len(x)


if __name__ == '__main__':
    run(work)

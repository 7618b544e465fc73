"""(3) Short lines: each allocating line runs well under 1 ms and sits
between two CPU-busy lines of a few ms."""
from common import busy, run

try:
    profile  # memory_profiler's line-by-line mode defines it
except NameError:
    def profile(f):
        return f


@profile
def work(rounds):
    keep = []
    for i in range(rounds):
        busy(6)
        keep.append(bytearray(1 << 20))  # ALLOC 40M (40 x 1 MiB)
        busy(6)
        keep.append(list(range(i, i + 20000)))  # ALLOC
        busy(6)
    return len(keep)


if __name__ == '__main__':
    run(work, 40)

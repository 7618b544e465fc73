"""CPU-bound workload with steady allocation: the target of the overhead benchmark.

Prints its own run time (seconds) on the last line, so a profiler's start-up
and shut-down are not counted.
"""
import sys
import time

try:
    profile  # memory_profiler's line-by-line mode defines it
except NameError:
    def profile(f):
        return f


@profile
def work(n):
    keep = []
    total = 0
    for i in range(n):
        total += sum(j * j for j in range(200))
        if i % 50 == 0:
            keep.append([i] * 2000)
    return total, len(keep)


if __name__ == '__main__':
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 30000
    t0 = time.perf_counter()
    work(n)
    print('%.4f' % (time.perf_counter() - t0))

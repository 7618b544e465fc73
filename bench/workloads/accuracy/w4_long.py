"""(4) Long lines: each allocating line runs for a few hundred ms."""
from common import busy, run

try:
    profile  # memory_profiler's line-by-line mode defines it
except NameError:
    def profile(f):
        return f


@profile
def work(n):
    busy(50)
    names = list(map(str, range(n)))  # ALLOC
    busy(50)
    pairs = sorted(zip(map(hash, names), names), reverse=True)  # ALLOC
    busy(50)
    index = dict.fromkeys(names, 0)  # ALLOC
    busy(50)
    squares = [x * x for x in range(n // 8)]  # ALLOC
    busy(50)
    return len(names) + len(pairs) + len(index) + len(squares)


if __name__ == '__main__':
    run(work, 400000)

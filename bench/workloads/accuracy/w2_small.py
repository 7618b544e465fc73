"""(2) Many small objects: tuples, strings, lists and dicts made in a loop
(about 80 MB in all), with a CPU-only line between the allocating ones."""
from common import busy, run

try:
    profile  # memory_profiler's line-by-line mode defines it
except NameError:
    def profile(f):
        return f


@profile
def work(rounds, k):
    keep = []
    for i in range(rounds):
        r = range(i * k, (i + 1) * k)
        keep.append(list(zip(r, map(str, r))))  # ALLOC
        busy(0.2)
        keep.append(dict(zip(r, r)))  # ALLOC
        keep.append([[x] for x in (i, i + 1, i + 2, i + 3)] * (k // 4))  # ALLOC
    return len(keep)


if __name__ == '__main__':
    run(work, 1500, 200)

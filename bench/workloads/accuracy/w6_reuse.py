"""(6) Freeing followed by reuse.

What is "right" here: memwatch measures resident memory, so the right line
is the one during which RSS actually grows.
  (a) A 50 MB bytearray is one mmap'd block (above glibc's mmap threshold):
      `del` gives it back to the kernel, and the next 50 MB bytearray faults
      in fresh pages. Both allocating lines grow RSS: both are ALLOC.
  (b) 50 MB as 500 blocks of 100 kB comes from glibc's heap; freeing every
      other block leaves 25 MB of holes that stay resident (only the top of
      the heap is ever trimmed), and 250 new blocks of the same size land in
      those holes. RSS does not grow: that line is marked REUSE, not ALLOC,
      and growth charged to it is counted as misplaced.
"""
from common import busy, run

try:
    profile  # memory_profiler's line-by-line mode defines it
except NameError:
    def profile(f):
        return f


@profile
def work():
    busy(50)
    a = bytearray(50 << 20)  # ALLOC 50M
    busy(50)
    del a
    busy(50)
    b = bytearray(50 << 20)  # ALLOC 50M
    busy(50)
    chunks = [bytearray(100000) for _ in range(500)]  # ALLOC 47.7M (500 x 100 kB)
    busy(50)
    del chunks[::2]
    busy(50)
    again = [bytearray(100000) for _ in range(250)]  # REUSE: lands in freed, resident holes
    busy(50)
    return len(b) + len(chunks) + len(again)


if __name__ == '__main__':
    run(work)

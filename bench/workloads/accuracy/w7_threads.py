"""(7) Several threads allocating.

Phase 1: a worker reads a 32 MB file with one f.read(): the buffer is filled
with the GIL released while the main thread burns CPU holding it.
Phase 2: two workers allocate (1 MiB bytearrays; 2 MiB lists) while the
main thread burns CPU.
"""
import os
import shutil
import sys
import tempfile
import threading
import time

from common import busy, run

try:
    profile  # memory_profiler's line-by-line mode defines it
except NameError:
    def profile(f):
        return f


def spin(ms):
    """The workers' CPU-busy pause: a copy of common.busy, so that a report
    tells the workers' busy line from the main thread's."""
    end = time.perf_counter() + ms / 1000.0
    while time.perf_counter() < end:
        pass


@profile
def reader(path, out):
    with open(path, 'rb') as f:
        out.append(f.read())  # ALLOC 32M


@profile
def grower(n, out):
    for _ in range(n):
        out.append(bytearray(1 << 20))  # ALLOC 24M (24 x 1 MiB)
        spin(2)


@profile
def lister(n, out):
    for i in range(n):
        out.append([i] * (256 << 10))  # ALLOC 32M (16 lists of 2 MiB)
        spin(2)


def burn_while(threads):
    for t in threads:
        t.start()
    while any(t.is_alive() for t in threads):
        busy(5)
    for t in threads:
        t.join()


def work(path):
    out = []
    burn_while([threading.Thread(target=reader, args=(path, out))])
    burn_while([threading.Thread(target=grower, args=(24, out)),
                threading.Thread(target=lister, args=(16, out))])
    return len(out)


def make_file(d, size):
    path = os.path.join(d, 'data.bin')
    zeros = bytes(1 << 20)   # calloc'd and never written: not resident
    with open(path, 'wb') as f:
        for _ in range(size >> 20):
            f.write(zeros)
    return path


if __name__ == '__main__':
    sys.setswitchinterval(0.005)
    d = tempfile.mkdtemp(prefix='mwacc-')
    try:
        run(work, make_file(d, 32 << 20))
    finally:
        shutil.rmtree(d, ignore_errors=True)

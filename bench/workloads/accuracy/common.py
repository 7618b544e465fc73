"""Shared by the accuracy workloads: a CPU-busy wait that allocates nothing,
and a runner that prints the workload's own run time (seconds) as the last
line of stdout, so a profiler's start-up and shut-down are not counted.

Lines that are expected to grow memory carry a trailing `# ALLOC` comment,
followed by how much resident memory the line adds over the whole run where
that is known by construction (`# ALLOC 64M`); bench/accuracy.py finds them by
parsing the source.
"""
import sys
import time


def busy(ms):
    """Burns CPU for ms milliseconds (floats come from the free list: no growth)."""
    end = time.perf_counter() + ms / 1000.0
    while time.perf_counter() < end:
        pass


def run(fn, *args):
    """Prints `start <unix time>`, burns CPU for 300 ms without allocating (so
    a profiler's report can be cut to the workload: everything the
    interpreter and the imports grew lies before it), then runs fn(*args)
    and prints its run time."""
    print('start %.6f' % time.time())
    sys.stdout.flush()
    busy(300)
    t0 = time.perf_counter()
    fn(*args)
    print('%.4f' % (time.perf_counter() - t0))
    sys.stdout.flush()

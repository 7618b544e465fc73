"""A small program whose memory grows on known lines, for trying memwatch."""
import time


def load_table(rows):
    table = []
    for i in range(rows):
        table.append(("row %d" % i, i * 3.5, [i] * 8))   # grows: many small objects
    return table


def read_blob(megabytes):
    return bytearray(megabytes * 1024 * 1024)           # grows: one large buffer


def main():
    keep = []
    for step in range(4):
        keep.append(load_table(60_000))
        keep.append(read_blob(20))
        time.sleep(0.2)
    del keep[::2]                                        # shrinks: half is freed
    time.sleep(0.4)


if __name__ == "__main__":
    main()

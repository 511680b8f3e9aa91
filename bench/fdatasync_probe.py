#!/usr/bin/env python3
"""The floor under a durable answer on one connection: how long one small
append + fdatasync takes on this disk (what each sequential durable
webhook waits for at least), beside an overwrite + fdatasync of a
preallocated file (no size change, so no journal commit of the inode).

    python3 bench/fdatasync_probe.py [DIR] [N]   # DIR on the data disk
"""
import os
import sys
import time


def probe(path, overwrite, n):
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        if overwrite:
            os.write(fd, b"\0" * (n * 300 + 4096))
            os.fsync(fd)
            os.lseek(fd, 0, os.SEEK_SET)
        lat = []
        for _ in range(n):
            t = time.perf_counter()
            os.write(fd, b"x" * 300)  # about one webhook's log record
            os.fdatasync(fd)
            lat.append((time.perf_counter() - t) * 1000)
    finally:
        os.close(fd)
        os.unlink(path)
    lat.sort()
    return (n / (sum(lat) / 1000), lat[n // 2], lat[int(n * 0.9)],
            lat[int(n * 0.99)])


def main():
    d = sys.argv[1] if len(sys.argv) > 1 else "."
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    for name, overwrite in (("append", False), ("overwrite", True)):
        rate, p50, p90, p99 = probe(os.path.join(d, ".fdatasync-probe"),
                                    overwrite, n)
        print(f"fdatasync_{name:<9} n={n} per_s={rate:.0f} p50_ms={p50:.3f} "
              f"p90_ms={p90:.3f} p99_ms={p99:.3f}")


if __name__ == "__main__":
    main()

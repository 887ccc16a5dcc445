#!/usr/bin/env python3
"""The paired reference for the import benchmark: read a JSON Lines file line by line and
parse every line with orjson (parse only, no validation), as fast as Python can.
Prints one JSON object: {"records": N, "seconds": S, "records_per_second": R, "peak_rss_mb": M}.

Usage: orjson_reference.py FILE.jsonl
"""
import json
import resource
import sys
import time

import orjson


def main():
    path = sys.argv[1]
    t0 = time.perf_counter()
    n = 0
    loads = orjson.loads
    with open(path, "rb") as f:
        for line in f:
            if line.strip():
                loads(line)
                n += 1
    dt = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"records": n, "seconds": round(dt, 3), "records_per_second": round(n / dt, 1), "peak_rss_mb": round(rss, 1)}))


if __name__ == "__main__":
    main()

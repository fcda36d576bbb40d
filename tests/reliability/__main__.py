"""`make reliability`: load, crash rounds and hostile input against gunicorn; prints a summary table.

    python -m tests.reliability            # the full run (16 clients x 150, 3 crash rounds)
    python -m tests.reliability --quick    # the size `make test` runs
"""

import argparse
import sys
import tempfile
from pathlib import Path

from . import crash, hostile, load
from .report import summary


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.reliability", description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--per-client", type=int, default=150)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=3, help="crash rounds")
    parser.add_argument("--per-round", type=int, default=150, help="acknowledged submissions before each kill")
    args = parser.parse_args(argv)
    results = []
    with tempfile.TemporaryDirectory(prefix="reliability-") as tmp:
        folder = Path(tmp)
        results.append(load.run(folder / "load", args.clients, args.per_client, args.workers))
        results.append(crash.run(folder / "crash", args.rounds, max(1, args.clients // 2), args.per_round, args.workers))
        results.append(hostile.run(folder / "hostile"))
    print(summary(results))
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())

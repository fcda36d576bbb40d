"""`make reliability`: load, kill -9 crash rounds and hostile input against gunicorn, then a summary table.

    python -m tests.reliability            # the full run: 16 clients x 150, 3 crash rounds of 150
    python -m tests.reliability --quick    # the size tests/test_reliability.py runs in `make test`
"""

import argparse
import sys
import tempfile
from pathlib import Path

from . import crash, hostile, load
from .report import summary

FULL = {"clients": 16, "per_client": 150, "rounds": 3, "per_round": 150, "workers": 4}
QUICK = {"clients": 8, "per_client": 25, "rounds": 3, "per_round": 30, "workers": 3}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.reliability", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the small sizes make test uses")
    parser.add_argument("--clients", type=int, help="concurrent visitors under load (half as many during crash rounds)")
    parser.add_argument("--per-client", type=int, help="submissions each visitor sends")
    parser.add_argument("--rounds", type=int, help="crash rounds")
    parser.add_argument("--per-round", type=int, help="acknowledged submissions before each kill -9")
    parser.add_argument("--workers", type=int, help="gunicorn sync workers")
    args = parser.parse_args(argv)
    sizes = {**(QUICK if args.quick else FULL), **{k: v for k, v in vars(args).items() if v is not None and k != "quick"}}
    with tempfile.TemporaryDirectory(prefix="reliability-") as tmp:
        folder = Path(tmp)
        results = [
            load.run(folder / "load", sizes["clients"], sizes["per_client"], sizes["workers"]),
            crash.run(folder / "crash", sizes["rounds"], max(1, sizes["clients"] // 2), sizes["per_round"], sizes["workers"]),
            hostile.run(folder / "hostile"),
        ]
    print(summary(results))
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())

"""``python -m centredesk.samples --out DIR [--rows N]``: write the sample workbooks."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from centredesk.samples.demo_files import DEFAULT_SEED, DEFAULT_TODAY, write_samples
from centredesk.samples.large import write_large


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m centredesk.samples",
        description="Write the demo's sample workbooks, or a large learner upload.",
    )
    parser.add_argument("--out", type=Path, required=True, metavar="DIR", help="folder to write")
    parser.add_argument(
        "--rows",
        type=int,
        metavar="N",
        help="write a learner upload of N rows with its catalogue and approvals instead of "
        "the demo files (for benchmarks)",
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed")
    parser.add_argument(
        "--today",
        type=date.fromisoformat,
        default=DEFAULT_TODAY,
        metavar="YYYY-MM-DD",
        help=f"the date the data is generated for (default {DEFAULT_TODAY.isoformat()}, the "
        "date of the committed files)",
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    if args.rows is not None:
        if not 1 <= args.rows <= 1_048_573:
            parser.error("--rows must be between 1 and 1,048,573 (Excel's row limit)")
        paths = write_large(args.out, args.rows, seed=args.seed, today=args.today)
    else:
        paths = write_samples(args.out, seed=args.seed, today=args.today).paths
    for path in paths:
        print(path)
    print(f"written in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

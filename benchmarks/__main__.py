"""``python -m benchmarks``: run the stages, print the table, optionally write JSON."""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from benchmarks.inputs import prepare

ORDER = (
    "read", "read_direct", "validate", "import", "export", "fix_list",
    "app_first_screen", "app_page_down", "app_search", "app_sort", "app_save_edit",
    "app_import_keys",
    "withdraw_batch",
    "pg_import", "pg_app_first_screen", "pg_app_page_down", "pg_app_search", "pg_app_sort",
)  # fmt: skip
POSTGRES_STAGES = tuple(stage for stage in ORDER if stage.startswith("pg_"))

# Figures a stage is judged by; "at least" figures pass at or above the threshold,
# the others below it.
AT_LEAST = frozenset({"ratio", "xlsxwriter_ratio", "rows_per_s"})


@dataclass(frozen=True)
class Target:
    criteria: tuple[tuple[str, float], ...]
    """(figure, threshold) pairs, all of which must hold."""
    description: str

    def met(self, result: StageResult) -> bool | None:
        verdicts = []
        for figure, threshold in self.criteria:
            value = getattr(result, figure)
            if value is None:
                return None
            verdicts.append(value >= threshold if figure in AT_LEAST else value < threshold)
        return all(verdicts)


TARGETS: dict[str, Target] = {
    "validate": Target((("ratio", 20),), "ratio ≥ 20"),
    # An import at most 1.5× a bare fastexcel read of the same file.
    "import": Target((("ratio", 10), ("floor_ratio", 1.5001)), "ratio ≥ 10, ≤ 1.5× bare read"),
    # 1,000,000 rows in 25 s, 100,000 in under 3 s, 6× the per-cell xlsxwriter writer.
    "export": Target(
        (("xlsxwriter_ratio", 6), ("rows_per_s", 40_000), ("peak_mb", 2048)),
        "≥ 6× xlsxwriter, ≥ 40,000 rows/s, peak < 2 GB",
    ),
    # 200,000 rows in under 4 s.
    "fix_list": Target((("rows_per_s", 50_000),), "≥ 50,000 rows/s"),
    "app_first_screen": Target((("ours_s", 1.0),), "< 1 s"),
    "app_page_down": Target((("ours_s", 0.05),), "< 50 ms over a no-op key"),
    "app_search": Target((("ours_s", 0.3),), "< 300 ms"),
    "app_sort": Target((("ours_s", 1.0),), "< 1 s"),
    "app_save_edit": Target((("ours_s", 0.1),), "< 100 ms from key to confirmation"),
    "withdraw_batch": Target((("ours_s", 1.0),), "< 1 s"),
    "app_import_keys": Target(
        (("ours_s", 0.05),), "< 50 ms over a no-op key while a file is read, checked, loaded"
    ),
    "pg_import": Target((("ratio", 0.5),), "within 2× DuckDB's"),
    "pg_app_first_screen": Target((("ours_s", 1.0),), "< 1 s"),
    "pg_app_page_down": Target((("ours_s", 0.05),), "< 50 ms over a no-op key"),
    "pg_app_search": Target((("ours_s", 0.3),), "< 300 ms"),
    "pg_app_sort": Target((("ours_s", 1.0),), "< 1 s"),
}
_OVER_NO_OP = {
    "app_page_down": "extra over a no-op key press",
    "app_import_keys": "95th percentile of keys during an import, extra over an idle no-op key",
}


@dataclass
class StageResult:
    name: str
    ours_s: float | None
    naive_s: float | None
    ratio: float | None
    rows_per_s: float | None
    peak_mb: float | None
    target: str | None
    passed: bool | None
    note: str = ""
    xlsxwriter_s: float | None = None
    """The previous writer (xlsxwriter, a call per cell), for the stages that write xlsx."""
    xlsxwriter_ratio: float | None = None
    floor_s: float | None = None
    """A bare fastexcel read of the upload, run alternately with ours."""
    floor_ratio: float | None = None
    """Ours over the floor: how many times a bare read the stage takes."""


def _run_once(stage: str, variant: str, folder: Path, rows: int) -> dict[str, Any]:
    """One run in a fresh interpreter; its JSON line, or why it could not run."""
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks.worker", stage, variant, str(folder), str(rows)],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).resolve().parents[1],
    )
    lines = completed.stdout.strip().splitlines()
    if completed.returncode != 0 or not lines:
        reason = (completed.stderr.strip().splitlines() or ["no output"])[-1]
        return {"available": False, "reason": f"failed: {reason}"}
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def _measure(stage: str, variant: str, folder: Path, rows: int, repeat: int) -> dict[str, Any]:
    return _summary([_run_once(stage, variant, folder, rows) for _ in range(repeat)])


def _measure_with_floor(
    stage: str, folder: Path, rows: int, repeat: int
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Ours and the floor, run alternately, so a change of load on the machine hits both."""
    ours, floor = [], []
    for _ in range(repeat):
        ours.append(_run_once(stage, "ours", folder, rows))
        floor.append(_run_once(stage, "floor", folder, rows))
    return _summary(ours), _summary(floor)


def _measure_in_turns(
    stage: str, folder: Path, rows: int, repeat: int
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Ours and the baseline run by turns: a comparison of two backends must not hang on
    what else the machine did in the minutes one of them ran."""
    ours, naive = [], []
    for _ in range(repeat):
        ours.append(_run_once(stage, "ours", folder, rows))
        naive.append(_run_once(stage, "naive", folder, rows))
    return _summary(ours), _summary(naive)


def _summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    if not all(run["available"] for run in runs):
        return next(run for run in runs if not run["available"])
    return {
        "available": True,
        "seconds": statistics.median(run["seconds"] for run in runs),
        "rows": runs[0]["rows"],
        "peak_mb": max(run["peak_mb"] for run in runs),
        "reader_peak_mb": max(run.get("reader_peak_mb", 0) for run in runs),
    }


def _has_xlsxwriter_baseline(stage: str) -> bool:
    from benchmarks.stages import STAGES

    return stage in STAGES and STAGES[stage].xlsxwriter is not None


def _has_floor(stage: str) -> bool:
    from benchmarks.stages import STAGES

    return stage in STAGES and STAGES[stage].floor is not None


def run_stage(stage: str, folder: Path, rows: int, repeat: int, naive_repeat: int) -> StageResult:
    floor: dict[str, Any] = {"available": False}
    in_turns = stage == "pg_import"
    if in_turns:
        ours, paired = _measure_in_turns(stage, folder, rows, repeat)
    elif _has_floor(stage):
        ours, floor = _measure_with_floor(stage, folder, rows, repeat)
    else:
        ours = _measure(stage, "ours", folder, rows, repeat)
    target = TARGETS.get(stage)
    if not ours["available"]:
        return StageResult(stage, None, None, None, None, None,
                           target.description if target else None, None,
                           f"not available ({ours['reason']})")  # fmt: skip
    naive = paired if in_turns else _measure(stage, "naive", folder, rows, naive_repeat)
    naive_s = naive["seconds"] if naive["available"] else None
    xlsxwriter_s = None
    if _has_xlsxwriter_baseline(stage):
        previous = _measure(stage, "xlsxwriter", folder, rows, naive_repeat)
        xlsxwriter_s = previous["seconds"] if previous["available"] else None
    ours_s = ours["seconds"]
    note = ""
    if stage == "app_save_edit":
        note = "key to the saved notice, no harness wait subtracted; naive: a no-op key press"
    over_no_op = _OVER_NO_OP.get(stage.removeprefix("pg_"))
    if over_no_op is not None and naive_s is not None:
        ours_s = max(0.0, ours_s - naive_s)  # the extra time over a key press with no binding
        note = over_no_op
    app = "app_" in stage
    ratio = naive_s / ours_s if naive_s and ours_s and not app else None
    if stage == "import" and rows > 10_000:
        note = "naive timed on 10,000 rows and scaled"
    if stage == "withdraw_batch":
        note = "one batch of up to 100,000; naive timed on 5,000 and scaled"
    floor_s = floor["seconds"] if floor["available"] else None
    floor_ratio = ours_s / floor_s if floor_s and ours_s else None
    if floor_ratio is not None:
        bare = f"{floor_ratio:.2f}× a bare fastexcel read ({floor_s:.3f} s)"
        note = f"{note}; {bare}" if note else bare
    if stage == "read_direct":
        note += "; in this process, no reading process"
    if ours.get("reader_peak_mb", 0) > 1:
        reading = f"reading process peak {ours['reader_peak_mb']:.0f} MB"
        note = f"{note}; {reading}" if note else reading
    if stage == "pg_import":
        note = "naive = the DuckDB import of the same file, run by turns with ours"
    result = StageResult(
        name=stage,
        ours_s=ours_s,
        naive_s=naive_s,
        ratio=ratio,
        rows_per_s=(ours["rows"] / ours["seconds"] if ours["seconds"] and not app else None),
        peak_mb=ours["peak_mb"],
        target=target.description if target else None,
        passed=None,
        note=note,
        xlsxwriter_s=xlsxwriter_s,
        xlsxwriter_ratio=xlsxwriter_s / ours_s if xlsxwriter_s and ours_s else None,
        floor_s=floor_s,
        floor_ratio=floor_ratio,
    )
    if target is not None:
        result.passed = target.met(result)
    return result


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory_gb = None
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        memory_gb = round(pages / 1024**3, 1)
    except (ValueError, OSError, AttributeError):
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": memory_gb,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def _format(value: float | None, width: int, pattern: str) -> str:
    return "-".rjust(width) if value is None else format(value, f"{width}{pattern}")


def print_table(rows: int, results: list[StageResult]) -> None:
    print(f"\ncentredesk benchmarks: {rows:,} rows, {datetime.now():%Y-%m-%d %H:%M}")
    header = (
        f"{'stage':<17} {'ours s':>9} {'naive s':>9} {'ratio':>7} {'xlsxw s':>9} {'ratio':>7} "
        f"{'rows/s':>10} {'peak MB':>8}  {'target':<46} result"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        verdict = "-" if r.passed is None else ("PASS" if r.passed else "FAIL")
        print(
            f"{r.name:<17} {_format(r.ours_s, 9, '.3f')} {_format(r.naive_s, 9, '.3f')} "
            f"{_format(r.ratio, 7, '.1f')} {_format(r.xlsxwriter_s, 9, '.3f')} "
            f"{_format(r.xlsxwriter_ratio, 7, '.1f')} {_format(r.rows_per_s, 10, ',.0f')} "
            f"{_format(r.peak_mb, 8, '.0f')}  {r.target or '':<46} {verdict}"
            + (f"  ({r.note})" if r.note else "")
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Measure each stage against a naive baseline run in the same invocation.",
    )
    parser.add_argument("--rows", type=int, default=100_000, help="rows (default 100,000)")
    parser.add_argument("--only", choices=ORDER, action="append", help="run only this stage")
    parser.add_argument("--repeat", type=int, default=3, metavar="K", help="runs per stage")
    parser.add_argument(
        "--naive-repeat", type=int, default=1, metavar="K",
        help="runs of each naive baseline (default 1: they are slow and steady)",
    )  # fmt: skip
    parser.add_argument("--json", type=Path, metavar="OUT", help="also write the figures here")
    parser.add_argument(
        "--workdir", type=Path, metavar="DIR",
        help="keep the generated inputs here and reuse them next time (default: a "
        "temporary folder, removed afterwards)",
    )  # fmt: skip
    parser.add_argument(
        "--postgres", metavar="URL",
        help="also run the pg_ stages on this PostgreSQL server (the URL's database may "
        "create others: the store is copied there once per row count and kept)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    stages = [stage for stage in ORDER if not args.only or stage in args.only]
    if not args.postgres:
        stages = [stage for stage in stages if stage not in POSTGRES_STAGES]
    else:
        os.environ["CENTREDESK_BENCH_POSTGRES"] = args.postgres

    def log(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    with tempfile.TemporaryDirectory(prefix="centredesk-bench-") as temporary:
        folder = args.workdir or Path(temporary)
        inputs = prepare(folder, args.rows, log)
        if args.postgres and any(stage in POSTGRES_STAGES for stage in stages):
            from benchmarks import postgres

            postgres.prepare(inputs, log)
        results = []
        for stage in stages:
            log(f"running {stage} …")
            results.append(run_stage(stage, folder, args.rows, args.repeat, args.naive_repeat))
    print_table(args.rows, results)
    if args.json:
        document = {
            "rows": args.rows,
            "repeat": args.repeat,
            "date": datetime.now().isoformat(timespec="seconds"),
            "machine": machine(),
            "stages": [
                {**{k: v for k, v in asdict(r).items() if k != "passed"}, "pass": r.passed}
                for r in results
            ],
        }
        args.json.write_text(json.dumps(document, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

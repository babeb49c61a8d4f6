"""``python -m benchmarks.report RUN.json [MORE.json …]``: runs as the docs' Markdown table.

Several files of the same row count (say, stages run separately with ``--only``) are merged
into one table in the usual stage order.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def _cell(value: float | None, pattern: str) -> str:
    return "–" if value is None else format(value, pattern)


def markdown(run: dict[str, Any]) -> str:
    """The table of one run, with its date and machine."""
    machine = run["machine"]
    lines = [
        f"{run['rows']:,} rows, median of {run['repeat']} runs, {run['date'][:10]}; "
        f"{machine['cpu']}, {machine['cores']} cores, {machine['memory_gb']} GB, "
        f"Python {machine['python']}.",
        "",
        "| stage | ours (s) | naive (s) | ratio | xlsxwriter (s) | ratio | rows/s | peak MB "
        "| target | result |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    for stage in run["stages"]:
        verdict = "–" if stage["pass"] is None else ("PASS" if stage["pass"] else "**FAIL**")
        note = f" ({stage['note']})" if stage["note"] else ""
        lines.append(
            f"| {stage['name']} | {_cell(stage['ours_s'], '.3f')} | "
            f"{_cell(stage['naive_s'], '.3f')} | {_cell(stage['ratio'], '.1f')} | "
            f"{_cell(stage.get('xlsxwriter_s'), '.3f')} | "
            f"{_cell(stage.get('xlsxwriter_ratio'), '.1f')} | "
            f"{_cell(stage['rows_per_s'], ',.0f')} | {_cell(stage['peak_mb'], '.0f')} | "
            f"{stage['target'] or '–'} | {verdict}{note} |"
        )
    return "\n".join(lines) + "\n"


def merge(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """One run from several of the same size: every stage, in the usual order."""
    from benchmarks.__main__ import ORDER

    if len({run["rows"] for run in runs}) != 1:
        raise SystemExit("the runs have different row counts")
    stages = {stage["name"]: stage for run in runs for stage in run["stages"]}
    merged = dict(runs[0])
    merged["stages"] = [stages[name] for name in ORDER if name in stages]
    merged["date"] = max(run["date"] for run in runs)
    return merged


if __name__ == "__main__":
    runs = [json.loads(Path(name).read_text()) for name in sys.argv[1:]]
    print(markdown(merge(runs)), end="")

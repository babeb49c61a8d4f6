"""``python -m benchmarks.report RUN.json``: a ``--json`` run as the Markdown table the docs use."""

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
        "| stage | ours (s) | naive (s) | ratio | rows/s | peak MB | target | result |",
        "| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |",
    ]
    for stage in run["stages"]:
        verdict = "–" if stage["pass"] is None else ("PASS" if stage["pass"] else "**FAIL**")
        note = f" ({stage['note']})" if stage["note"] else ""
        lines.append(
            f"| {stage['name']} | {_cell(stage['ours_s'], '.3f')} | "
            f"{_cell(stage['naive_s'], '.3f')} | {_cell(stage['ratio'], '.1f')} | "
            f"{_cell(stage['rows_per_s'], ',.0f')} | {_cell(stage['peak_mb'], '.0f')} | "
            f"{stage['target'] or '–'} | {verdict}{note} |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(markdown(json.loads(Path(sys.argv[1]).read_text())), end="")

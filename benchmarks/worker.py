"""Run one stage variant and print its timing and the process's peak memory as JSON.

``python -m benchmarks.worker STAGE ours|naive|xlsxwriter|floor FOLDER ROWS``: a fresh process
per run, so one stage's memory and caches never colour another's figures.
"""

from __future__ import annotations

import json
import resource
import sys
from pathlib import Path

from benchmarks.inputs import Inputs

READING_STAGES = frozenset({"read", "import"})
"""Stages whose own runs read an upload in the reading process."""


def main(argv: list[str]) -> int:
    stage, variant, folder, rows = argv
    if stage in READING_STAGES and variant == "ours":
        # As `centredesk import` does: the reading server starts first and imports the
        # reader while this process loads the rest. Started after the stage modules had
        # loaded, the first read waited 0.1-0.7 s for it, which the command never does.
        from centredesk.io.read_server import warm_up

        warm_up()
    from benchmarks.app_stages import APP_STAGES
    from benchmarks.change_stages import CHANGE_STAGES
    from benchmarks.stages import STAGES, NotAvailable

    function = getattr({**STAGES, **APP_STAGES, **CHANGE_STAGES}[stage], variant)
    if function is None:
        print(json.dumps({"available": False, "reason": "no baseline"}))
        return 0
    try:
        timing = function(Inputs(Path(folder), int(rows)))
    except (ImportError, NotAvailable) as error:
        print(json.dumps({"available": False, "reason": str(error)}))
        return 0
    print(
        json.dumps(
            {"available": True, "seconds": timing.seconds, "rows": timing.rows,
             "peak_mb": peak_mb(), "reader_peak_mb": reader_peak_mb()}
        )
    )  # fmt: skip
    return 0


def peak_mb() -> float:
    """This process's peak resident memory since it started.

    ``getrusage``'s ``ru_maxrss`` survives fork and exec, so a worker would report its
    parent's peak; the kernel's ``VmHWM`` belongs to the current address space only.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reader_peak_mb() -> float:
    """The peak resident memory of the reading processes this one used (0 if none).

    The reading children are the reading server's, so the server is stopped and reaped
    first: the kernel then counts the largest of them among this process's children.
    """
    from centredesk.io.read_server import shut_down

    shut_down()
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

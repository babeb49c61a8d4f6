"""Changes across processes: stale edits, two editors at once, and a kill mid-cancellation."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from change_fixtures import ZOE, big_batch, build

from centredesk.store import open_store

BATCH_SIZE = 100_000


def centredesk(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "centredesk", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_a_stale_edit_from_another_process_is_refused(tmp_path: Path) -> None:
    db = build(tmp_path)
    with open_store(db, read_only=True) as store:
        read = store.learners.get(ZOE)
    assert read is not None
    # Another process changes the learner after this one read them.
    other = centredesk("edit", "learner", str(ZOE), "--surname", "O'Brian", "--db", str(db))
    _, other_err = other.communicate(timeout=120)
    assert other.returncode == 0, other_err
    mine = centredesk(
        "edit", "learner", str(ZOE), "--forename", "Zoe",
        "--expect-version", str(read.version), "--db", str(db),
    )  # fmt: skip
    _, err = mine.communicate(timeout=120)
    assert mine.returncode == 2
    assert f"learner {ZOE} was changed by " in err and "(change 1)" in err
    assert "nothing was changed" in err and len(err.strip().splitlines()) == 1
    with open_store(db, read_only=True) as store:
        learner = store.learners.get(ZOE)
    assert learner is not None
    assert (learner.details["forename"], learner.details["surname"]) == ("Zoë", "O'Brian")


def test_two_processes_editing_one_learner_one_wins_the_other_is_told(tmp_path: Path) -> None:
    db = build(tmp_path)
    editors = [
        centredesk(
            "edit",
            "learner",
            str(ZOE),
            "--surname",
            surname,
            "--expect-version",
            "1",
            "--wait",
            "60",
            "--db",
            str(db),
        )  # fmt: skip
        for surname in ("Obrien", "Brien")
    ]
    outputs = [editor.communicate(timeout=180) for editor in editors]
    results = [(editor.returncode, output) for editor, output in zip(editors, outputs, strict=True)]
    statuses = sorted(status for status, _ in results)
    assert statuses == [0, 2], results
    loser_err = next(err for status, (_, err) in results if status == 2)
    assert "was changed by" in loser_err and "nothing was changed" in loser_err
    winner = next(out for status, (out, _) in results if status == 0)
    with open_store(db, read_only=True) as store:
        learner = store.learners.get(ZOE)
        assert store.tables.counts()["audit_log"] == 1
    assert learner is not None and learner.version == 2
    assert f"surname O'Brien → {learner.details['surname']}" in winner


# Cancels the whole batch through the job; once every registration is cancelled and the
# charges recorded, but before the transaction commits, it says so and waits to be killed.
HARNESS = textwrap.dedent(
    """
    import sys, time
    from datetime import date
    from centredesk.jobs import statuses
    from centredesk.jobs.progress import Progress
    from centredesk.store import open_store
    from centredesk.store.records import Selection

    pause = sys.argv[2] == "pause"

    def told(stage, done, total):
        if pause and done == total:
            print("written, not committed", flush=True)
            time.sleep(600)

    with open_store(sys.argv[1]) as store:
        shown = statuses.preview(store, "cancel", Selection.of_batch("5001", "100001"),
                                 today=date(2025, 11, 26))
        statuses.cancel(store, shown, confirmed=True, progress=Progress(told))
    print("committed", flush=True)
    """
)


@pytest.mark.slow
def test_a_kill_during_a_batch_cancellation_leaves_the_store_as_before(tmp_path: Path) -> None:
    db = big_batch(tmp_path / "batch.duckdb", BATCH_SIZE)
    with open_store(db, read_only=True) as store:
        before = store.tables.checksums()
    harness = subprocess.Popen(
        [sys.executable, "-c", HARNESS, str(db), "pause"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert harness.stdout is not None
    line = harness.stdout.readline()
    assert line.strip() == "written, not committed"
    os.kill(harness.pid, signal.SIGKILL)
    harness.communicate(timeout=60)
    assert harness.returncode == -signal.SIGKILL
    with open_store(db, read_only=True) as store:
        assert store.tables.checksums() == before
        assert store.tables.counts()["charges"] == 0
    # Left to finish, the same cancellation lands whole: every registration and its charges.
    done = subprocess.run(
        [sys.executable, "-c", HARNESS, str(db), "finish"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0 and done.stdout.strip() == "committed", done.stderr
    with open_store(db, read_only=True) as store:
        statuses = store.tables.read("registrations")["status"].unique().to_list()
        counts = store.tables.counts()
    assert statuses == ["cancelled"]
    assert (counts["audit_log"], counts["audit_records"]) == (1, BATCH_SIZE)
    assert counts["charges"] == 1 + BATCH_SIZE  # one batch charge, every fee credited

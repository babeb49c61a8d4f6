"""The commands that change records: help, exit statuses, one-line refusals, dry runs."""

from __future__ import annotations

import io
import json
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from change_fixtures import (
    AMY_HEALTH,
    BOOKING,
    LEARNERS_IMPORT,
    REJECTED_ROW,
    ZOE,
    ZOE_CRAFT,
    ZOE_HEALTH,
    as_role,
    copy,
)

from centredesk.charges import fee_credited, reason
from centredesk.cli import main
from centredesk.store import open_store


@pytest.fixture
def db(template: Path, tmp_path: Path) -> Path:
    return copy(template, tmp_path / "s.duckdb")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(list(args))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


@pytest.mark.parametrize(
    ("command", "options"),
    [
        (["edit"], ["--surname", "--dob", "--expect-version", "--yes", "--dry-run", "--db"]),
        (["uln"], ["ULN", "--yes", "--dry-run"]),
        (["withdraw"], ["--registration", "--batch", "--centre", "--dry-run"]),
        (["unwithdraw"], ["--registration", "--batch", "--centre"]),
        (["cancel"], ["--registration", "--batch", "--yes", "--dry-run"]),
        (["bookings"], ["cancel", "--yes"]),
        (["undo"], ["ID", "never undone"]),
        (["history"], ["--learner", "--registration", "--user", "--since", "--format"]),
        (["imports"], ["rollback", "fix", "--row", "--set"]),
        (["users"], ["grant", "revoke", "uln-admin"]),
        (["export"], ["--from", "--to", "charges"]),
    ],
)
def test_each_change_command_has_help(
    command: list[str], options: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main([*command, "--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    for option in options:
        assert option in out


def test_edit_exit_statuses(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(
        capsys, "edit", "learner", str(ZOE), "--surname", "O'Brian", "--db", str(db)
    )
    assert status == 0
    assert f"Change 1: edited learner {ZOE}: surname O'Brien → O'Brian." in out
    status, out, _ = run(
        capsys, "edit", "learner", str(ZOE), "--dob", "31/13/2010", "--db", str(db)
    )
    assert status == 1 and "DOB_INVALID" in out and "Nothing changed" in out
    # A new warning, off a terminal and without --yes: refused in one line, exit 2.
    status, out, err = run(
        capsys, "edit", "learner", str(ZOE), "--surname", "OBRIAN", "--db", str(db)
    )
    assert status == 2 and "NAME_CASE" in out
    assert "confirm with --yes" in one_line(err)
    status, _, _ = run(
        capsys, "edit", "learner", str(ZOE), "--surname", "OBRIAN", "--yes", "--db", str(db)
    )
    assert status == 0
    status, _, err = run(capsys, "edit", "learner", str(ZOE), "--db", str(db))
    assert status == 2 and "say what to change" in one_line(err)
    status, _, err = run(capsys, "edit", "learner", "99", "--surname", "X", "--db", str(db))
    assert status == 2 and "there is no learner 99" in one_line(err)


def test_edit_as_json(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(
        capsys, "edit", "learner", str(ZOE), "--reference", "Z7", "--format", "json",
        "--db", str(db),
    )  # fmt: skip
    record = json.loads(out)
    assert status == 0 and record["outcome"] == "changed"
    assert record["changes"] == {"learner_reference": ["A1", "Z7"]}
    assert record["change"]["summary"] == f"edited learner {ZOE}: learner reference A1 → Z7"


def test_a_change_on_a_database_that_does_not_exist_makes_none(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nothing.duckdb"
    status, _, err = run(capsys, "withdraw", "--registration", "1", "--db", str(missing))
    assert status == 2 and "does not exist" in one_line(err)
    assert not missing.exists()


def test_withdraw_and_unwithdraw(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(
        capsys, "withdraw", "--batch", "1001", "--centre", "100001", "--dry-run", "--db", str(db)
    )
    assert status == 0
    assert out.strip() == (
        "Dry run: 4 registrations of batch 1001 at centre 100001 will be withdrawn; nothing "
        "was changed."
    )
    status, out, _ = run(capsys, "withdraw", "--registration", str(ZOE_HEALTH), "--db", str(db))
    assert status == 0 and f"withdrew registration {ZOE_HEALTH}" in out
    status, out, _ = run(
        capsys, "withdraw", "--batch", "1001", "--centre", "100001", "--db", str(db)
    )
    assert status == 0 and "Left as they were: 1 withdrawn." in out
    status, _, err = run(capsys, "unwithdraw", "--registration", str(AMY_HEALTH), "--db", str(db))
    assert status == 2 and "no withdrawn registrations" in one_line(err)
    status, _, err = run(capsys, "withdraw", "--batch", "1001", "--db", str(db))
    assert status == 2 and "--batch LABEL and --centre NUMBER" in one_line(err)
    status, _, err = run(
        capsys, "withdraw", "--registration", "1", "--batch", "1001", "--centre", "1",
        "--db", str(db),
    )  # fmt: skip
    assert status == 2 and "not both" in one_line(err)


def test_cancel_shows_the_charges_and_asks_before_doing_anything(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with open_store(db, read_only=True) as store:
        before = store.tables.checksums()
    args = ["cancel", "--registration", str(ZOE_HEALTH), str(ZOE_CRAFT), "--db", str(db)]
    status, out, _ = run(capsys, *args, "--dry-run")
    assert status == 0
    assert "2 registrations will be cancelled." in out
    # The command cancels today: what it shows for Zoë's Friday registration depends on it.
    today = date.today()
    credit = ", credit £45.00" if fee_credited(date(2025, 11, 21), today) else ""
    why = reason(date(2025, 11, 21), today, Decimal("45.00"))
    assert f"Zoë O'Brien, 603/0862/X: £20.00{credit} ({why})" in out
    assert "Cancellation charge: £40.00 (2 × £20.00)." in out
    assert "can never be reinstated" in out and "Dry run" in out
    status, _, err = run(capsys, *args)
    assert status == 2 and "is final and costs £40.00" in one_line(err)
    with open_store(db, read_only=True) as store:
        assert store.tables.checksums() == before
    status, out, _ = run(capsys, *args, "--yes")
    assert status == 0
    assert "£40.00 charged" in out


def test_bookings_undo_and_history(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(capsys, "bookings", "cancel", str(BOOKING), "--db", str(db))
    assert status == 2 and "final" in one_line(err)
    status, out, _ = run(capsys, "bookings", "cancel", str(BOOKING), "--yes", "--db", str(db))
    assert status == 0 and f"cancelled booking {BOOKING}" in out
    status, out, _ = run(capsys, "withdraw", "--registration", str(AMY_HEALTH), "--db", str(db))
    assert status == 0
    status, out, _ = run(capsys, "undo", "2", "--db", str(db))
    assert status == 0 and "Change 3: undid change 2" in out
    status, _, err = run(capsys, "undo", "1", "--db", str(db))
    assert status == 2 and "cancelled booking is final" in one_line(err)
    status, out, _ = run(capsys, "history", "--db", str(db))
    assert status == 0
    assert [line.split(maxsplit=4)[-1] for line in out.strip().splitlines()[1:]] == [
        f"cancelled booking {BOOKING}",
        f"withdrew registration {AMY_HEALTH}",
        f"undid change 2 on registration {AMY_HEALTH}: status withdrawn → active",
    ]
    status, out, _ = run(
        capsys, "history", "--learner", str(ZOE), "--format", "json", "--db", str(db)
    )
    assert [change["id"] for change in json.loads(out)["changes"]] == [1]
    status, out, _ = run(capsys, "history", "--since", "01/01/2099", "--db", str(db))
    assert out.strip() == "No changes match."


def test_imports_list_show_rollback_and_fix(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "imports", "list", "--db", str(db))
    assert status == 0 and len(out.strip().splitlines()) == 4
    status, out, _ = run(capsys, "imports", "show", str(LEARNERS_IMPORT), "--db", str(db))
    assert "ULN_CHECKSUM (error): 1 issue in 1 row" in out
    assert f"Rejected rows still to fix: {REJECTED_ROW}." in out
    status, out, _ = run(
        capsys, "imports", "rollback", str(LEARNERS_IMPORT), "--dry-run", "--db", str(db)
    )
    assert status == 0 and "rests on it: booking 1 (import 4) on registration 1" in out
    status, _, err = run(
        capsys, "imports", "rollback", str(LEARNERS_IMPORT), "--yes", "--db", str(db)
    )
    assert status == 2 and "cannot be rolled back" in one_line(err)
    fix = ["imports", "fix", str(LEARNERS_IMPORT), "--row", str(REJECTED_ROW), "--db", str(db)]
    status, out, _ = run(capsys, *fix, "--set", "ULN=1000000043")
    assert status == 1 and "ULN_CONFLICT" in out and "nothing was loaded" in out
    status, _, err = run(capsys, *fix, "--set", "ULN")
    assert status == 2 and "FIELD=VALUE" in one_line(err)
    status, out, _ = run(capsys, *fix, "--set", "uln=1000000051")
    assert status == 0 and f"loaded row {REJECTED_ROW} of import {LEARNERS_IMPORT}" in out


def test_users_list_grant_and_revoke(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with open_store(db, read_only=True) as store:
        me = store.acting_user
    status, out, _ = run(capsys, "users", "--db", str(db))
    assert status == 0 and out.startswith(f"You are {me}: admin.")
    status, out, _ = run(capsys, "users", "grant", "alice", "uln-admin", "--db", str(db))
    assert status == 0 and "gave alice the uln-admin role" in out
    status, out, _ = run(capsys, "users", "list", "--format", "json", "--db", str(db))
    assert {(u["user"], u["role"]) for u in json.loads(out)["users"]} == {
        (me, "admin"), ("alice", "uln-admin")}  # fmt: skip
    status, _, err = run(capsys, "users", "revoke", me, "--db", str(db))
    assert status == 2 and "only admin" in one_line(err)
    status, out, _ = run(capsys, "users", "revoke", "alice", "--db", str(db))
    assert status == 0 and "took the uln-admin role from alice" in out
    status, _, err = run(capsys, "users", "grant", "bob", "--db", str(db))
    assert status == 2 and "which role" in one_line(err)


def test_a_refused_role_names_the_role_needed(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with open_store(db) as store:
        as_role(store, "viewer")
        me = store.acting_user
    status, _, err = run(capsys, "withdraw", "--registration", "1", "--db", str(db))
    assert status == 2
    assert one_line(err) == (
        f"centredesk: withdrawing registrations needs the editor role; {me} is a viewer: ask "
        f"an admin to run `centredesk users grant {me} editor`"
    )


def test_the_charges_export(db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "cancel", "--batch", "1001", "--centre", "100001", "--yes", "--db", str(db))
    out_file = tmp_path / "charges.xlsx"
    status, out, _ = run(
        capsys, "export", "charges", "--centre", "100001", "--from", "01/01/2020",
        "--out", str(out_file), "--db", str(db),
    )  # fmt: skip
    # The batch's registrations and fees; which are credited depends on today's date.
    fees = [(date(2025, 11, 21), 45), (date(2025, 11, 3), 30), (date(2025, 11, 25), 45),
            (date(2025, 11, 25), 30)]  # fmt: skip
    fee_credits = sorted(-fee for day, fee in fees if fee_credited(day, date.today()))
    assert status == 0 and f"wrote {1 + len(fee_credits)} charge lines" in out
    book = openpyxl.load_workbook(out_file, read_only=True)
    rows = list(book["Charges"].iter_rows(values_only=True))
    assert rows[0][:4] == ("Charged On", "Centre Number", "Charge", "Amount (£)")
    assert sorted((row[2], row[3]) for row in rows[1:]) == [("batch cancellation", 25)] + [
        ("fee credit", amount) for amount in fee_credits
    ]
    about = {row[0]: row[1] for row in book["About"].iter_rows(values_only=True) if row[0]}
    assert about["Charged"] == "£25.00" and about["Credited"] == f"£{-sum(fee_credits)}.00"
    status, _, err = run(
        capsys,
        "export",
        "charges",
        "--session",
        "01/01/2026",
        "--out",
        str(out_file),
        "--db",
        str(db),
    )
    assert status == 2 and "does not take --session" in one_line(err)
    status, out, _ = run(
        capsys, "export", "charges", "--to", "01/01/2020", "--out", str(tmp_path / "none.xlsx"),
        "--db", str(db),
    )  # fmt: skip
    assert "wrote 0 charge lines" in out


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("answer", "changed"), [("y", True), ("", False)])
def test_at_a_terminal_a_warning_is_asked_about(
    db: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    answer: str,
    changed: bool,
) -> None:
    monkeypatch.setattr(sys, "stdin", _Terminal(answer + "\n"))
    status, out, err = run(
        capsys, "edit", "learner", str(ZOE), "--surname", "OBRIEN", "--db", str(db)
    )
    assert "Make the change despite the warnings? [y/N]" in out
    assert out.count("NAME_CASE") == 1  # shown once, before the question
    if changed:
        assert status == 0 and f"Change 1: edited learner {ZOE}" in out
    else:
        assert status == 2 and "confirm with --yes" in one_line(err)
    with open_store(db, read_only=True) as store:
        assert store.tables.counts()["audit_log"] == int(changed)

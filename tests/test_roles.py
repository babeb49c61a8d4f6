"""Roles, enforced in the jobs: every operation walked against every role.

The test process's own OS user is given each role in turn (the store's operation, which
checks nothing); the job must refuse, naming the role it needs, exactly when the role is
below it.
"""

from __future__ import annotations

import os
import pwd
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from change_fixtures import (
    AMY_HEALTH,
    BOOKING,
    BOOKINGS_IMPORT,
    CENTRE,
    LEARNERS_IMPORT,
    REJECTED_ROW,
    SEAN,
    SEAN_HEALTH,
    TODAY,
    ZOE,
    ZOE_HEALTH,
    as_role,
    build,
    copy,
)

from centredesk.errors import UserError
from centredesk.jobs import roles, statuses
from centredesk.jobs.editing import edit_learner, set_uln
from centredesk.jobs.exporting import export
from centredesk.jobs.fixing import fix_row
from centredesk.jobs.history import undo
from centredesk.jobs.import_history import rollback_import
from centredesk.jobs.importing import import_file
from centredesk.jobs.roles import ROLE_NAMES, RoleError
from centredesk.store import Store, open_store
from centredesk.store.exports import ExportFilters
from centredesk.store.records import ROLES, Selection

EDIT, ULN, WITHDRAWAL, GRANT = 1, 2, 3, 4
"""The changes the admin makes before each walk: ids in the history."""
BATCH = Selection.of_batch("1001", CENTRE)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = build(tmp_path_factory.mktemp("template"))
    with open_store(db) as store:
        assert edit_learner(store, ZOE, {"learner_reference": "Z1"}, today=TODAY).change
        assert set_uln(store, SEAN, "1000000051", today=TODAY).change
        assert statuses.withdraw(store, Selection((AMY_HEALTH,))).change
        roles.grant(store, "alice", "editor")
    return db


def _cancel(selection: Selection) -> Callable[[Store, Path], Any]:
    def run(store: Store, folder: Path) -> Any:
        shown = statuses.preview(store, "cancel", selection, today=TODAY)
        return statuses.cancel(store, shown, confirmed=True)

    return run


def _import(store: Store, folder: Path) -> Any:
    upload = folder / "one.csv"
    upload.write_text(
        "Centre Number,Product Code,Forename,Surname,Date of Birth\n"
        "100001,603/0862/X,Gil,Hart,05/06/2010\n",
        encoding="utf-8",
    )
    return import_file(upload, store, today=TODAY)


OPERATIONS: dict[str, tuple[str, Callable[[Store, Path], Any]]] = {
    "export": ("viewer", lambda s, f: export(s, "registrations", f / "r.xlsx", ExportFilters())),
    "import": ("editor", _import),
    "edit a learner": (
        "editor", lambda s, f: edit_learner(s, ZOE, {"surname": "Brien"}, today=TODAY)),
    "set a ULN": ("uln-admin", lambda s, f: set_uln(s, ZOE, "1000000086", today=TODAY)),
    "withdraw": ("editor", lambda s, f: statuses.withdraw(s, Selection((ZOE_HEALTH,)))),
    "withdraw a batch": ("editor", lambda s, f: statuses.withdraw(s, BATCH)),
    "un-withdraw": ("editor", lambda s, f: statuses.unwithdraw(s, Selection((AMY_HEALTH,)))),
    "cancel": ("editor", _cancel(Selection((SEAN_HEALTH,)))),
    "cancel a batch": ("admin", _cancel(BATCH)),
    "cancel a booking": (
        "editor", lambda s, f: statuses.cancel_booking(s, BOOKING, confirmed=True)),
    "undo an edit": ("editor", lambda s, f: undo(s, EDIT)),
    "undo a withdrawal": ("editor", lambda s, f: undo(s, WITHDRAWAL)),
    "undo a ULN change": ("uln-admin", lambda s, f: undo(s, ULN)),
    "fix a rejected row": ("editor", lambda s, f: fix_row(
        s, LEARNERS_IMPORT, REJECTED_ROW, {"uln": "1000000094"}, today=TODAY)),
    "roll back an import": (
        "admin", lambda s, f: rollback_import(s, BOOKINGS_IMPORT, confirmed=True)),
    "grant a role": ("admin", lambda s, f: roles.grant(s, "bob", "viewer")),
    "revoke a role": ("admin", lambda s, f: roles.revoke(s, "alice")),
}  # fmt: skip


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("operation", list(OPERATIONS))
def test_every_operation_is_allowed_exactly_from_its_role(
    template: Path, tmp_path: Path, operation: str, role: str
) -> None:
    needed, run = OPERATIONS[operation]
    allowed = ROLES.index(role) >= ROLES.index(needed)
    with open_store(copy(template, tmp_path / "s.duckdb")) as store:
        as_role(store, role)
        before = store.tables.data_version()
        if allowed:
            run(store, tmp_path)
            assert store.tables.data_version() != before or operation == "export"
        else:
            with pytest.raises(RoleError) as refused:
                run(store, tmp_path)
            message = str(refused.value)
            assert f"needs the {ROLE_NAMES[needed]} role" in message
            assert f"{store.acting_user} is a" in message and ROLE_NAMES[role] in message
            assert store.tables.data_version() == before


def test_the_walk_covers_every_permission_that_changes_data() -> None:
    needed = {role for role, _ in OPERATIONS.values()}
    assert needed == set(ROLES)
    checked = {"export", "import", "edit", "set_uln", "withdraw", "unwithdraw", "cancel",
               "cancel_batch", "cancel_booking", "fix_row", "rollback", "roles"}  # fmt: skip
    assert checked == set(roles.PERMISSIONS)


def test_whoever_makes_a_database_is_its_admin_and_others_are_viewers(tmp_path: Path) -> None:
    with open_store(tmp_path / "new.duckdb") as store:
        assert store.users.role(store.acting_user) == "admin"  # nobody listed yet
        _import(store, tmp_path)
        assert [(u.user, u.role) for u in store.users.all()] == [(store.acting_user, "admin")]
        assert store.users.role("somebody-else") == "viewer"


def test_the_last_admin_cannot_step_down(tmp_path: Path) -> None:
    with open_store(build(tmp_path)) as store:
        me = store.acting_user
        with pytest.raises(UserError, match="only admin"):
            roles.grant(store, me, "editor")
        roles.grant(store, "carol", "admin")
        roles.grant(store, me, "editor")
        assert store.users.role(me) == "editor"
        with pytest.raises(RoleError, match="needs the admin role"):
            roles.grant(store, me, "admin")


def test_identity_comes_from_the_real_user_id_not_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("USER", "mallory")
    monkeypatch.setenv("LOGNAME", "mallory")
    with open_store(tmp_path / "x.duckdb") as store:
        assert store.acting_user == pwd.getpwuid(os.getuid()).pw_name != "mallory"

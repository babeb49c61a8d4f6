"""Who may do what: the roles, the permission each job needs, and granting roles.

Every job that changes data starts with :func:`require`, so no screen, command or script can
skip the check. The acting user is the store's (:attr:`~centredesk.store.Store.acting_user`:
the OS user of the process for a database file), never a name a caller passes in.

The roles build on each other: a viewer reads and exports; an editor also imports, edits
learners, withdraws, un-withdraws and cancels chosen registrations, cancels bookings and
loads fixed rejected rows; a ULN admin also sets ULNs; an admin may do everything,
including cancelling a whole batch, rolling back an import and giving roles.
"""

from __future__ import annotations

from dataclasses import dataclass

from centredesk.errors import UserError
from centredesk.store import Store
from centredesk.store.records import ROLES, Change, UserRole

ROLE_NAMES = {"viewer": "viewer", "editor": "editor", "uln-admin": "ULN admin", "admin": "admin"}
"""Each role as people read it."""


@dataclass(frozen=True)
class Permission:
    """What an action is called in a refusal, and the least role that may do it."""

    doing: str
    role: str


PERMISSIONS: dict[str, Permission] = {
    "export": Permission("exporting", "viewer"),
    "import": Permission("importing files", "editor"),
    "edit": Permission("editing a learner", "editor"),
    "set_uln": Permission("setting or changing a ULN", "uln-admin"),
    "withdraw": Permission("withdrawing registrations", "editor"),
    "unwithdraw": Permission("un-withdrawing registrations", "editor"),
    "cancel": Permission("cancelling registrations", "editor"),
    "cancel_batch": Permission("cancelling a whole batch", "admin"),
    "cancel_booking": Permission("cancelling a booking", "editor"),
    "fix_row": Permission("loading a fixed rejected row", "editor"),
    "rollback": Permission("rolling back an import", "admin"),
    "roles": Permission("giving and taking away roles", "admin"),
}
"""Every permission a job checks, by name."""


class RoleError(UserError):
    """The acting user's role does not allow the action."""


def role_of(store: Store, user: str | None = None) -> str:
    """The role of ``user`` (by default whoever is acting)."""
    return store.users.role(user or store.acting_user)


def allows(role: str, permission: str) -> bool:
    """Whether ``role`` may do what ``permission`` names."""
    return ROLES.index(role) >= ROLES.index(PERMISSIONS[permission].role)


def may(store: Store, permission: str) -> bool:
    """Whether the acting user may do it (the app shows only the actions they may)."""
    return allows(role_of(store), permission)


def require(store: Store, permission: str) -> str:
    """Refuse, naming the role needed, unless the acting user may; returns their name."""
    user = store.acting_user
    refusal = why_not(user, store.users.role(user), permission)
    if refusal is not None:
        raise RoleError(refusal)
    return user


def why_not(user: str, role: str, permission: str) -> str | None:
    """Why ``user`` with ``role`` may not do what ``permission`` names (the role it needs and
    who can give it), or None when they may."""
    if allows(role, permission):
        return None
    needed = PERMISSIONS[permission]
    return (
        f"{needed.doing} needs the {ROLE_NAMES[needed.role]} role; {user} is "
        f"{_a(ROLE_NAMES[role])}: ask an admin to run "
        f"`centredesk users grant {user} {needed.role}`"
    )


def _a(noun: str) -> str:
    return ("an " if noun[0] in "aeiouAEIOU" else "a ") + noun


def list_users(store: Store) -> list[UserRole]:
    """Every user with a role; anyone else may read and export (a viewer)."""
    return store.users.all()


def grant(store: Store, user: str, role: str) -> Change:
    """Give ``user`` ``role``. Admins only; the last admin cannot step down."""
    require(store, "roles")
    user = _user_name(user)
    if role not in ROLES:
        raise UserError(f"{role!r} is not a role: choose one of {', '.join(ROLES)}")
    if role != "admin":
        _keep_an_admin(store, user)
    return store.users.grant(user, role)


def revoke(store: Store, user: str) -> Change:
    """Take ``user``'s role away: they keep reading and exporting, as a viewer."""
    require(store, "roles")
    user = _user_name(user)
    _keep_an_admin(store, user)
    return store.users.revoke(user)


def _user_name(user: str) -> str:
    name = user.strip()
    if not name or any(char.isspace() for char in name):
        raise UserError(f"{user!r} is not a user name: give the login name, as `id -un` shows it")
    return name


def _keep_an_admin(store: Store, user: str) -> None:
    admins = [listed.user for listed in store.users.all() if listed.role == "admin"]
    if admins == [user]:
        raise UserError(
            f"{user} is the only admin: grant admin to someone else first, so that somebody "
            "can still give roles"
        )

"""Who is acting: the operating-system user that runs this process.

The identity recorded on imports and changes, and looked up for roles, is read from the
process's real user id through the password database, never from ``USER``, ``LOGNAME`` or a
command-line flag: those anyone can set, so they could claim another person's role. A
server backend names its own login instead (see :attr:`centredesk.store.Store.acting_user`).
"""

from __future__ import annotations

import os
import pwd


def os_user() -> str:
    """The login name of the process's real user id; ``uid N`` when it has none."""
    uid = os.getuid()
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid {uid}"

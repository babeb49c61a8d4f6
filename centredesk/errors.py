"""The root of the errors a user can cause.

Every typed error that carries a message written for the user derives from
:class:`UserError`; the command line prints its message on one line and exits 2.
Anything else that escapes is our bug.
"""

from __future__ import annotations


class UserError(Exception):
    """A problem the user can fix: the message says what, where and what to do."""

"""Errors a user causes by handing us a file we cannot or will not read.

Both derive from :class:`~centredesk.errors.UserError`, so the command line prints the
message on one line and exits 2. Every message names the file and says what to do.
"""

from __future__ import annotations

from centredesk.errors import UserError


class InputError(UserError):
    """A file we cannot or will not read: wrong type, damaged, encrypted, too big, empty."""


class HeaderError(InputError):
    """A sheet without a recognisable header, missing required columns, or an unclear kind."""

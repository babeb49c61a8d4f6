"""Placeholder: this command is being built."""

from __future__ import annotations

import argparse

from centredesk.errors import UserError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    pass


def run(args: argparse.Namespace) -> int:
    raise UserError("this command is not available yet")

"""``centredesk export KIND --out OUT.xlsx [filters]``: the workbooks centres ask for.

The kinds, the filter options and their help all come from the export registry
(:mod:`centredesk.jobs.export_specs`): a new export appears here without an edit.
"""

from __future__ import annotations

import argparse
import textwrap

from centredesk.cli import EXIT_OK
from centredesk.jobs.export_specs import FILTERS, SPECS
from centredesk.jobs.exporting import export, read_filters
from centredesk.jobs.progress import Progress


def _kinds_help() -> str:
    width = max(len(kind) for kind in SPECS)
    return "\n".join(
        textwrap.fill(
            spec.summary,
            width=78,
            initial_indent=f"  {kind:<{width}}  ",
            subsequent_indent=" " * (width + 4),
        )
        for kind, spec in SPECS.items()
    )


def _filter_help(name: str) -> str:
    takes = [kind for kind, spec in SPECS.items() if name in spec.filters]
    needs = [kind for kind, spec in SPECS.items() if name in spec.required]
    which = "every export" if len(takes) == len(SPECS) else ", ".join(takes)
    help_text = f"{FILTERS[name].help} ({which})"
    if needs:
        help_text += f"; {', '.join(needs)} needs it"
    statuses = [f"{kind}: {', '.join(spec.statuses)}" for kind, spec in SPECS.items()
                if name == "status" and spec.statuses]  # fmt: skip
    if statuses:
        help_text += "; " + "; ".join(statuses)
    return help_text


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.epilog = "exports:\n" + _kinds_help()
    parser.add_argument("kind", choices=list(SPECS), help="which workbook to write")
    parser.add_argument("--out", required=True, metavar="OUT.xlsx", help="the file to write")
    parser.add_argument(
        "--force", action="store_true", help="replace OUT.xlsx if it already exists"
    )
    group = parser.add_argument_group("filters (each narrows the export)")
    for name, spec in FILTERS.items():
        # Read as typed; the export job reads and checks each against the export's spec.
        group.add_argument(
            f"--{name}", *spec.aliases, dest=name, metavar=spec.metavar, help=_filter_help(name)
        )
    from centredesk.cli import add_db_argument

    add_db_argument(parser)


def run(args: argparse.Namespace) -> int:
    from centredesk.cli.common import open_settings_store, terminal_progress

    given = {name: getattr(args, name) for name in FILTERS if getattr(args, name) is not None}
    filters = read_filters(args.kind, given)
    with open_settings_store(args.settings, read_only=True) as store:
        outcome = export(
            store,
            args.kind,
            args.out,
            filters,
            force=args.force,
            progress=Progress(terminal_progress()),
        )
    print(outcome.summary())
    return EXIT_OK

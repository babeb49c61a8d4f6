"""One field of a form that is judged as the user types: label, input and verdict.

The verdict under the input is what the rules said of the text, in the words an import
uses: an error in red (✗), a warning in amber (!), or a green ✓ when the rules have nothing
to say. The marks stand out without colour too (NO_COLOR, monochrome terminals).
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.markup import escape
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Label, Static

from centredesk.validation.models import RecordIssue


def verdict_text(issues: Sequence[RecordIssue], *, clean: str = "✓") -> str:
    """What the rules said, one issue a line, errors first: markup for a Static."""
    if not issues:
        return f"[$text-success]{clean}[/]"
    lines = []
    for issue in sorted(issues, key=lambda issue: issue.severity != "error"):
        if issue.severity == "error":
            lines.append(f"[$text-error]✗ {escape(issue.message)}[/]")
        else:
            lines.append(f"[$text-warning]! {escape(issue.message)} (a warning)[/]")
    return "\n".join(lines)


class JudgedField(Vertical):
    """A labelled input with the verdict of its text underneath.

    ``read_only`` gives the reason a field cannot be changed here: the input is disabled and
    the reason takes the verdict's place.
    """

    DEFAULT_CSS = """
    JudgedField { height: auto; }
    JudgedField > Horizontal { height: 1; }
    JudgedField .field-label { width: 24; color: $text-muted; }
    JudgedField Input { width: 1fr; }
    JudgedField.-error Input { background: $error 25%; }
    JudgedField.-warning Input { background: $warning 20%; }
    JudgedField.-clean Input { background: $success 15%; }
    JudgedField .field-verdict { height: auto; padding-left: 24; }
    JudgedField.-read-only .field-verdict { color: $text-muted; }
    """

    def __init__(
        self,
        name: str,
        label: str,
        value: str,
        *,
        meaning: str = "",
        example: str = "",
        read_only: str | None = None,
        id: str | None = None,  # noqa: A002 - Textual's own parameter name
    ) -> None:
        super().__init__(id=id or f"field-{name}", classes="-read-only" if read_only else "")
        self.field_name = name
        self.label = label
        self.original = value
        self.meaning = meaning
        self.example = example
        self.read_only = read_only
        self._verdict: str | None = None
        self.input = Input(
            value, id=f"input-{name}", compact=True, disabled=read_only is not None,
            placeholder=f"e.g. {example}" if example else "",
        )  # fmt: skip

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield Label(self.label, classes="field-label")
            yield self.input
        yield Static(escape(self.read_only or ""), classes="field-verdict")

    @property
    def value(self) -> str:
        return self.input.value

    @property
    def changed(self) -> bool:
        return self.input.value != self.original

    @property
    def help_text(self) -> str:
        """What the field means, with an example: for the form's help line."""
        example = f" For example: {self.example}" if self.example else ""
        return f"{self.label}: {self.meaning}{example}"

    def judge(self, issues: Sequence[RecordIssue]) -> None:
        """Show the rules' verdict on the field's text."""
        if self.read_only is not None:
            return
        errors = any(issue.severity == "error" for issue in issues)
        self.set_class(errors, "-error")
        self.set_class(bool(issues) and not errors, "-warning")
        self.set_class(not issues, "-clean")
        self._verdict = verdict_text(issues)
        # A field judged before its parts are mounted (a key typed as the form opens) shows
        # the verdict once they are.
        for verdict in self.query(".field-verdict").results(Static):
            verdict.update(self._verdict)

    def on_mount(self) -> None:
        if self._verdict is not None:
            self.query_one(".field-verdict", Static).update(self._verdict)

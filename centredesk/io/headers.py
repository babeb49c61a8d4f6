"""Finding the header row, naming the columns and deciding what kind of sheet it is.

Header texts are matched to fields only through the specs in
:mod:`centredesk.validation.fields` (``FieldSpec.header_keys``), so a synonym is declared
once, on its field. Everything here looks at the first few rows only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from centredesk.io.errors import HeaderError
from centredesk.validation.fields import KINDS, SCHEMAS, Kind, header_key

HEADER_SEARCH_ROWS = 20
"""A header may sit below a title and blank rows, within the first this many rows."""
MIN_HEADER_FIELDS = 2
"""A row naming fewer fields than this is not taken for a header."""

# Each kind's header keys, worked out once: field name -> the keys that name it.
_FIELD_KEYS: dict[Kind, dict[str, set[str]]] = {
    kind: {spec.name: spec.header_keys() for spec in SCHEMAS[kind]} for kind in KINDS
}


@dataclass(frozen=True)
class KindChoice:
    """The kind a header row was read as, and how its columns map to that kind's fields."""

    kind: Kind
    inferred: bool
    mapping: dict[str, str]
    """Canonical field name -> header text, for the fields present."""
    ignored: list[str]
    """Headers that name no field of the kind."""


def matched_fields(kind: Kind, headers: Sequence[str | None]) -> dict[str, str]:
    """Field name -> the first header naming it, for one kind, in spec order."""
    first_by_key: dict[str, str] = {}
    for text in headers:
        if text is not None and text.strip():
            first_by_key.setdefault(header_key(text), text)
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for name, keys in _FIELD_KEYS[kind].items():
        for key, text in first_by_key.items():
            if key in keys and text not in taken:
                mapping[name] = text
                taken.add(text)
                break
    return mapping


def find_header_row(rows: Sequence[Sequence[str | None]], kind: Kind | None) -> int | None:
    """Index of the row (among the first 20) naming the most fields, or None when none does.

    With a kind given only its fields count; otherwise the best kind for each row does.
    The earliest row wins a tie, so a title that happens to name a field loses to nothing.
    """
    kinds = (kind,) if kind else KINDS
    best_index, best_score = None, MIN_HEADER_FIELDS - 1
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        score = max(len(matched_fields(candidate, row)) for candidate in kinds)
        if score > best_score:
            best_index, best_score = index, score
    return best_index


def name_headers(texts: Sequence[str | None], labels: Sequence[str]) -> list[str]:
    """Header texts as written; blanks become "Column <label>", repeats get " (2)", " (3)"."""
    named: list[str] = []
    seen: set[str] = {"row"}  # the row-number column of every frame
    for text, label in zip(texts, labels, strict=True):
        base = text if text is not None and text.strip() else f"Column {label}"
        candidate, copy = base, 1
        while candidate.casefold() in seen:
            copy += 1
            candidate = f"{base} ({copy})"
        seen.add(candidate.casefold())
        named.append(candidate)
    return named


def choose_kind(headers: list[str], kind: Kind | None, *, file_name: str, where: str) -> KindChoice:
    """Map the headers to the given kind, or infer the kind that fits them.

    The kind naming the most fields is chosen when it has every required column; when
    several kinds fit equally, or the best fit lacks required columns, the user must say
    (or fix the headers): guessing there would load data as the wrong thing.
    """
    if kind is not None:
        return _complete(kind, headers, file_name=file_name, where=where, inferred=False)
    fits = {candidate: matched_fields(candidate, headers) for candidate in KINDS}
    top = max(len(mapping) for mapping in fits.values())
    leaders = [candidate for candidate in KINDS if len(fits[candidate]) == top]
    complete = [candidate for candidate in leaders if not _missing(candidate, fits[candidate])]
    if len(complete) == 1:
        return _complete(complete[0], headers, file_name=file_name, where=where, inferred=True)
    found = _list(headers)
    if len(complete) > 1:
        raise HeaderError(
            f"{file_name}{where}: the headers fit {' and '.join(complete)} equally well; "
            f"give the kind with --kind (headers found: {found})"
        )
    if len(leaders) == 1:
        return _complete(leaders[0], headers, file_name=file_name, where=where, inferred=True)
    needs = "; ".join(
        f"{candidate} needs {_list([_header_of(candidate, name) for name in _required(candidate)])}"
        for candidate in KINDS
    )
    raise HeaderError(
        f"{file_name}{where}: cannot tell what kind of sheet this is from its headers "
        f"({found}); {needs}; or give the kind with --kind"
    )


def _complete(
    kind: Kind, headers: list[str], *, file_name: str, where: str, inferred: bool
) -> KindChoice:
    mapping = matched_fields(kind, headers)
    missing = _missing(kind, mapping)
    if missing:
        guessed = " (guessed from the headers)" if inferred else ""
        names = _list([_header_of(kind, name) for name in missing])
        raise HeaderError(
            f"{file_name}{where}: a {kind} sheet{guessed} needs the column(s) {names}, "
            f"which are missing; headers found: {_list(headers)}"
        )
    used = set(mapping.values())
    ignored = [text for text in headers if text not in used]
    return KindChoice(kind, inferred, mapping, ignored)


def _required(kind: Kind) -> list[str]:
    return [spec.name for spec in SCHEMAS[kind] if spec.required]


def _missing(kind: Kind, mapping: dict[str, str]) -> list[str]:
    return [name for name in _required(kind) if name not in mapping]


def _header_of(kind: Kind, name: str) -> str:
    return next(spec.header for spec in SCHEMAS[kind] if spec.name == name)


def _list(texts: Sequence[str]) -> str:
    return ", ".join(f'"{text}"' for text in texts) if texts else "none"

"""Finding the header row, naming the columns and deciding what kind of sheet it is.

Header texts are matched to fields only through the specs in
:mod:`centredesk.validation.fields` (``FieldSpec.header_keys``), so a synonym is declared
once, on its field. The header search looks at the first few rows only; when two columns
name one field, what they hold (:class:`ColumnFacts`) decides which is read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

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


class ColumnFacts(Protocol):
    """What the kind choice needs to know of the data under the headers."""

    def populated(self, header: str) -> bool:
        """Whether the column holds any value below its header."""
        ...

    def same_values(self, first: str, second: str) -> bool:
        """Whether two columns hold the same value in every row."""
        ...


@dataclass(frozen=True)
class KindChoice:
    """The kind a header row was read as, and how its columns map to that kind's fields."""

    kind: Kind
    inferred: bool
    mapping: dict[str, str]
    """Canonical field name -> header text, for the fields present."""
    ignored: list[str]
    """Headers that name no field of the kind, or name one another column gives."""
    notes: list[str] = field(default_factory=list)
    """Which of two columns naming one field was read, and why."""


@dataclass(frozen=True)
class HeaderFit:
    """How well one header row fits the kind it fits best."""

    kind: Kind
    fields: int
    """How many of the kind's fields the row names."""
    complete: bool
    """Whether the row names every column the kind requires."""


def matched_fields(kind: Kind, headers: Sequence[str | None]) -> dict[str, str]:
    """Field name -> the first header naming it, for one kind, in spec order."""
    return {name: texts[0] for name, texts in field_candidates(kind, headers).items()}


def field_candidates(kind: Kind, headers: Sequence[str | None]) -> dict[str, list[str]]:
    """Field name -> every header naming it, in file order; a header names one field."""
    keyed = [(header_key(text), text) for text in headers if text is not None and text.strip()]
    found: dict[str, list[str]] = {}
    taken: set[str] = set()
    for name, keys in _FIELD_KEYS[kind].items():
        texts = [text for key, text in keyed if key in keys and text not in taken]
        if texts:
            found[name] = texts
            taken.update(texts)
    return found


def best_fit(headers: Sequence[str | None], kind: Kind | None) -> HeaderFit:
    """The kind (``kind`` if given) whose fields the headers name most, complete ones first."""
    fits = [
        HeaderFit(candidate, len(mapping), not _missing(candidate, mapping))
        for candidate in ((kind,) if kind else KINDS)
        for mapping in (matched_fields(candidate, headers),)
    ]
    return max(fits, key=lambda fit: (fit.complete, fit.fields))


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


def choose_kind(
    headers: list[str],
    kind: Kind | None,
    *,
    file_name: str,
    where: str,
    columns: ColumnFacts | None = None,
    chosen: Mapping[str, str | None] | None = None,
) -> KindChoice:
    """Map the headers to the given kind, or infer the kind that fits them.

    The kind naming the most fields is chosen when it has every required column; when
    several kinds fit equally, or the best fit lacks required columns, the user must say
    (or fix the headers): guessing there would load data as the wrong thing. ``columns``
    says which columns hold values, to choose between two columns naming one field.
    ``chosen`` maps headers to the field the user wants each read as (None: not read); it
    needs ``kind``, and every other header is matched as usual.
    """
    if chosen and kind is None:
        raise ValueError("columns can only be chosen for a given kind")
    if kind is not None:
        return _complete(kind, headers, file_name, where, columns, inferred=False, chosen=chosen)
    fits = {candidate: matched_fields(candidate, headers) for candidate in KINDS}
    top = max(len(mapping) for mapping in fits.values())
    leaders = [candidate for candidate in KINDS if len(fits[candidate]) == top]
    complete = [candidate for candidate in leaders if not _missing(candidate, fits[candidate])]
    if len(complete) == 1:
        return _complete(complete[0], headers, file_name, where, columns, inferred=True)
    found = _list(headers)
    if len(complete) > 1:
        raise HeaderError(
            f"{file_name}{where}: the headers fit {' and '.join(complete)} equally well; "
            f"give the kind with --kind (headers found: {found})"
        )
    if len(leaders) == 1:
        return _complete(leaders[0], headers, file_name, where, columns, inferred=True)
    needs = "; ".join(f"{candidate} needs {needed_columns(candidate)}" for candidate in KINDS)
    raise HeaderError(
        f"{file_name}{where}: cannot tell what kind of sheet this is from its headers "
        f"({found}); {needs}; or give the kind with --kind"
    )


def needed_columns(kind: Kind) -> str:
    """The headers of the columns a sheet of ``kind`` must have, quoted."""
    return _list([_header_of(kind, name) for name in _required(kind)])


def _complete(
    kind: Kind,
    headers: list[str],
    file_name: str,
    where: str,
    columns: ColumnFacts | None,
    *,
    inferred: bool,
    chosen: Mapping[str, str | None] | None = None,
) -> KindChoice:
    candidates = field_candidates(kind, headers)
    chosen_notes: list[str] = []
    if chosen:
        candidates, chosen_notes = _apply_choices(
            kind, headers, candidates, chosen, f"{file_name}{where}"
        )
    missing = [name for name in _required(kind) if name not in candidates]
    if missing:
        guessed = " (guessed from the headers)" if inferred else ""
        names = _list([_header_of(kind, name) for name in missing])
        raise HeaderError(
            f"{file_name}{where}: a {kind} sheet{guessed} needs the column(s) {names}, "
            f"which are missing; headers found: {_list(headers)}"
        )
    mapping: dict[str, str] = {}
    notes: list[str] = list(chosen_notes)
    for name, texts in candidates.items():
        mapping[name], note = _one_column(kind, name, texts, columns, f"{file_name}{where}")
        if note:
            notes.append(note)
    used = set(mapping.values())
    ignored = [text for text in headers if text not in used]
    return KindChoice(kind, inferred, mapping, ignored, notes)


def _apply_choices(
    kind: Kind,
    headers: list[str],
    candidates: dict[str, list[str]],
    chosen: Mapping[str, str | None],
    place: str,
) -> tuple[dict[str, list[str]], list[str]]:
    """The candidates with the user's choices put first: a chosen header is read as its
    field (the other headers naming that field are not), an unchosen one as nothing."""
    unknown = [header for header in chosen if header not in headers]
    if unknown:
        raise HeaderError(
            f'{place}: has no column headed "{unknown[0]}"; its columns are {_list(headers)}'
        )
    fields = {spec.name: spec.header for spec in SCHEMAS[kind]}
    wrong = [name for name in chosen.values() if name is not None and name not in fields]
    if wrong:
        raise HeaderError(
            f'{place}: a {kind} sheet has no field "{wrong[0]}"; its fields are '
            + _list(list(fields))
        )
    taken: dict[str, str] = {}
    for header, name in chosen.items():
        if name is None:
            continue
        if name in taken:
            raise HeaderError(
                f'{place}: the columns "{taken[name]}" and "{header}" are both chosen as the '
                f"{fields[name]}; choose one"
            )
        taken[name] = header
    kept = {
        name: [text for text in texts if text not in chosen]
        for name, texts in candidates.items()
        if name not in taken
    }
    ordered = {
        name: [taken[name]] if name in taken else kept[name]
        for name in fields
        if name in taken or kept.get(name)
    }
    notes = [
        f'the column "{header}" was read as the {fields[name]}, as chosen'
        if name is not None
        else f'the column "{header}" was not read, as chosen'
        for header, name in chosen.items()
    ]
    return ordered, notes


def field_named(kind: Kind, text: str) -> str | None:
    """The field of ``kind`` that ``text`` names (its name, header or a synonym), if any."""
    key = header_key(text)
    for spec in SCHEMAS[kind]:
        if key in spec.header_keys():
            return spec.name
    return None


def _one_column(
    kind: Kind, name: str, texts: list[str], columns: ColumnFacts | None, place: str
) -> tuple[str, str | None]:
    """The column to read for a field several headers name, and a note saying which.

    The one with values wins over empty ones; two with different values are refused, since
    either could be the right one.
    """
    if len(texts) == 1 or columns is None:
        return texts[0], None
    field_header = _header_of(kind, name)
    listed = _list(texts)
    filled = [text for text in texts if columns.populated(text)]
    if not filled:
        return texts[0], None
    chosen = filled[0]
    if len(filled) == 1:
        empty = _list([text for text in texts if text != chosen])
        return chosen, (
            f'the columns {listed} all name the {field_header}; "{chosen}" was read, '
            f"since {empty} {'is' if len(texts) == 2 else 'are'} empty"
        )
    differing = [text for text in filled[1:] if not columns.same_values(chosen, text)]
    if differing:
        raise HeaderError(
            f'{place}: the columns "{chosen}" and "{differing[0]}" both name the '
            f"{field_header} and hold different values; delete or rename the one that is "
            "not it, then try again"
        )
    return chosen, (
        f"the columns {_list(filled)} all name the {field_header} and hold the same values; "
        f'"{chosen}" was read'
    )


def _required(kind: Kind) -> list[str]:
    return [spec.name for spec in SCHEMAS[kind] if spec.required]


def _missing(kind: Kind, mapping: Mapping[str, object]) -> list[str]:
    return [name for name in _required(kind) if name not in mapping]


def _header_of(kind: Kind, name: str) -> str:
    return next(spec.header for spec in SCHEMAS[kind] if spec.name == name)


def _list(texts: Sequence[str]) -> str:
    return ", ".join(f'"{text}"' for text in texts) if texts else "none"

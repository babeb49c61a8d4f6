"""Handing a :class:`~centredesk.io.reader.SheetData` from the reading process to its parent.

Frames travel as Arrow IPC files (written by polars, mapped back without a copy); every other
field as plain JSON, rebuilt from the dataclass's own type hints. Nothing is pickled: the
data was produced while parsing an untrusted file, and unpickling runs code. The encoding
is generic over the dataclass's fields, so fields added to ``SheetData`` travel without
changes here, as long as they hold frames or plain data (text, numbers, booleans, None,
lists, tuples, dicts with text keys, and dataclasses of those).
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.ipc as ipc  # type: ignore[import-untyped]

from centredesk.io.reader import SheetData

FIELDS_FILE = "fields.json"


def write_sheet(sheet: SheetData, folder: Path) -> None:
    """Write ``sheet`` into ``folder``: one ``<field>.arrow`` per frame, the rest as JSON."""
    plain: dict[str, Any] = {}
    for spec in dataclasses.fields(sheet):
        value = getattr(sheet, spec.name)
        if isinstance(value, pl.DataFrame):
            value.write_ipc(folder / f"{spec.name}.arrow", compat_level=pl.CompatLevel.newest())
        else:
            plain[spec.name] = _encode(value, spec.name)
    (folder / FIELDS_FILE).write_text(json.dumps(plain, ensure_ascii=False))


def read_sheet_back(folder: Path) -> SheetData:
    """The SheetData that :func:`write_sheet` wrote into ``folder``.

    Frames are memory-mapped: the files may be deleted afterwards, the mapping stays.
    """
    hints = typing.get_type_hints(SheetData)
    plain = json.loads((folder / FIELDS_FILE).read_text())
    values: dict[str, Any] = {}
    for spec in dataclasses.fields(SheetData):
        if hints[spec.name] is pl.DataFrame:
            values[spec.name] = _read_frame(folder / f"{spec.name}.arrow")
        else:
            values[spec.name] = _decode(plain[spec.name], hints[spec.name])
    return SheetData(**values)


def _read_frame(path: Path) -> pl.DataFrame:
    table = ipc.open_file(pa.memory_map(str(path))).read_all()
    frame = pl.from_arrow(table, rechunk=False)
    assert isinstance(frame, pl.DataFrame)
    return frame


def _encode(value: Any, where: str) -> Any:
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, list | tuple):
        return [_encode(item, where) for item in value]
    if isinstance(value, dict):
        if not all(isinstance(key, str) for key in value):
            raise TypeError(f"SheetData.{where}: only dicts with text keys can be handed over")
        return {key: _encode(item, where) for key, item in value.items()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            spec.name: _encode(getattr(value, spec.name), where)
            for spec in dataclasses.fields(value)
        }
    raise TypeError(
        f"SheetData.{where}: a {type(value).__name__} cannot be handed over from the reading "
        "process; use frames or plain data"
    )


def _decode(value: Any, hint: Any) -> Any:
    origin = typing.get_origin(hint)
    arguments = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in arguments:
            return None
        options = [argument for argument in arguments if argument is not type(None)]
        return _decode(value, options[0]) if len(options) == 1 else value
    if origin is list:
        return [_decode(item, arguments[0]) for item in value]
    if origin is tuple:
        if len(arguments) == 2 and arguments[1] is Ellipsis:
            return tuple(_decode(item, arguments[0]) for item in value)
        return tuple(_decode(item, kind) for item, kind in zip(value, arguments, strict=True))
    if origin is dict:
        return {key: _decode(item, arguments[1]) for key, item in value.items()}
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        inner = typing.get_type_hints(hint)
        return hint(**{key: _decode(item, inner[key]) for key, item in value.items()})
    return value

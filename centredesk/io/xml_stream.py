"""Streaming the XML parts of a workbook through a real parser that refuses entities.

The scans judge cells by what an XML parser sees, not by patterns in the bytes: every
attribute form (either quote, any whitespace before a name, entity references in a value)
reads the same as it does to calamine. expat parses in C at tens of megabytes a second and
never builds a tree. A document type declaration is refused outright (no workbook part
needs one), which shuts out entity expansion ("billion laughs") and external entities.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any
from xml.parsers import expat

StartHandler = Callable[[str, dict[str, str]], None]
EndHandler = Callable[[str], None]


class UnsafeXml(Exception):
    """A part declares a document type or entities."""


class BrokenXml(Exception):
    """A part is not well-formed XML (its text says where)."""


class StopScan(Exception):
    """Raised by a handler that has seen enough of a part."""


def _refuse(*_: Any) -> Any:
    raise UnsafeXml("declares a document type or entities")


def parse(
    chunks: Iterable[bytes],
    start: StartHandler,
    end: EndHandler | None = None,
    *,
    complete: bool = False,
) -> None:
    """Feed ``chunks`` to expat, calling ``start(name, attributes)`` and ``end(name)``.

    Names keep their namespace prefix as written (``x:c``). A handler may raise StopScan to
    end the parse early. ``complete`` says the chunks are the whole part, so a document cut
    short is broken rather than merely unfinished.
    """
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = _refuse
    parser.EntityDeclHandler = _refuse
    parser.UnparsedEntityDeclHandler = _refuse
    parser.ExternalEntityRefHandler = _refuse
    parser.StartElementHandler = start
    if end is not None:
        parser.EndElementHandler = end
    try:
        for chunk in chunks:
            parser.Parse(chunk, False)
        if complete:
            parser.Parse(b"", True)
    except StopScan:
        return
    except expat.ExpatError as error:
        raise BrokenXml(expat.ErrorString(error.code) or str(error)) from None


def local_name(name: str) -> str:
    """The element or attribute name without its namespace prefix."""
    return name.rpartition(":")[2]


def root_element(chunks: Iterable[bytes]) -> str | None:
    """The name of a part's root element (None if the chunks end before it)."""
    found: list[str] = []

    def start(name: str, attributes: dict[str, str]) -> None:
        found.append(name)
        raise StopScan

    parse(chunks, start)
    return found[0] if found else None

"""Safe, streaming XML for the XML readers (PubMed, Europe PMC, Zotero RDF).

The document is fed to expat in chunks and only the elements that are records are built, one
at a time, so memory holds one record's tree, not the document's. The guards are those of
`defusedxml`: entity declarations are refused (an internal entity can expand a few bytes into
gigabytes, an external one can read local files or URLs) and expat is never asked to load an
external DTD; a DOCTYPE that only names one (PubMed's `pubmed_250101.dtd`) is accepted.
An entity that is not defined (`&nbsp;` in a file whose DTD was not read) is an error naming its
line, not silently dropped text.

>>> xml = '<set><rec n="1"><t>A &amp; B</t></rec><other/><rec n="2"><t>C</t></rec></set>'
>>> [(e.get("n"), e.findtext("t"), line) for e, line, _ in iter_records(xml, "x.xml", {"rec"})]
[('1', 'A & B', 1), ('2', 'C', 1)]
>>> flatten(ET.fromstring('<r><a x="1">v</a><b><i>it</i> text</b></r>'))
[('a@x', '1'), ('a', 'v'), ('b', 'it text')]
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from typing import NamedTuple
from xml.parsers import expat

from litrev.errors import InputError
from litrev.records.base import MAX_FIELD_CHARS, field_too_long

_CHUNK = 1 << 20  # characters fed to expat at a time
MAX_DEPTH = 64  # element levels below a record element (PubMed's deepest is under 10)
# Inline markup inside a text field (PubMed's <i>, <sup>, MathML in titles): the field's text is
# the joined text, never one raw pair per formatting run.
INLINE = frozenset({"i", "b", "u", "sup", "sub", "em", "strong", "italic", "bold", "sc", "br"})


class _Refused(Exception):
    """Raised inside expat callbacks; turned into `InputError` with the line."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


class XMLRecord(NamedTuple):
    """One record element read by `iter_records`, or the reason it could not be kept."""

    element: ET.Element | None  # None when `problem` says why the record was not built
    line: int  # 1-based line the record element starts on
    problem: str | None = None


def iter_records(
    text: str,
    path: str,
    record_tags: set[str] | Callable[[tuple[str, ...]], bool],
) -> Iterator[XMLRecord]:
    """Each record element of an XML document with the 1-based line it starts on.

    `record_tags` is a set of tag names (a record is the outermost element with one of them)
    or a function of the element's tag path from the root. A record nested more than
    `MAX_DEPTH` levels or holding more than `MAX_FIELD_CHARS` characters of text is not
    built: it comes back with its `problem`, for the reader to report or skip. Malformed XML
    raises `InputError` naming the line and column.
    """
    wanted: Callable[[tuple[str, ...]], bool]
    if isinstance(record_tags, set):
        names = record_tags
        wanted = lambda tags: tags[-1] in names  # noqa: E731
    else:
        wanted = record_tags
    # Blank lines before the XML declaration (an export pasted together, a BOM turned into a
    # newline) would make expat refuse the declaration: skip them, keeping line numbers true.
    stripped = text.lstrip()
    skipped_lines = text.count("\n", 0, len(text) - len(stripped))
    text = stripped
    parser = expat.ParserCreate()
    parser.buffer_text = True
    tags: list[str] = []
    state = _RecordState()
    finished: list[XMLRecord] = []

    def start(tag: str, attrs: dict[str, str]) -> None:
        tags.append(tag)
        if not state.depth:
            if len(tags) > MAX_DEPTH:  # outside records too: the tag path costs its depth
                raise _Refused(
                    f"elements nested more than {MAX_DEPTH} levels deep outside any record",
                    parser.CurrentLineNumber,
                )
            if not wanted(tuple(tags)):
                return
            state.open(len(tags), parser.CurrentLineNumber + skipped_lines)
        if state.problem is not None:
            return
        if len(tags) - state.depth > MAX_DEPTH:
            state.fail(f"record is nested more than {MAX_DEPTH} levels deep")
        else:
            state.builder.start(tag, attrs)

    def end(tag: str) -> None:
        if state.depth:
            if state.problem is None:
                state.builder.end(tag)
            if len(tags) == state.depth:
                finished.append(state.close())
        tags.pop()

    def data(chunk: str) -> None:
        if state.depth and state.problem is None:
            state.chars += len(chunk)
            if state.chars > MAX_FIELD_CHARS:
                state.fail(field_too_long("the record's text"))
            else:
                state.builder.data(chunk)

    def refuse_entity(name: str, *_args: object) -> None:
        raise _Refused(
            f"entity declaration <!ENTITY {name} ...> refused: entities can expand without "
            "bound or read other files; expected an export without a DTD subset",
            parser.CurrentLineNumber,
        )

    def skipped(name: str, _is_parameter: int) -> None:
        raise _Refused(
            f"entity &{name}; is not defined; expected the predefined entities "
            "(&amp; &lt; &gt; &quot; &apos;) or numeric references",
            parser.CurrentLineNumber,
        )

    def external(*_args: object) -> int:
        raise _Refused("external entity refused", parser.CurrentLineNumber)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = data
    parser.EntityDeclHandler = refuse_entity
    parser.UnparsedEntityDeclHandler = refuse_entity
    parser.SkippedEntityHandler = skipped
    parser.ExternalEntityRefHandler = external
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    try:
        for offset in range(0, max(len(text), 1), _CHUNK):
            parser.Parse(text[offset : offset + _CHUNK], False)
            yield from finished
            finished.clear()
        parser.Parse("", True)
    except _Refused as error:
        raise InputError(path, error.message, line=error.line + skipped_lines) from None
    except expat.ExpatError as error:
        message = expat.ErrorString(error.code)
        raise InputError(
            path,
            f"not well-formed XML: {message} (column {error.offset + 1})",
            line=error.lineno + skipped_lines,
        ) from None
    yield from finished


class _RecordState:
    """The record element being built: its depth (0 outside a record), line, text so far."""

    def __init__(self) -> None:
        self.depth = 0
        self.line = 0
        self.chars = 0
        self.problem: str | None = None
        self.builder = ET.TreeBuilder()

    def open(self, depth: int, line: int) -> None:
        self.depth, self.line, self.chars, self.problem = depth, line, 0, None
        self.builder = ET.TreeBuilder()

    def fail(self, problem: str) -> None:
        self.problem = problem
        self.builder = ET.TreeBuilder()  # drop what was built: memory stays bounded

    def close(self) -> XMLRecord:
        record = XMLRecord(None if self.problem else self.builder.close(), self.line, self.problem)
        self.depth = 0
        return record


def flatten(element: ET.Element, prefix: str = "") -> list[tuple[str, str]]:
    """Ordered (path, text) pairs of every field below `element`: "a/b" for nested elements,
    "a@x" for attributes (before the element's text). An element with text of its own or only
    inline markup inside is one field."""
    raw: list[tuple[str, str]] = []
    for child in element:
        _flatten(child, f"{prefix}{child.tag}", raw)
    return raw


def _flatten(element: ET.Element, path: str, raw: list[tuple[str, str]]) -> None:
    # The hot loop of the XML readers (one call per element): checks in order of cost.
    if element.attrib:
        for name, value in element.attrib.items():
            raw.append((f"{path}@{name}", value))
    if not len(element):
        raw.append((path, element.text or ""))
        return
    text = element.text
    if (
        (text and not text.isspace())
        or any(c.tail and not c.tail.isspace() for c in element)
        or all(c.tag in INLINE for c in element)
    ):
        raw.append((path, "".join(element.itertext())))
        return
    for child in element:
        _flatten(child, f"{path}/{child.tag}", raw)


# Block markup inside a field (Europe PMC's <h4>Objectives</h4> in abstracts): its text is
# kept apart from the text around it, where inline markup (<i>, <sub>) is joined to it.
BLOCK = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "div", "li", "sec", "title", "br"})


def _text_parts(element: ET.Element, parts: list[str]) -> None:
    if element.text:
        parts.append(element.text)
    for child in element:
        block = child.tag in BLOCK
        if block:
            parts.append(" ")
        _text_parts(child, parts)
        if block:
            parts.append(" ")
        if child.tail:
            parts.append(child.tail)


def text_of(element: ET.Element | None) -> str | None:
    """All text inside an element (inline markup joined), stripped; None when empty or absent.

    >>> text_of(ET.fromstring("<a><h4>Aim</h4>To test H<sub>2</sub>O.</a>"))
    'Aim To test H2O.'
    """
    if element is None:
        return None
    parts: list[str] = []
    _text_parts(element, parts)
    text = " ".join("".join(parts).split())
    return text or None

"""EndNote XML (File > Export > XML): read and write.

Each <record> becomes ordered pairs: an element's path below <record> ("titles/title",
"contributors/authors/author") with its text (the <style> runs joined), and each attribute as
"path@name" just before the element's text. Writing nests the pairs back into elements, so a
record read, written and read again gives the same pairs.

>>> xml = ('<xml><records><record><ref-type name="Journal Article">17</ref-type><titles><title>'
...        '<style face="normal">A &amp; B</style></title></titles></record></records></xml>')
>>> r = parse_endnote_xml(xml).records[0]
>>> r.title, r.publication_type, r.raw[0]
('A & B', 'Journal Article', ('ref-type@name', 'Journal Article'))
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from typing import TextIO

from litrev.errors import InputError
from litrev.records.base import ParsedFile, Problems, clean_text, normalise_doi, parse_year
from litrev.records.model import Provenance, Record

_OPEN = re.compile(r"<record[\s>]")
_CLOSE = "</record>"
_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
# Elements nested deeper than this below <record> are refused: EndNote writes at most five
# levels (contributors/authors/author/style), and reading is recursive.
MAX_DEPTH = 64


class _TooDeep(Exception):
    pass


def parse_endnote_xml(text: str, path: str = "<text>", skip_invalid: bool = False) -> ParsedFile:
    """Read every <record>; a record that is not well-formed XML raises `InputError`.

    A record runs from `<record>` to the first `</record>` after it; one that is not closed
    before the next `<record>` (or the end of the file) is malformed."""
    problems = Problems(path, skip_invalid)
    text = _DECLARATION.sub("", text, count=1)
    if "<records" not in text[:2000] and "<record>" not in text[:2000]:
        raise InputError(path, "no <records> element; expected an EndNote XML export", line=1)
    records: list[Record] = []
    line = 1  # the line of offset `counted`
    counted = 0
    position = 0
    opening = _OPEN.search(text)
    # One pass: each search starts where the previous one stopped, so unclosed records cost
    # the text up to the next record, not the rest of the file each. `end` is the first
    # `</record>` at or after `start`, found again only once `start` has passed it (-1: none
    # left in the file, so none for any later record either).
    end = 0
    while opening is not None:
        start = opening.start()
        line += text.count("\n", counted, start)
        counted = start
        if end != -1 and end < start:
            end = text.find(_CLOSE, start)
        following = _OPEN.search(text, start + 1, end if end != -1 else len(text))
        if end == -1 or following is not None:
            problems.report(
                "record is not closed: expected '</record>'"
                + (" before the next <record>" if following is not None else ""),
                line=line,
                position=position,
            )
            position += 1
            opening = following
            continue
        stop = end + len(_CLOSE)
        try:
            element = ET.fromstring(text[start:stop])
            raw: list[tuple[str, str]] = []
            for child in element:
                _flatten(child, child.tag, raw, 1)
        except ET.ParseError as error:
            row, _col = error.position
            problems.report(
                f"record is not well-formed XML: {error}", line=line + row - 1, position=position
            )
        except _TooDeep:
            problems.report(
                f"record has elements nested more than {MAX_DEPTH} levels deep; "
                "expected EndNote's few levels",
                line=line,
                position=position,
            )
        else:
            records.append(record_from_endnote(raw, path, position, line))
        position += 1
        opening = _OPEN.search(text, stop)
    return ParsedFile(records, problems.skipped)


def _flatten(element: ET.Element, path: str, raw: list[tuple[str, str]], depth: int) -> None:
    if depth > MAX_DEPTH:
        raise _TooDeep
    for name, value in element.attrib.items():
        raw.append((f"{path}@{name}", value))
    children = list(element)
    if all(child.tag == "style" for child in children):
        if any(len(child) for child in children):
            for child in children:
                _check_depth(child, depth + 1)
        raw.append((path, "".join(element.itertext())))
        return
    for child in children:
        _flatten(child, f"{path}/{child.tag}", raw, depth + 1)


def _check_depth(element: ET.Element, depth: int) -> None:
    # Iterative: a <style> may hold a deep tree of its own.
    stack = [(element, depth)]
    while stack:
        node, level = stack.pop()
        if level > MAX_DEPTH:
            raise _TooDeep
        stack.extend((child, level + 1) for child in node)


def record_from_endnote(raw: list[tuple[str, str]], path: str, position: int, line: int) -> Record:
    """Read litrev's fields from EndNote XML pairs."""
    first: dict[str, str] = {}
    authors: list[str] = []
    keywords: list[str] = []
    for tag, value in raw:
        if tag == "contributors/authors/author":
            authors.append(value.strip())
        elif tag == "keywords/keyword":
            keywords.extend(k.strip() for k in value.replace("\r", "\n").split("\n") if k.strip())
        elif tag not in first and value.strip():
            first[tag] = value
    get = first.get
    provider = (get("remote-database-provider", "") + get("remote-database-name", "")).lower()
    accession = (get("accession-num") or "").strip()
    pmcid = next(
        (v.strip() for t, v in raw if t.startswith("custom") and v.startswith("PMC")), None
    )
    return Record(
        title=clean_text(get("titles/title")),
        abstract=clean_text(get("abstract")),
        authors=[a for a in authors if a],
        year=parse_year(get("dates/year") or get("dates/pub-dates/date")),
        journal=clean_text(
            get("periodical/full-title")
            or get("titles/secondary-title")
            or get("alt-periodical/full-title")
        ),
        volume=clean_text(get("volume")),
        issue=clean_text(get("number")),
        pages=clean_text(get("pages")),
        doi=normalise_doi(get("electronic-resource-num")),
        pmid=accession
        if accession.isdigit() and ("nlm" in provider or "pubmed" in provider)
        else None,
        pmcid=pmcid,
        issn=clean_text((get("isbn") or "").split("\r")[0].split("\n")[0]),
        keywords=keywords,
        language=clean_text(get("language")),
        publication_type=clean_text(get("ref-type@name")),
        url=clean_text(get("urls/related-urls/url") or get("urls/web-urls/url")),
        record_id=clean_text(accession or get("rec-number")),
        raw=raw,
        provenance=Provenance(file=path, position=position, line=line, format="endnote-xml"),
    )


def _escape(text: str, attribute: bool = False) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = text.replace("\r", "&#xD;")
    if attribute:
        text = text.replace('"', "&quot;").replace("\n", "&#xA;").replace("\t", "&#x9;")
    return text


def endnote_pairs(record: Record) -> list[tuple[str, str]]:
    """EndNote XML pairs: the record's own when read from EndNote XML, else litrev's fields."""
    if record.provenance and record.provenance.format == "endnote-xml" and record.raw:
        return list(record.raw)
    pairs = [("ref-type@name", "Journal Article"), ("ref-type", "17")]
    pairs += [("contributors/authors/author", a) for a in record.authors]
    for tag, value in (
        ("titles/title", record.title),
        ("periodical/full-title", record.journal),
        ("pages", record.pages),
        ("volume", record.volume),
        ("number", record.issue),
        ("keywords/keyword", None),
        ("dates/year", str(record.year) if record.year is not None else None),
        ("isbn", record.issn),
        ("accession-num", record.pmid or record.record_id),
        ("abstract", record.abstract),
        ("electronic-resource-num", record.doi),
        ("urls/related-urls/url", record.url),
        ("language", record.language),
    ):
        if tag == "keywords/keyword":
            pairs += [(tag, k) for k in record.keywords]
        elif value:
            pairs.append((tag, value))
    return pairs


def _record_xml(pairs: list[tuple[str, str]]) -> str:
    out: list[str] = ["<record>"]
    stack: list[str] = []
    pending: dict[str, str] = {}  # attributes waiting for their element's text
    pending_path: str | None = None

    def close_to(depth: int) -> None:
        while len(stack) > depth:
            out.append(f"</{stack.pop()}>")

    def open_path(parts: list[str], attrs: dict[str, str]) -> None:
        common = 0
        while common < len(stack) and common < len(parts) - 1 and stack[common] == parts[common]:
            common += 1
        close_to(common)
        for name in parts[common:-1]:
            out.append(f"<{name}>")
            stack.append(name)
        attributes = "".join(f' {k}="{_escape(v, True)}"' for k, v in attrs.items())
        out.append(f"<{parts[-1]}{attributes}>")
        stack.append(parts[-1])

    def flush_pending() -> None:
        nonlocal pending, pending_path
        if pending_path is not None:
            open_path(pending_path.split("/"), pending)
            stack.pop()
            out.append(f"</{pending_path.split('/')[-1]}>")
        pending, pending_path = {}, None

    for tag, value in pairs:
        element, _, attribute = tag.partition("@")
        if attribute:
            if pending_path not in (None, element):
                flush_pending()
            pending_path = element
            pending[attribute] = value
            continue
        if pending_path is not None and element.startswith(pending_path + "/"):
            open_path(pending_path.split("/"), pending)  # a container with attributes
            pending, pending_path = {}, None
        elif pending_path is not None and pending_path != element:
            flush_pending()
        parts = element.split("/")
        open_path(parts, pending if pending_path == element else {})
        pending, pending_path = {}, None
        leaf = stack.pop()
        out.append(
            f'<style face="normal" font="default" size="100%">{_escape(value)}</style></{leaf}>'
        )
    flush_pending()
    close_to(0)
    out.append("</record>")
    return "".join(out)


def write_endnote_xml(records: Iterable[Record], out: TextIO) -> None:
    """Write an EndNote XML file that EndNote (and litrev) import."""
    out.write('<?xml version="1.0" encoding="UTF-8" ?><xml><records>')
    for record in records:
        out.write(_record_xml(endnote_pairs(record)))
        out.write("\n")
    out.write("</records></xml>\n")

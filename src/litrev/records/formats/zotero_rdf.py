"""Zotero RDF (File > Export Library > "Zotero RDF"): bibliographic items of an `rdf:RDF` file.

Top-level nodes with a `z:itemType` (other than attachments and notes), or of a bibliographic
class (`bib:Article`, `bib:Book`, ...) without one, are records. Zotero writes an article's
journal either inside `dcterms:isPartOf` or as a separate node (`<bib:Journal
rdf:about="urn:issn:...">`) after the item; a separate node is joined back into the item it
follows, and its pairs are kept in `raw` under `dcterms:isPartOf/...` as if written inline.
Attachments, notes and collections are not records. Tags keep their prefixes as Zotero writes
them (`dc:title`, `foaf:surname`).

>>> xml = ('<rdf:RDF><bib:Article rdf:about="#1"><z:itemType>journalArticle</z:itemType>'
...        '<dcterms:isPartOf rdf:resource="urn:issn:1"/><dc:title>Care</dc:title>'
...        '<bib:authors><rdf:Seq><rdf:li><foaf:Person><foaf:surname>Smith</foaf:surname>'
...        '<foaf:givenName>Jo</foaf:givenName></foaf:Person></rdf:li></rdf:Seq></bib:authors>'
...        '</bib:Article><bib:Journal rdf:about="urn:issn:1"><dc:title>BMJ</dc:title>'
...        '</bib:Journal></rdf:RDF>')
>>> r = parse_zotero_rdf(xml).records[0]
>>> r.title, r.authors, r.journal
('Care', ['Smith, Jo'], 'BMJ')
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import defaultdict, deque

from litrev.errors import InputError
from litrev.records.base import ParsedFile, Problems, clean_text, normalise_doi, parse_year
from litrev.records.detect import database_name
from litrev.records.formats.xmlsafe import flatten, iter_records, text_of
from litrev.records.model import Provenance, Record

_BIB_CLASSES = {
    "bib:Article",
    "bib:Book",
    "bib:BookSection",
    "bib:Document",
    "bib:Report",
    "bib:Thesis",
    "bib:Letter",
    "bib:Manuscript",
    "bib:Data",
    "bib:Illustration",
    "bib:Recording",
}
_NOT_ITEMS = {"attachment", "note"}
# Nodes Zotero writes for an item's journal, book, series or website (`dcterms:isPartOf`).
_CONTAINERS = {
    "bib:Journal",
    "bib:Periodical",
    "bib:Newspaper",
    "bib:Book",
    "bib:Series",
    "bib:CourtReporter",
    "z:Website",
    "z:Blog",
    "z:Forum",
}
_PMID = re.compile(r"\bPMID:?\s*(\d+)")
_PMCID = re.compile(r"\bPMCID:?\s*(PMC\d+)")


def _findall(element: ET.Element, path: str) -> list[ET.Element]:
    """Elements at a "/"-separated path of literal tag names ("*" for any): ElementTree's own
    `find` reads "dc:title" as a namespace prefix, which these files never declare to it."""
    found = [element]
    for step in path.split("/"):
        found = [c for e in found for c in e if step in ("*", c.tag)]
    return found


def _find(element: ET.Element, path: str) -> ET.Element | None:
    found = _findall(element, path)
    return found[0] if found else None


def _top_level(tags: tuple[str, ...]) -> bool:
    return len(tags) == 2


def _is_item(element: ET.Element) -> bool:
    item_type = text_of(_find(element, "z:itemType"))
    if item_type is not None:
        return item_type not in _NOT_ITEMS
    return element.tag in _BIB_CLASSES


def parse_zotero_rdf(text: str, path: str = "<text>", skip_invalid: bool = False) -> ParsedFile:
    """Read every bibliographic item of a Zotero RDF export."""
    problems = Problems(path, skip_invalid)
    if "<rdf:RDF" not in text[:5000]:
        raise InputError(path, "no <rdf:RDF> element; expected a Zotero RDF export", line=1)
    records: list[Record] = []
    # Items whose isPartOf names a node not read yet, by that node's rdf:about, oldest first.
    waiting: defaultdict[str, deque[Record]] = defaultdict(deque)
    containers: dict[str, ET.Element] = {}  # journal nodes read before their item
    position = 0
    for element, line, problem in iter_records(text, path, _top_level):
        if element is None:
            problems.report(problem or "unreadable node", line=line, position=position)
            position += 1
            continue
        about = element.get("rdf:about")
        if not _is_item(element):
            if about and waiting.get(about):
                _join_container(waiting[about].popleft(), element)
            elif about and element.tag in _CONTAINERS:
                containers[about] = element  # written before the item that names it
            continue
        if text_of(_find(element, "dc:title")) is None:
            problems.report(f"<{element.tag}> item has no <dc:title>", line=line, position=position)
        else:
            record = _record(element, path, position, line)
            records.append(record)
            part = _find(element, "dcterms:isPartOf")
            resource = part.get("rdf:resource") if part is not None else None
            if resource and part is not None and len(part) == 0:
                if resource in containers:
                    _join_container(record, containers[resource])
                else:
                    waiting[resource].append(record)
        position += 1
    return ParsedFile(records, problems.skipped)


def _identifiers(element: ET.Element | None) -> dict[str, str]:
    """`dc:identifier` values such as "DOI 10.1/x" and "ISSN 1234-5678" by kind."""
    found: dict[str, str] = {}
    if element is None:
        return found
    for identifier in _findall(element, "dc:identifier"):
        value = text_of(identifier)
        if value and " " in value:
            kind, _, rest = value.partition(" ")
            found.setdefault(kind.upper(), rest.strip())
    return found


def _record(element: ET.Element, path: str, position: int, line: int) -> Record:
    container = _find(element, "dcterms:isPartOf/*")
    own_ids = _identifiers(element)
    record = Record(
        title=clean_text(text_of(_find(element, "dc:title"))),
        abstract=clean_text(text_of(_find(element, "dcterms:abstract"))),
        authors=[],
        year=parse_year(text_of(_find(element, "dc:date"))),
        pages=text_of(_find(element, "bib:pages")),
        doi=normalise_doi(own_ids.get("DOI")),
        language=text_of(_find(element, "z:language")),
        publication_type=text_of(_find(element, "z:itemType")) or element.tag.split(":")[-1],
        url=text_of(_find(element, "dc:identifier/dcterms:URI/rdf:value")),
        record_id=element.get("rdf:about"),
        raw=[(f"@{k}", v) for k, v in element.attrib.items()] + flatten(element),
        provenance=Provenance(file=path, position=position, line=line, format="zotero-rdf"),
    )
    for person in _findall(element, "bib:authors/rdf:Seq/rdf:li/foaf:Person"):
        surname = text_of(_find(person, "foaf:surname"))
        # Zotero 5 writes foaf:givenName, older versions foaf:givenname.
        given = text_of(_find(person, "foaf:givenName")) or text_of(_find(person, "foaf:givenname"))
        name = f"{surname}, {given}" if surname and given else surname or given
        if name:
            record.authors.append(name)
    for subject in _findall(element, "dc:subject"):
        tag = text_of(subject)
        if tag:
            record.keywords.append(tag)
    extra = " ".join(text_of(d) or "" for d in _findall(element, "dc:description"))
    pmid, pmcid = _PMID.search(extra), _PMCID.search(extra)
    record.pmid = pmid.group(1) if pmid else None
    record.pmcid = pmcid.group(1) if pmcid else None
    catalog = text_of(_find(element, "z:libraryCatalog"))
    if catalog:
        record.source_db = database_name(catalog)
    if container is not None:
        _fill_container(record, container)
    return record


def _fill_container(record: Record, container: ET.Element) -> None:
    record.journal = record.journal or clean_text(text_of(_find(container, "dc:title")))
    record.volume = record.volume or text_of(_find(container, "prism:volume"))
    record.issue = record.issue or text_of(_find(container, "prism:number"))
    ids = _identifiers(container)
    record.doi = record.doi or normalise_doi(ids.get("DOI"))
    record.issn = record.issn or ids.get("ISSN")


def _join_container(record: Record, node: ET.Element) -> None:
    _fill_container(record, node)
    prefix = f"dcterms:isPartOf/{node.tag}"
    record.raw += [(f"{prefix}@{k}", v) for k, v in node.attrib.items()]
    record.raw += flatten(node, prefix + "/")

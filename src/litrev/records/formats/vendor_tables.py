"""CSV and XLSX exports of Embase.com, ProQuest and EBSCOhost: which columns hold which field.

Each service names its columns its own way (Embase `TITLE`, `AUTHOR NAMES`, `PUI`; ProQuest
`Title`, `Authors`, `pubdate`, `StoreId`; EBSCO `Article Title`, `Journal Title`, `First Page`,
`Page Count`, `PLink`). A table is recognised by the columns only that service writes; its
rows keep every (column, cell) pair in `raw`. Lines above the column names (Embase writes the
search and export date there) are the export's header and are skipped.

>>> header = ["TITLE", "AUTHOR NAMES", "SOURCE TITLE", "PUBLICATION YEAR", "PUI", "MEDLINE PMID"]
>>> vendor_of(header)
'embase-csv'
>>> r = record_from_vendor("embase-csv", list(zip(header, ["Care", "Smith J., Li Q.", "BMJ",
...     "2019", "L2001", "123"])))
>>> r.title, r.authors, r.year, r.record_id, r.pmid, r.source_db
('Care', ['Smith J.', 'Li Q.'], 2019, 'L2001', '123', 'Embase')
"""

from __future__ import annotations

import re
from collections.abc import Callable

from litrev.records.base import (
    ParsedFile,
    Problems,
    RowPadding,
    clean_text,
    join_pages,
    normalise_doi,
    parse_year,
    split_list,
)
from litrev.records.detect import database_name, ebsco_database
from litrev.records.model import Provenance, Record

VENDOR_FORMATS = ("embase-csv", "proquest-csv", "ebsco-csv")
_EMPTY = {"", "NA", "N/A", "nan", "None", "null"}
# Columns that only one service writes (compared case-insensitively, stripped).
_MARKERS: dict[str, tuple[frozenset[str], ...]] = {
    "embase-csv": (
        frozenset({"pui"}),
        frozenset({"embase accession number"}),
        frozenset({"emtree medical index terms"}),
        frozenset({"author names", "source title", "publication year"}),
    ),
    "proquest-csv": (frozenset({"storeid"}), frozenset({"pubtitle", "pubdate"})),
    "ebsco-csv": (
        frozenset({"plink"}),
        frozenset({"article title", "journal title", "accession number", "page count"}),
    ),
}
_HEADER_SCAN = 30  # lines searched for the column names


def vendor_of(header: list[str]) -> str | None:
    """'embase-csv', 'proquest-csv', 'ebsco-csv' or None from a table's column names."""
    names = {h.strip().lower() for h in header}
    for kind, marker_sets in _MARKERS.items():
        if any(markers <= names for markers in marker_sets):
            return kind
    return None


_EXPECTED = {
    "embase-csv": ("Embase", "PUI, or AUTHOR NAMES, SOURCE TITLE and PUBLICATION YEAR"),
    "proquest-csv": ("ProQuest", "StoreId, or pubtitle and pubdate"),
    "ebsco-csv": ("EBSCO", "PLink, or Article Title, Journal Title, Accession Number, Page Count"),
}


def no_vendor_header(kind: str, scanned: int) -> str:
    """The message for a table read as `kind` whose column names are not that service's.

    >>> no_vendor_header("proquest-csv", 30)
    'no ProQuest column names in the first 30 lines; expected StoreId, or pubtitle and pubdate'
    """
    service, columns = _EXPECTED[kind]
    return f"no {service} column names in the first {scanned} lines; expected {columns}"


def find_header(lines: list[list[str]]) -> tuple[int, str] | None:
    """(index, kind) of the first of `lines` (rows of cells) that is a vendor's header.

    >>> find_header([["Embase Session Results"], [], ["TITLE", "PUI"]])
    (2, 'embase-csv')
    """
    for index, cells in enumerate(lines[:_HEADER_SCAN]):
        kind = vendor_of(cells)
        if kind:
            return index, kind
    return None


def records_from_vendor(
    kind: str,
    header: list[str],
    rows: list[tuple[int, list[str]]],
    path: str,
    skip_invalid: bool,
) -> ParsedFile:
    """Records from a vendor table's rows; a row longer than the header is malformed.

    >>> parsed = records_from_vendor("ebsco-csv", ["Article Title", "PLink"],
    ...     [(2, ["Care", "https://search.ebscohost.com/login.aspx?db=psyh&AN=1"])], "e.csv", False)
    >>> parsed.records[0].title, parsed.records[0].source_db, parsed.records[0].provenance.line
    ('Care', 'PsycINFO', 2)
    """
    problems = Problems(path, skip_invalid)
    width = len(header)
    padding = RowPadding(rows, path)
    records: list[Record] = []
    for position, (line, cells) in enumerate(rows):
        if len(cells) > width and any(c.strip() for c in cells[width:]):
            problems.report(
                f"row has {len(cells)} cells but the header has {width} columns",
                line=line,
                position=position,
            )
            continue
        cells = padding.pad(cells, width, line)
        raw = list(zip(header, cells, strict=True))
        record = record_from_vendor(kind, raw)
        record.provenance = Provenance(file=path, position=position, line=line, format=kind)
        records.append(record)
    return ParsedFile(records, problems.skipped)


def record_from_vendor(kind: str, raw: list[tuple[str, str]]) -> Record:
    """One row of a vendor table as a `Record` (raw pairs kept)."""
    cells: dict[str, str] = {}
    for name, value in raw:
        key = name.strip().lower()
        if key not in cells and value.strip() not in _EMPTY:
            cells[key] = value.strip()
    record = _READERS[kind](cells.get)
    record.raw = raw
    return record


def _names(value: str | None) -> list[str]:
    if not value:
        return []
    if ";" in value or "\n" in value:
        return split_list(value, ";\n")
    return split_list(value.replace(".,", ".;"))  # "Smith J., Li Q." -> two authors


def _terms(*values: str | None) -> list[str]:
    out: list[str] = []
    for value in values:
        if value:
            out += split_list(value, ";\n" if (";" in value or "\n" in value) else ",")
    return out


Get = Callable[[str], "str | None"]


def _embase(get: Get) -> Record:
    return Record(
        title=clean_text(get("title")),
        abstract=clean_text(get("abstract")),
        authors=_names(get("author names")),
        year=parse_year(get("publication year") or get("publication date")),
        journal=clean_text(get("source title") or get("source")),
        volume=get("volume"),
        issue=get("issue"),
        pages=join_pages(get("first page"), get("last page")),
        doi=normalise_doi(get("doi")),
        pmid=get("medline pmid"),
        issn=get("issn"),
        keywords=_terms(
            get("author keywords"),
            get("emtree medical index terms"),
            get("emtree drug index terms"),
        ),
        language=get("language of article"),
        publication_type=get("publication type"),
        url=get("full text link") or get("embase link"),
        record_id=get("pui") or get("embase accession number"),
        source_db="Embase",
    )


def _proquest_database(value: str | None) -> str:
    if not value:
        return "ProQuest"
    first = split_list(value, ";,")[0] if split_list(value, ";,") else value
    return database_name(first) or "ProQuest"


def _proquest(get: Get) -> Record:
    return Record(
        title=clean_text(get("title")),
        abstract=clean_text(get("abstract")),
        authors=split_list(get("authors") or "", ";\n"),
        year=parse_year(get("year") or get("pubdate")),
        journal=clean_text(get("pubtitle")),
        volume=get("volume"),
        issue=get("issue"),
        pages=get("pages") or get("startpage"),
        doi=normalise_doi(get("doi")),
        pmid=get("pmid"),
        issn=get("issn"),
        keywords=_terms(get("subjectterms"), get("identifierkeywords")),
        language=get("language"),
        publication_type=get("documenttype") or get("articletype"),
        url=get("documenturl"),
        record_id=get("storeid"),
        source_db=_proquest_database(get("database")),
    )


_EBSCO_DB = re.compile(r"[?&]db=([a-z0-9]+)", re.IGNORECASE)


def _ebsco_pages(first: str | None, count: str | None) -> str | None:
    if first and count and first.isdigit() and count.isdigit() and int(count) > 0:
        return f"{first}-{int(first) + int(count) - 1}"
    return first


def _ebsco(get: Get) -> Record:
    link = get("plink") or ""
    code = _EBSCO_DB.search(link)
    return Record(
        title=clean_text(get("article title")),
        abstract=clean_text(get("abstract")),
        authors=split_list(get("author") or "", ";\n"),
        year=parse_year(get("publication date")),
        journal=clean_text(get("journal title")),
        volume=get("volume"),
        issue=get("issue"),
        pages=_ebsco_pages(get("first page"), get("page count")),
        doi=normalise_doi(get("doi")),
        issn=get("issn"),
        keywords=_terms(get("subjects"), get("keywords")),
        language=get("language"),
        publication_type=get("doctype"),
        url=link or None,
        record_id=get("accession number"),
        source_db=ebsco_database(code.group(1)) if code else None,
    )


_READERS: dict[str, Callable[[Get], Record]] = {
    "embase-csv": _embase,
    "proquest-csv": _proquest,
    "ebsco-csv": _ebsco,
}

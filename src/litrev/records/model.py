"""The bibliographic record every reader produces and every writer, deduplicator and screener uses.

`raw` keeps every field of the source, known to litrev or not, as ordered (tag, value) pairs
exactly as read, so that writing a record back in its own format loses nothing. The typed
attributes are litrev's reading of those fields.

>>> r = Record(title="Co-production of care", authors=["Batalden, P"], year=2016)
>>> r.first_author_surname
'Batalden'
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Provenance:
    """Where a record was read from: file, 0-based position in it, 1-based first line."""

    file: str
    position: int
    line: int | None = None
    format: str | None = None
    source_db: str | None = None
    imported_at: str | None = None  # ISO 8601, set when written to a store
    # The program that wrote the file when it is not the database itself (EndNote, Zotero,
    # Mendeley) or the database's export dialect (ebsco, ovid, wos): readers differ by it.
    dialect: str | None = None


@dataclass
class Record:
    title: str | None = None
    abstract: str | None = None
    authors: list[str] = field(default_factory=list)
    year: int | None = None
    journal: str | None = None
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    doi: str | None = None
    pmid: str | None = None
    pmcid: str | None = None
    issn: str | None = None
    keywords: list[str] = field(default_factory=list)
    language: str | None = None
    publication_type: str | None = None
    url: str | None = None
    record_id: str | None = None  # the source's own identifier (AN, PMID, EID, UT, ID column...)
    source_db: str | None = None
    raw: list[tuple[str, str]] = field(default_factory=list)
    provenance: Provenance | None = None
    # A screening label carried by the file itself (ASReview-style `included`/`label` columns).
    label: int | None = None

    @property
    def first_author_surname(self) -> str | None:
        if not self.authors:
            return None
        first = self.authors[0].strip()
        return first.split(",")[0].strip() if "," in first else first.split()[-1]

"""A record reduced to what deduplication compares: the `Fingerprint`.

Fingerprints are small (slots, tuples of short strings), so a million fit in memory and the
records themselves need not be kept while pairs are compared.

>>> from litrev.records.model import Record
>>> fp = fingerprint(Record(title="Part II: Outcomes", doi="https://doi.org/10.1000/X"))
>>> fp.doi, fp.parts
('10.1000/x', ('part:2', 'roman:2'))
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from litrev.dedupe import guards
from litrev.dedupe.normalize import (
    fold,
    journal_tokens,
    normalize_accession,
    normalize_authors,
    normalize_doi,
    normalize_pages,
    normalize_pmcid,
    normalize_pmid,
    normalize_title,
    normalize_volume,
    normalize_year,
    split_authors,
)
from litrev.records.model import Record


@dataclass(slots=True)
class Fingerprint:
    title: str
    authors: tuple[str, ...]
    surnames: tuple[str, ...]
    alt_surnames: tuple[str, ...]  # first given name, for exports that swap given and surname
    year: int | None
    journal: tuple[str, ...]
    volume: str | None
    issue: str | None
    pages: tuple[str, str] | None
    doi: str | None
    pmid: str | None
    pmcid: str | None
    accessions: tuple[str, ...]
    notice: str | None
    generic: bool
    guideline: bool
    abstract: bool
    preprint: bool
    thesis: bool
    cochrane: tuple[str, int] | None
    parts: tuple[str, ...]
    numbers: tuple[str, ...]

    @property
    def version_kind(self) -> str:
        """'preprint', 'thesis', 'abstract' or 'article': works of one kind can be duplicates."""
        if self.preprint:
            return "preprint"
        if self.thesis:
            return "thesis"
        if self.abstract:
            return "abstract"
        return "article"


def _raw_values(record: Record, *tags: str) -> list[str]:
    wanted = {t.upper() for t in tags}
    return [value for tag, value in record.raw if tag.upper() in wanted and value]


# RIS reference types, as words the guards understand.
_RIS_TYPES = {"abst": "abstract", "conf": "conference paper", "cpaper": "conference paper",
              "thes": "thesis", "jour": "article", "book": "book", "chap": "chapter"}


def _publication_type(record: Record) -> str:
    """Publication type from the typed field or, failing that, the source's own type tag."""
    text = record.publication_type or " ".join(
        _raw_values(record, "ENTRYTYPE", "TY", "M3", "PT", "DT", "Document Type", "type")
    )
    text = fold(text).strip()
    return _RIS_TYPES.get(text, text)


def _cochrane_from_citation(
    journal_text: str, pages: tuple[str, str] | None, year: int | None
) -> tuple[str, int] | None:
    """A Cochrane review without DOI: its CD number (cited as the page) and year as version."""
    if pages and "cochrane" in journal_text and re.fullmatch(r"cd\d{6}", pages[0]):
        return pages[0], year or 0
    return None


def _alt_surnames(names: list[str]) -> tuple[str, ...]:
    return tuple(_first_given(name) for name in names[:6])


@lru_cache(maxsize=500_000)
def _first_given(name: str) -> str:
    given = fold(name).partition(",")[2].split()
    return re.sub(r"[^a-z]", "", given[0]) if given else ""


def digits_in(text: str) -> tuple[str, ...]:
    """Digit runs of a normalised title read without spaces ("10 000" = "10000")."""
    if not any(c.isdigit() for c in text):
        return ()
    return tuple(sorted(_DIGIT_RUN_RE.findall(_THOUSANDS_RE.sub(r"\1\2", text))))


_DIGIT_RUN_RE = re.compile(r"\d+")
_THOUSANDS_RE = re.compile(r"(\d) (\d{3})\b")


def fingerprint(record: Record) -> Fingerprint:
    """Normalise a record's fields for comparison (pure; never raises on odd values)."""
    title = normalize_title(record.title)
    doi = normalize_doi(record.doi)
    pub_type = _publication_type(record)
    journal_text = fold(record.journal or "")
    pages = normalize_pages(record.pages)
    issue = normalize_volume(record.issue)
    volume = normalize_volume(record.volume)
    if volume is None and issue and pages and pages[0] == pages[1] and len(pages[0]) <= 2:
        # Some exports drop the volume and shift issue and pages up one field:
        # "issue 26, pages 9" is volume 26, issue 9, pages unknown.
        volume, issue, pages = issue, pages[0], None
    accessions = {normalize_accession(record.record_id)}
    for value in _raw_values(record, "AN", "UT", "EID", "Accession Number"):
        accessions.add(normalize_accession(value))
    names = split_authors(record.authors)
    authors = normalize_authors(names)
    return Fingerprint(
        title=title,
        authors=authors,
        surnames=tuple(a.split(" ")[0] for a in authors),
        alt_surnames=_alt_surnames(names),
        year=normalize_year(record.year),
        journal=journal_tokens(record.journal),
        volume=volume,
        issue=issue,
        pages=pages,
        doi=doi,
        pmid=normalize_pmid(record.pmid),
        pmcid=normalize_pmcid(record.pmcid),
        accessions=tuple(sorted(a for a in accessions if a)),
        notice=guards.notice_kind(title),
        generic=guards.is_generic_title(title),
        guideline=guards.is_guideline(title),
        abstract=guards.is_conference_abstract(
            pub_type, journal_text, pages[0] if pages else "", issue or ""
        ),
        preprint=guards.is_preprint(journal_text, doi, pub_type),
        thesis=guards.is_thesis(journal_text, pub_type),
        cochrane=guards.cochrane_review(doi) or _cochrane_from_citation(journal_text, pages,
                                                                          record.year),
        parts=guards.part_numbers(title),
        numbers=digits_in(title),
    )

"""Matching uploaded PDFs to records: by DOI in the file name, by DOI in the first pages' text,
by litrev's record id in the file name, else by first author, year and title words in the name.

Only records eligible at the stage are candidates. A file that matches no record, or more than
one equally well, gets `record_id=None` with the candidates and why: a match is never a guess.

>>> from litrev.store import Store
>>> from litrev.screening.decisions import Screening
>>> s = Screening(Store.open("sqlite://"))
>>> from litrev.screening.demo import add_records
>>> add_records(s.store, 2)
[1, 2]
>>> [m.how for m in match_files(s, [("2.pdf", b"%PDF-1.4"), ("x.docx", b"PK")], stage="ta")]
['record id 2 in the file name', 'not a PDF']
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from sqlalchemy import select

from litrev.screening.fulltext import PDF_MAGIC, pdf_pages_text, safe_filename
from litrev.screening.model import parse_stage
from litrev.store import schema

if TYPE_CHECKING:
    from litrev.screening.decisions import Screening

# A DOI as it appears in running text: "10." registrant "/" suffix (trailing punctuation cut).
DOI_IN_TEXT = re.compile(r"\b10\.\d{4,9}/[^\s\"<>]+", re.IGNORECASE)
# After a DOI in a file name: the end, or a separator that no DOI suffix ends with.
NAME_BOUNDARY = re.compile(r"$|[\s_,;()\[\]]")
# "123.pdf" (the whole name), or "rec-123", "record_123", "litrev 123" followed by anything
# after a separator: a bare number leading a longer name is more often a year than an id.
RECORD_ID_NAME = re.compile(
    r"^(?:(\d{1,9})|(?:rec|record|litrev)[-_ #]?(\d{1,9})(?:$|[-_ .]))", re.I
)
YEAR = re.compile(r"^(1[5-9]\d\d|20\d\d)$")
STOPWORDS = frozenset(
    ["a", "an", "and", "at", "by", "et", "al", "for", "from", "in", "of", "on", "or", "the", "to"]
)


@dataclass(frozen=True)
class FileMatch:
    """Which record an uploaded file belongs to (`record_id`, None when unsure), how that was
    found or why not, and the records it could be (`candidates`, best first)."""

    filename: str
    record_id: int | None
    how: str
    candidates: tuple[int, ...] = ()


@dataclass(frozen=True)
class _Rec:
    id: int
    doi: str | None
    surname: str | None
    year: int | None
    title_words: tuple[str, ...]


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", _fold(text))


def _surname(authors: Any) -> str | None:
    if not isinstance(authors, list) or not authors:
        return None
    first = str(authors[0]).strip()
    if not first:
        return None
    if "," in first:  # "Smith, J"
        name = first.split(",")[0]
    else:
        parts = first.split()
        # "Smith JA" (MEDLINE) puts initials last; "Jane Smith" puts the surname last.
        initials = len(parts) > 1 and re.fullmatch(r"(?:[A-Z]\.?){1,3}", parts[-1]) is not None
        name = " ".join(parts[:-1]) if initials else parts[-1]
    return " ".join(_words(name)) or None


def _doi(value: Any) -> str | None:
    text = str(value or "").strip().casefold()
    text = re.sub(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", "", text)
    return text if text.startswith("10.") and "/" in text else None


def _records(screening: Screening, stage: str) -> dict[int, _Rec]:
    eligible = set(screening.eligible_records(stage))
    r = schema.records
    out: dict[int, _Rec] = {}
    with screening.store.connect() as conn:
        rows = conn.execute(select(r.c.id, r.c.doi, r.c.authors, r.c.year, r.c.title))
        for row in rows:
            if row.id in eligible:
                title = tuple(w for w in _words(row.title or "") if w not in STOPWORDS)
                out[int(row.id)] = _Rec(
                    int(row.id), _doi(row.doi), _surname(row.authors), row.year, title
                )
    return out


def _by_doi_in_name(stem: str, records: dict[int, _Rec]) -> list[int]:
    """Records whose DOI the name holds ('/' written as '/', '_', '-' or %2F). A DOI found only
    inside another found one (10.1/abc within 10.1/abc.5) does not count."""
    name = unquote(stem).casefold()
    spans: dict[int, list[tuple[int, int]]] = {}
    for rec in records.values():
        if rec.doi is None:
            continue
        for variant in {rec.doi, rec.doi.replace("/", "_"), rec.doi.replace("/", "-")}:
            start = name.find(variant)
            while start >= 0:
                before_ok = start == 0 or not name[start - 1].isalnum()
                if before_ok and NAME_BOUNDARY.match(name, start + len(variant)):
                    spans.setdefault(rec.id, []).append((start, start + len(variant)))
                start = name.find(variant, start + 1)

    def inside_another(rid: int) -> bool:
        return all(
            any(
                a <= s0 and e0 <= b and (a, b) != (s0, e0)
                for o, os_ in spans.items()
                if o != rid
                for a, b in os_
            )
            for s0, e0 in spans[rid]
        )

    return sorted(r for r in spans if not inside_another(r))


def _dois_in_text(pages: Sequence[str]) -> list[str]:
    found: list[str] = []
    for page in pages:
        for m in DOI_IN_TEXT.finditer(page):
            doi = m.group(0).rstrip(".,;:)]}'").casefold()
            if doi not in found:
                found.append(doi)
    return found


def _by_record_id(stem: str) -> int | None:
    text = stem.strip()
    m = RECORD_ID_NAME.match(text)
    if m is None or (m.group(1) is not None and m.end() != len(text)):
        return None
    return int(m.group(1) or m.group(2))


def _by_citation(stem: str, records: dict[int, _Rec]) -> tuple[list[int], list[int]]:
    """(accepted, candidates): records matched by first author, year and title words."""
    from rapidfuzz import fuzz

    words = _words(unquote(stem))
    wordset = set(words)
    years = {int(w) for w in words if YEAR.match(w)}
    scored: list[tuple[float, float, int]] = []
    by_author: list[int] = []
    for rec in records.values():
        author = bool(rec.surname) and all(p in wordset for p in (rec.surname or "").split())
        year = rec.year is not None and rec.year in years
        if years and rec.year is not None and rec.year not in years:
            continue  # the name states another year
        rest = [
            w
            for w in words
            if w not in STOPWORDS and not YEAR.match(w) and w not in (rec.surname or "").split()
        ]
        title = (
            fuzz.token_set_ratio(" ".join(rest), " ".join(rec.title_words))
            if rest and rec.title_words
            else 0.0
        )
        if author and (year or title >= 60):
            scored.append((40 + 30 * year + 0.3 * title, title, rec.id))
        elif len(rest) >= 4 and title >= 95:
            scored.append((30 + 0.3 * title, title, rec.id))
        elif author:
            by_author.append(rec.id)
    scored.sort(key=lambda s: (-s[0], s[2]))
    # The first author alone never decides, but says where to look.
    candidates = [s[2] for s in scored[:5]] or sorted(by_author)[:5]
    if len(scored) == 1:
        return candidates[:1], candidates
    # Two papers by the same author in the same year: only title words that clearly pick one.
    if len(scored) > 1 and scored[0][1] >= 80:
        best, second = scored[0], scored[1]
        if best[0] - second[0] >= 20 or best[1] - max(t for _, t, _ in scored[1:]) >= 30:
            return candidates[:1], candidates
    return [], candidates


def _match_one(name: str, data: bytes, records: dict[int, _Rec], stage: str) -> FileMatch:
    if not data.startswith(PDF_MAGIC):
        return FileMatch(name, None, "not a PDF")
    stem = name[:-4] if name.casefold().endswith(".pdf") else name
    hits = _by_doi_in_name(stem, records)
    if len(hits) == 1:
        return FileMatch(name, hits[0], "DOI in the file name", tuple(hits))
    if len(hits) > 1:
        return FileMatch(name, None, "the DOI in the file name fits several records", tuple(hits))
    wanted = _by_record_id(stem)
    pages = pdf_pages_text(data, max_pages=3)
    by_doi: dict[str, set[int]] = {}
    for rec in records.values():
        if rec.doi:  # two records with one DOI (not deduplicated) are both candidates
            by_doi.setdefault(rec.doi, set()).add(rec.id)
    # The report's own DOI is on its first page; later pages may cite other records' DOIs.
    for upto, where in ((1, "the first page"), (len(pages), "the first pages")):
        found = sorted({i for d in _dois_in_text(pages[:upto]) for i in by_doi.get(d, ())})
        if wanted is not None and found and found != [wanted]:
            both = tuple(sorted({wanted, *found}))
            return FileMatch(
                name,
                None,
                f"the name says record {wanted} but a DOI in {where} is record "
                f"{', '.join(map(str, found))}",
                both,
            )
        if len(found) == 1:
            return FileMatch(name, found[0], f"DOI in {where}", tuple(found))
        if len(found) > 1 and upto == len(pages):
            return FileMatch(name, None, f"DOIs of several records in {where}", tuple(found))
    if wanted is not None:
        if wanted in records:
            return FileMatch(name, wanted, f"record id {wanted} in the file name", (wanted,))
        return FileMatch(name, None, f"record {wanted} in the file name is not screened at {stage}")
    accepted, candidates = _by_citation(stem, records)
    if accepted:
        return FileMatch(
            name, accepted[0], "first author, year and title in the file name", tuple(candidates)
        )
    if candidates:
        could = ", ".join(map(str, candidates))
        return FileMatch(
            name,
            None,
            f"not enough in the file name to choose: it could be record {could}",
            tuple(candidates),
        )
    return FileMatch(name, None, "no record matches the file name or a DOI in the text")


def match_files(
    screening: Screening, files: Sequence[tuple[str, bytes]], *, stage: str = "full_text"
) -> list[FileMatch]:
    """Match each (file name, bytes) to a record eligible at `stage` (see the module)."""
    stage_value = parse_stage(str(stage)).value
    records = _records(screening, stage_value)
    return [_match_one(safe_filename(n), d, records, stage_value) for n, d in files]


__all__ = ["FileMatch", "match_files"]

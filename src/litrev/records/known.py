"""Records already in a review: found by database and record id, or by content.

A file's bytes change when it is saved again (one more newline, another line ending), but its
records do not; importing them twice would count every one twice in the PRISMA flow. Two keys
find a record again:

- the database and the database's own id (`AN`, PMID, EID, UT ...);
- the database and a fingerprint of the citation (title, authors, year, journal, volume,
  issue, pages, DOI, PMID), for exports without ids.

Both include the database, so the same article found in two databases is not "already in"
(that is deduplication's job).

>>> from litrev.records.model import Record
>>> known = KnownRecords()
>>> known.add(Record(title="Care", record_id="A1", source_db="Scopus"), 7)
>>> known.find(Record(title="Other", record_id="A1", source_db="Scopus"))
(7, 'same database and record id')
>>> known.find(Record(title="Care", source_db="Scopus"))
(7, 'same citation from the same database')
>>> known.find(Record(title="Care", record_id="A1", source_db="CINAHL")) is None
True
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import Connection, func, or_, select

from litrev.errors import InputError
from litrev.records.model import Record
from litrev.store import schema

SAME_ID = "same database and record id"
SAME_CONTENT = "same citation from the same database"


def _norm(value: Any) -> str:
    return " ".join(str(value).casefold().split()) if value not in (None, "") else ""


def accession_key(source_db: str | None, record_id: str | None) -> str | None:
    """The database and its own id, case and spacing ignored (None without an id).

    >>> accession_key("Scopus", " 2-s2.0-1 ") == accession_key("scopus", "2-S2.0-1")
    True
    """
    if not record_id or not record_id.strip():
        return None
    return f"{_norm(source_db)}\x1f{_norm(record_id)}"


def content_key(
    source_db: str | None,
    title: str | None,
    authors: Sequence[str],
    year: int | None,
    journal: str | None,
    volume: str | None,
    issue: str | None,
    pages: str | None,
    doi: str | None,
    pmid: str | None,
) -> str | None:
    """A fingerprint of the database and citation (None for a record with no title, DOI or PMID).

    >>> a = content_key("ERIC", "Care  homes", ["Li, X"], 2020, None, None, None, None, None, None)
    >>> a == content_key("eric", "care homes", ["Li, X"], 2020, None, None, None, None, None, None)
    True
    """
    if not (title or doi or pmid):
        return None  # an empty record would match every other empty record
    parts = [source_db, title, "; ".join(authors), year, journal, volume, issue, pages, doi, pmid]
    return hashlib.sha1("\x1f".join(_norm(p) for p in parts).encode()).hexdigest()


def _record_keys(record: Record) -> tuple[str | None, str | None]:
    return accession_key(record.source_db, record.record_id), content_key(
        record.source_db,
        record.title,
        record.authors,
        record.year,
        record.journal,
        record.volume,
        record.issue,
        record.pages,
        record.doi,
        record.pmid,
    )


class KnownRecords:
    """The keys of a review's records, {key: litrev id}."""

    def __init__(self) -> None:
        self.by_id: dict[str, int] = {}
        self.by_content: dict[str, int] = {}

    def add(self, record: Record, litrev_id: int) -> None:
        by_id, by_content = _record_keys(record)
        if by_id is not None:
            self.by_id.setdefault(by_id, litrev_id)
        if by_content is not None:
            self.by_content.setdefault(by_content, litrev_id)

    def find(self, record: Record) -> tuple[int, str] | None:
        """(litrev id, how) of the review's record this one repeats, or None."""
        by_id, by_content = _record_keys(record)
        if by_id is not None and by_id in self.by_id:
            return self.by_id[by_id], SAME_ID
        if by_content is not None and by_content in self.by_content:
            return self.by_content[by_content], SAME_CONTENT
        return None

    @classmethod
    def of_store(
        cls, conn: Connection, databases: Collection[str | None] | None = None
    ) -> KnownRecords:
        """Keys of every imported record (of `databases` only, when given: keys hold the
        database, so others cannot match); typed columns only, no raw fields are read."""
        r, p = schema.records, schema.record_provenance
        typed = r.c.fields
        query = (
            select(
                r.c.id,
                r.c.title,
                r.c.authors,
                r.c.year,
                r.c.journal,
                typed[("typed", "volume")].as_string(),
                typed[("typed", "issue")].as_string(),
                typed[("typed", "pages")].as_string(),
                r.c.doi,
                r.c.pmid,
                typed[("typed", "record_id")].as_string(),
                p.c.source_db,
            )
            .join(p, p.c.record_id == r.c.id)
            .where(p.c.format.is_not(None), p.c.format != "extraction-table")
        )
        if databases is not None:
            # Keys ignore case; so must the filter.
            named = sorted({d.lower() for d in databases if d is not None})
            unnamed = None in databases
            if len(named) <= 500:  # beyond, one full pass is cheaper than many bound values
                same = func.lower(p.c.source_db).in_(named)
                query = query.where(or_(same, p.c.source_db.is_(None)) if unnamed else same)
        known = cls()
        for row in conn.execute(query):
            (rid, title, authors, year, journal, volume, issue, pages, doi, pmid, own, db) = row
            by_id = accession_key(db, own)
            if by_id is not None:
                known.by_id.setdefault(by_id, int(rid))
            key = content_key(
                db, title, list(authors or []), year, journal, volume, issue, pages, doi, pmid
            )
            if key is not None:
                known.by_content.setdefault(key, int(rid))
        return known


def refuse_known(path: str, records: Sequence[Record], known: KnownRecords) -> None:
    """Raise `InputError` when any of a file's records is already in the review, with how many
    and the first of them; nothing is imported.

    >>> known = KnownRecords(); known.add(Record(title="Care", source_db="ERIC"), 3)
    >>> refuse_known("b.ris", [Record(title="Care", source_db="ERIC")], known)
    Traceback (most recent call last):
    ...
    litrev.errors.InputError: b.ris: 1 of its 1 records are already in this review (1 by same citation from the same database; the first, a record, is litrev record 3); importing them again would count them twice. Pass --again to import the file anyway
    """
    found = [(record, hit) for record in records if (hit := known.find(record)) is not None]
    if not found:
        return
    by_how: dict[str, int] = {}
    for _, (_, how) in found:
        by_how[how] = by_how.get(how, 0) + 1
    record, (litrev_id, how) = found[0]
    prov = record.provenance
    where = f"record {prov.position + 1}" if prov else "a record"
    line = prov.line if prov else None
    counts = ", ".join(f"{n} by {how}" for how, n in by_how.items())
    raise InputError(
        path,
        f"{len(found)} of its {len(records)} records are already in this review ({counts}; "
        f"the first, {where}, is litrev record {litrev_id}); importing them again would count "
        "them twice. Pass --again to import the file anyway",
        line,
    )

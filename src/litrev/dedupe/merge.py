"""The merged record of a duplicate cluster, showing which source record gave each field.

Each field is taken from one member, chosen by a rule a reviewer can check: the longest title
that is not in capitals, the longest author list, the most common year, the full journal name
over an abbreviation, a page range over a first page, the longest abstract. Nothing is
invented or combined, so every value can be traced to one export.

>>> from litrev.records.model import Record
>>> a = Record(title="CARE HOMES", journal="BMJ", year=2020, record_id="wos:1")
>>> b = Record(title="Care homes", journal="British Medical Journal", year=2020, pages="1-9",
...            record_id="pubmed:2")
>>> merged = merge_records([a, b], ["wos:1", "pubmed:2"])
>>> merged.record.title, merged.sources["title"], merged.sources["journal"]
('Care homes', 'pubmed:2', 'pubmed:2')
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from litrev.records.model import Record

_TEXT_FIELDS = ("doi", "pmid", "pmcid", "issn", "volume", "issue", "language", "url",
                "publication_type")


@dataclass
class MergedRecord:
    """`record` holds the chosen values; `sources[field]` names the member each came from."""

    record: Record
    sources: dict[str, str] = field(default_factory=dict)
    members: list[str] = field(default_factory=list)


def _pick(
    records: Sequence[Record], labels: Sequence[str], name: str,
    rank: Callable[[object], object],
) -> tuple[object, str | None]:
    best: tuple[object, int] | None = None
    for index, record in enumerate(records):
        value = getattr(record, name)
        if value in (None, "", []):
            continue
        key = rank(value)
        # Ties go to the earlier member, so the result does not depend on set order.
        if best is None or key > best[0]:  # type: ignore[operator]
            best = (key, index)
    if best is None:
        return None, None
    return getattr(records[best[1]], name), labels[best[1]]


def _author_rank(authors: object) -> tuple[int, int]:
    names = [str(n) for n in authors] if isinstance(authors, list) else []
    return len(names), sum(len(n) for n in names)


def merge_records(records: Sequence[Record], labels: Sequence[str]) -> MergedRecord:
    """Merge one cluster's records; `labels` name the members (store id, file:record_id...)."""
    if not records:
        raise ValueError("a cluster has at least one record")
    merged = Record()
    sources: dict[str, str] = {}

    def take(name: str, rank: Callable[[object], object]) -> None:
        value, label = _pick(records, labels, name, rank)
        if label is not None:
            setattr(merged, name, value)
            sources[name] = label

    take("title", lambda t: (not str(t).isupper(), len(str(t))))
    take("abstract", lambda t: len(str(t)))
    take("authors", _author_rank)
    years = Counter(r.year for r in records if r.year)
    if years:
        year = max(years, key=lambda y: (years[y], -y))
        merged.year = year
        sources["year"] = labels[next(i for i, r in enumerate(records) if r.year == year)]
    take("journal", lambda j: len(str(j)))
    take("pages", lambda p: ("-" in str(p), len(str(p))))
    for name in _TEXT_FIELDS:
        values = Counter(getattr(r, name) for r in records if getattr(r, name))
        if values:
            value = max(values, key=lambda v: (values[v], len(str(v))))
            setattr(merged, name, value)
            sources[name] = labels[next(i for i, r in enumerate(records)
                                        if getattr(r, name) == value)]
    take("keywords", lambda k: len(k))  # type: ignore[arg-type]
    return MergedRecord(merged, sources, list(labels))

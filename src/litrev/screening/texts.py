"""What a screener reads of a record: title, abstract and the citation line.

>>> from litrev.store import Store
>>> from litrev.screening.demo import add_records
>>> store = Store.open("sqlite://")
>>> _ = add_records(store, [("Co-design in stroke care", None)])
>>> record_texts(store, [1])[1].title
'Co-design in stroke care'
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select

from litrev.store import Store, schema


@dataclass(frozen=True)
class RecordText:
    id: int
    title: str | None
    abstract: str | None
    authors: list[str] = field(default_factory=list)
    year: int | None = None
    journal: str | None = None
    doi: str | None = None

    @property
    def citation(self) -> str:
        """`Batalden P, Smith J et al. (2016) Journal. doi:...`"""
        names = ", ".join(self.authors[:3]) + (" et al." if len(self.authors) > 3 else "")
        parts = [names or "[no authors]", f"({self.year})" if self.year else "(n.d.)"]
        if self.journal:
            parts.append(self.journal)
        if self.doi:
            parts.append(f"doi:{self.doi}")
        return " ".join(parts)


def record_texts(store: Store, ids: Iterable[int]) -> dict[int, RecordText]:
    """The texts of the given records, by id (missing ids are left out)."""
    wanted = sorted(set(ids))
    r = schema.records
    found: dict[int, RecordText] = {}
    with store.connect() as conn:
        # Chunked so that a long list stays under the database's bound-parameter limit.
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            query = select(
                r.c.id, r.c.title, r.c.abstract, r.c.authors, r.c.year, r.c.journal, r.c.doi
            ).where(r.c.id.in_(chunk))
            for row in conn.execute(query):
                found[row.id] = RecordText(
                    row.id,
                    row.title,
                    row.abstract,
                    list(row.authors or []),
                    row.year,
                    row.journal,
                    row.doi,
                )
    return found

"""What a review adds to an exported record, and reading it back on import.

Exports carry, per record, litrev's id, the source database(s), the duplicate cluster, the
overall status and the outcome (and exclusion reason) at each screening stage:

- in tables (CSV, TSV, XLSX, asreview-csv) as columns `litrev_id`, `litrev_databases`,
  `litrev_cluster`, `litrev_status`, `litrev_<stage>`, `litrev_<stage>_reason` (asreview-csv
  also fills ASReview's `included`: 1 included, 0 excluded, empty pending);
- in RIS as notes, one `N1  - litrev:<key>=<value>` line per item (`litrev:id=12`,
  `litrev:databases=Scopus`, ...), which other reference managers keep as ordinary notes, and
  a `DB` tag with the record's database when its own tags have none.

`review_tags` reads either form back; the importer applies it after reading any file, so a
re-imported litrev export keeps each record's own database (not the file's) and its id.

>>> from litrev.records.model import Record
>>> notes = ris_notes({"id": "12", "databases": "Scopus; CINAHL", "status": "pending"})
>>> notes[0]
('N1', 'litrev:id=12')
>>> review_tags(Record(raw=[("TY", "JOUR"), *notes]))["databases"]
'Scopus; CINAHL'
>>> databases_of({"databases": "unspecified"})
()
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from litrev.records.model import Record
from litrev.records.tabular_write import REVIEW_PREFIX

if TYPE_CHECKING:
    from litrev.records.listing import RecordState

NOTE_TAG = "N1"
NOTE_PREFIX = "litrev:"
UNSPECIFIED = "unspecified"


def review_items(state: RecordState) -> dict[str, str]:
    """The review's facts about a record as ordered key/value text (keys without a prefix)."""
    items = {
        "id": str(state.id),
        "databases": "; ".join(state.databases) or UNSPECIFIED,
        "cluster": str(state.cluster),
        "status": state.status,
    }
    for stage in state.stages:
        items[stage.stage] = stage.outcome
        items[f"{stage.stage}_reason"] = stage.reason or ""
    return items


def table_columns(items: Mapping[str, str], *, asreview: bool = False) -> list[tuple[str, str]]:
    """`litrev_*` columns (and ASReview's `included` when `asreview`).

    >>> table_columns({"id": "3", "status": "excluded"}, asreview=True)
    [('litrev_id', '3'), ('litrev_status', 'excluded'), ('included', '0')]
    """
    columns = [(REVIEW_PREFIX + key, value) for key, value in items.items()]
    if asreview:
        label = {"included": "1", "excluded": "0"}.get(items.get("status", ""), "")
        columns.append(("included", label))
    return columns


def ris_notes(items: Mapping[str, str]) -> list[tuple[str, str]]:
    """One `N1` note per item, `litrev:key=value`, on one line each."""
    return [
        (NOTE_TAG, f"{NOTE_PREFIX}{key}={' '.join(value.split())}") for key, value in items.items()
    ]


def ris_export_pairs(
    pairs: Sequence[tuple[str, str]], items: Mapping[str, str]
) -> list[tuple[str, str]]:
    """A record's RIS pairs with older litrev notes replaced by `items`, and a `DB` tag naming
    its database when it has none (a RIS export re-imported elsewhere keeps each record's).

    >>> ris_export_pairs([("TY", "JOUR"), ("N1", "litrev:id=1")], {"id": "4", "databases": "ERIC"})
    [('TY', 'JOUR'), ('DB', 'ERIC'), ('N1', 'litrev:id=4'), ('N1', 'litrev:databases=ERIC')]
    """
    kept = [
        (tag, value)
        for tag, value in pairs
        if not (tag == NOTE_TAG and value.startswith(NOTE_PREFIX)) and tag != "ER"
    ]
    databases = databases_of(items)
    if databases and not any(tag == "DB" for tag, _ in kept):
        kept.append(("DB", databases[0]))
    return kept + ris_notes(items)


def review_tags(record: Record) -> dict[str, str]:
    """The litrev items a record carries: RIS `N1 litrev:key=value` notes or `litrev_*`
    table columns (first value of each key)."""
    found: dict[str, str] = {}
    for tag, value in record.raw:
        if tag == NOTE_TAG and value.startswith(NOTE_PREFIX):
            key, sep, text = value[len(NOTE_PREFIX) :].partition("=")
            if sep:
                found.setdefault(key.strip(), text.strip())
        elif tag.startswith(REVIEW_PREFIX):
            found.setdefault(tag[len(REVIEW_PREFIX) :].strip(), value.strip())
    return found


def databases_of(items: Mapping[str, str]) -> tuple[str, ...]:
    """The databases an item set names (none for "unspecified")."""
    text = items.get("databases", "")
    return tuple(d.strip() for d in text.split(";") if d.strip() and d.strip() != UNSPECIFIED)


def origin_id(items: Mapping[str, str]) -> int | None:
    """The litrev id an exported record had (None when absent or not a positive number)."""
    text = items.get("id", "")
    return int(text) if text.isdigit() and 0 < len(text) < 19 and int(text) > 0 else None


def apply_review_tags(records: Sequence[Record], *, source_given: bool) -> list[int | None]:
    """Give each record that carries litrev items its own database (unless the user named
    one with --source); return each record's exported litrev id (None when it has none)."""
    ids: list[int | None] = []
    for record in records:
        items = review_tags(record)
        ids.append(origin_id(items))
        if source_given or "databases" not in items:
            continue
        databases = databases_of(items)
        record.source_db = databases[0] if databases else None
        if record.provenance is not None:
            record.provenance.source_db = record.source_db
    return ids

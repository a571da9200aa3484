"""What a review adds to an exported record, and reading it back on import.

Exports carry, per record, litrev's id, the source database(s), the duplicate cluster, the
overall status and the outcome (and exclusion reason) at each screening stage:

- in tables (CSV, TSV, XLSX, asreview-csv) as columns `litrev_id`, `litrev_databases`,
  `litrev_cluster`, `litrev_status`, `litrev_<stage>`, `litrev_<stage>_reason` (asreview-csv
  also fills ASReview's `included`: 1 included, 0 excluded, empty pending);
- in RIS as notes, one `N1  - litrev:<key>=<value>` line per item (`litrev:id=12`,
  `litrev:databases=Scopus`, ...), which other reference managers keep as ordinary notes, and
  a `DB` tag with the record's database when its own tags have none;
- in MEDLINE (nbib) as `GN` (general note) lines of the same form, in EndNote XML as lines of
  the record's `notes`, in BibTeX as fields `litrev-id`, `litrev-databases`, ..., in JSON as
  an object under each work's `litrev` key.

Web of Science text exports carry none of them (the format has no free-text field that other
tools keep).

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

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from litrev.records.formats.jsonfmt import JSON_FORMATS
from litrev.records.formats.tabular_write import REVIEW_PREFIX
from litrev.records.model import Record

if TYPE_CHECKING:
    from litrev.records.listing import RecordState

NOTE_TAG = "N1"
NOTE_PREFIX = "litrev:"
UNSPECIFIED = "unspecified"


def review_items(state: RecordState) -> dict[str, str]:
    """The review's facts about a record as ordered key/value text (keys without a prefix).

    >>> from litrev.records.listing import RecordState, StageState
    >>> review_items(RecordState(7, ("ERIC",), 7, "pending", (StageState("full_text", ""),)))
    {'id': '7', 'source_id': '', 'databases': 'ERIC', 'cluster': '7', 'status': 'pending', 'full_text': '', 'full_text_reason': ''}
    """
    items = {
        "id": str(state.id),
        "source_id": state.source_id or "",  # the database's own id (AN, PMID, EID ...)
        "databases": "; ".join(state.databases) or UNSPECIFIED,
        "cluster": str(state.cluster),
        "status": state.status,
    }
    for stage in state.stages:
        items[stage.stage] = stage.outcome
        items[f"{stage.stage}_reason"] = stage.reason or ""
    return items


def table_columns(items: Mapping[str, str], *, asreview: bool = False) -> list[tuple[str, str]]:
    """`litrev_*` columns; for ASReview also its `record_id` (litrev's id: ASReview needs
    unique ids, and its exports then name litrev's records) and `included`.

    >>> table_columns({"id": "3", "status": "excluded"}, asreview=True)
    [('record_id', '3'), ('litrev_id', '3'), ('litrev_status', 'excluded'), ('included', '0')]
    """
    columns = [(REVIEW_PREFIX + key, value) for key, value in items.items()]
    if asreview:
        label = {"included": "1", "excluded": "0"}.get(items.get("status", ""), "")
        columns = [("record_id", items.get("id", "")), *columns, ("included", label)]
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


JSON_KEY = "litrev"  # a JSON work's key holding the items as an object
# Tags whose values hold `litrev:key=value` lines: RIS notes, MEDLINE general notes, EndNote.
NOTE_TAGS = (NOTE_TAG, "GN", "notes")
FIELD_PREFIXES = (REVIEW_PREFIX, "litrev-")  # table columns, BibTeX fields


def review_tags(record: Record) -> dict[str, str]:
    """The litrev items a record carries: `litrev:key=value` note lines, `litrev_*` table
    columns or `litrev-*` BibTeX fields (first value of each key).

    >>> review_tags(Record(raw=[("notes", "Read later\\nlitrev:id=5"), ("litrev-status", "pending")]))
    {'id': '5', 'status': 'pending'}
    """
    found: dict[str, str] = {}
    for tag, value in record.raw:
        if tag in NOTE_TAGS and NOTE_PREFIX in value:
            for line in value.split("\n"):
                if line.startswith(NOTE_PREFIX):
                    key, sep, text = line[len(NOTE_PREFIX) :].partition("=")
                    if sep:
                        found.setdefault(key.strip(), text.strip())
        elif tag.startswith(FIELD_PREFIXES):
            found.setdefault(tag[len(REVIEW_PREFIX) :].strip(), value.strip())
        elif tag == JSON_KEY and value.startswith("{"):
            try:
                data = json.loads(value)
            except ValueError:
                continue  # not litrev's: a work's own "litrev" key stays an ordinary field
            if isinstance(data, dict):
                for key, text in data.items():
                    found.setdefault(str(key), "" if text is None else str(text))
    return found


def _note_lines(items: Mapping[str, str]) -> list[str]:
    return [value for _, value in ris_notes(items)]


def _without_notes(value: str) -> str:
    return "\n".join(line for line in value.split("\n") if not line.startswith(NOTE_PREFIX))


def annotated_pairs(
    fmt: str, pairs: Sequence[tuple[str, str]], items: Mapping[str, str]
) -> list[tuple[str, str]]:
    """A record's pairs in `fmt` (ris, nbib, bibtex, endnote-xml, a JSON format) with the
    review's items in that format's form, replacing any older ones.

    >>> annotated_pairs("bibtex", [("ENTRYTYPE", "article"), ("litrev-id", "1")], {"id": "4"})
    [('ENTRYTYPE', 'article'), ('litrev-id', '4')]
    >>> annotated_pairs("endnote-xml", [("notes", "Seen\\nlitrev:id=1")], {"id": "4"})
    [('notes', 'Seen\\nlitrev:id=4')]
    """
    if fmt == "ris":
        return ris_export_pairs(pairs, items)
    if fmt == "nbib":
        kept = [(t, v) for t, v in pairs if not (t == "GN" and v.startswith(NOTE_PREFIX))]
        return kept + [("GN", line) for line in _note_lines(items)]
    if fmt == "bibtex":
        kept = [(t, v) for t, v in pairs if not t.startswith(FIELD_PREFIXES)]
        return kept + [(f"litrev-{key}", " ".join(v.split())) for key, v in items.items() if v]
    if fmt in JSON_FORMATS:
        kept = [(t, v) for t, v in pairs if t != JSON_KEY]
        return [*kept, (JSON_KEY, json.dumps(dict(items), ensure_ascii=False))]
    if fmt == "endnote-xml":
        lines = _note_lines(items)
        out: list[tuple[str, str]] = []
        for tag, value in pairs:
            if tag == "notes":
                own = _without_notes(value)
                value = "\n".join([own, *lines]) if own else "\n".join(lines)
                lines = []  # one notes element per record
            out.append((tag, value))
        if lines:
            out.append(("notes", "\n".join(lines)))
        return out
    raise ValueError(f"no review annotations for format {fmt!r}")


def databases_of(items: Mapping[str, str]) -> tuple[str, ...]:
    """The databases an item set names (none for "unspecified")."""
    text = items.get("databases", "")
    return tuple(d.strip() for d in text.split(";") if d.strip() and d.strip() != UNSPECIFIED)


def origin_id(items: Mapping[str, str]) -> int | None:
    """The litrev id an exported record had (None when absent or not a positive number).

    >>> origin_id({"id": "12"}), origin_id({"id": "twelve"}), origin_id({})
    (12, None, None)
    """
    text = items.get("id", "")
    return int(text) if text.isdigit() and 0 < len(text) < 19 and int(text) > 0 else None


def apply_review_tags(records: Sequence[Record], *, source_given: bool) -> list[int | None]:
    """Give each record that carries litrev items its own database (unless the user named
    one with --source); return each record's exported litrev id (None when it has none).

    >>> record = Record(raw=[("N1", "litrev:id=4"), ("N1", "litrev:databases=unspecified")],
    ...                 source_db="Scopus")
    >>> apply_review_tags([record], source_given=False), record.source_db
    ([4], None)
    """
    ids: list[int | None] = []
    for record in records:
        items = review_tags(record)
        ids.append(origin_id(items))
        if "id" in items and "source_id" in items:
            # An ASReview export's `record_id` holds litrev's id; the database's is here.
            record.record_id = items["source_id"] or None
        if source_given or "databases" not in items:
            continue
        databases = databases_of(items)
        record.source_db = databases[0] if databases else None
        if record.provenance is not None:
            record.provenance.source_db = record.source_db
    return ids

"""Exporting a review's records with what the review knows about each.

Every export carries litrev's id, the source database(s), the duplicate cluster, the status
and the outcome at each screening stage (`litrev.records.annotate` says how, per format):
columns in CSV, TSV, XLSX and asreview-csv (whose `included` is 1 for records included at the
last stage, 0 for excluded ones, empty otherwise), `N1 litrev:` notes and `DB` in RIS, `GN`
notes in nbib, `notes` lines in EndNote XML, `litrev-*` fields in BibTeX, a `litrev` object in
JSON works. Web of Science text is written as `litrev.records.write` writes it.

Spreadsheet formats neutralise formula cells (a leading `'` before `=`, `+`, `-`, `@`, tab,
CR) unless `raw_formulas=True`.

>>> import tempfile, os
>>> from litrev.store import Store
>>> from litrev.records.importer import import_files
>>> folder = tempfile.mkdtemp(); path = os.path.join(folder, "eric.ris")
>>> _ = open(path, "w").write("TY  - JOUR\\nTI  - =1+1 care\\nER  - \\n")
>>> store = Store.open("sqlite://")
>>> _ = import_files(store, [path], source="ERIC", actor="me")
>>> export_records(store, os.path.join(folder, "out.csv"), "asreview-csv", actor="me")
1
>>> import csv
>>> row = list(csv.DictReader(open(os.path.join(folder, "out.csv"))))[0]
>>> row["title"], row["litrev_id"], row["litrev_databases"], row["included"]
("'=1+1 care", '1', 'ERIC', '')
"""

from __future__ import annotations

import getpass
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from litrev.errors import InputError
from litrev.fileio import atomic_output
from litrev.records.annotate import annotated_pairs, review_items, table_columns
from litrev.records.formats.bibtex import bibtex_pairs
from litrev.records.formats.endnote_xml import endnote_pairs
from litrev.records.formats.jsonfmt import JSON_FORMATS, encode_value, json_work
from litrev.records.formats.medline import medline_pairs
from litrev.records.formats.ris import ris_pairs
from litrev.records.formats.tabular_write import write_delimited, write_xlsx
from litrev.records.importer import stored_records
from litrev.records.io import WRITE_FORMATS, write
from litrev.records.model import Provenance, Record
from litrev.store import Store

if TYPE_CHECKING:
    from litrev.screening.decisions import Screening

TABLE_FORMATS = ("csv", "tsv", "xlsx", "asreview-csv")
# Formats whose records are written from (tag, value) pairs, with the review's items added.
PAIR_FORMATS = {
    "ris": ris_pairs,
    "nbib": medline_pairs,
    "bibtex": bibtex_pairs,
    "endnote-xml": endnote_pairs,
}
ANNOTATED_FORMATS = (*TABLE_FORMATS, *PAIR_FORMATS, "json")
_ALIASES = {"medline": "nbib", "bib": "bibtex", "endnote": "endnote-xml", "wos": "wos-txt"}


def _json_pairs(record: Record) -> list[tuple[str, str]]:
    return [(key, encode_value(value)) for key, value in json_work(record).items()]


def _annotated(record: Record, fmt: str, items: dict[str, str]) -> Record:
    """A copy written with its own pairs in `fmt` plus the review's items."""
    if fmt == "json":
        # Keep each work's own envelope (OpenAlex, Europe PMC); others become Crossref works.
        own = record.provenance.format if record.provenance else None
        kind = own if own in JSON_FORMATS else "crossref-json"
        pairs = annotated_pairs(kind, _json_pairs(record), items)
        return Record(raw=pairs, provenance=Provenance(file="", position=0, format=kind))
    pairs = annotated_pairs(fmt, PAIR_FORMATS[fmt](record), items)
    return Record(raw=pairs, provenance=Provenance(file="", position=0, format=fmt))


def export_records(
    store: Store,
    path: str | Path,
    format: str,
    *,
    record_ids: Sequence[int] | None = None,
    actor: str | None = None,
    raw_formulas: bool = False,
    screening: Screening | None = None,
    stages: Iterable[Any] | None = None,
    extra_columns: Mapping[int, Sequence[tuple[str, str]]] | None = None,
) -> int:
    """Write the store's records (all, or `record_ids`) to `path` atomically, with the review's
    columns or notes; audit-log it; return the count.

    `screening` gives the review's exclusion reasons and screening mode (the CLI passes the
    protocol's); `stages` its screening stages in order (the last decides "included").
    `extra_columns` adds table columns per record id (CSV, TSV, XLSX), after the review's:
    e.g. a catalogue's coded values.
    """
    from litrev.records.listing import record_states

    fmt = _ALIASES.get(format.strip().lower(), format.strip().lower())
    if fmt not in WRITE_FORMATS:
        raise InputError(
            str(path), f"cannot write format {format!r}; expected one of {', '.join(WRITE_FORMATS)}"
        )
    pairs = stored_records(store, record_ids)
    records = [record for _, record in pairs]
    if fmt in ANNOTATED_FORMATS:
        if screening is None:
            from litrev.screening.decisions import Screening

            screening = Screening(store)
        states = record_states(screening, stages, record_ids=record_ids)
        items = [review_items(states[record_id]) for record_id, _ in pairs]
        neutralise = not raw_formulas
        if fmt in PAIR_FORMATS or fmt == "json":
            copies = [_annotated(r, fmt, i) for r, i in zip(records, items, strict=True)]
            write(copies, path, format=fmt)
        else:
            more = extra_columns or {}
            extra = [
                table_columns(i, asreview=fmt == "asreview-csv") + list(more.get(record_id, ()))
                for (record_id, _), i in zip(pairs, items, strict=True)
            ]
            if fmt == "xlsx":
                with atomic_output(path) as temporary:
                    write_xlsx(records, temporary, extra=extra, neutralise=neutralise)
            else:
                with (
                    atomic_output(path) as temporary,
                    open(temporary, "w", encoding="utf-8", newline="") as out,
                ):
                    write_delimited(
                        records,
                        out,
                        flavour=fmt,
                        delimiter="\t" if fmt == "tsv" else ",",
                        extra=extra,
                        neutralise=neutralise,
                    )
    else:
        write(records, path, format=fmt)
    with store.transaction() as conn:
        Store.log(
            conn,
            actor=actor or getpass.getuser(),
            action="export",
            entity="records",
            detail={
                "file": str(path),
                "format": fmt,
                "records": len(records),
                "raw_formulas": raw_formulas,
            },
        )
    return len(records)

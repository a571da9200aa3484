"""Records: read every database's export losslessly, write records back, import them into a review.

>>> from litrev.records import read, write
>>> # read(path) -> list[Record]; write(records, path, format="ris")
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from litrev.records.base import SkippedRecord
    from litrev.records.importer import (
        ImportReport,
        identification_counts,
        import_files,
        load_records,
        stored_records,
    )
    from litrev.records.io import WRITE_FORMATS, ReadResult, read, read_report, write
    from litrev.records.model import Provenance, Record

# Loaded on first use (PEP 562): code that needs only `Record` (ranking, the CLI's help) does not
# pay for the importer's store (SQLAlchemy) or every format's reader.
_HOMES = {
    "SkippedRecord": "base",
    **dict.fromkeys(
        ["ImportReport", "identification_counts", "import_files", "load_records", "stored_records"],
        "importer",
    ),
    **dict.fromkeys(["WRITE_FORMATS", "ReadResult", "read", "read_report", "write"], "io"),
    **dict.fromkeys(["Provenance", "Record"], "model"),
}


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module 'litrev.records' has no attribute {name!r}")
    return getattr(import_module(f"litrev.records.{_HOMES[name]}"), name)


__all__ = [
    "WRITE_FORMATS",
    "ImportReport",
    "Provenance",
    "ReadResult",
    "Record",
    "SkippedRecord",
    "identification_counts",
    "import_files",
    "load_records",
    "read",
    "read_report",
    "stored_records",
    "write",
]

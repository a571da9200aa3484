"""Records: read every database's export losslessly, write records back, import them into a review.

>>> from litrev.records import read, write
>>> # read(path) -> list[Record]; write(records, path, format="ris")
"""

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

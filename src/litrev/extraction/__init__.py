"""Extraction: codebooks, extraction tables and reading the agreed values back."""

from litrev.extraction.codebook import check_row, check_value
from litrev.extraction.table import (
    CONSENSUS,
    ImportSummary,
    import_table,
    included_record_ids,
    read_table,
    studies_frame,
)

__all__ = [
    "CONSENSUS",
    "ImportSummary",
    "check_row",
    "check_value",
    "import_table",
    "included_record_ids",
    "read_table",
    "studies_frame",
]

"""Extraction: codebooks, extraction tables and reading the agreed values back."""

from litrev.extraction.codebook import CONSENSUS, check_row, check_value
from litrev.extraction.importing import ImportSummary, import_table, read_table
from litrev.extraction.table import studies_frame, table_included_record_ids

__all__ = [
    "CONSENSUS",
    "ImportSummary",
    "check_row",
    "check_value",
    "import_table",
    "read_table",
    "studies_frame",
    "table_included_record_ids",
]

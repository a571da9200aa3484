"""Extraction: codebooks, extraction tables, extractors' values, assignments, agreement,
reconciliation, and reading the agreed values back."""

from litrev.extraction.codebook import CONSENSUS, check_row, check_value
from litrev.extraction.importing import ImportSummary, import_table, read_table
from litrev.extraction.table import group_frame, studies_frame, table_included_record_ids
from litrev.extraction.values import (
    ExtractionError,
    SaveResult,
    StoredValue,
    ValueKey,
    progress,
    read_values,
    remove_instance,
    save_values,
)

__all__ = [
    "CONSENSUS",
    "ExtractionError",
    "ImportSummary",
    "SaveResult",
    "StoredValue",
    "ValueKey",
    "check_row",
    "check_value",
    "group_frame",
    "import_table",
    "progress",
    "read_table",
    "read_values",
    "remove_instance",
    "save_values",
    "studies_frame",
    "table_included_record_ids",
]

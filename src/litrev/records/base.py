"""What every format reader shares: skipped-record reports and the cleaning of field values.

>>> clean_text("Effects of <i>Lactobacillus</i> &amp; diet")
'Effects of Lactobacillus & diet'
>>> parse_year("2016/09//"), normalise_doi("https://doi.org/10.1000/ABC [doi]")
(2016, '10.1000/ABC')
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from litrev.errors import InputError
from litrev.records.model import Record

# Limits that keep a reader's memory bounded on hostile input (docs/records.md, "Limits").
# No real export comes near them: the longest real field is a Web of Science cited-reference
# list (CR) of a few hundred kilobytes.
MAX_FIELD_CHARS = 10_000_000
"""The longest field value any reader accepts (10 million characters, about 10 MB)."""


def field_too_long(what: str, length: int | None = None) -> str:
    """The message for a value over `MAX_FIELD_CHARS`, naming the limit.

    >>> field_too_long("field 'AB'", 12_000_000)
    "field 'AB' is 12,000,000 characters long; a field may not exceed 10,000,000 characters"
    """
    size = f" is {length:,} characters long;" if length is not None else " is too long;"
    return f"{what}{size} a field may not exceed {MAX_FIELD_CHARS:,} characters"


# Empty cells that padding short table rows may add beyond the number of cells the table has.
PADDING_ALLOWANCE = 1_000_000


class RowPadding:
    """Pads short table rows to the header's width, so every record has the table's columns.

    The padding may not outgrow the table itself: a 10,000-column header over a million
    one-cell rows would otherwise need ten billion cells.

    >>> padding = RowPadding([(2, ["a"])], "t.csv")
    >>> padding.pad(["a"], 3, line=2)
    ['a', '', '']
    """

    def __init__(self, rows: list[tuple[int, list[str]]], path: str) -> None:
        self.path = path
        self.left = PADDING_ALLOWANCE + sum(len(cells) for _, cells in rows)

    def pad(self, cells: list[str], width: int, line: int) -> list[str]:
        missing = width - len(cells)
        if missing <= 0:
            return cells[:width]
        self.left -= missing
        if self.left < 0:
            raise InputError(
                self.path,
                f"too many short rows: the header has {width} columns and rows up to here "
                "have far fewer cells; expected a row of cells for each column",
                line=line,
            )
        return cells + [""] * missing


@dataclass(frozen=True)
class SkippedRecord:
    """A record left out by `skip_invalid`: where it was and why."""

    file: str
    position: int  # 0-based index among the file's records
    line: int | None
    reason: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{where}: record {self.position + 1}: {self.reason}"


@dataclass
class Problems:
    """Collects malformed records: raises at the first one unless skipping invalid records."""

    path: str
    skip_invalid: bool
    skipped: list[SkippedRecord] = field(default_factory=list)

    def report(self, reason: str, *, line: int | None, position: int) -> None:
        if not self.skip_invalid:
            raise InputError(self.path, reason, line=line)
        self.skipped.append(SkippedRecord(self.path, position, line, reason))


@dataclass
class ParsedFile:
    """A reader's output before detection fills in format and source database."""

    records: list[Record]
    skipped: list[SkippedRecord]


_TAG = re.compile(r"<[^<>]{1,200}>")
_SPACES = re.compile(r"\s+")
_YEAR = re.compile(r"(?<!\d)(1[5-9]\d\d|20\d\d)(?!\d)")
_DOI = re.compile(r"10\.\d{3,9}/\S+")
_DOI_PREFIXES = (
    "https://doi.org/",
    "http://doi.org/",
    "https://dx.doi.org/",
    "http://dx.doi.org/",
    "doi.org/",
    "doi:",
    "DOI:",
    "doi ",
    "DOI ",
)


# A line holding only a record's number, as some exports write before each record: Ovid's RIS
# ("1."), Ovid and Cochrane text ("<1>", "Record #1 of 20").
_RECORD_NUMBER = re.compile(r"\s*(?:<\d{1,9}>|\d{1,9}\.?|Record #?\d{1,9}(?: of \d{1,9})?)\s*")


def is_record_number(line: str) -> bool:
    """True for a line that only numbers the next record ("1.", "<12>", "Record #3 of 20").

    >>> is_record_number("12."), is_record_number("<3>"), is_record_number("12 cats")
    (True, True, False)
    """
    return len(line) < 40 and _RECORD_NUMBER.fullmatch(line) is not None


def clean_text(value: str | None) -> str | None:
    """Undo HTML entities and inline markup, collapse whitespace; None for empty text."""
    if value is None:
        return None
    text = value
    if "&" in text:
        text = html.unescape(text)
    if "<" in text:
        text = _TAG.sub("", text)
    if "\n" in text or "  " in text or "\t" in text:
        text = _SPACES.sub(" ", text)
    text = text.strip()
    return text or None


def parse_year(value: str | None) -> int | None:
    """The first plausible publication year (1500-2099) in a date field."""
    if not value:
        return None
    head = value[:4]
    if len(head) == 4 and head.isdigit() and 1500 <= int(head) <= 2099:
        return int(head)
    match = _YEAR.search(value)
    return int(match.group(1)) if match else None


def normalise_doi(value: str | None) -> str | None:
    """A bare DOI ("10.xxxx/..."), without resolver prefix or PubMed's " [doi]" suffix."""
    if not value:
        return None
    text = value.strip()
    if text.startswith("10.") and " " not in text:
        return text.rstrip(".,;") or None  # the usual case, without the prefix search
    if text.endswith("[doi]"):
        text = text[:-5].strip()
    for prefix in _DOI_PREFIXES:
        if text.startswith(prefix):
            text = text[len(prefix) :].strip()
            break
    if not text.startswith("10."):
        match = _DOI.search(text)
        if not match:
            return None
        text = match.group(0)
    return text.rstrip(".,;") or None


def join_pages(start: str | None, end: str | None) -> str | None:
    """ "123" + "130" -> "123-130"; a start that is already a range is kept."""
    start = (start or "").strip()
    end = (end or "").strip()
    if start and end and "-" not in start:
        return f"{start}-{end}"
    return start or end or None


def split_list(value: str, separators: str = ";") -> list[str]:
    """Split a delimited list ("a; b; c") into stripped, non-empty items."""
    items = [value]
    for sep in separators:
        items = [part for item in items for part in item.split(sep)]
    return [item.strip() for item in items if item.strip()]

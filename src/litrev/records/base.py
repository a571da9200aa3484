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

"""Search limits (language, publication type, date range) applied to local records.

A record that lacks the limited field is kept: a local record with no language is not known
to be non-English, and dropping it would hide it from every strategy. Dates are compared by
year only (records carry a year, not a date), so a limit ending 2019-03-18 keeps all of 2019.
The peer-reviewed limit cannot be checked on a record and is reported, not applied.

>>> from litrev.records.model import Record
>>> from litrev.search.ast import Limit
>>> passes_limits(Record(language="eng", year=2018), (Limit("language", "English"),))
True
>>> passes_limits(Record(language="fre"), (Limit("language", "English"),))
False
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from litrev.records.model import Record
from litrev.search.ast import Limit
from litrev.search.text import fold

# ISO 639-1 and 639-2 codes of the languages reviews limit to most often.
_LANGUAGE_CODES = {
    "en": "english", "eng": "english",
    "fr": "french", "fre": "french", "fra": "french",
    "de": "german", "ger": "german", "deu": "german",
    "es": "spanish", "spa": "spanish",
    "it": "italian", "ita": "italian",
    "pt": "portuguese", "por": "portuguese",
    "nl": "dutch", "dut": "dutch", "nld": "dutch",
    "sv": "swedish", "swe": "swedish",
    "da": "danish", "dan": "danish",
    "no": "norwegian", "nor": "norwegian",
    "fi": "finnish", "fin": "finnish",
    "zh": "chinese", "chi": "chinese", "zho": "chinese",
    "ja": "japanese", "jpn": "japanese",
    "ru": "russian", "rus": "russian",
}  # fmt: skip
CHECKED_LIMITS = frozenset({"language", "publication_type", "date"})


def _language(name: str) -> str:
    folded = re.sub(r"\s*language$", "", fold(name.strip()))
    return _LANGUAGE_CODES.get(folded, folded)


def _years(value: str) -> tuple[int | None, int | None]:
    """`"2000-01-01..2019-03-18"`, `"2000.."`, `"..2019"` or `"2019"` as a year range."""
    low, sep, high = value.partition("..")
    if not sep:
        high = low

    def year(text: str) -> int | None:
        found = re.match(r"\s*(\d{4})", text)
        return int(found.group(1)) if found else None

    return year(low), year(high)


def passes_limit(record: Record, limit: Limit) -> bool:
    """Whether one record passes one limit (unknown fields and unchecked kinds pass).

    Several accepted values of one kind are joined with " OR " (`"English OR French"`).
    """
    wanted = [v.strip().strip('"') for v in limit.value.split(" OR ") if v.strip()]
    if limit.kind == "language":
        if not record.language:
            return True
        have = {_language(p) for p in re.split(r"[;,/|]", record.language) if p.strip()}
        return any(_language(v) in have for v in wanted)
    if limit.kind == "publication_type":
        if not record.publication_type:
            return True
        return any(fold(v) in fold(record.publication_type) for v in wanted)
    if limit.kind == "date":
        if record.year is None:
            return True
        low, high = _years(limit.value)
        return (low is None or record.year >= low) and (high is None or record.year <= high)
    return True


def passes_limits(record: Record, limits: Iterable[Limit]) -> bool:
    """Whether a record passes every limit."""
    return all(passes_limit(record, limit) for limit in limits)


def unchecked_limits(limits: Iterable[Limit]) -> list[str]:
    """A sentence for each limit a local run cannot apply (e.g. peer reviewed).

    >>> unchecked_limits([Limit("peer_reviewed", "true")])
    ['limit peer_reviewed=true is not applied locally: records do not say it']
    """
    return [
        f"limit {lim.kind}={lim.value} is not applied locally: records do not say it"
        for lim in limits
        if lim.kind not in CHECKED_LIMITS
    ]

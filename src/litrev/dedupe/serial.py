"""Titles that recur in one journal: a serial's column, not one work.

A column ("Nursing Matters", "Clinical Pearls", "Editor's Comments") appears under the same title
in every issue, often by the same author, and databases often drop its issue and pages. Two such
records share title, author, journal and volume and are still different items. A word test
(`guards.is_generic_title`) catches the columns named by section words; this module catches the
others by what the input itself shows: the same short title in the same journal with two
volumes, two DOIs, two page ranges or years more than two apart can only be a recurring item,
so every record with that title in that journal is treated as generic (merged only on a shared
identifier or the same issue and pages).

>>> from litrev.records.model import Record
>>> from litrev.dedupe.features import fingerprint
>>> fps = [fingerprint(Record(title="Clinical pearls for nurses", journal="Nurs Times",
...                           volume=v, authors=["Ames, R"])) for v in ("12", "13", "13")]
>>> mark_recurring(fps), [fp.generic for fp in fps]
(3, [True, True, True])
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from litrev.dedupe.features import Fingerprint
from litrev.dedupe.normalize import page_forms_differ

# A work's title is rarely this short and exactly repeated; a column's title usually is. Longer
# titles are left alone so that a page typo between two copies of one article cannot make the
# article "recurring".
MAX_WORDS = 8
# Versions of one DOI ("...pone.0212345.v2", Cochrane's ".pub3") are not two items.
_VERSION_SUFFIX_RE = re.compile(r"(?:\.pub\d+|[./]v\d{1,2})$")


@dataclass(slots=True)
class _Seen:
    members: list[int] = field(default_factory=list)
    volumes: set[str] = field(default_factory=set)
    years: set[int] = field(default_factory=set)
    page_ranges: set[tuple[str | None, tuple[str, str]]] = field(default_factory=set)
    dois: set[str] = field(default_factory=set)

    def recurs(self) -> bool:
        if len(self.volumes) > 1 or len(self.dois) > 1:
            return True
        # Copies of one work are dated a year either side of print (online first, the
        # proceedings' year): only a wider spread shows two items.
        if self.years and max(self.years) - min(self.years) > 2:
            return True
        # Within one volume (or with the volume unknown), two page ranges. (Not two issues:
        # some exports put the reference manager's record number in the issue field.)
        return _two_per_volume(self.page_ranges)


def _two_per_volume(values: set[tuple[str | None, tuple[str, str]]]) -> bool:
    """Two page ranges in one volume that share neither first nor last page.

    (A shared last page forgives a typo in the first: "2297-2108" is "2097-2108". Pages of
    two forms, a supplement's "S33" or an article number "e12" against print pages, can be
    two printings of one work.)
    """
    by_volume: dict[str | None, list[tuple[str, str]]] = {}
    for volume, pages in values:
        by_volume.setdefault(volume, []).append(pages)
    for ranges in by_volume.values():
        if len(ranges) > _MANY:
            return True  # more distinct ranges than copies of one work ever have
        for x, (first, last) in enumerate(ranges):
            if any(_two_items((first, last), other) for other in ranges[x + 1 :]):
                return True
    return False


_MANY = 20


def _two_items(x: tuple[str, str], y: tuple[str, str]) -> bool:
    """Page ranges that cannot be one item printed once: neither end shared, same form."""
    if x[0] == y[0] or x[1] == y[1] or page_forms_differ(x, y):
        return False
    return x[0][:1].isalpha() == y[0][:1].isalpha()


def journal_key(journal: tuple[str, ...]) -> str:
    """The initials of a journal's words, so that "J Gambl Stud" = "Journal of Gambling Studies".

    >>> journal_key(("nat", "rev", "nephrol")) == journal_key(("nature", "reviews", "nephrology"))
    True
    """
    return "".join(token[0] for token in journal)


def mark_recurring(fps: Sequence[Fingerprint]) -> int:
    """Set `generic` on every record whose title recurs in its journal; return how many.

    Linear in the number of records; only short titles with a journal are tracked.
    """
    groups: dict[tuple[str, str, str], _Seen] = {}
    for index, fp in enumerate(fps):
        if fp.generic or not fp.title or not fp.journal or fp.title.count(" ") >= MAX_WORDS:
            continue
        if fp.cochrane:
            continue  # a review's updates keep its title; the Cochrane guard links them
        # By kind too: a meeting abstract and the article share a title and are not a column.
        key = (fp.title, journal_key(fp.journal), fp.version_kind)
        seen = groups.setdefault(key, _Seen())
        seen.members.append(index)
        if fp.volume:
            seen.volumes.add(fp.volume)
        if fp.year:
            seen.years.add(fp.year)
        if fp.pages:
            seen.page_ranges.add((fp.volume, fp.pages))
        if fp.doi:
            seen.dois.add(_VERSION_SUFFIX_RE.sub("", fp.doi))
    marked = 0
    for seen in groups.values():
        if len(seen.members) > 1 and seen.recurs():
            for index in seen.members:
                fps[index].generic = True
            marked += len(seen.members)
    return marked

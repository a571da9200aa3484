"""Blocking: which pairs are worth comparing, so cost grows near-linearly with the corpus.

Each record gets a few keys (identifiers, title prefix and suffix, a key of its rarest-looking
title words, first author with year, journal with volume and first page). Records sharing a key
are compared. A block larger than `max_block` (a common surname-year, a generic title) is not
compared all-against-all: its members are sorted by title and each is compared with its
`window` nearest neighbours, which bounds the work per record.

>>> from litrev.records.model import Record
>>> from litrev.dedupe.features import fingerprint
>>> fps = [fingerprint(Record(title=t, authors=["Li, X"], year=2020)) for t in
...        ["Sleep in care homes", "Sleep in Care Homes.", "Unrelated topic entirely"]]
>>> sorted(candidate_pairs(fps))
[(0, 1)]
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

import numpy as np

from litrev.dedupe.features import Fingerprint
from litrev.dedupe.normalize import title_without_numbers

_STOP = {"the", "and", "for", "with", "from", "into", "among", "between", "after", "before",
         "during", "their", "this", "that", "study", "patients", "effect", "effects", "using"}


_NOTICE_PREFIX_RE = re.compile(
    r"^(?:notice of |editorial )?(?:erratum|errata|corrigendum|correction|retraction|retracted|"
    r"expression of concern|comment|commentary|reply|response|in reply|re|letter)"
    r"(?: (?:to|for|of|on|in|regarding|about|to the editor))*\s*"
)


def blocking_keys(fp: Fingerprint) -> list[str]:
    """The blocking keys of one record (empty strings are never keys)."""
    keys: list[str] = []
    if fp.doi:
        keys.append("d" + fp.doi)
    if fp.pmid:
        keys.append("p" + fp.pmid)
    if fp.pmcid:
        keys.append("c" + fp.pmcid)
    keys.extend("a" + acc for acc in fp.accessions)
    # A notice's title is the article's title behind a label: block on what follows the label.
    title = _NOTICE_PREFIX_RE.sub("", fp.title) if fp.notice else fp.title
    plain = title_without_numbers(title).replace(" ", "")
    if len(plain) >= 12:
        keys.append("t" + plain[:24])
        keys.append("s" + plain[-24:])
        # The three longest words (ties alphabetically): robust to word order and to edits
        # elsewhere in the title.
        words = sorted(sorted({w for w in title.split() if len(w) > 3 and w not in _STOP}),
                       key=len, reverse=True)[:3]
        if len(words) == 3:
            keys.append("w" + " ".join(sorted(words)))
    if fp.surnames and fp.year:
        keys.append(f"y{fp.surnames[0]}|{fp.year}|{title[:1]}")
    if fp.journal and fp.volume and fp.pages:
        keys.append(f"j{fp.journal[0][:4]}|{fp.volume}|{fp.pages[0]}")
    return keys


def key_hashes(fp: Fingerprint) -> list[int]:
    """The record's blocking keys, hashed (what `candidate_pairs` sorts)."""
    return [hash(key) for key in blocking_keys(fp)]


def candidate_pairs(
    fps: Sequence[Fingerprint],
    max_block: int = 60,
    window: int = 8,
    hashed: Sequence[list[int]] | None = None,
) -> Iterator[tuple[int, int]]:
    """Yield each candidate pair (i, j), i < j, once.

    Keys are hashed into one numpy array and sorted, so a million records' keys take tens of
    megabytes rather than a dictionary of millions of strings. (A hash collision only adds
    comparisons; it cannot merge anything by itself.) `hashed` may hold each record's
    `key_hashes`, computed beforehand (in parallel, by the engine).
    """
    hashes: list[int] = []
    owners: list[int] = []
    for index, fp in enumerate(fps):
        for value in hashed[index] if hashed is not None else key_hashes(fp):
            hashes.append(value)
            owners.append(index)
    if not hashes:
        return
    key_array = np.array(hashes, dtype=np.int64)
    owner_array = np.array(owners, dtype=np.int64)
    del hashes, owners
    order = np.argsort(key_array, kind="stable")
    key_array, owner_array = key_array[order], owner_array[order]
    boundaries = np.flatnonzero(np.diff(key_array)) + 1
    starts = np.concatenate(([0], boundaries))
    ends = np.concatenate((boundaries, [len(key_array)]))
    multi = np.flatnonzero(ends - starts > 1)
    seen: set[int] = set()
    n = len(fps)
    for block in multi:
        members = sorted(set(owner_array[starts[block]:ends[block]].tolist()))
        if len(members) < 2:
            continue
        if len(members) <= max_block:
            pairs: Iterator[tuple[int, int]] = (
                (members[x], members[y])
                for x in range(len(members))
                for y in range(x + 1, len(members))
            )
        else:
            ordered = sorted(members, key=lambda i: (fps[i].title, i))
            pairs = (
                (ordered[x], ordered[y])
                for x in range(len(ordered))
                for y in range(x + 1, min(x + 1 + window, len(ordered)))
            )
        for i, j in pairs:
            if i > j:
                i, j = j, i
            code = i * n + j
            if code not in seen:
                seen.add(code)
                yield i, j

"""Deterministic synthetic corpora with known duplicate clusters, perturbed as real exports differ.

Each work is drawn from seeded pseudo-vocabularies (titles of 7-16 words, 1-8 authors, a journal
with its abbreviation, year, volume, issue, pages, DOI for 75%). About 35% of works appear in
2-4 "databases"; each copy is perturbed the way exports of one paper differ: DOI missing, title
upper/lower/title case, trailing period or "[Review]" note, HTML entity, diacritics dropped or
added, abbreviated page range ("123-9"), journal abbreviated, authors as "Surname, Given" or
"Surname GI", year +-1, pages or issue missing. Hard negatives are mixed in: works sharing first
author and year, and series titles that differ only in "Part 1"/"Part 2".

Usage (as a module): `generate(n, seed)` yields (cluster_label, Record) until n records.
"""

from __future__ import annotations

import random
import string
from collections.abc import Iterator

from litrev.records.model import Record

_CONSONANTS = "bcdfghjklmnprstvwz"
_VOWELS = "aeiou"
_ACCENTED = {"a": "á", "e": "é", "o": "ö", "u": "ü", "i": "í", "c": "ç", "n": "ñ"}


def _word(rng: random.Random, syllables: int) -> str:
    return "".join(rng.choice(_CONSONANTS) + rng.choice(_VOWELS) for _ in range(syllables))


class Vocabulary:
    """Seeded pools of words, surnames and journals shared by every work of a corpus."""

    def __init__(self, seed: int) -> None:
        rng = random.Random(seed)
        self.words = sorted({_word(rng, rng.randint(2, 4)) for _ in range(30_000)})
        self.surnames = sorted({_word(rng, rng.randint(2, 3)).capitalize() for _ in range(60_000)})
        journals = []
        for _ in range(3_000):
            parts = [_word(rng, rng.randint(2, 4)).capitalize() for _ in range(rng.randint(2, 4))]
            journals.append((" ".join(["Journal", "of", *parts]),
                             " ".join(["J", *(p[: rng.randint(3, 5)] for p in parts)])))
        self.journals = journals


def _work(rng: random.Random, vocab: Vocabulary, number: int) -> dict[str, object]:
    words = [rng.choice(vocab.words) for _ in range(rng.randint(7, 16))]
    title = " ".join(words).capitalize()
    authors = [(rng.choice(vocab.surnames), rng.choice(string.ascii_uppercase),
                rng.choice(string.ascii_uppercase + " ")) for _ in range(rng.randint(1, 8))]
    journal = rng.choice(vocab.journals)
    first = rng.randint(1, 2400)
    return {
        "title": title, "authors": authors, "journal": journal, "year": rng.randint(1985, 2024),
        "volume": str(rng.randint(1, 120)), "issue": str(rng.randint(1, 12)),
        "pages": (first, first + rng.randint(2, 14)),
        "doi": f"10.{rng.randint(1000, 9999)}/syn.{number}" if rng.random() < 0.75 else None,
    }


def _render(rng: random.Random, work: dict[str, object], perturb: bool) -> Record:
    title = str(work["title"])
    authors: list[tuple[str, str, str]] = work["authors"]  # type: ignore[assignment]
    journal_full, journal_abbr = work["journal"]  # type: ignore[misc]
    first, last = work["pages"]  # type: ignore[misc]
    year = int(work["year"])  # type: ignore[call-overload]
    doi = work["doi"]
    pages = f"{first}-{last}"
    journal = journal_full
    names = [f"{s}, {g}." for s, g, _ in authors]
    issue: str | None = str(work["issue"])
    if perturb:
        if rng.random() < 0.5:
            doi = None
        elif rng.random() < 0.3:
            doi = f"https://doi.org/{str(doi).upper()}"
        style = rng.random()
        title = title.upper() if style < 0.15 else title.title() if style < 0.35 else title
        if rng.random() < 0.3:
            title += "."
        if rng.random() < 0.1:
            title += " [Review]"
        if rng.random() < 0.1:
            title = title.replace(" and ", " &amp; ", 1)
        if rng.random() < 0.15:
            title = "".join(_ACCENTED.get(c, c) if rng.random() < 0.05 else c for c in title)
        if rng.random() < 0.3 and len(str(last)) == len(str(first)):
            pages = f"{first}-{str(last)[-1]}" if str(last)[:-1] == str(first)[:-1] else pages
        if rng.random() < 0.1:
            pages = ""
        if rng.random() < 0.4:
            journal = journal_abbr
        if rng.random() < 0.5:
            names = [f"{s} {g}{m.strip()}" for s, g, m in authors]
        if rng.random() < 0.1:
            year += rng.choice((-1, 1))
        if rng.random() < 0.15:
            issue = None
    return Record(title=title, authors=names, year=year, journal=journal,
                  volume=str(work["volume"]), issue=issue, pages=pages or None,
                  doi=str(doi) if doi else None)


def generate(n: int, seed: int = 7) -> Iterator[tuple[int, Record]]:
    """Yield n (true cluster label, record) pairs, deterministically for a given seed."""
    rng = random.Random(seed)
    vocab = Vocabulary(seed)
    produced = 0
    work_number = 0
    while produced < n:
        work = _work(rng, vocab, work_number)
        roll = rng.random()
        if roll < 0.03 and produced + 2 <= n:
            # Hard negatives: a two-part series, same authors, journal and year.
            for part in (1, 2):
                part_work = dict(work, title=f"{work['title']}: Part {part}",
                                 pages=(int(work["pages"][0]) + 20 * part,  # type: ignore[index]
                                        int(work["pages"][1]) + 20 * part),  # type: ignore[index]
                                 doi=f"10.9999/part.{work_number}.{part}")
                yield work_number, _render(rng, part_work, perturb=False)
                work_number += 1
                produced += 1
            continue
        copies = 1 if roll < 0.65 else rng.choice((2, 2, 2, 3, 3, 4))
        copies = min(copies, n - produced)
        for copy in range(copies):
            yield work_number, _render(rng, work, perturb=copy > 0)
            produced += 1
        work_number += 1

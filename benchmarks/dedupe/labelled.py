"""Load the labelled sets of shared/benchmarks/dedup and score predicted clusters against them."""

from __future__ import annotations

import csv
import itertools
from dataclasses import dataclass
from pathlib import Path

from litrev.records.model import Record

SETS = ["cytology_screening", "haematology", "respiratory", "stroke", "special_cases"]


def load_records(folder: Path) -> list[Record]:
    """records_pre_merged.csv -> Records (BibTeX-style 'A and B' authors, ID kept as record_id)."""
    out: list[Record] = []
    with open(folder / "records_pre_merged.csv", newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            authors = [a.strip() for a in (row.get("author") or "").split(" and ") if a.strip()]
            year = row.get("year") or ""
            entry = (row.get("ENTRYTYPE") or "").lower()
            out.append(Record(
                title=row.get("title") or None,
                authors=authors,
                year=int(year) if year.strip().isdigit() else None,
                journal=row.get("journal") or row.get("booktitle") or None,
                volume=row.get("volume") or None,
                issue=row.get("number") or row.get("issue") or None,
                pages=row.get("pages") or None,
                doi=row.get("doi") or None,
                abstract=row.get("abstract") or None,
                publication_type=entry if entry != "article" else None,
                record_id=row["ID"],
            ))
    return out


def true_groups(folder: Path) -> list[list[str]]:
    with open(folder / "merged_record_ids.csv", newline="", encoding="utf-8") as handle:
        return [row["merged_ids"].split(";") for row in csv.DictReader(handle)]


def _pairs(groups: list[list[str]]) -> set[tuple[str, str]]:
    return {tuple(sorted(p)) for g in groups for p in itertools.combinations(g, 2)}  # type: ignore[misc]


@dataclass
class Score:
    pair_tp: int
    pair_fp: int
    pair_fn: int
    rec_tp: int  # records correctly removed as duplicates
    rec_fp: int  # records wrongly removed (false merges)
    rec_fn: int  # duplicates left in

    @property
    def precision(self) -> float:
        return self.pair_tp / (self.pair_tp + self.pair_fp) if self.pair_tp + self.pair_fp else 1.0

    @property
    def recall(self) -> float:
        return self.pair_tp / (self.pair_tp + self.pair_fn) if self.pair_tp + self.pair_fn else 1.0

    @property
    def rec_precision(self) -> float:
        d = self.rec_tp + self.rec_fp
        return self.rec_tp / d if d else 1.0

    @property
    def rec_recall(self) -> float:
        d = self.rec_tp + self.rec_fn
        return self.rec_tp / d if d else 1.0


def score(ids: list[str], predicted: list[list[str]], truth: list[list[str]]) -> Score:
    """Pairwise and record-level scores.

    Record level (as in ASySD / bib-dedupe evaluations): in each predicted cluster one record is
    kept; each other record is a true removal if it shares a true group with a record kept before
    it in that cluster, else a false merge. Missed duplicates: true removals not made.
    """
    pred_pairs, true_pairs = _pairs(predicted), _pairs(truth)
    group_of = {rid: n for n, g in enumerate(truth) for rid in g}
    rec_tp = rec_fp = 0
    for cluster in predicted:
        kept: set[int] = set()
        for rid in sorted(cluster):
            g = group_of.get(rid)
            if not kept:
                kept.add(g if g is not None else -hash(rid))
                continue
            if g is not None and g in kept:
                rec_tp += 1
            else:
                rec_fp += 1
                kept.add(g if g is not None else -hash(rid))
    should_remove = sum(len(g) - 1 for g in truth)
    return Score(
        pair_tp=len(pred_pairs & true_pairs), pair_fp=len(pred_pairs - true_pairs),
        pair_fn=len(true_pairs - pred_pairs), rec_tp=rec_tp, rec_fp=rec_fp,
        rec_fn=should_remove - rec_tp,
    )

"""Labelled sets: zero false merges at the default setting."""

import csv
import itertools
from pathlib import Path

import pytest

from litrev.dedupe.engine import Deduplicator
from litrev.records import read

SHARED = Path(__file__).parents[2].parent / "shared" / "benchmarks" / "dedup"


def groups(folder: Path) -> list[list[str]]:
    with open(folder / "merged_record_ids.csv", newline="", encoding="utf-8") as handle:
        return [row["merged_ids"].split(";") for row in csv.DictReader(handle)]


def pairs(clusters: list[list[str]]) -> set[tuple[str, ...]]:
    return {tuple(sorted(p)) for c in clusters for p in itertools.combinations(c, 2)}


@pytest.mark.parametrize("name, min_recall", [("special_cases", 1.0), ("stroke", 0.99)])
def test_no_false_merges_on_labelled_sets(name: str, min_recall: float) -> None:
    folder = SHARED / name
    if not folder.exists():
        pytest.skip(f"shared benchmark data not found at {folder}")
    records = read(folder / "records_pre_merged.csv")
    ids = [r.record_id or "" for r in records]
    model = Deduplicator().fit(records)
    predicted = pairs([[ids[i] for i in c] for c in model.clusters_])
    true = pairs(groups(folder))
    assert predicted - true == set()  # zero false merges
    assert len(predicted & true) / len(true) >= min_recall

"""The same items as different databases export them, with each database's quirks.

`data/cross_database.csv` is a small labelled fixture built from the shapes of real exports
(PubMed/MEDLINE, Scopus, Web of Science, Embase, Crossref, a proceedings library): authors as
"Becker C" / "Becker C." / "Becker, C" / "A John Campbell", journals abbreviated or in capitals
("J Am Geriatr Soc", "BMJ-BRITISH MEDICAL JOURNAL"), titles with a trailing period or in
MEDLINE's brackets, a translated title, DOIs with resolver prefixes, `doi:` and `%2F`, pages
"306-13" / "306-313", an article number against a page range or count, an epub ahead of print,
roman-numbered front matter. It also holds the look-alikes that must stay apart: an erratum, a
letter and its reply sharing a DOI, an editor's column in every issue, a column title recurring
across volumes, one abstract given at two meetings, one title in two journals, Part 1 / Part 2.
The `expected` column names each record's true cluster.

The second test uses real exports in shared/samples/exports (one search run in WoS, PsycINFO and
MEDLINE; one library exported by EndNote and by PubMed): records sharing a DOI are the truth,
and the engine must find them with every identifier removed.
"""

from __future__ import annotations

import csv
import dataclasses
import itertools
from pathlib import Path

import pytest

from litrev.dedupe.engine import Deduplicator
from litrev.dedupe.normalize import normalize_doi
from litrev.records import read

FIXTURE = Path(__file__).parent / "data" / "cross_database.csv"


def expected_labels() -> list[str]:
    with open(FIXTURE, newline="", encoding="utf-8") as handle:
        return [row["expected"] for row in csv.DictReader(handle)]


def test_cross_database_fixture_gives_exactly_the_expected_clusters() -> None:
    records = read(FIXTURE)
    labels = expected_labels()
    assert len(records) == len(labels) == 42
    groups: dict[str, list[int]] = {}
    for index, label in enumerate(labels):
        groups.setdefault(label, []).append(index)
    model = Deduplicator().fit(records)
    assert sorted(model.clusters_) == sorted(groups.values())

    def named(pairs: list[tuple[int, int]]) -> set[tuple[str, str]]:
        return {(labels[a], labels[b]) for a, b in pairs}

    # The column with the same pages but one issue missing is left to a person.
    assert ("column-wos3", "column-scopus3") in named([(q.a, q.b) for q in model.review_])
    related = named([(a, b) for a, b, _ in model.related_])
    assert ("falls", "falls-erratum") in related and ("letter", "reply") in related


@pytest.mark.parametrize(
    "files, allowed_misses",
    [
        # One search in three databases; two pairs are translated titles.
        (
            (
                "ris/wos__citesource__WoS_79.ris",
                "ris/ebsco-psycinfo__citesource__psycinfo_64.ris",
                "ris/ovid-medline__citesource__medline_84.ris",
            ),
            2,
        ),
        # One library exported by EndNote (RIS) and by PubMed (MEDLINE).
        (("ris/endnote__reflib__blue-light.ris", "nbib/pubmed__reflib__blue-light.nbib"), 0),
    ],
)
def test_real_exports_of_one_search_cluster_by_citation_alone(
    shared_dir: Path, files: tuple[str, ...], allowed_misses: int
) -> None:
    folder = shared_dir / "samples" / "exports"
    records = [record for name in files for record in read(folder / name)]
    dois = [normalize_doi(r.doi) for r in records]
    by_doi: dict[str, list[int]] = {}
    for index, doi in enumerate(dois):
        if doi:
            by_doi.setdefault(doi, []).append(index)
    true_pairs = {p for group in by_doi.values() for p in itertools.combinations(group, 2)}
    assert len(true_pairs) >= 30  # the three files overlap
    bare = [
        dataclasses.replace(r, doi=None, pmid=None, pmcid=None, record_id=None, raw=[])
        for r in records
    ]
    model = Deduplicator().fit(bare)
    found = {p for c in model.clusters_ for p in itertools.combinations(c, 2)}
    # No pair of records with two different DOIs is merged.
    assert [p for p in found if dois[p[0]] and dois[p[1]] and dois[p[0]] != dois[p[1]]] == []
    # Without identifiers, the citations still find (nearly) all.
    assert len(found & true_pairs) >= len(true_pairs) - allowed_misses

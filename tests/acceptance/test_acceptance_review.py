"""A review litrev has never seen, built from nothing through the command line only.

It differs from the built-in review in everything that varies between reviews: a scoping review,
four databases named otherwise than their files say (two with reported hits, two without), a hand
search and a citation search (PRISMA 2020's "other methods"), duplicates across files (some
decided in the review queue), three reviewers screening blind in pairs with conflicts resolved
both ways and records still pending, a full-text stage with a report not retrieved and three
exclusion reasons, and a codebook with text, number, choice, multi-choice and year fields
(`country` and `discipline` among them) extracted by two reviewers and then reconciled.

Every count asserted here was worked out by hand from `corpus.py` and the decisions below; the
comments show the arithmetic. The same review runs on SQLite and on a PostgreSQL server.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
from collections import Counter
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest

from litrev.cli import run

from .corpus import WORKS, write_csv, write_nbib, write_ris, write_wos

HERE = Path(__file__).parent
POSTGRES_URL = os.environ.get("LITREV_TEST_POSTGRES_URL")

# Which studies each file holds. Duplicates across databases: W5-W8 (WoS, PubMed), W11-W12
# (PubMed, Scopus), W16 (Scopus, CINAHL): 7 clusters found by identifiers. CINAHL also carries
# W21 and W13 with reworded titles and no DOI, volume or pages: the review queue decides them
# (W21 the same work, W13 a different one).
FILES = {
    "wos.txt": ["W1", "W2", "W3", "W4", "W5", "W6", "W7", "W8", "W21"],
    "pubmed.nbib": ["W5", "W6", "W7", "W8", "W9", "W10", "W11", "W12"],
    "scopus.ris": ["W11", "W12", "W13", "W14", "W15", "W16"],
    "cinahl.ris": ["W16", "W17", "W18", "W19", "W20", "W21x", "W13x"],
    "hand.ris": ["W22", "W23"],
    "citations.csv": ["W24"],
}
REWORDED = {
    "W21x": ("W21", "Physical activity and risk of falls in the oldest old: cohort study"),
    "W13x": ("W13", "Yoga for older women with osteoporosis: protocol for a feasibility study"),
}


def _write_files(folder: Path) -> dict[str, Path]:
    paths = {name: folder / name for name in FILES}
    write_wos(paths["wos.txt"], FILES["wos.txt"])
    write_nbib(paths["pubmed.nbib"], FILES["pubmed.nbib"])
    write_ris(paths["scopus.ris"], FILES["scopus.ris"], "Scopus")
    write_ris(paths["cinahl.ris"], FILES["cinahl.ris"], "CINAHL Complete", reworded=REWORDED)
    write_ris(paths["hand.ris"], FILES["hand.ris"], "")
    write_csv(paths["citations.csv"], FILES["citations.csv"])
    return paths


class Cli:
    """Runs `litrev` as a user would, failing the test on any unexpected status."""

    def __init__(self, capsys: pytest.CaptureFixture[str], review: Path) -> None:
        self.capsys = capsys
        self.review = review

    def __call__(self, *argv: str, status: int = 0, project: bool = True) -> str:
        args = [*argv, "-p", str(self.review)] if project else list(argv)
        self.capsys.readouterr()
        code = run(args)
        out, err = self.capsys.readouterr()
        assert code == status, f"litrev {' '.join(args)} -> {code}\n{out}\n{err}"
        assert "Traceback" not in out + err
        return out + err

    def json(self, *argv: str) -> object:
        text = self(*argv)
        return json.loads(
            text[text.index("[") if text.lstrip().startswith("[") else text.index("{") :]
        )


class Databases:
    """Where each review of the test keeps its data: SQLite files, or PostgreSQL schemas."""

    def __init__(self, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
        self.request = request
        self.monkeypatch = monkeypatch

    def use_new(self) -> None:
        """Point the command line at a fresh, empty database for the next review."""
        if self.request.param == "sqlite":
            self.monkeypatch.delenv("LITREV_DATABASE", raising=False)
        else:
            url = self.request.getfixturevalue("postgres_schemas")()
            self.monkeypatch.setenv("LITREV_DATABASE", url)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def databases(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Databases:
    return Databases(request, monkeypatch)


def _decisions(path: Path, rows: list[tuple[int, str, str, str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["record_id", "reviewer", "stage", "decision", "reason"])
        out.writerows(rows)
    return path


def _table(path: Path, fields: list[str], rows: list[dict[str, object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.DictWriter(handle, fieldnames=["record_id", *fields])
        out.writeheader()
        out.writerows(rows)
    return path


def test_a_new_review_end_to_end(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], databases: Databases
) -> None:
    review = tmp_path / "falls-review"
    review.mkdir()
    shutil.copy(HERE / "protocol.toml", review / "litrev.toml")
    files = _write_files(tmp_path)
    cli = Cli(capsys, review)
    databases.use_new()
    cli("init", str(review), project=False)

    # --- Records: each file is matched to its [[searches]] entry --------------------------
    cli(
        "import", str(files["wos.txt"])
    )  # detected "Web of Science": alias of "... Core Collection"
    cli("import", str(files["pubmed.nbib"]), "--source", "MEDLINE (via PubMed)")
    cli("import", str(files["scopus.ris"]))  # "Scopus": listed in the entry's aliases
    cli("import", str(files["cinahl.ris"]))  # "CINAHL Complete": listed in the aliases
    cli(
        "import", str(files["hand.ris"]), "--source", "Hand search of Health Expectations 2019-2023"
    )
    cli("import", str(files["citations.csv"]), "--source", "Backward citation search")
    imports = cli.json("import", "list", "--json")
    assert isinstance(imports, list) and len(imports) == 6

    # The same Scopus records again, in a file that differs by one newline: refused.
    again = tmp_path / "scopus-again.ris"
    again.write_text(files["scopus.ris"].read_text(encoding="utf-8") + "\n", encoding="utf-8")
    refused = cli("import", str(again), status=2)
    assert "6" in refused and "--again" in refused
    # An empty export is a warning and records no import.
    empty = tmp_path / "empty.ris"
    empty.write_text("", encoding="utf-8")
    cli("import", str(empty))
    assert len(cli.json("import", "list", "--json")) == 6  # type: ignore[arg-type]

    # --- Deduplication ---------------------------------------------------------------------
    cli("dedupe")
    records = cli.json("records", "list", "--format", "json")
    assert isinstance(records, list)
    assert len(records) == 9 + 8 + 6 + 7 + 2 + 1  # 33 records imported
    by_title = _ids_by_work(records)
    w21, w21x = by_title["W21"], by_title["W21x"]
    w13, w13x = by_title["W13"], by_title["W13x"]
    queue = cli.json("dedupe", "queue", "--json")
    assert isinstance(queue, list)
    assert {frozenset((q["record_a"], q["record_b"])) for q in queue} == {
        frozenset((w21[0], w21x[0])),
        frozenset((w13[0], w13x[0])),
    }
    cli(
        "dedupe",
        "review",
        "--pair",
        str(w21[0]),
        str(w21x[0]),
        "--decision",
        "same",
        "--reviewer",
        "anna",
    )
    cli(
        "dedupe",
        "review",
        "--pair",
        str(w13[0]),
        str(w13x[0]),
        "--decision",
        "different",
        "--reviewer",
        "anna",
    )
    records = cli.json("records", "list", "--format", "json")
    duplicates = [r for r in records if r["status"] == "duplicate"]  # type: ignore[index]
    # 7 clusters by identifier (W5-W8, W11, W12, W16) and W21 by the queue: 8 records removed.
    assert len(duplicates) == 8
    kept = _ids_by_work([r for r in records if r["status"] != "duplicate"])  # type: ignore[index]
    rid = {work.rstrip("x"): found[0] for work, found in kept.items() if work != "W13x"}
    rid["W13x"] = kept["W13x"][0]
    assert len(rid) == 25  # 22 from databases (W1-W21, W13x) and 3 from other methods

    # --- Title and abstract: three reviewers, two per record, blind ---------------------------
    pairs = [("anna", "ben"), ("ben", "chloe"), ("anna", "chloe")]
    ta: list[tuple[int, str, str, str, str]] = []

    def both(work: str, decision: str, reason: str = "", stage: str = "ta", pair: int = 0) -> None:
        for who in pairs[pair]:
            rows = ta if stage == "ta" else ft
            rows.append((rid[work], who, stage, decision, reason))

    ft: list[tuple[int, str, str, str, str]] = []
    for n, work in enumerate(
        ["W1", "W2", "W4", "W5", "W6", "W10", "W11", "W12", "W14", "W15", "W16", "W18"]
    ):
        both(work, "include", pair=n % 3)
    both("W3", "exclude", "wrong-population", pair=0)
    both("W7", "exclude", "no-exercise", pair=1)
    both("W8", "exclude", "no-exercise", pair=2)
    both("W9", "exclude", "wrong-population", pair=0)
    ta += [
        (rid["W13"], "anna", "ta", "include", ""),
        (rid["W13"], "ben", "ta", "exclude", "no-exercise"),  # conflict: consensus include
        (rid["W17"], "ben", "ta", "include", ""),
        (rid["W17"], "chloe", "ta", "exclude", "no-exercise"),  # conflict: third reviewer excludes
        (rid["W19"], "anna", "ta", "include", ""),
        (rid["W19"], "chloe", "ta", "exclude", "wrong-population"),  # conflict left open
        (rid["W20"], "anna", "ta", "include", ""),  # awaiting its second reviewer
    ]  # W21 and W13x: not screened yet
    for work in ("W22", "W23", "W24"):  # other methods: screened like the rest
        both(work, "include", pair=0)
    cli("decide", str(_decisions(tmp_path / "ta.csv", ta)))

    conflicts = cli.json("conflicts", "--stage", "ta", "--json")
    assert isinstance(conflicts, list)
    assert sorted(c["record_id"] for c in conflicts) == sorted(
        rid[w] for w in ("W13", "W17", "W19")
    )
    cli("conflicts", "--resolve", str(rid["W13"]), "--decision", "include", "--by", "anna")
    cli(
        "conflicts",
        "--resolve",
        str(rid["W17"]),
        "--decision",
        "exclude",
        "--reason",
        "no-exercise",
        "--by",
        "anna",
    )
    open_conflicts = cli.json("conflicts", "--stage", "ta", "--json")
    assert [c["record_id"] for c in open_conflicts] == [rid["W19"]]  # type: ignore[union-attr]
    # A misspelt reviewer is refused, naming the nearest declared one; nothing is written.
    typo = cli(
        "decide",
        str(_decisions(tmp_path / "typo.csv", [(rid["W21"], "anan", "ta", "include", "")])),
        status=2,
    )
    assert "anna" in typo

    # --- Full text: 13 reports sought from databases, 3 from other methods --------------------
    both("W2", "exclude", "not-retrieved", stage="ft", pair=1)
    both("W16", "exclude", "not-retrieved", stage="ft", pair=1)
    both("W4", "exclude", "no-falls-outcome", stage="ft", pair=2)
    both("W10", "exclude", "wrong-population", stage="ft", pair=2)
    both("W14", "exclude", "no-exercise", stage="ft", pair=2)
    both("W15", "exclude", "no-falls-outcome", stage="ft", pair=0)
    ft.append((rid["W18"], "anna", "ft", "include", ""))  # awaiting its second reviewer
    for n, work in enumerate(["W1", "W5", "W6", "W11", "W12", "W13"]):
        both(work, "include", stage="ft", pair=(n % 2))
    both("W22", "include", stage="ft", pair=0)
    both("W23", "exclude", "no-falls-outcome", stage="ft", pair=0)
    both("W24", "include", stage="ft", pair=1)
    cli("decide", str(_decisions(tmp_path / "ft.csv", ft)))
    included = ["W1", "W5", "W6", "W11", "W12", "W13", "W22", "W24"]
    listed = cli.json("records", "list", "--status", "included", "--format", "json")
    assert sorted(r["litrev_id"] for r in listed) == sorted(rid[w] for w in included)  # type: ignore[union-attr, index]

    # --- Extraction: two extractors, then a consensus for all but W24 ------------------------
    fields = ["country", "discipline", "participants", "setting", "components", "published"]
    values = {
        "W1": ("UK", "Geriatrics", 120, "community", "tai chi", 2012),
        "W5": ("Denmark", "Nursing", 40, "community", "strength; balance", 2014),
        "W6": ("Italy", "Physiotherapy", 64, "community", "balance", 2015),
        "W11": ("UK", "Public health", 210, "community", "strength", 2018),
        "W12": ("Japan", "Health economics", 500, "hospital", "strength; balance; walking", 2019),
        "W13": ("Japan", "Rheumatology", 30, "care home", "balance", 2019),
        "W22": ("UK", "General practice", 75, "community", "walking", 2019),
        "W24": ("Other", "Physiotherapy", 90, "community", "walking", 2021),
    }

    def rows(
        changes: dict[str, dict[str, object]] | None = None, skip: tuple[str, ...] = ()
    ) -> list[dict[str, object]]:
        out = []
        for work, row in values.items():
            if work in skip:
                continue
            entry: dict[str, object] = {
                "record_id": rid[work],
                **dict(zip(fields, row, strict=True)),
            }
            entry.update((changes or {}).get(work, {}))
            out.append(entry)
        return out

    cli(
        "extract",
        "import",
        str(_table(tmp_path / "anna.csv", fields, rows())),
        "--reviewer",
        "anna",
    )
    ben = rows({"W6": {"participants": 46}, "W12": {"setting": "community"}})
    cli("extract", "import", str(_table(tmp_path / "ben.csv", fields, ben)), "--reviewer", "ben")
    cli(
        "extract",
        "import",
        str(_table(tmp_path / "consensus.csv", fields, rows(skip=("W24",)))),
        "--reviewer",
        "consensus",
    )

    # --- Report ----------------------------------------------------------------------------
    cli("report", str(review), project=False)
    results = json.loads((review / "results.json").read_text(encoding="utf-8"))
    _check_results(results, rid)
    _check_prisma((review / "prisma.svg").read_text(encoding="utf-8"))
    html = (review / "report.html").read_text(encoding="utf-8")
    body = html[html.index("<body") :]
    # A review in progress says so before anything else.
    assert body.index("Screening is not finished") < body.index("<table")
    assert "Participants younger than 65" in body  # exclusion reasons by label
    assert "Lindsay" not in body and "co-production" not in body.lower()  # nothing of the demo
    markdown = (review / "report.md").read_text(encoding="utf-8")
    for chart in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", markdown):
        assert (review / chart).is_file(), chart

    # --- Export to every format; RIS and CSV read back into a new review ------------------
    from litrev.records.io import WRITE_FORMATS

    exports = tmp_path / "exports"
    exports.mkdir()
    suffix = {"endnote-xml": "xml", "asreview-csv": "csv", "wos-txt": "txt", "bibtex": "bib"}
    for fmt in WRITE_FORMATS:
        out = exports / f"records-{fmt}.{suffix.get(fmt, fmt)}"
        cli("export", "--format", fmt, str(out))
        assert out.stat().st_size > 0, fmt
    with (exports / "records-asreview-csv.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 33
    marked = {int(r["litrev_id"]): r["included"] for r in rows}
    assert {i for i, v in marked.items() if v == "1"} == {rid[w] for w in included}
    for export, name in [
        (exports / "records-ris.ris", "ris"),
        (exports / "records-csv.csv", "csv"),
    ]:
        databases.use_new()
        _reimport(cli, tmp_path, export, name)


def _reimport(cli: Cli, tmp_path: Path, export: Path, name: str) -> None:
    """A litrev export read into a new review keeps every record and each one's database."""
    fresh = tmp_path / f"reimport-{name}"
    other = Cli(cli.capsys, fresh)
    other("init", str(fresh), project=False)
    other("import", str(export))
    records = other.json("records", "list", "--format", "json")
    assert isinstance(records, list) and len(records) == 33, name
    databases = Counter(db for r in records for db in r["databases"])
    assert databases == {
        "Web of Science": 9,
        "MEDLINE (via PubMed)": 8,
        "Scopus": 6,
        "CINAHL": 7,
        "Hand search of Health Expectations 2019-2023": 2,
        "Backward citation search": 1,
    }, name


def _ids_by_work(records: list[dict[str, object]]) -> dict[str, list[int]]:
    """litrev's record ids of each study of corpus.py, found by title."""
    titles = {w.title.lower(): key for key, w in WORKS.items()}
    titles.update({title.lower(): key for key, (_, title) in REWORDED.items()})
    found: dict[str, list[int]] = {}
    for record in records:
        title = re.sub(r"\.$", "", str(record["title"])).lower()
        found.setdefault(titles[title], []).append(int(record["litrev_id"]))  # type: ignore[call-overload]
    return found


def _check_results(results: dict[str, Any], rid: dict[str, int]) -> None:
    flow = results["flow"]
    # Identification: WoS and Scopus from their reported hits (9, 6), PubMed and CINAHL from
    # the records imported for them (8, 7); never both.
    assert flow["databases"] == {
        "Web of Science Core Collection": 9,
        "MEDLINE (via PubMed)": 8,
        "Scopus (abstracts and citations)": 6,
        "CINAHL Ultimate": 7,
    }
    assert flow["registers"] == {}
    assert flow["identified"] == 30  # 9 + 8 + 6 + 7
    assert flow["duplicates_removed"] == 8  # 7 clusters by identifier + W21 by the queue
    assert flow["automation_removed"] is None and flow["other_removed"] is None
    assert flow["records_screened"] == 22  # 30 - 8
    assert flow["title_abstract_excluded"] == 5  # W3, W7, W8, W9 and W17 (third reviewer)
    assert flow["reports_sought"] == 13  # 12 agreed includes + W13 (consensus)
    assert flow["reports_not_retrieved"] == 2  # W2, W16: "Full text not available"
    assert flow["full_text_assessed"] == 10  # 13 - 2, less W18 awaiting its second reviewer
    assert flow["full_text_excluded"] == 4
    assert flow["full_text_excluded_reasons"] == {
        "no-falls-outcome": 2,  # W4, W15
        "wrong-population": 1,  # W10
        "no-exercise": 1,  # W14
    }
    assert flow["included"] == 8  # 6 via databases (10 - 4) + 2 via other methods
    assert flow["progress"] == {
        "title_abstract_pending": 4,  # W19 (conflict), W20 (one reviewer), W21, W13x (none)
        "title_abstract_conflicts": 1,
        "full_text_pending": 1,  # W18
        "full_text_conflicts": 0,
    }
    other = flow["other_methods"]
    assert other["sources"] == {
        "Hand search of Health Expectations 2019-2023": {"method": "hand search", "records": 2},
        "Backward citation search": {"method": "citation search", "records": 1},
    }
    assert (other["identified"], other["reports_sought"], other["reports_not_retrieved"]) == (
        3,
        3,
        0,
    )
    assert (other["full_text_assessed"], other["full_text_excluded"], other["included"]) == (
        3,
        1,
        2,
    )
    assert other["full_text_excluded_reasons"] == {"no-falls-outcome": 1}  # W23
    assert flow["unmatched_imports"] == []
    assert flow["reason_labels"]["no-falls-outcome"] == "No falls outcome"

    # Synthesis: 7 studies with a consensus extraction (W24 has only anna's and ben's).
    assert results["studies"] == 7
    assert results["categories"] == {}  # the protocol defines no classification
    assert results["extraction"]["unreconciled"] == [
        {"record_id": rid["W24"], "reviewers": ["anna", "ben"]}
    ]
    coverage = [a for a in results["audit"] if a["id"] == "extraction-coverage"]
    assert [(a["stated"], a["computed"]) for a in coverage] == [(8, 7)]
    # setting x country from the consensus table: community UK W1, W11, W22; Denmark W5;
    # Italy W6. Care home: Japan W13. Hospital: Japan W12 (ben's "community" was not agreed).
    table = results["tables"]["setting_by_country"]
    assert table["community"] == {
        "UK": 3,
        "Japan": 0,
        "Denmark": 1,
        "Italy": 1,
        "Other": 0,
        "Total": 5,
    }
    assert table["care home"]["Japan"] == 1 and table["hospital"]["Japan"] == 1
    assert table["Total"]["Total"] == 7
    cited = {study["record_id"] for study in results["included_studies"]}
    assert cited == {rid[w] for w in ("W1", "W5", "W6", "W11", "W12", "W13", "W22", "W24")}

    # Agreement at title/abstract, anna and ben: 10 records in common (W1, W5, W11, W15, W3,
    # W9, W13, W22-W24), 9 agree. anna includes 8/10, ben 7/10: p_e = .8 x .7 + .2 x .3 = .62,
    # kappa = (.9 - .62) / (1 - .62) = 0.737.
    pair = next(
        a
        for a in results["agreement"]
        if a["stage"] == "title_abstract" and a["reviewers"] == ["anna", "ben"]
    )
    assert pair["n"] == 10 and pair["percent_agreement"] == pytest.approx(0.9)
    assert pair["cohen_kappa"] == pytest.approx(0.737, abs=0.001)
    for entry in results["agreement"]:
        low, high = entry["cohen_kappa_ci95"]
        assert low is None or -1 <= low <= high <= 1, entry


def _boxes(svg: str) -> list[str]:
    """The text of each box of the PRISMA diagram, lines joined by spaces."""
    root = ElementTree.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    rects = [
        (
            float(r.get("x", 0)),
            float(r.get("y", 0)),
            float(r.get("width", 0)),
            float(r.get("height", 0)),
        )
        for r in root.iter(f"{ns}rect")
    ]
    texts: dict[int, list[str]] = {}
    for element in root.iter(f"{ns}text"):
        x, y = float(element.get("x", 0)), float(element.get("y", 0))
        inside = [
            i for i, (rx, ry, w, h) in enumerate(rects) if rx <= x <= rx + w and ry <= y <= ry + h
        ]
        if inside:
            smallest = min(inside, key=lambda i: rects[i][2] * rects[i][3])
            texts.setdefault(smallest, []).append("".join(element.itertext()))
    return [" ".join(" ".join(lines).replace("\xa0", " ").split()) for lines in texts.values()]


def _check_prisma(svg: str) -> None:
    boxes = _boxes(svg)
    expected = [
        "Screening is not finished",
        "Records identified from: Databases (n = 30): Web of Science Core Collection (n = 9)"
        " MEDLINE (via PubMed) (n = 8) Scopus (abstracts and citations) (n = 6)"
        " CINAHL Ultimate (n = 7)",
        "Records removed before screening: Duplicate records removed (n = 8)",
        "Records screened n = 22",
        "Records excluded n = 5",
        "Reports sought for retrieval n = 13",
        "Reports not retrieved n = 2",
        "Reports assessed for eligibility n = 10 Awaiting a full-text decision: 1",
        "Reports excluded: n = 4 No exercise programme (n = 1) No falls outcome (n = 2)"
        " Participants younger than 65 (n = 1)",
        "Records identified from: Hand search of Health Expectations 2019-2023 — hand search (n = 2)"
        " Backward citation search — citation search (n = 1)",
        "Reports sought for retrieval n = 3",
        "Reports not retrieved n = 0",
        "Reports assessed for eligibility n = 3",
        "Reports excluded: n = 1 No falls outcome (n = 1)",
        "Studies included in review n = 8",
    ]
    for text in expected:
        assert any(box.startswith(text) for box in boxes), (
            f"no PRISMA box reads {text!r}:\n" + "\n".join(boxes)
        )
    # Codes never appear where a label belongs.
    assert not any("no-falls-outcome" in box for box in boxes)

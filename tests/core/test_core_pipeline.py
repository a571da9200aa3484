"""A whole review through litrev: import two exports, deduplicate, dual screening, extraction, report.

The PRISMA flow then comes entirely from the review's data, and the audit finds nothing to report.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from litrev.dedupe.persist import run as dedupe_run
from litrev.dedupe.persist import screening_record
from litrev.extraction import import_table
from litrev.project import Project
from litrev.records.importer import import_files
from litrev.screening.decisions import Screening
from litrev.synthesis.report.writer import write_report

PROTOCOL = """
[review]
id = "pipeline"
title = "Pipeline review"

[[searches]]
database = "MEDLINE"
dialect = "pubmed"
strategy = "coproduc*[tiab]"
[[searches]]
database = "Scopus"
dialect = "scopus"
strategy = "TITLE-ABS(coproduc*)"

[eligibility]
[[eligibility.exclusion_reasons]]
code = "no-model"
label = "No model of co-production"

[codebook]
[[codebook.fields]]
name = "country"
[[codebook.fields]]
name = "category"
type = "choice"
choices = ["theory", "practice"]

[classification]
field = "category"
[[classification.categories]]
name = "theory"
[[classification.categories]]
name = "practice"
"""

TITLES = [
    ("Coproduction of health services: a theory", "10.1000/a1"),
    ("Coproducing care with patients in mental health", "10.1000/a2"),
    ("A toolkit for coproduction in primary care", "10.1000/a3"),
    ("Coproduction in wastewater engineering", "10.1000/a4"),
]


def ris(entries: list[tuple[str, str]], journal: str) -> str:
    blocks = []
    for index, (title, doi) in enumerate(entries):
        blocks.append(
            f"TY  - JOUR\nTI  - {title}\nAU  - Author{index}, A.\nPY  - 2020\n"
            f"JO  - {journal}\nDO  - {doi}\nAB  - About {title.lower()}.\nER  - \n"
        )
    return "\n".join(blocks)


@pytest.fixture
def project(tmp_path: Path) -> Project:
    project = Project.init(tmp_path / "review", protocol_text=PROTOCOL)
    (tmp_path / "medline.ris").write_text(ris(TITLES, "Health Journal"), encoding="utf-8")
    # Scopus finds two of the same articles plus one more.
    scopus = [TITLES[0], TITLES[2], ("Codesign of a coproduced service", "10.1000/a5")]
    (tmp_path / "scopus.ris").write_text(ris(scopus, "Health Journal"), encoding="utf-8")
    import_files(project.store, [tmp_path / "medline.ris"], source="MEDLINE")
    import_files(project.store, [tmp_path / "scopus.ris"], source="Scopus")
    return project


def test_whole_review_flow_comes_from_data(project: Project, tmp_path: Path) -> None:
    summary = dedupe_run(project.store, actor="test")
    assert summary.clusters == 2  # two articles found in both databases
    stand_in = screening_record(project.store)
    with project.store.connect() as conn:
        from sqlalchemy import select

        from litrev.store import schema

        ids = list(
            conn.execute(select(schema.records.c.id).order_by(schema.records.c.id)).scalars()
        )
    to_screen = sorted({stand_in.get(record_id, record_id) for record_id in ids})
    assert len(to_screen) == 5

    screening = Screening(
        project.store, exclusion_reasons=project.protocol.eligibility.exclusion_reasons
    )
    title_of = dict(
        zip(ids, [t for t, _ in TITLES] + [TITLES[0][0], TITLES[2][0], "Codesign"], strict=True)
    )
    for record_id in to_screen:
        engineering = "engineering" in title_of[record_id]
        for reviewer in ("ana", "ben"):
            if engineering:
                screening.decide(
                    record_id,
                    reviewer=reviewer,
                    stage="title_abstract",
                    decision="exclude",
                    reason="no-model",
                )
            else:
                screening.decide(
                    record_id, reviewer=reviewer, stage="title_abstract", decision="include"
                )
    full_text = [r for r in to_screen if "engineering" not in title_of[r]]
    assert len(full_text) == 4
    for record_id in full_text:
        keep = record_id in full_text[:3]
        for reviewer in ("ana", "ben"):
            screening.decide(
                record_id,
                reviewer=reviewer,
                stage="full_text",
                decision="include" if keep else "exclude",
                reason=None if keep else "no-model",
            )
    table = tmp_path / "extraction.csv"
    table.write_text(
        "record_id,country,category\n"
        f"{full_text[0]},UK,theory\n{full_text[1]},UK,practice\n{full_text[2]},Chile,practice\n",
        encoding="utf-8",
    )
    import_table(project.store, table, project.protocol.codebook)

    files = write_report(project)
    results = json.loads(files["json"].read_text(encoding="utf-8"))
    flow = results["flow"]
    assert flow["databases"] == {"MEDLINE": 4, "Scopus": 3}
    assert flow["identified"] == 7
    assert flow["duplicates_removed"] == 2
    assert flow["records_screened"] == 5
    assert flow["title_abstract_excluded"] == 1
    assert flow["full_text_assessed"] == 4
    assert flow["full_text_excluded"] == 1 and flow["full_text_excluded_reasons"] == {"no-model": 1}
    assert flow["included"] == 3
    assert {k: flow["sources"][k] for k in ("identified", "duplicates_removed", "included")} == {
        "identified": "data",
        "duplicates_removed": "data",
        "included": "data",
    }
    assert results["studies"] == 3
    assert results["categories"]["practice"] == {"n": 2, "percent": 67, "percent_exact": 66.67}
    assert results["audit"] == [], results["audit"]


def test_extraction_rows_must_name_existing_records(project: Project, tmp_path: Path) -> None:
    from litrev.errors import InputError

    table = tmp_path / "extraction.csv"
    table.write_text("record_id,country,category\n1,UK,theory\n999,UK,theory\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"extraction\.csv:3: no record 999"):
        import_table(project.store, table, project.protocol.codebook)
    from litrev.extraction import studies_frame

    assert studies_frame(project.store, project.protocol.codebook).empty

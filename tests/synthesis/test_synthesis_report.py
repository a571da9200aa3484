"""A report for any review: no field name is special, any field set and no data at all render."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import pytest

from litrev.extraction import import_table
from litrev.project import Project
from litrev.records.importer import import_files
from litrev.screening.decisions import DecisionInput, Screening
from litrev.synthesis.charts import stacked_chart
from litrev.synthesis.report.writer import write_report
from litrev.synthesis.tables import year_crosstab

REVIEW = '[review]\nid = "any"\ntitle = "Any review"\n'


def project_with(tmp_path: Path, protocol: str) -> Project:
    return Project.init(tmp_path / "review", protocol_text=REVIEW + protocol)


def report(project: Project, tmp_path: Path) -> tuple[dict, str, str]:
    files = write_report(project, tmp_path / "out")
    return (
        json.loads(files["json"].read_text(encoding="utf-8")),
        files["html"].read_text(encoding="utf-8"),
        files["markdown"].read_text(encoding="utf-8"),
    )


COUNTRY_DISCIPLINE = """
[[codebook.fields]]
name = "country"
[[codebook.fields]]
name = "discipline"
[[codebook.fields]]
name = "category"
type = "choice"
choices = ["a", "b"]
[classification]
field = "category"
[[classification.categories]]
name = "a"
[[classification.categories]]
name = "b"
"""


def test_fields_named_country_and_discipline_with_no_data_render(tmp_path: Path) -> None:
    # Used to crash: "TypeError: no numeric data to plot" from the demo's field names.
    data, html, markdown = report(project_with(tmp_path, COUNTRY_DISCIPLINE), tmp_path)
    assert data["studies"] == 0 and data["tables"] == {}
    assert "<h2>Cross-tables</h2>" in html and "## Cross-tables" in markdown


def test_named_crosstabs_come_from_the_protocol(tmp_path: Path) -> None:
    protocol = COUNTRY_DISCIPLINE + '[report]\ncrosstabs = [["discipline", "country"]]\n'
    project = project_with(tmp_path, protocol)
    table = tmp_path / "studies.csv"
    table.write_text(
        "country,discipline,category\nPeru,Nursing,a\nPeru,Nursing,b\nKenya,Law,a\n",
        encoding="utf-8",
    )
    import_table(project.store, table, project.protocol.codebook)
    data, html, _ = report(project, tmp_path)
    assert data["tables"] == {
        "discipline_by_country": {
            "Nursing": {"Peru": 2, "Kenya": 0, "Total": 2},
            "Law": {"Peru": 0, "Kenya": 1, "Total": 1},
            "Total": {"Peru": 2, "Kenya": 1, "Total": 3},
        }
    }
    assert "discipline × country" in html
    assert (tmp_path / "out" / "chart-discipline_by_country.svg").is_file()


def test_without_crosstabs_the_codebook_choice_fields_are_crossed(tmp_path: Path) -> None:
    protocol = """
[[codebook.fields]]
name = "design"
label = "Study design"
type = "choice"
choices = ["RCT", "cohort"]
[[codebook.fields]]
name = "setting"
type = "choice"
choices = ["home", "ward"]
[[codebook.fields]]
name = "notes"
type = "long_text"
"""
    project = project_with(tmp_path, protocol)
    table = tmp_path / "studies.csv"
    table.write_text("design,setting,notes\nRCT,home,x\ncohort,home,y\n", encoding="utf-8")
    import_table(project.store, table, project.protocol.codebook)
    data, html, markdown = report(project, tmp_path)
    assert list(data["tables"]) == ["setting_by_design"]
    assert data["tables"]["setting_by_design"]["home"] == {"RCT": 1, "cohort": 1, "Total": 2}
    assert "setting × Study design" in html
    assert "![setting × Study design](chart-setting_by_design.svg)" in markdown


def test_unknown_crosstab_fields_are_refused_naming_the_key(tmp_path: Path) -> None:
    from litrev.errors import ProtocolError

    with pytest.raises(ProtocolError, match=r"report.crosstabs names \['region'\]"):
        project_with(
            tmp_path, COUNTRY_DISCIPLINE + '[report]\ncrosstabs = [["region", "category"]]\n'
        )


def _reviewed(tmp_path: Path, mode: str) -> Project:
    protocol = f"""
[[searches]]
database = "Scopus"
[screening]
mode = "single"
[extraction]
mode = "{mode}"
[[codebook.fields]]
name = "setting"
type = "choice"
choices = ["home", "ward"]
"""
    project = project_with(tmp_path, protocol)
    export = tmp_path / "scopus.ris"
    export.write_text(
        "TY  - JOUR\nTI  - Nurse-led clinics at home\nAU  - Okafor, C.\nAU  - Lima, R.\n"
        "PY  - 2019\nJO  - Journal of Advanced Nursing\nDO  - 10.1111/jan.1\nER  - \n\n"
        "TY  - JOUR\nTI  - Ward rounds\nAU  - Berg, T.\nPY  - 2021\nJO  - BMJ Open\n"
        "DO  - javascript:alert(1)\nER  - \n",
        encoding="utf-8",
    )
    import_files(project.store, [export], source="Scopus")
    screening = Screening(project.store, defaults=None)
    from litrev.screening.model import settings_from_protocol

    screening = Screening(project.store, defaults=settings_from_protocol(project.protocol))
    for stage in ("title_abstract", "full_text"):
        screening.decide_many([DecisionInput(r, "ann", stage, "include") for r in (1, 2)])
    table = tmp_path / "extraction.csv"
    table.write_text("record_id,setting\n1,home\n2,ward\n", encoding="utf-8")
    import_table(
        project.store, table, project.protocol.codebook, reviewer="ann", screening=screening
    )
    return project


def test_single_extraction_is_used_when_the_protocol_says_so(tmp_path: Path) -> None:
    data, html, _ = report(_reviewed(tmp_path, "single"), tmp_path)
    assert data["studies"] == 2 and data["extraction"]["unreconciled"] == []
    cited = data["included_studies"]
    assert [c["title"] for c in cited] == ["Nurse-led clinics at home", "Ward rounds"]
    assert cited[0]["authors"] == "Okafor, C.; Lima, R." and cited[0]["year"] == 2019
    assert cited[0]["doi_url"] == "https://doi.org/10.1111/jan.1"
    assert cited[1]["doi_url"] is None  # never a javascript: link
    assert '<a href="https://doi.org/10.1111/jan.1">' in html
    assert 'href="javascript' not in html


def test_dual_extraction_without_consensus_is_reported(tmp_path: Path) -> None:
    # Used to report nothing, silently: only consensus extractions were read.
    data, html, markdown = report(_reviewed(tmp_path, "dual"), tmp_path)
    assert data["studies"] == 0
    assert data["extraction"]["unreconciled"] == [
        {"record_id": 1, "reviewers": ["ann"]},
        {"record_id": 2, "reviewers": ["ann"]},
    ]
    assert "without a reconciled (consensus) extraction" in markdown.split("## PRISMA")[0]
    # Still listed as included studies (screening included them), marked as not extracted.
    assert [(c["title"], c["extracted"]) for c in data["included_studies"]] == [
        ("Nurse-led clinics at home", False),
        ("Ward rounds", False),
    ]
    assert "(no extracted data)" in markdown
    assert 'id="unreconciled"' in html


def test_agreement_per_stage_and_pair_is_reported(tmp_path: Path) -> None:
    project = project_with(tmp_path, '[[searches]]\ndatabase = "ERIC"\n')
    export = tmp_path / "eric.ris"
    export.write_text(
        "\n".join(
            f"TY  - JOUR\nTI  - Paper {i} on tutoring\nPY  - 2020\nER  - \n" for i in range(4)
        ),
        encoding="utf-8",
    )
    import_files(project.store, [export], source="ERIC")
    screening = Screening(project.store)
    votes = {
        1: ("include", "include"),
        2: ("exclude", "exclude"),
        3: ("exclude", "include"),
        4: ("exclude", "exclude"),
    }
    screening.decide_many(
        [
            DecisionInput(r, who, "title_abstract", vote[i])
            for r, vote in votes.items()
            for i, who in enumerate(("ann", "bob"))
        ]
    )
    data, html, markdown = report(project, tmp_path)
    (row,) = data["agreement"]
    assert row["stage"] == "title_abstract" and row["reviewers"] == ["ann", "bob"]
    assert (row["n"], row["percent_agreement"], row["cohen_kappa"]) == (4, 0.75, 0.5)
    low, high = row["cohen_kappa_ci95"]
    assert -1 <= low <= high == 1  # the Wald interval (to 1.24 here) is cut at kappa's bound
    assert "| Title and abstract | ann, bob | 4 | 75.0 | 0.50" in markdown
    assert 'id="agreement-table"' in html
    assert data["flow"]["progress"]["title_abstract_conflicts"] == 1


def test_year_tables_show_their_gaps_and_counts_have_whole_ticks() -> None:
    studies = pd.DataFrame({"year": [2001, 2001, 2004], "c": ["a", "b", "a"]})
    table = year_crosstab(studies, "year", "c", ["a", "b"])
    assert table.index.tolist() == ["2001", "2002", "2003", "2004", "Total"]
    svg = stacked_chart(table, "Year", horizontal=False)
    labels = [
        "".join(t.itertext()).strip()
        for t in ET.fromstring(svg).iter("{http://www.w3.org/2000/svg}text")
    ]
    assert {"2002", "2003"} <= set(labels)  # the gap years are on the axis
    numbers = [x for x in labels if re.fullmatch(r"[\d.]+", x) and not x.startswith("200")]
    assert numbers and all("." not in x for x in numbers), numbers  # 0, 1, 2: no 0.25 steps


def test_markdown_escapes_html_and_table_pipes(tmp_path: Path) -> None:
    protocol = """
[[codebook.fields]]
name = "setting"
type = "choice"
choices = ["home|ward", "<img src=x onerror=alert(1)>"]
[[codebook.fields]]
name = "note"
[classification]
field = "setting"
[[classification.categories]]
name = "home|ward"
[[classification.categories]]
name = "<img src=x onerror=alert(1)>"
"""
    project = project_with(tmp_path, protocol)
    table = tmp_path / "studies.csv"
    table.write_text(
        'setting,note\nhome|ward,"<script>alert(1)</script> a | b"\n'
        '<img src=x onerror=alert(1)>,"line one\nline two"\n',
        encoding="utf-8",
    )
    import_table(project.store, table, project.protocol.codebook)
    _, _, markdown = report(project, tmp_path)
    assert "<script>" not in markdown and "<img" not in markdown
    assert "&lt;script&gt;alert(1)&lt;/script&gt; a \\| b" in markdown
    assert "| home\\|ward | 1 | 50 |" in markdown
    # Every table row still has the header's number of cells (no pipe or newline broke one).
    for block in re.findall(r"((?:^\|.*\n)+)", markdown, flags=re.MULTILINE):
        rows = [re.split(r"(?<!\\)\|", line)[1:-1] for line in block.strip().splitlines()]
        assert len({len(r) for r in rows}) == 1, block


def test_litrev_report_prints_a_title_with_brackets_as_text(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A title such as "[/x]" was read as rich markup by the summary: a MarkupError traceback.
    from litrev.cli import run

    review = tmp_path / "review"
    review.mkdir()
    (review / "litrev.toml").write_text(
        '[review]\nid = "b"\ntitle = "Care [/x] and [bold]support"\n', encoding="utf-8"
    )
    assert run(["init", str(review)]) == 0
    assert run(["report", str(review)]) == 0
    out = capsys.readouterr().out
    assert "Care [/x] and [bold]support" in out

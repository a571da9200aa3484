"""Study labels and table locations come from the protocol or the records, never from field names.

Used to be: labels read columns named `source_citation`, `first_author`, `year` and `year_suffix`
(the built-in review's), and `table_rows` claims and duplicate-row findings read `source_table`
and `source_row`. A review whose codebook had none of them got "record 12" labels.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from litrev.errors import ProtocolError
from litrev.extraction import import_table
from litrev.extraction.table import Citation
from litrev.project import Project
from litrev.protocol import parse_protocol
from litrev.records.importer import import_files
from litrev.screening.decisions import Screening
from litrev.screening.model import settings_from_protocol
from litrev.synthesis.labels import citation_labels, render_template, study_labels, surname
from litrev.synthesis.report.results import compute_results

CODEBOOK = """
[codebook]
[[codebook.fields]]
name = "setting"
type = "choice"
choices = ["home", "clinic"]
[[codebook.fields]]
name = "outcome"
type = "long_text"

[classification]
field = "setting"
[[classification.categories]]
name = "home"
table = "Table 2"
[[classification.categories]]
name = "clinic"
table = "Table 3"
"""

PROTOCOL = f"""
[review]
id = "falls"
title = "Falls prevention at home and in clinics"
[screening]
reviewers = ["ana", "ben"]
{CODEBOOK}
"""

# (authors, year, title): two "Smith, 2020" (written two ways), and a record without a year.
RECORDS = [
    (["Smith, Jane"], "2020", "Zeta: exercise classes for older adults"),
    (["Okafor, N.", "Lee, K."], "2019", "Home hazard assessment"),
    (["Smith J"], "2020", "Alpha: a falls clinic audit"),
    (["Ito, H."], "", "Balance training in the community"),
]


def _ris() -> str:
    blocks = []
    for n, (authors, year, title) in enumerate(RECORDS):
        lines = ["TY  - JOUR", f"TI  - {title}", *[f"AU  - {a}" for a in authors]]
        lines += [f"PY  - {year}"] if year else []
        lines += [f"DO  - 10.5555/falls.{n}", "ER  - "]
        blocks.append("\n".join(lines))
    return "\n".join(blocks) + "\n"


@pytest.fixture
def review(tmp_path: Path) -> Project:
    project = Project.init(tmp_path / "review", protocol_text=PROTOCOL)
    export = tmp_path / "medline.ris"
    export.write_text(_ris(), encoding="utf-8")
    import_files(project.store, [export], source="MEDLINE")
    protocol = project.protocol
    screening = Screening(
        project.store,
        exclusion_reasons=protocol.eligibility.exclusion_reasons,
        defaults=settings_from_protocol(protocol),
    )
    for record_id in range(1, len(RECORDS) + 1):
        for stage in ("title_abstract", "full_text"):
            for reviewer in ("ana", "ben"):
                screening.decide(record_id, reviewer=reviewer, stage=stage, decision="include")
    table = tmp_path / "extraction.csv"
    table.write_text(
        "record_id,setting,outcome\n"
        "1,home,Fewer falls\n2,home,Fewer hazards\n3,clinic,Audit met\n4,clinic,Better balance\n",
        encoding="utf-8",
    )
    import_table(project.store, table, protocol.codebook)
    return project


def test_labels_come_from_the_records_citations_with_suffixes_for_ties(review: Project) -> None:
    results = compute_results(review)
    labels = {c["record_id"]: c["label"] for c in results.citations}
    # The tie is broken by title: "Alpha..." is 2020a, "Zeta..." 2020b.
    assert labels == {1: "Smith, 2020b", 2: "Okafor, 2019", 3: "Smith, 2020a", 4: "Ito, n.d."}
    home, clinic = results.supplementary
    assert home["columns"] == ["Study", "outcome"]
    assert [row[0] for row in home["rows"]] == ["Smith, 2020b", "Okafor, 2019"]
    assert [row[0] for row in clinic["rows"]] == ["Smith, 2020a", "Ito, n.d."]
    # Distinct labels: no "listed twice" finding for the two Smiths.
    assert not [e for e in results.audit if e.kind == "duplicate-row"]


RENAMED = """
[review]
id = "renamed"
title = "A review with its own field names"
[codebook]
[[codebook.fields]]
name = "lead_author"
required = true
[[codebook.fields]]
name = "pub_year"
type = "integer"
[[codebook.fields]]
name = "printed_in"
[[codebook.fields]]
name = "printed_row"
type = "integer"
[[codebook.fields]]
name = "design"
type = "choice"
choices = ["trial", "cohort"]
[[codebook.fields]]
name = "summary"
type = "long_text"
[classification]
field = "design"
[[classification.categories]]
name = "trial"
table = "Table 1"
[[classification.categories]]
name = "cohort"
table = "Table 1"
[report]
study_label = "{lead_author} ({pub_year})"
table_location = ["printed_in", "printed_row"]
"""

CLAIMS = """
[[claims]]
id = "table-1-rows"
sentence = "Table 1 lists four studies (n=4)."
stated = 4
quantity = "table_rows"
table = "Table 1"
"""


def test_renamed_fields_are_named_by_the_template(tmp_path: Path) -> None:
    project = Project.init(tmp_path / "renamed", protocol_text=RENAMED)
    (project.root / "claims.toml").write_text(CLAIMS, encoding="utf-8")
    table = tmp_path / "studies.csv"
    table.write_text(
        "lead_author,pub_year,printed_in,printed_row,design,summary\n"
        "Moreau,2017,Table 1,1,trial,Exercise\n"
        "Haddad,,Table 1,2,cohort,Diet\n"
        "Moreau,2017,Table 1,3,trial,Exercise again\n",
        encoding="utf-8",
    )
    import_table(project.store, table, project.protocol.codebook)
    results = compute_results(project)
    assert [c["label"] for c in results.citations] == ["Moreau (2017)", "Haddad", "Moreau (2017)"]
    trial = results.supplementary[0]
    assert trial["columns"] == ["Study", "printed_in", "printed_row", "summary"]
    (duplicate,) = [e for e in results.audit if e.kind == "duplicate-row"]
    assert duplicate.claim == "“Moreau (2017)” is listed 2 times (Table 1 row 1; Table 1 row 3)"
    (rows,) = [e for e in results.audit if e.id == "table-1-rows"]
    assert (rows.status, rows.stated, rows.computed) == ("mismatch", 4, 3)


@pytest.mark.parametrize(
    ("label", "message"),
    [
        ('"{first_author}, {year}"', "names ['first_author', 'year'], not codebook fields"),
        ('["{setting}", "{lead}"]', "names ['lead'], not codebook fields"),
        ('"Study {setting:>5}"', "write a field as {name}"),
        ('"{setting"', "write braces as {{ and }}"),
        ('"no fields"', "names no codebook field"),
    ],
)
def test_a_template_naming_no_codebook_field_is_refused(label: str, message: str) -> None:
    text = PROTOCOL + f"[report]\nstudy_label = {label}\n"
    with pytest.raises(ProtocolError) as error:
        parse_protocol(text, path="litrev.toml")
    assert message in str(error.value)


def test_an_unknown_template_field_error_lists_the_codebook_fields() -> None:
    with pytest.raises(ProtocolError, match=r"fields: \['outcome', 'setting'\]"):
        parse_protocol(PROTOCOL + '[report]\nstudy_label = "{lead_author}"\n')


def test_first_template_with_a_value_applies_and_dangling_separators_go() -> None:
    templates = ["{printed}", "{lead}, {yr}{sfx}"]
    assert (
        render_template(templates, {"printed": "Essén et al.", "lead": "Essén"}) == "Essén et al."
    )
    assert render_template(templates, {"lead": "Lee", "yr": "2001", "sfx": "b"}) == "Lee, 2001b"
    assert render_template(templates, {"yr": 2001.0}) == "2001"
    assert render_template(templates, {"printed": None, "lead": float("nan")}) is None


def test_surnames_in_the_forms_databases_write() -> None:
    assert [surname(a) for a in ["Smith, J.", "Smith JA", "Jane Smith", "de la Cruz M-L"]] == [
        "Smith",
        "Smith",
        "Smith",
        "de la Cruz",
    ]


def test_three_way_tie_and_no_author_labels() -> None:
    cite = [
        (n, Citation(("Kim, S.",), 2011, title, None, None))
        for n, title in [(5, "Gamma"), (6, "Alpha"), (7, "Beta")]
    ]
    cite += [(8, Citation((), 2012, "An untitled-author report on falls", None, None))]
    cite += [(9, Citation((", J.",), None, None, None, None))]
    assert citation_labels(cite) == {
        5: "Kim, 2011c",
        6: "Kim, 2011a",
        7: "Kim, 2011b",
        8: "An untitled-author report on falls, 2012",
        9: "record 9, n.d.",
    }


def test_a_template_that_applies_to_no_row_falls_back_to_the_citation() -> None:
    protocol = parse_protocol(PROTOCOL + '[report]\nstudy_label = "{outcome}"\n')
    studies = pd.DataFrame({"record_id": [1, 2], "outcome": ["Fewer falls", None]})
    found = {2: Citation(("Okafor, N.",), 2019, "Home", None, None)}
    assert study_labels(studies, protocol, found) == {1: "Fewer falls", 2: "Okafor, 2019"}


def test_the_label_docstring_examples_hold() -> None:
    import doctest

    import litrev.synthesis.labels

    assert doctest.testmod(litrev.synthesis.labels).failed == 0


def test_report_command_names_the_unknown_template_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from litrev.cli import run

    project = Project.init(tmp_path / "review", protocol_text=PROTOCOL)
    protocol = project.root / "litrev.toml"
    protocol.write_text(PROTOCOL + '[report]\nstudy_label = "{first_author}"\n', encoding="utf-8")
    assert run(["report", str(project.root)]) == 2
    shown = " ".join(capsys.readouterr().err.split())
    assert "['first_author'], not codebook fields; fields: ['outcome', 'setting']" in shown
    assert "Traceback" not in shown


def test_a_field_named_category_is_no_classification_unless_the_protocol_says(
    tmp_path: Path,
) -> None:
    # classification.field used to default to "category" (the built-in review's field name):
    # a codebook field of that name was counted as the classification without being asked.
    protocol = """
[review]
id = "plain"
title = "No classification"
[codebook]
[[codebook.fields]]
name = "category"
[[codebook.fields]]
name = "lead"
[report]
study_label = "{lead}"
"""
    project = Project.init(tmp_path / "plain", protocol_text=protocol)
    table = tmp_path / "studies.csv"
    table.write_text("category,lead\nA,Ruiz\nB,Chen\n", encoding="utf-8")
    import_table(project.store, table, project.protocol.codebook)
    results = compute_results(project)
    assert results.categories == [] and results.as_json()["categories"] == {}
    assert [c["label"] for c in results.citations] == ["Ruiz", "Chen"]
    with pytest.raises(ProtocolError, match=r"classification\.field is required with categories"):
        parse_protocol(protocol + '[[classification.categories]]\nname = "A"\n')

"""What a new user met in the report of their own review (a gambling/loneliness scoping review):
labels not names, words for what is absent, counts that agree, and notes about their strategies."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from litrev.errors import ProtocolError
from litrev.extraction import import_table
from litrev.project import Project
from litrev.protocol import DIALECT_NAMES, parse_protocol
from litrev.search.dialects import DIALECTS
from litrev.synthesis.prisma.diagram import flow_diagram_svg
from litrev.synthesis.prisma.flow import Count, Flow
from litrev.synthesis.report.parts import crosstab_specs, crosstab_table
from litrev.synthesis.report.search_notes import strategy_report
from litrev.synthesis.report.writer import write_report

REVIEW = '[review]\nid = "gl"\ntitle = "Gambling and loneliness"\ntype = "scoping"\n'
CODEBOOK = """
[[codebook.fields]]
name = "gambling_form"
label = "Form of gambling"
type = "choice"
choices = ["online", "land-based"]
[[codebook.fields]]
name = "wave"
label = "Year of data collection"
type = "year"
[[codebook.fields]]
name = "mean_age"
label = "Mean age"
type = "number"
[[codebook.fields]]
name = "outcomes"
label = "Outcomes measured"
type = "multi_choice"
choices = ["loneliness", "depression"]
[[codebook.fields]]
name = "design"
label = "Study design"
type = "choice"
choices = ["svy", "qual"]
[classification]
field = "design"
[[classification.categories]]
name = "svy"
label = "Cross-sectional survey"
[[classification.categories]]
name = "qual"
label = "Qualitative study"
[report]
crosstabs = [["wave", "design"], ["gambling_form", "design"]]
[[searches]]
database = "PsycINFO"
dialect = "ebsco"
strategy = "gambl* AND lonel*"
"""
ROWS = (
    "gambling_form,wave,mean_age,outcomes,design\n"
    "online,2010,34.5,loneliness;depression,svy\n"
    "land-based,2013,,loneliness,qual\n"
    "online,2013,40,depression,svy\n"
)


@pytest.fixture(scope="module")
def reported(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, str, str]:
    tmp = tmp_path_factory.mktemp("gl")
    project = Project.init(tmp / "review", protocol_text=REVIEW + CODEBOOK)
    table = tmp / "studies.csv"
    table.write_text(ROWS, encoding="utf-8")
    import_table(project.store, table, project.protocol.codebook)
    files = write_report(project, tmp / "out")
    return (
        json.loads(files["json"].read_text(encoding="utf-8")),
        files["html"].read_text(encoding="utf-8"),
        files["markdown"].read_text(encoding="utf-8"),
    )


def test_an_unknown_dialect_is_a_protocol_error_naming_the_key_and_the_choices() -> None:
    # Was accepted: the report then said only that the strategy was not read.
    text = (
        REVIEW + '[[searches]]\ndatabase = "A"\n[[searches]]\ndatabase = "M"\ndialect = "medline"\n'
    )
    with pytest.raises(ProtocolError) as raised:
        parse_protocol(text)
    message = str(raised.value)
    assert "searches[2].dialect" in message and "'medline'" in message
    assert all(name in message for name in DIALECT_NAMES)
    assert parse_protocol(text.replace("medline", "Ovid")).searches[1].dialect == "ovid"


def test_the_protocol_dialect_list_is_the_dialect_registry() -> None:
    assert sorted(DIALECT_NAMES) == sorted(DIALECTS)


def test_a_year_row_field_lists_every_year_between_first_and_last() -> None:
    protocol = parse_protocol(REVIEW + CODEBOOK)
    (spec,) = [s for s in crosstab_specs(protocol) if s.row == "wave"]
    assert spec.ordered  # was False: only `integer` fields were ordered
    studies = pd.DataFrame({"wave": ["2010", "2013"], "design": ["svy", "qual"]})
    table = crosstab_table(studies, spec, protocol)
    assert table.index.tolist() == ["2010", "2011", "2012", "2013", "Total"]


def test_tables_show_labels_not_names(reported: tuple[dict, str, str]) -> None:
    data, html, markdown = reported
    # The category table: labels (results.json keeps the names).
    assert "| Cross-sectional survey | 2 | 67 |" in markdown and "| svy |" not in markdown
    assert "<td>Qualitative study</td>" in html
    assert set(data["categories"]) == {"svy", "qual"}
    # Cross-table headings: the row field's label, the categories' labels.
    assert "| Form of gambling | Cross-sectional survey | Qualitative study | Total |" in markdown
    assert "<th>Year of data collection</th>" in html and "<th>gambling_form</th>" not in html
    assert "| 2011 | 0 | 0 | 0 |" in markdown


def test_absent_values_and_lists_read_as_words(reported: tuple[dict, str, str]) -> None:
    _, html, markdown = reported
    assert "### PsycINFO: hits not reported" in markdown and "? hits" not in markdown
    assert "PsycINFO — hits not reported" in html
    # No claims.toml, so no paper: percentages are rounded as journals round.
    assert "as journals round" in html and "as the paper rounds" not in html
    supplementary = markdown.split("## Supplementary tables")[1].split("## Search")[0]
    assert "| loneliness; depression |" in supplementary
    assert "| land-based | 2013 | — | loneliness |" in supplementary  # blank mean age


def test_checks_list_the_steps_that_agree(reported: tuple[dict, str, str]) -> None:
    data, _, _ = reported
    statuses = {c["id"]: c["status"] for c in data["checks"]}
    assert statuses["rounding-percent-sum"] == "agrees"  # 67 + 33
    assert statuses["variants-gambling_form"] == "agrees"
    assert "prisma-identified-vs-screened" in statuses  # unverifiable: no records held
    assert all(entry["status"] == "mismatch" for entry in data["audit"])
    assert len(data["checks"]) > len(data["audit"])


def test_hyphen_notes_name_the_reviews_own_terms() -> None:
    base = REVIEW + '[search]\ncanonical = "(gambl* OR betting) AND lonel*"\n'
    tag_only = base + (
        '[[searches]]\ndatabase = "Scopus"\ndialect = "scopus"\n'
        'strategy = "TITLE-ABS-KEY((gambl* OR betting) AND lonel*)"\n'
    )
    notes = strategy_report(parse_protocol(tag_only)).notes
    # Was: "hyphens in scopus: a hyphen is a space: co-produc* finds co-production ..." because
    # the field tag TITLE-ABS-KEY has hyphens.
    assert not [n for n in notes if "hyphen" in n or "co-produc" in n], notes
    own = tag_only.replace("betting)", "self-help*)")
    notes = strategy_report(parse_protocol(own)).notes
    hyphen = [n for n in notes if "hyphen" in n]
    assert hyphen and all("self-help*" in n and "co-produc" not in n for n in hyphen), notes


def test_the_prisma_legend_explains_only_the_marks_used() -> None:
    data, known = Count(5, "data"), Count(None, "not reported")
    flow = Flow({"PsycINFO": data}, data, known, known, known, data, data, known, known,
                data, data, {}, data)  # fmt: skip
    svg = flow_diagram_svg(flow)
    assert "‡ reported" not in svg and "† derived" not in svg
    reported = Flow({"PsycINFO": Count(5, "reported")}, Count(5, "derived"), known, known, known,
                    data, data, known, known, data, data, {}, data)  # fmt: skip
    svg = flow_diagram_svg(reported)
    assert "‡ reported" in svg and "† derived" in svg


def test_the_in_progress_box_has_no_band_above_its_heading(reported: tuple[dict, str, str]) -> None:
    _, html, _ = reported
    assert ".progress h2{margin-top:0" in html


def test_a_citation_ending_in_a_full_stop_gets_no_second_one(
    reported: tuple[dict, str, str],
) -> None:
    _, html, markdown = reported
    # A study with nothing to cite it by is "record 2, n.d." (labels); the list printed "n.d..".
    assert "2. record 2, n.d.\n" in markdown and "n.d.." not in markdown
    assert "n.d.." not in html


def test_charts_show_the_labels_the_tables_show(reported: tuple[dict, str, str]) -> None:
    _, html, _ = reported
    figures = "".join(part.split("</figure>")[0] for part in html.split("<figure>")[1:])
    assert "Cross-sectional survey" in figures and "Qualitative study" in figures
    assert ">svy<" not in figures and ">qual<" not in figures

"""Themes: studies grouped under themes (by `studies` and by `[report] theme_field`), the team's
Markdown narratives assembled with numbered citations and a reference list in citation order,
unknown or ambiguous citations refused with file and line, hostile Markdown escaped, and
`litrev themes init` stubs that never overwrite."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from litrev.cli import app
from litrev.errors import InputError, ProtocolError
from litrev.project import Project
from litrev.synthesis.report.results import compute_results
from litrev.synthesis.report.writer import write_report
from litrev.synthesis.themes import STUB_MARK, render_html, safe_markdown

from .coded_review import make_review, save

PROTOCOL = """
[review]
id = "peer-support"
title = "Peer support in dementia care"

[screening]
mode = "single"
reviewers = ["ann"]

[extraction]
mode = "single"

[[codebook.fields]]
name = "themes_coded"
label = "Themes"
type = "multi_choice"
choices = ["Belonging", "Stigma", "Other"]

[report]
theme_field = "themes_coded"

[[themes]]
name = "Belonging"
summary = "Being with people who understand."
studies = [3]

[[themes]]
name = "Stigma"
narrative = "notes/stigma.md"
studies = ["Ode, 2018"]

[[themes]]
name = "Services & access"
"""
STUDIES = [("Ode", "Groups", 2018), ("Park", "Cafés", 2020), ("Quinn", "Online", 2021)]
CODED = ["Belonging; Stigma", "Belonging", "Other"]


@pytest.fixture()
def review(tmp_path: Path):
    project, ids, screening = make_review(tmp_path / "r", PROTOCOL, STUDIES)
    for record_id, value in zip(ids, CODED, strict=True):
        save(project, screening, record_id, "ann", {("themes_coded", 0): value})
    (tmp_path / "r" / "notes").mkdir()
    (tmp_path / "r" / "notes" / "stigma.md").write_text("Stigma was named [@Ode, 2018].\n")
    return project, ids


def narrative(project: Project, relative: str, text: str) -> Path:
    path = project.root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_studies_come_from_the_protocol_and_the_theme_field(review) -> None:
    project, _ = review
    section = compute_results(project).coded.themes
    members = {t.name: t.studies for t in section.themes}
    # Belonging: record 3 named in the protocol, then Ode and Park coded with it.
    assert members == {"Belonging": [3, 1, 2], "Stigma": [1], "Services & access": []}
    # "Other" names no theme: said, not dropped.
    assert section.unmatched == {"Other": 1}


def test_citations_are_numbered_in_order_of_first_citation(review) -> None:
    project, _ = review
    narrative(
        project,
        "themes/belonging.md",
        "# Belonging\n\nMembers felt at home [@2]; see also [@Quinn, 2021; @2].\n\n"
        "Online groups [@3] differ.\n",
    )
    results = compute_results(project)
    section = results.coded.themes
    # Themes in protocol order: Belonging cites 2, then 3; Stigma then cites 1 (Ode).
    assert section.references == [2, 3, 1]
    belonging = section.themes[0]
    assert belonging.state == "written" and belonging.cited == [2, 3]
    assert '<a href="#theme-ref-1">1</a>' in str(belonging.html)
    assert "<h4>Belonging</h4>" in str(belonging.html)
    assert "\\[1\\]; see also \\[2, 1\\]" in belonging.markdown
    assert section.themes[1].markdown == "Stigma was named \\[3\\]."
    assert section.themes[2].state == "missing"


def test_report_assembles_narratives_and_the_reference_list(review, tmp_path: Path) -> None:
    project, _ = review
    narrative(project, "themes/belonging.md", "Home [@2] and online [@3].\n")
    write_report(project, tmp_path)
    md = (tmp_path / "report.md").read_text(encoding="utf-8")
    theme_part = md.split("## Themes of the synthesis")[1].split("## Search strategies")[0]
    assert "### Belonging" in theme_part and "Home \\[1\\] and online \\[2\\]." in theme_part
    assert "Studies (3): Quinn, 2021; Ode, 2018; Park, 2020" in theme_part
    refs = theme_part.split("### References cited in the themes")[1]
    assert [line.split(".")[0] for line in refs.strip().splitlines()] == ["1", "2", "3"]
    assert refs.index("Park") < refs.index("Quinn") < refs.index("Ode")
    assert "No narrative (themes/services-access.md does not exist)." in theme_part
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert '<li id="theme-ref-2">Quinn, A. (2021).' in html
    data = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    assert data["theme_references"] == [2, 3, 1]
    assert data["themes"][0]["cites"] == [1, 2] and data["themes"][1]["cites"] == [3]


def test_unknown_and_ambiguous_citations_are_refused_with_file_and_line(review) -> None:
    project, _ = review
    path = narrative(project, "themes/belonging.md", "Fine [@1].\n\nBut [@Smith, 2019] is not.\n")
    with pytest.raises(InputError) as error:
        compute_results(project)
    assert error.value.path == str(path) and error.value.line == 3
    assert "'Smith, 2019' is no included study's record id or label" in str(error.value)
    narrative(project, "themes/belonging.md", "Record [@99].\n")
    with pytest.raises(InputError, match="record 99 is not an included study"):
        compute_results(project)


def test_a_label_two_studies_share_must_be_cited_by_record_id(tmp_path: Path) -> None:
    text = PROTOCOL.replace('studies = ["Ode, 2018"]', "studies = []").replace(
        "studies = [3]", "studies = []"
    )
    project, ids, screening = make_review(
        tmp_path / "r", text, [("Lee", "A", 2020), ("Lee", "B", 2020)]
    )
    for record_id in ids:
        save(project, screening, record_id, "ann", {("themes_coded", 0): "Other"})
    narrative(project, "notes/stigma.md", "Both [@Lee, 2020a] and [@Lee, 2020b].\n")
    section = compute_results(project).coded.themes
    assert section.references == ids  # labels made distinct (a, b) are citable
    (project.root / "litrev.toml").write_text(
        text.replace("studies = []", 'studies = ["nobody"]', 1), encoding="utf-8"
    )
    with pytest.raises(ProtocolError, match=r"themes\[1\]\.studies: 'nobody' is no included"):
        compute_results(Project.open(project.root))


def test_hostile_narrative_passes_no_html(review, tmp_path: Path) -> None:
    project, _ = review
    hostile = (
        '<script>alert(1)</script>\n\n<img src=x onerror="alert(2)">\n\n'
        "[click](javascript:alert(3)) ![t](http://tracker.example/p.png) "
        '[ok](https://example.org) <a href="javascript:alert(4)">a</a>\n\n'
        "```\n<script>fenced()</script>\n```\n"
    )
    narrative(project, "themes/belonging.md", hostile)
    write_report(project, tmp_path)
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    body = html.split('id="themes"')[1]
    # Tags and links only as escaped text: no element, attribute or javascript: href.
    assert "<script" not in body and "<img" not in body and 'href="javascript' not in body
    assert 'onerror="' not in body and "tracker.example" not in body.split("<p>")[0]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert '<a href="https://example.org">ok</a>' in body
    md = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "<script>" not in md and "<img" not in md and "<a href" not in md
    assert "](javascript:" not in md and "![t]" not in md
    assert str(render_html('<b onmouseover="x">b</b>')) == (
        "<p>&lt;b onmouseover=&quot;x&quot;&gt;b&lt;/b&gt;</p>\n"
    )
    assert safe_markdown("[x]( javascript:alert(1)) [y](a.md)") == "[x](#) [y](a.md)"


def test_themes_init_writes_stubs_and_never_overwrites(review) -> None:
    project, _ = review
    kept = narrative(project, "themes/belonging.md", "Our own words.\n")
    runner = CliRunner()
    result = runner.invoke(app, ["themes", "init", "-p", str(project.root)])
    assert result.exit_code == 0, result.output
    assert kept.read_text() == "Our own words.\n" and "kept" in result.output
    stub = (project.root / "themes" / "services-access.md").read_text(encoding="utf-8")
    assert stub.startswith(STUB_MARK) and "No study is assigned" in stub
    # notes/stigma.md exists already: kept too.
    assert (project.root / "notes" / "stigma.md").read_text() == "Stigma was named [@Ode, 2018].\n"
    section = compute_results(project).coded.themes
    assert [t.state for t in section.themes] == ["written", "written", "stub"]
    listed = runner.invoke(app, ["themes", "list", "-p", str(project.root)])
    assert "Services & access: 0 studies; themes/services-access.md (stub)" in listed.output
    assert "'Other' (1 studies) names no theme" in listed.output


def test_a_named_narrative_must_exist_and_stay_inside_the_folder(review) -> None:
    project, _ = review
    (project.root / "notes" / "stigma.md").unlink()
    with pytest.raises(InputError, match="does not exist"):
        compute_results(project)
    text = PROTOCOL.replace('narrative = "notes/stigma.md"', 'narrative = "../outside.md"')
    result = CliRunner().invoke(app, ["init", str(project.root.parent / "x")])
    assert result.exit_code == 0
    (project.root.parent / "x" / "litrev.toml").write_text(text, encoding="utf-8")
    result = CliRunner().invoke(app, ["themes", "list", "-p", str(project.root.parent / "x")])
    assert isinstance(result.exception, ProtocolError)  # `litrev` exits 2 with the message
    assert "themes[2].narrative '../outside.md' must be a path inside" in str(result.exception)


BROWSER_PAYLOADS = (
    "<script>window.__pwned=1</script>\n\n"
    '<img src=x onerror="window.__pwned=2">\n\n'
    '<svg onload="window.__pwned=3"></svg> [x](javascript:window.__pwned=4)\n\n'
    '[y](<javascript:window.__pwned=5>) <a href="javascript:window.__pwned=6">z</a>\n\n'
    "# Heading <b onmouseover='window.__pwned=7'>b</b> [@2]\n"
)


@pytest.mark.browser
def test_hostile_narrative_runs_no_script_in_a_browser(browser, review, tmp_path: Path) -> None:
    project, _ = review
    narrative(project, "themes/belonging.md", BROWSER_PAYLOADS)
    write_report(project, tmp_path)
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto((tmp_path / "report.html").as_uri())
    for link in page.locator("#themes .narrative a").all():
        link.hover()
        link.click()
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.evaluate("document.scripts.length") == 0
    handlers = page.evaluate(
        "[...document.querySelectorAll('#themes *')].flatMap(e => [...e.attributes]"
        ".filter(a => a.name.startsWith('on')).map(a => e.tagName + ' ' + a.name))"
    )
    assert handlers == [] and dialogs == []
    text = page.locator("#themes .narrative").first.text_content() or ""
    assert "<script>window.__pwned=1</script>" in text  # shown as text
    # The citation link goes to its reference.
    assert page.locator("#themes .narrative h4 a").get_attribute("href") == "#theme-ref-1"
    page.close()

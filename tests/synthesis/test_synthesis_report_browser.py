"""Output safety in a real browser: a review whose title, reasons, codebook values, database
names and record fields hold script and attribute payloads renders with no script run."""

from __future__ import annotations

from pathlib import Path

import pytest

from litrev.extraction import import_table
from litrev.project import Project
from litrev.records.importer import import_files
from litrev.screening.decisions import DecisionInput, Screening
from litrev.screening.model import settings_from_protocol
from litrev.synthesis.report.writer import write_report

pytestmark = pytest.mark.browser

# Each payload sets window.__pwned if it ever runs.
SCRIPT = '"><script>window.__pwned=1</script>'
ATTRIBUTE = "' onmouseover='window.__pwned=2' autofocus onfocus='window.__pwned=2' x='"
IMAGE = '<img src=x onerror="window.__pwned=3">'
SVG = '<svg onload="window.__pwned=4"></svg>'
# Breaks out of a double-quoted attribute (xml.sax.saxutils.escape leaves quotes alone).
QUOTE = '" onload="window.__pwned=6" onmouseover="window.__pwned=6" x="'

PROTOCOL = f"""
[review]
id = "hostile"
title = '''Care {QUOTE} {SCRIPT} {ATTRIBUTE}'''
question = '''{IMAGE}'''

[[searches]]
database = '''Scopus {QUOTE}{SCRIPT}'''
platform = '''{ATTRIBUTE}'''
strategy = '''</pre>{SCRIPT}'''
hits = 3

[[searches]]
database = '''Hand {IMAGE}'''
kind = "other"
method = '''{SVG}'''
hits = 1

[screening]
mode = "single"

[eligibility]
inclusion = ['''{SVG}''']
[[eligibility.exclusion_reasons]]
code = "bad-label"
label = '''{QUOTE}{ATTRIBUTE}{IMAGE}'''

[[codebook.fields]]
name = "setting"
label = '''{SCRIPT}'''
type = "choice"
choices = ['''{IMAGE}''', '''{SVG}{QUOTE}''']
[[codebook.fields]]
name = "note"
label = '''{ATTRIBUTE}'''

[classification]
field = "setting"
[[classification.categories]]
name = '''{IMAGE}'''
label = '''{SCRIPT}'''
[[classification.categories]]
name = '''{SVG}{QUOTE}'''

[report]
crosstabs = [["note", "setting"]]
"""


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hostile")
    project = Project.init(root / "review", protocol_text=PROTOCOL)
    export = root / "scopus.ris"
    export.write_text(
        "".join(
            f"TY  - JOUR\nTI  - Study {i} {SCRIPT}{SVG}\nAU  - {IMAGE}, A.\nPY  - 2020\n"
            f"JO  - {ATTRIBUTE}\nDO  - javascript:window.__pwned=5//10.1000/x{i}\nER  - \n\n"
            for i in range(3)
        ),
        encoding="utf-8",
    )
    import_files(project.store, [export], source=f"Scopus {QUOTE}{SCRIPT}")
    screening = Screening(
        project.store,
        exclusion_reasons=project.protocol.eligibility.exclusion_reasons,
        defaults=settings_from_protocol(project.protocol),
    )
    screening.decide_many([DecisionInput(r, "ann", "title_abstract", "include") for r in (1, 2, 3)])
    screening.decide_many(
        [
            DecisionInput(1, "ann", "full_text", "include"),
            DecisionInput(2, "ann", "full_text", "include"),
            DecisionInput(3, "ann", "full_text", "exclude", "bad-label"),
        ]
    )
    table = root / "extraction.csv"
    note = ATTRIBUTE.replace('"', '""')
    table.write_text(
        f'record_id,setting,note\n1,"{IMAGE.replace(chr(34), chr(34) * 2)}","{note}"\n'
        f'2,"{(SVG + QUOTE).replace(chr(34), chr(34) * 2)}","{SCRIPT.replace(chr(34), chr(34) * 2)}"\n',
        encoding="utf-8",
    )
    import_table(project.store, table, project.protocol.codebook, screening=screening)
    write_report(project, root / "out")
    return root / "out"


def _no_script_ran(page) -> None:  # type: ignore[no-untyped-def]
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert page.evaluate("document.scripts.length") == 0
    handlers = page.evaluate(
        "[...document.querySelectorAll('*')].flatMap(e => [...e.attributes]"
        ".filter(a => a.name.startsWith('on')).map(a => e.tagName + ' ' + a.name))"
    )
    assert handlers == []
    links = page.evaluate(
        "[...document.querySelectorAll('[href]')].map(a => a.getAttribute('href'))"
    )
    assert not [h for h in links if h.strip().lower().startswith("javascript")], links


def test_hostile_values_run_no_script_in_report_html(
    browser, hostile: Path, tmp_path: Path
) -> None:
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto((hostile / "report.html").as_uri())
    page.mouse.move(300, 300)
    for selector in ("h1", "#prisma svg", "#included li", "table.crosstab td"):
        if page.locator(selector).count():
            page.locator(selector).first.hover()
    _no_script_ran(page)
    assert dialogs == []
    # The payloads are shown as text, where a reader can see them.
    assert QUOTE in page.locator("h1").text_content()
    assert IMAGE in page.locator("#included").text_content()
    page.screenshot(path=str(tmp_path / "hostile.png"), full_page=True)
    page.close()


@pytest.mark.parametrize(
    "name", ["prisma.svg", "chart-categories.svg", "chart-note_by_setting.svg"]
)
def test_hostile_values_run_no_script_in_svg_files(browser, hostile: Path, name: str) -> None:
    page = browser.new_page(viewport={"width": 1300, "height": 900})
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto((hostile / name).as_uri())
    page.mouse.move(200, 200)
    _no_script_ran(page)
    assert dialogs == []
    page.close()

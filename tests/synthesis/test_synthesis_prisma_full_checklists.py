"""The PRISMA 2020 and PRISMA-S checklists: every published item, filled from the protocol and
the flow where litrev knows the answer, the rest left for the team; Markdown and DOCX."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from docx import Document

from litrev.cli import run
from litrev.project import Project
from litrev.protocol import parse_protocol
from litrev.synthesis.checklists.checklist import (
    TEAM,
    checklist_markdown,
    fill_checklist,
    load_items,
    write_checklist_docx,
)
from litrev.synthesis.prisma.flow import FlowData, compute_flow
from litrev.synthesis.prisma.flow_data import flow_data

PROTOCOL = """
[review]
id = "loneliness"
title = "Befriending schemes for older people: a systematic review"
type = "systematic"
question = "Do befriending schemes reduce loneliness in people over 65?"
[screening]
mode = "dual"
reviewers = ["kim", "lou"]
[[searches]]
database = "Embase"
platform = "Ovid"
date = 2024-02-01
limits_text = "English; 2000 onwards"
[[searches]]
database = "ASSIA"
platform = "ProQuest"
date = 2024-02-02
[[searches]]
database = "ISRCTN | registry"
kind = "register"
date = 2024-02-03
[[searches]]
database = "Forward citation search"
kind = "other"
method = "citation search"
date = 2024-03-01
[flow]
duplicates_removed = 40
records_screened = 300
full_text_assessed = 30
included = 9
"""


def _flow(text: str = PROTOCOL):
    protocol = parse_protocol(text)
    return protocol, compute_flow(protocol, FlowData())


def test_the_published_items_are_all_there() -> None:
    name, citation, items = load_items("prisma2020")
    numbers = [item.number for item, _ in items]
    assert name == "PRISMA 2020" and "BMJ 2021;372:n71" in citation
    assert len(numbers) == 42 and len(set(numbers)) == 42
    assert {int(re.match(r"\d+", n).group()) for n in numbers} == set(range(1, 28))  # type: ignore[union-attr]
    subs = [n for n in numbers if not n.isdigit()]
    assert subs == [
        "10a", "10b", "13a", "13b", "13c", "13d", "13e", "13f", "16a", "16b",
        "20a", "20b", "20c", "20d", "23a", "23b", "23c", "23d", "24a", "24b", "24c",
    ]  # fmt: skip
    topics = {item.number: item.topic for item, _ in items}
    assert topics["6"] == "Information sources" and topics["27"].startswith("Availability")
    name, _, items = load_items("prisma-s")
    assert name == "PRISMA-S" and [i.number for i, _ in items] == [str(n) for n in range(1, 17)]
    assert items[15][0].topic == "Deduplication"


def test_what_the_protocol_says_is_filled_and_the_rest_is_left_for_the_team() -> None:
    protocol, flow = _flow()
    prisma = {i.number: i for i in fill_checklist("prisma2020", protocol, flow).items}
    sources = prisma["6"]
    assert sources.status == "litrev"  # every source dated
    assert sources.answer.startswith("2 databases: Embase via Ovid, searched 2024-02-01")
    assert "1 register: ISRCTN | registry, searched 2024-02-03" in sources.answer
    assert "1 other method: Forward citation search, searched 2024-03-01" in sources.answer
    assert prisma["4"].answer == "Do befriending schemes reduce loneliness in people over 65?"
    assert prisma["8"].status == "partial" and "two reviewers per record" in prisma["8"].answer
    assert "2 reviewers named" in prisma["8"].answer
    assert "studies included n = 9" in prisma["16a"].answer
    # Nothing litrev cannot know is guessed.
    for number in ("3", "12", "13d", "19", "23a", "24a", "25", "26"):
        assert (prisma[number].status, prisma[number].answer) == ("team", ""), number
    search = {i.number: i for i in fill_checklist("prisma-s", protocol, flow).items}
    assert search["1"].answer == "Embase (Ovid); ASSIA (ProQuest)."
    assert search["3"].answer == "ISRCTN | registry, searched 2024-02-03."
    assert search["5"].answer.startswith("Forward citation search (citation search)")
    assert search["9"].answer == "Embase: English; 2000 onwards. Justification: for the team."
    assert search["16"].status == "partial" and search["16"].answer.startswith("40 duplicate")
    assert search["14"].status == "team"


def test_undated_sources_and_no_register_are_said() -> None:
    text = PROTOCOL.replace("date = 2024-02-02\n", "").replace('kind = "register"\n', "")
    protocol, flow = _flow(text)
    prisma = {i.number: i for i in fill_checklist("prisma2020", protocol, flow).items}
    assert prisma["6"].status == "partial" and "ASSIA via ProQuest, date not recorded" in (
        prisma["6"].answer
    )
    search = {i.number: i for i in fill_checklist("prisma-s", protocol, flow).items}
    assert search["3"].answer == "No study register is listed in [[searches]]."
    assert search["13"].status == "partial"


def test_markdown_and_docx_hold_every_item(tmp_path: Path) -> None:
    protocol, flow = _flow()
    checklist = fill_checklist("prisma2020", protocol, flow)
    markdown = checklist_markdown(checklist)
    rows = [line for line in markdown.splitlines() if line.startswith("| ") and "---" not in line]
    assert len(rows) == 1 + 42
    assert "ISRCTN \\| registry" in markdown  # a pipe in a name does not split the cell
    assert markdown.count(TEAM) == checklist.counts()["team"] > 0
    path = write_checklist_docx(checklist, tmp_path / "c.docx")
    table = Document(str(path)).tables[0]
    assert len(table.rows) == 43
    assert [c.text for c in table.rows[0].cells][:4] == [
        "Section",
        "Item",
        "Topic",
        "Checklist item",
    ]
    assert 'w:tblHeader w:val="true"' in table.rows[0]._tr.xml
    by_number = {row.cells[1].text: row.cells[4].text for row in table.rows[1:]}
    assert by_number["6"] == checklist.items[5].answer and by_number["25"] == TEAM


def test_docx_members_carry_source_date_epoch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # They carried the time of writing, so `litrev demo` wrote different checklist bytes per run.
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # 2023-11-14 22:13:20 UTC
    protocol, flow = _flow()
    checklist = fill_checklist("prisma2020", protocol, flow)
    one = write_checklist_docx(checklist, tmp_path / "one.docx").read_bytes()
    with zipfile.ZipFile(tmp_path / "one.docx") as archive:
        assert {m.date_time for m in archive.infolist()} == {(2023, 11, 14, 22, 13, 20)}
    assert write_checklist_docx(checklist, tmp_path / "two.docx").read_bytes() == one


def test_litrev_prisma_on_the_built_in_review(demo_dir: Path, tmp_path: Path) -> None:
    # `litrev report` (which built demo_dir) writes the checklists with the report.
    assert {"checklist-prisma2020.md", "checklist-prisma-s.docx"} <= {
        p.name for p in demo_dir.iterdir()
    }
    out = tmp_path / "out"
    assert run(["prisma", "-p", str(demo_dir), "--out", str(out), "--format", "svg"]) == 0
    names = sorted(p.name for p in out.iterdir())
    assert names == [
        "checklist-prisma-s.docx",
        "checklist-prisma-s.md",
        "checklist-prisma2020.docx",
        "checklist-prisma2020.md",
        "prisma.svg",
    ]
    project = Project.open(demo_dir)
    flow = compute_flow(project.protocol, flow_data(project.store, project.protocol))
    totals = {i.number: i for i in fill_checklist("prisma-s", project.protocol, flow).items}["15"]
    for name, count in flow.databases.items():
        assert f"{name} n = {count.value:,}" in totals.answer
    assert (out / "checklist-prisma-s.md").read_text(encoding="utf-8").count(
        "| Managing records |"
    ) == 2

"""The PRISMA 2020 and PRISMA-S checklists, filled where litrev knows the answer.

The items (numbers, topics and text as published, CC BY 4.0) are data files in
`data/`. An item whose answer the protocol or the review's data holds (information
sources and dates from `[[searches]]`, the flow's counts, the screening and extraction modes,
...) is filled and marked `litrev`; one litrev knows only part of is `partial` (what it knows,
and what the team must add); the others are left for the team (`team`), never guessed.
Exported as Markdown and DOCX.
"""

from __future__ import annotations

import io
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from litrev.protocol import Protocol
from litrev.synthesis.checklists.fill import FILLERS
from litrev.synthesis.prisma.flow import Flow

CHECKLISTS = {"prisma2020": "prisma2020.toml", "prisma-s": "prisma_s.toml"}
TEAM = "For the review team to complete."


@dataclass
class Item:
    section: str
    number: str
    topic: str
    text: str
    answer: str = ""
    status: str = "team"  # "litrev" | "partial" | "team"


@dataclass
class Checklist:
    key: str
    name: str
    citation: str
    items: list[Item]

    def counts(self) -> dict[str, int]:
        """How many items litrev filled, partly filled, and left for the team."""
        out = {"litrev": 0, "partial": 0, "team": 0}
        for item in self.items:
            out[item.status] += 1
        return out


def load_items(key: str) -> tuple[str, str, list[tuple[Item, str]]]:
    """(name, citation, [(item, fill name)]) of a built-in checklist.

    >>> name, _, items = load_items("prisma-s")
    >>> name, len(items), items[0][0].topic
    ('PRISMA-S', 16, 'Database name')
    """
    if key not in CHECKLISTS:
        raise ValueError(f"unknown checklist {key!r}; choose from {', '.join(CHECKLISTS)}")
    text = resources.files("litrev.synthesis.checklists").joinpath("data", CHECKLISTS[key])
    data = tomllib.loads(text.read_text(encoding="utf-8"))
    items = [
        (Item(i["section"], i["number"], i["topic"], i["text"]), i.get("fill", ""))
        for i in data["items"]
    ]
    return data["name"], data["citation"], items


def fill_checklist(key: str, protocol: Protocol, flow: Flow) -> Checklist:
    """A checklist with the answers litrev knows from the protocol and the flow.

    >>> from litrev.protocol import parse_protocol
    >>> from litrev.synthesis.prisma.flow import FlowData, compute_flow
    >>> p = parse_protocol('[review]\\nid="x"\\ntitle="Tea"\\n[[searches]]\\ndatabase="A"\\n'
    ...                    'platform="P"\\ndate=2024-01-02')
    >>> c = fill_checklist("prisma-s", p, compute_flow(p, FlowData()))
    >>> c.items[0].answer, c.items[0].status
    ('A (P).', 'litrev')
    """
    name, citation, items = load_items(key)
    out = []
    for item, fill in items:
        filler = FILLERS.get(fill)
        answer = filler(protocol, flow) if filler else None
        if answer is not None:
            item.answer, item.status = answer
        out.append(item)
    return Checklist(key, name, citation, out)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


STATUS = {"litrev": "filled by litrev", "partial": "partly filled", "team": "for the team"}


def checklist_markdown(checklist: Checklist) -> str:
    """The checklist as a Markdown table (section, item, topic, text, what litrev filled).

    >>> from litrev.protocol import parse_protocol
    >>> from litrev.synthesis.prisma.flow import FlowData, compute_flow
    >>> p = parse_protocol('[review]\\nid="x"\\ntitle="Tea"')
    >>> md = checklist_markdown(fill_checklist("prisma2020", p, compute_flow(p, FlowData())))
    >>> md.splitlines()[0]
    '# PRISMA 2020 checklist'
    """
    c = checklist.counts()
    lines = [
        f"# {checklist.name} checklist",
        "",
        f"Source: {checklist.citation} (CC BY 4.0).",
        "",
        f"{c['litrev']} item(s) filled by litrev from the protocol and the review's data, "
        f"{c['partial']} partly filled, {c['team']} for the team. Check every answer before "
        "submitting; add where in the paper each item is reported.",
        "",
        "| Section | Item | Topic | Checklist item | Reported | Status | Location |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for item in checklist.items:
        answer = item.answer or TEAM
        lines.append(
            f"| {_cell(item.section)} | {item.number} | {_cell(item.topic)} | "
            f"{_cell(item.text)} | {_cell(answer)} | {STATUS[item.status]} |  |"
        )
    return "\n".join(lines) + "\n"


def write_checklist_docx(checklist: Checklist, path: str | Path) -> Path:
    """Write the checklist as a Word table (header row repeated on each page), atomically.

    >>> import tempfile
    >>> from litrev.protocol import parse_protocol
    >>> from litrev.synthesis.prisma.flow import FlowData, compute_flow
    >>> p = parse_protocol('[review]\\nid="x"\\ntitle="Tea"')
    >>> c = fill_checklist("prisma-s", p, compute_flow(p, FlowData()))
    >>> write_checklist_docx(c, Path(tempfile.mkdtemp()) / "s.docx").suffix
    '.docx'
    """
    from docx import Document
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    from litrev.synthesis.ooxml import document_time, write_package

    document = Document()
    document.core_properties.title = f"{checklist.name} checklist"
    document.add_heading(f"{checklist.name} checklist", level=1)
    document.add_paragraph(f"Source: {checklist.citation} (CC BY 4.0).")
    headings = ["Section", "Item", "Topic", "Checklist item", "Reported", "Status", "Location"]
    table = document.add_table(rows=1, cols=len(headings))
    table.style = "Table Grid"
    header = table.rows[0]
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    header._tr.get_or_add_trPr().append(repeat)
    for cell, text in zip(header.cells, headings, strict=True):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for item in checklist.items:
        row = table.add_row().cells
        values = [
            item.section,
            item.number,
            item.topic,
            item.text,
            item.answer or TEAM,
            STATUS[item.status],
            "",
        ]
        for cell, text in zip(row, values, strict=True):
            cell.text = text
    for row in table.rows:
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                for run in paragraph.runs:
                    run.font.size = Pt(8)
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    # Members dated SOURCE_DATE_EPOCH (else now), as the tables' DOCX: reproducible bytes.
    buffer = io.BytesIO()
    document.save(buffer)
    return write_package(target, buffer.getvalue(), document_time())


def write_checklists(
    protocol: Protocol, flow: Flow, out_dir: str | Path, formats: tuple[str, ...] = ("md", "docx")
) -> dict[str, Path]:
    """Write `checklist-prisma2020.{md,docx}` and `checklist-prisma-s.{md,docx}`.

    >>> import tempfile
    >>> from litrev.protocol import parse_protocol
    >>> from litrev.synthesis.prisma.flow import FlowData, compute_flow
    >>> p = parse_protocol('[review]\\nid="x"\\ntitle="Tea"')
    >>> sorted(write_checklists(p, compute_flow(p, FlowData()), tempfile.mkdtemp(), ("md",)))
    ['prisma-s.md', 'prisma2020.md']
    """
    from litrev.fileio import atomic_write_text

    out = Path(out_dir)
    written: dict[str, Path] = {}
    for key in CHECKLISTS:
        checklist = fill_checklist(key, protocol, flow)
        if "md" in formats:
            path = out / f"checklist-{key}.md"
            atomic_write_text(path, checklist_markdown(checklist))
            written[f"{key}.md"] = path
        if "docx" in formats:
            written[f"{key}.docx"] = write_checklist_docx(checklist, out / f"checklist-{key}.docx")
    return written

"""The complete PRISMA 2020 diagram: templates for new and updated reviews, optional boxes,
overrides, and the PNG (300 dpi) and PDF renders of the same layout.

Every box's numbers are read back out of the SVG text by box id and compared with the flow's
counts (computed independently below from the Flow object, not from the box's own data)."""

from __future__ import annotations

import re
import struct
import zlib
from pathlib import Path
from xml.etree import ElementTree

import pytest

from litrev.cli import run
from litrev.project import Project
from litrev.screening.decisions import DecisionInput, Screening
from litrev.screening.model import settings_from_protocol
from litrev.synthesis.prisma.diagram import flow_diagram_svg
from litrev.synthesis.prisma.export import overflowing_lines, write_diagram
from litrev.synthesis.prisma.flow import Count, Flow, FlowData, compute_flow
from litrev.synthesis.prisma.flow_checks import failing_equations
from litrev.synthesis.prisma.flow_data import flow_data

NS = "{http://www.w3.org/2000/svg}"
N = re.compile(r"n = (not reported|[\d,]+)")

HEAD = """
[review]
id = "falls"
title = "Falls prevention in care homes"
[screening]
mode = "single"
[eligibility]
[[eligibility.exclusion_reasons]]
code = "not-care-home"
label = "Not in a care home"
[[eligibility.exclusion_reasons]]
code = "no-falls"
label = "No falls outcome"
[[eligibility.exclusion_reasons]]
code = "unobtainable"
label = "Full text not obtainable"
stages = ["full_text"]
not_retrieved = true
"""


def ris(n: int, tag: str) -> str:
    return "\n".join(
        f"TY  - JOUR\nTI  - {tag} trial {i} of balance training for residents\nAU  - {tag}{i}, B.\n"
        f"PY  - {2010 + i}\nJO  - {tag} Journal\nDO  - 10.2000/{tag.lower()}{i}\nER  - \n"
        for i in range(n)
    )


def build(tmp_path: Path, protocol: str, files: dict[str, tuple[int, str]]) -> Project:
    """A review made through the CLI: `litrev init` on the protocol, one `litrev import` each."""
    folder = tmp_path / "review"
    folder.mkdir()
    (folder / "litrev.toml").write_text(HEAD + protocol, encoding="utf-8")
    assert run(["init", str(folder)]) == 0
    for name, (n, source) in files.items():
        path = tmp_path / name
        path.write_text(ris(n, name.split(".")[0].capitalize()), encoding="utf-8")
        assert run(["import", str(path), "--source", source, "-p", str(folder)]) == 0
    return Project.open(folder)


def decide(project: Project, stage: str, decisions: dict[int, tuple[str, str | None]]) -> None:
    screening = Screening(
        project.store,
        exclusion_reasons=project.protocol.eligibility.exclusion_reasons,
        defaults=settings_from_protocol(project.protocol),
    )
    screening.decide_many(
        [DecisionInput(r, "ann", stage, d, reason) for r, (d, reason) in decisions.items()]
    )


def boxes(svg: str) -> dict[str, dict[str, object]]:
    """{box id: {"numbers": the n = … values in its text, in order, "text": its text,
    "rect": (x, y, w, h)}}."""
    root = ElementTree.fromstring(svg)
    out: dict[str, dict[str, object]] = {}
    for group in root.iter(f"{NS}g"):
        box_id = group.get("id", "").removeprefix("prisma-")
        text = " ".join("".join(t.itertext()) for t in group.iter(f"{NS}text"))
        text = " ".join(text.replace("\xa0", " ").split())
        rect = group.find(f"{NS}rect")
        assert rect is not None
        out[box_id] = {
            "numbers": [
                None if m == "not reported" else int(m.replace(",", "")) for m in N.findall(text)
            ],
            "text": text,
            "rect": tuple(float(rect.get(k, 0)) for k in ("x", "y", "width", "height")),
        }
    return out


def _v(count: Count) -> int | None:
    return count.value


def _sum(counts: dict[str, Count]) -> int | None:
    values = [c.value for c in counts.values()]
    return None if not values or None in values else sum(v for v in values if v is not None)


def expected_numbers(flow: Flow) -> dict[str, list[int | None]]:
    """What each box must show, straight from the Flow (with its skips)."""
    skip = set(flow.skip)
    identified = [_sum(flow.databases), *map(_v, flow.databases.values())]
    if flow.registers:
        identified += [_sum(flow.registers), *map(_v, flow.registers.values())]
    removed = [
        _v(c)
        for name, c in (
            ("duplicates", flow.duplicates_removed),
            ("automation", flow.automation_removed),
            ("other_removed", flow.other_removed),
        )
        if name not in skip or (c.value or 0) > 0
    ]
    included = [_v(flow.included)]
    if (
        flow.template == "updated" or flow.included_reports.known
    ) and "included_reports" not in skip:
        included.append(_v(flow.included_reports))
    out: dict[str, list[int | None]] = {
        "identified": identified,
        "screened": [_v(flow.records_screened)],
        "excluded": [_v(flow.title_abstract_excluded)],
        "sought": [_v(flow.reports_sought)],
        "assessed": [_v(flow.full_text_assessed)],
        "reports-excluded": [_v(flow.full_text_excluded), *flow.full_text_excluded_reasons.values()]
        if flow.full_text_excluded.value
        else [_v(flow.full_text_excluded)],
        "included": included,
    }
    if removed:
        out["removed"] = removed
    if "reports_not_retrieved" not in skip or flow.reports_not_retrieved.value:
        out["not-retrieved"] = [_v(flow.reports_not_retrieved)]
    if flow.template == "updated":
        out["previous"] = [_v(flow.previous_studies), _v(flow.previous_reports)]
        out["total"] = [_v(flow.total_studies)]
        if "included_reports" not in skip:
            out["total"].append(_v(flow.total_reports))
    other = flow.other
    if other.present:
        out["other-identified"] = [_v(c) for c in other.sources.values()] or [_v(other.identified)]
        out["other-sought"] = [_v(other.reports_sought)]
        if "reports_not_retrieved" not in skip or other.reports_not_retrieved.value:
            out["other-not-retrieved"] = [_v(other.reports_not_retrieved)]
        out["other-assessed"] = [_v(other.full_text_assessed)]
        out["other-reports-excluded"] = [_v(other.full_text_excluded)]
        if other.full_text_excluded.value:
            out["other-reports-excluded"] += list(other.full_text_excluded_reasons.values())
    return out


def check_boxes(flow: Flow, svg: str) -> dict[str, dict[str, object]]:
    found = boxes(svg)
    expected = expected_numbers(flow)
    counted = {k: v for k, v in found.items() if k not in ("unfinished", "failing", "skip-kept")}
    assert sorted(counted) == sorted(expected), "boxes drawn differ from the boxes expected"
    for box_id, numbers in expected.items():
        assert found[box_id]["numbers"] == numbers, (box_id, found[box_id]["text"])
    return found


def check_arrows(svg: str) -> None:
    """Every arrow starts and ends on the edge of a drawn box: skipped boxes leave no stubs."""
    root = ElementTree.fromstring(svg)
    rects = [v["rect"] for v in boxes(svg).values()]

    def on_edge(x: float, y: float) -> bool:
        for rx, ry, w, h in rects:  # type: ignore[misc]
            inside = rx - 1 <= x <= rx + w + 1 and ry - 1 <= y <= ry + h + 1
            edge = min(abs(x - rx), abs(x - rx - w), abs(y - ry), abs(y - ry - h)) <= 1
            if inside and edge:
                return True
        return False

    arrows = []
    for line in root.iter(f"{NS}line"):
        arrows.append(
            [
                (float(line.get("x1", 0)), float(line.get("y1", 0))),
                (float(line.get("x2", 0)), float(line.get("y2", 0))),
            ]
        )
    for poly in root.iter(f"{NS}polyline"):
        pts = [tuple(map(float, p.split(","))) for p in poly.get("points", "").split()]
        arrows.append(pts)
    assert arrows
    for points in arrows:
        assert on_edge(*points[0]) and on_edge(*points[-1]), points


def png_dpi(data: bytes) -> tuple[float, float]:
    """Dots per inch from the PNG's pHYs chunk."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    at = 8
    while at < len(data):
        length, kind = struct.unpack(">I4s", data[at : at + 8])
        body = data[at + 8 : at + 8 + length]
        assert (
            zlib.crc32(kind + body)
            == struct.unpack(">I", data[at + 8 + length : at + 12 + length])[0]
        )
        if kind == b"pHYs":
            x, y, unit = struct.unpack(">IIB", body)
            assert unit == 1  # metres
            return x * 0.0254, y * 0.0254
        at += 12 + length
    raise AssertionError("no pHYs chunk")


def check_files(flow: Flow, out: Path) -> None:
    from pypdf import PdfReader

    files = write_diagram(flow, out, title="PRISMA 2020 flow")
    png = files["png"].read_bytes()
    assert png_dpi(png) == pytest.approx((300, 300), abs=0.05)
    width_px = struct.unpack(">I", png[16:20])[0]
    svg_width = float(
        ElementTree.fromstring(files["svg"].read_text(encoding="utf-8")).get("width", 0)
    )
    assert width_px == pytest.approx(svg_width / 96 * 300, abs=2)  # 1 SVG px = 1/96 inch
    pdf = files["pdf"].read_bytes()
    assert pdf.startswith(b"%PDF")
    assert len(PdfReader(files["pdf"]).pages) == 1
    # The PNG/PDF font keeps every line inside the box the SVG layout wrapped it for.
    assert overflowing_lines(flow) == []


def test_the_built_in_review_boxes_match_its_counts_and_render_to_png_and_pdf(
    demo_dir: Path, tmp_path: Path
) -> None:
    project = Project.open(demo_dir)
    flow = compute_flow(project.protocol, flow_data(project.store, project.protocol))
    svg = flow_diagram_svg(flow)
    found = check_boxes(flow, svg)
    check_arrows(svg)
    assert len(flow.databases) >= 2  # per-database counts, each in the identified box
    assert found["included"]["numbers"] == [flow.included.value]
    check_files(flow, tmp_path / "out")


OTHER = """
[[searches]]
database = "MEDLINE"
platform = "Ovid"
date = 2024-05-02
[[searches]]
database = "ClinicalTrials.gov"
kind = "register"
date = 2024-05-03
[[searches]]
database = "Hand search of Age and Ageing"
kind = "other"
method = "hand search"
[[searches]]
database = "Forward citation search"
kind = "other"
method = "citation search"
[flow]
skip = ["automation", "other_removed", "reports_not_retrieved"]
included_reports = 3
"""


def other_methods_review(tmp_path: Path, extra: str = "") -> Project:
    project = build(
        tmp_path,
        OTHER + extra,
        {
            "medline.ris": (5, "MEDLINE"),
            "trials.ris": (2, "ClinicalTrials.gov"),
            "hand.ris": (2, "Hand search of Age and Ageing"),
            "cited.ris": (1, "Forward citation search"),
        },
    )
    # Records 1-5 MEDLINE, 6-7 the register, 8-9 by hand, 10 by citation.
    decide(project, "title_abstract", {r: ("include", None) for r in (2, 3, 4, 6, 8, 9, 10)})
    decide(project, "title_abstract", {r: ("exclude", "not-care-home") for r in (1, 5, 7)})
    decide(
        project,
        "full_text",
        {
            2: ("include", None),
            3: ("exclude", "no-falls"),
            4: ("exclude", "not-care-home"),
            6: ("include", None),
            8: ("include", None),
            9: ("exclude", "no-falls"),
            10: ("exclude", "no-falls"),
        },
    )
    return project


def test_other_methods_and_skipped_boxes_close_up(tmp_path: Path) -> None:
    project = other_methods_review(tmp_path)
    flow = compute_flow(project.protocol, flow_data(project.store, project.protocol))
    assert failing_equations(flow) == []
    svg = flow_diagram_svg(flow)
    found = check_boxes(flow, svg)
    check_arrows(svg)
    # Skipped: no automation or other-removal line, no not-retrieved box in either column.
    assert "automation" not in svg and "other reasons" not in svg
    assert "not-retrieved" not in found and "other-not-retrieved" not in found
    assert (
        found["removed"]["text"]
        == "Records removed before screening: Duplicate records removed (n = not reported)"
    )
    assert found["identified"]["numbers"] == [5, 5, 2, 2]  # databases, MEDLINE, registers, trials
    assert found["other-identified"]["numbers"] == [2, 1]
    excluded_text = str(found["reports-excluded"]["text"])
    assert (
        "Not in a care home (n = 1)" in excluded_text
        and "No falls outcome (n = 1)" in excluded_text
    )
    assert found["other-reports-excluded"]["numbers"] == [2, 2]
    assert found["included"]["numbers"] == [3, 3]  # studies, reports (reported ‡)
    assert "Reports of included studies" in found["included"]["text"]
    # The other column's boxes sit to the right of the databases column.
    assert found["other-assessed"]["rect"][0] > found["reports-excluded"]["rect"][0]  # type: ignore[index]
    check_files(flow, tmp_path / "out")


def test_a_skip_whose_count_is_not_zero_is_kept_and_said(tmp_path: Path) -> None:
    project = other_methods_review(tmp_path, "automation_removed = 4\n")
    flow = compute_flow(project.protocol, flow_data(project.store, project.protocol))
    svg = flow_diagram_svg(flow)
    found = check_boxes(flow, svg)
    assert "Records marked as ineligible by automation tools (n = 4 ‡)" in found["removed"]["text"]
    assert "skip not applied" in found["skip-kept"]["text"]


UPDATED = """
[[searches]]
database = "Embase"
platform = "Ovid"
[flow]
template = "updated"
included_reports = 2
[flow.previous]
studies = 12
reports = 15
"""


def test_an_updated_review_adds_the_previous_studies(tmp_path: Path) -> None:
    project = build(tmp_path, UPDATED, {"embase.ris": (4, "Embase")})
    decide(project, "title_abstract", {1: ("exclude", "no-falls"), 2: ("include", None)})
    decide(project, "title_abstract", {3: ("include", None), 4: ("include", None)})
    decide(project, "full_text", {2: ("include", None), 3: ("include", None)})
    decide(project, "full_text", {4: ("exclude", "unobtainable")})
    flow = compute_flow(project.protocol, flow_data(project.store, project.protocol))
    svg = flow_diagram_svg(flow, title="Update")
    found = check_boxes(flow, svg)
    check_arrows(svg)
    assert found["previous"]["numbers"] == [12, 15]
    assert found["included"]["numbers"] == [2, 2]
    assert found["total"]["numbers"] == [14, 17]
    assert found["total"]["text"].startswith("Total studies included in review")
    assert "Reports of total included studies" in found["total"]["text"]
    assert "Identification of new studies via databases and registers" in svg
    assert "Previous studies" in svg and 'data-template="updated"' in svg
    # The previous column is left of the new studies, the total under the new included box.
    assert found["previous"]["rect"][0] < found["identified"]["rect"][0]  # type: ignore[index]
    assert found["total"]["rect"][1] > found["included"]["rect"][1]  # type: ignore[index]
    check_files(flow, tmp_path / "out")


def test_overrides_are_marked_and_listed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    protocol = UPDATED.replace('template = "updated"', 'template = "new"') + (
        "[flow.overrides]\nrecords_screened = 40\n"
    )
    project = build(tmp_path, protocol, {"embase.ris": (4, "Embase")})
    decide(project, "title_abstract", {r: ("include", None) for r in (1, 2, 3, 4)})
    flow = compute_flow(project.protocol, flow_data(project.store, project.protocol))
    assert flow.overrides == {"records_screened": (4, 40)}
    assert flow.records_screened == Count(40, "override", "[flow.overrides] records_screened")
    svg = flow_diagram_svg(flow)
    found = check_boxes(flow, svg)
    assert found["screened"]["text"] == "Records screened n = 40 §"
    assert "§ records_screened = 40 set in [flow.overrides] (litrev counted 4)" in svg
    assert flow.as_dict()["overrides"] == {"records_screened": {"computed": 4, "shown": 40}}
    capsys.readouterr()
    assert run(["prisma", "-p", str(project.root), "--format", "svg", "--no-checklists"]) == 0
    printed = capsys.readouterr()
    assert "records_screened = 40 from [flow.overrides] (litrev counted 4)" in printed.err
    assert (project.root / "prisma.svg").exists() and not (project.root / "prisma.png").exists()


def test_an_unknown_override_or_format_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "litrev.toml").write_text(
        HEAD + "[flow.overrides]\nrecords_seen = 3\n", encoding="utf-8"
    )
    assert run(["init", str(folder)]) == 2
    assert "records_seen" in capsys.readouterr().err
    project = build(tmp_path, "", {})
    assert run(["prisma", "-p", str(project.root), "--format", "gif"]) == 2
    assert "gif" in capsys.readouterr().err


def test_litrev_report_lists_the_overrides(tmp_path: Path) -> None:
    protocol = UPDATED.replace('template = "updated"', 'template = "new"') + (
        "[flow.overrides]\nincluded = 5\n"
    )
    project = build(tmp_path, protocol, {"embase.ris": (3, "Embase")})
    decide(project, "title_abstract", {r: ("include", None) for r in (1, 2, 3)})
    decide(project, "full_text", {1: ("include", None), 2: ("include", None)})
    decide(project, "full_text", {3: ("exclude", "no-falls")})
    assert run(["report", str(project.root), "--out", str(tmp_path / "out")]) == 0
    markdown = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    # Listed among the audit findings, with what litrev had counted.
    assert "included = 5 is set in \\[flow.overrides\\] (litrev counted 2)" in markdown
    svg = (tmp_path / "out" / "prisma.svg").read_text(encoding="utf-8")
    assert "n\xa0=\xa05\xa0§" in svg


def test_every_overridable_count_shows_in_a_box_marked(tmp_path: Path) -> None:
    from litrev.protocol import FLOW_OVERRIDABLE, parse_protocol

    base = HEAD + OTHER.replace("[flow]\n", '[flow]\ntemplate = "updated"\n')
    for name in FLOW_OVERRIDABLE:
        protocol = parse_protocol(base + f'[flow.overrides]\n"{name}" = 777\n')
        flow = compute_flow(protocol, FlowData())
        svg = flow_diagram_svg(flow)
        shown = [b for b in boxes(svg).values() if "n = 777 §" in str(b["text"])]
        assert shown, f"{name} overridden but not shown"
        assert f"§ {name} = 777 set in [flow.overrides]" in svg

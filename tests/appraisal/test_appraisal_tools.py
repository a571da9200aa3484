"""The built-in appraisal tools as data, adopting one into a protocol, and `litrev appraisal`."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from litrev.appraisal.adopt import adopt, codebook_toml
from litrev.appraisal.tools import load_tools, tool
from litrev.cli import app
from litrev.errors import LitrevError, ProtocolError
from litrev.project import Project
from litrev.protocol import load_protocol, parse_protocol

HEAD = '[review]\nid = "r"\ntitle = "R"\n'


def test_each_tool_has_its_published_structure_and_a_citation() -> None:
    shapes = {
        t.name: ([i.number for i in t.items if not i.overall], t.answers) for t in load_tools()
    }
    yes_no = ("Yes", "No", "Can't tell")
    jbi = ("Yes", "No", "Unclear", "Not applicable")
    assert shapes["casp-qualitative"] == ([str(n) for n in range(1, 11)], yes_no)
    mmat = shapes["mmat-2018"][0]
    assert mmat[:2] == ["S1", "S2"] and len(mmat) == 27 and shapes["mmat-2018"][1] == yes_no
    assert mmat[2:] == [f"{c}.{i}" for c in range(1, 6) for i in range(1, 6)]
    assert shapes["jbi-qualitative"] == ([str(n) for n in range(1, 11)], jbi)
    assert shapes["jbi-cross-sectional"] == ([str(n) for n in range(1, 9)], jbi)
    assert shapes["jbi-text-opinion"] == ([str(n) for n in range(1, 7)], jbi)
    for found in load_tools():
        assert found.citation and found.wording_note, found.name
        assert "check" in found.wording_note  # the wording is flagged for checking, honestly
    assert tool("casp-qualitative").items[0].text == (
        "Was there a clear statement of the aims of the research?"
    )
    overall = tool("jbi-text-opinion").items[-1]
    assert overall.overall and overall.answers == ("Include", "Exclude", "Seek further info")


def test_unknown_tool_names_the_tools() -> None:
    with pytest.raises(LitrevError, match="no appraisal tool named 'casp'; tools: casp-qual"):
        tool("casp")


def test_codebook_toml_is_a_valid_codebook_for_every_tool() -> None:
    for found in load_tools():
        protocol = parse_protocol(HEAD + codebook_toml(found), path=found.name)
        names = [f.name for f in protocol.codebook.fields]
        assert names == found.field_names
        first = protocol.codebook.field(found.field_name(found.items[0]))
        assert first is not None and first.type == "choice" and not first.required
        assert tuple(first.choices) == found.items[0].answers
    mmat = parse_protocol(HEAD + codebook_toml(tool("mmat-2018")))
    item = mmat.codebook.field("mmat_2_3")
    assert item is not None and item.when is not None and item.when.field == "mmat_design"
    assert mmat.codebook.field("mmat_s1").when is None  # screening questions apply to all


def test_protocol_refuses_an_unknown_tool_or_one_without_its_fields() -> None:
    with pytest.raises(ProtocolError, match="unknown appraisal tool 'mmat'"):
        parse_protocol(HEAD + '[appraisal]\ntools = ["mmat"]\n')
    with pytest.raises(ProtocolError, match=r"lacks its fields .*litrev appraisal adopt jbi-qual"):
        parse_protocol(HEAD + '[appraisal]\ntools = ["jbi-qualitative"]\n')


def test_adopt_appends_fields_and_names_the_tool(tmp_path: Path) -> None:
    project = Project.init(tmp_path / "r")
    path = project.root / "litrev.toml"
    added = adopt("jbi-text-opinion", path, double_rated=False)
    assert added[0] == "jbi_text_q1" and added[-1] == "jbi_text_overall"
    protocol = load_protocol(path)
    assert protocol.appraisal.tools == ["jbi-text-opinion"]
    assert protocol.appraisal.double_rated is False
    # A second tool joins the same [appraisal] table.
    adopt("casp-qualitative", path)
    protocol = load_protocol(path)
    assert protocol.appraisal.tools == ["jbi-text-opinion", "casp-qualitative"]
    assert path.read_text(encoding="utf-8").splitlines().count("[appraisal]") == 1
    before = path.read_text(encoding="utf-8")
    with pytest.raises(ProtocolError, match="already adopted"):
        adopt("casp-qualitative", path)
    with pytest.raises(ProtocolError, match="double_rated is false"):
        adopt("mmat-2018", path, double_rated=True)
    assert path.read_text(encoding="utf-8") == before  # nothing written


def test_adopt_refuses_a_field_name_the_codebook_has(tmp_path: Path) -> None:
    path = tmp_path / "litrev.toml"
    path.write_text(HEAD + '[[codebook.fields]]\nname = "casp_q3"\n', encoding="utf-8")
    with pytest.raises(ProtocolError, match=r"already has field\(s\) \['casp_q3'\]"):
        adopt("casp-qualitative", path)


def test_cli_list_show_adopt(tmp_path: Path) -> None:
    runner = CliRunner()
    listed = runner.invoke(app, ["appraisal", "list"])
    assert listed.exit_code == 0 and "mmat-2018: Mixed Methods Appraisal Tool" in listed.output
    assert "McArthur A" in listed.output
    shown = runner.invoke(app, ["appraisal", "show", "mmat-2018"])
    assert shown.exit_code == 0
    assert "mmat_1_3: 1.3. Are the findings adequately derived from the data?" in shown.output
    assert "applies to: Qualitative; Mixed methods" in shown.output
    printed = runner.invoke(app, ["appraisal", "adopt", "casp-qualitative"])
    assert printed.exit_code == 0 and 'name = "casp_q10"' in printed.output
    assert runner.invoke(app, ["init", str(tmp_path / "r")]).exit_code == 0
    result = runner.invoke(
        app, ["appraisal", "adopt", "casp-qualitative", "--append", "-p", str(tmp_path / "r")]
    )
    assert result.exit_code == 0, result.output
    assert "added 10 codebook fields (casp_q1 ... casp_q10)" in result.output
    assert load_protocol(tmp_path / "r" / "litrev.toml").appraisal.tools == ["casp-qualitative"]
    unknown = runner.invoke(app, ["appraisal", "show", "nope"])
    assert isinstance(unknown.exception, LitrevError)

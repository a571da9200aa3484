"""`litrev frameworks adopt`: the fields parse as the protocol's codebook, appended to a fresh
`litrev init` protocol; nothing is written when they cannot be."""

from __future__ import annotations

from pathlib import Path

import pytest

from litrev.cli import run
from litrev.frameworks import load_frameworks
from litrev.frameworks.adopt import field_name
from litrev.protocol import load_protocol, parse_protocol


@pytest.fixture
def review(tmp_path: Path) -> Path:
    folder = tmp_path / "falls-review"
    assert run(["init", str(folder)]) == 0
    return folder


def test_every_framework_appends_to_a_fresh_protocol(
    review: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for fw in load_frameworks():
        assert run(["frameworks", "adopt", fw.name, "--append", "-p", str(review)]) == 0
    protocol = load_protocol(review / "litrev.toml")
    fields = {f.name: f for f in protocol.codebook.fields}
    for fw in load_frameworks():
        for dimension in fw.dimensions:
            field = fields[field_name(fw, dimension)]
            assert field.choices == dimension.value_names
            assert field.type == ("multi_choice" if dimension.multiple else "choice")
            assert not field.required  # a paper that does not state it leaves it empty
    assert fields["nabatchi_phase"].type == "multi_choice"
    assert "added codebook fields nabatchi_level, nabatchi_phase" in capsys.readouterr().out


def test_printed_fields_parse_after_the_template(
    review: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["frameworks", "adopt", "strokosch-osborne-2016", "--prefix", "so"]) == 0
    printed = capsys.readouterr().out
    assert "#   consumer: consumer co-production (inherent to services and inevitable)" in printed
    assert "#   enhanced: (no definition in the source)" in printed
    text = (review / "litrev.toml").read_text(encoding="utf-8") + "\n" + printed
    protocol = parse_protocol(text)
    assert protocol.codebook.field("so_mode") is not None


def test_show_and_list_name_sources(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["frameworks", "list"]) == 0
    listed = capsys.readouterr().out
    assert "nabatchi-2017: Levels and phases of co-production" in listed
    assert "Public Administration Review 77(5)" in listed
    assert run(["frameworks", "show", "brandsen-honingh-2016"]) == 0
    shown = " ".join(capsys.readouterr().out.split())
    assert (
        "“the extent to which citizens are involved in the design of services that they "
        "individually receive” [seed: Supplementary file 4]" in shown
    )
    assert "- delivery: no definition in the source" in shown


def _fails(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert run(list(args)) == 2
    return " ".join(capsys.readouterr().err.split())


def test_refusals_leave_the_protocol_as_it_was(
    review: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = review / "litrev.toml"
    assert run(["frameworks", "adopt", "bovaird-2016", "--append", "-p", str(review)]) == 0
    before = path.read_bytes()
    assert "codebook already has field(s) ['bovaird_form']" in _fails(
        capsys, "frameworks", "adopt", "bovaird-2016", "--append", "-p", str(review)
    )
    assert "prefix 'Bad-Prefix' gives field name 'Bad-Prefix_form'" in _fails(
        capsys,
        "frameworks",
        "adopt",
        "bovaird-2016",
        "--append",
        "-p",
        str(review),
        "--prefix",
        "Bad-Prefix",
    )
    assert "no framework named 'bovaird'" in _fails(capsys, "frameworks", "adopt", "bovaird")
    assert path.read_bytes() == before
    # A codebook written as an inline array cannot take [[codebook.fields]]: refused, unchanged.
    inline = review.parent / "inline"
    inline.mkdir()
    (inline / "litrev.toml").write_text(
        '[review]\nid = "x"\ntitle = "X"\n\n[codebook]\nfields = []\n', encoding="utf-8"
    )
    kept = (inline / "litrev.toml").read_bytes()
    error = _fails(capsys, "frameworks", "adopt", "bovaird-2016", "--append", "-p", str(inline))
    assert "litrev.toml" in error and "not valid TOML" in error
    assert (inline / "litrev.toml").read_bytes() == kept
    assert "no framework named 'nope'" in _fails(capsys, "frameworks", "show", "nope")

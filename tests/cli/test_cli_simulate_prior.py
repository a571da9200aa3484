"""`litrev simulate` with the protocol prior: --protocol, --criteria, --criteria-file, cold start."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from litrev.cli import app, run

EXAMPLE = (
    Path(__file__).resolve().parents[2] / "src/litrev/examples/coproduction_models/litrev.toml"
)


@pytest.fixture
def review(tmp_path: Path) -> Path:
    """A small labelled review on co-production (so the built-in protocol fits it)."""
    lines = ["title,abstract,label_included"]
    for i in range(60):
        if i % 6 == 0:
            lines.append(f"Co-production model {i} in health services,Patients co-design care.,1")
        else:
            lines.append(f"Biomass engineering {i},Hydrogen from algae.,0")
    path = tmp_path / "review.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _json(args: list[str]) -> dict[str, object]:
    result = CliRunner().invoke(app, ["simulate", *args, "--json"])
    assert result.exit_code == 0, result.output
    return dict(json.loads(result.stdout))


def test_criteria_text_protocol_and_file(review: Path, tmp_path: Path) -> None:
    text = _json([str(review), "--criteria", "co-production in health and social care"])
    assert text["model"] == "default+prior" and "records_to_first" in text
    criteria = tmp_path / "criteria.md"
    criteria.write_text("Title: co-production\n## Source\nA citation\n", encoding="utf-8")
    assert _json([str(review), "--criteria-file", str(criteria)])["model"] == "default+prior"
    assert (
        _json([str(review), "--protocol", str(EXAMPLE), "--model", "svm"])["model"] == "svm+prior"
    )


def test_cold_start_and_prior_only(review: Path) -> None:
    cold = _json(
        [str(review), "--prior-included", "0", "--prior-excluded", "0", "--protocol", str(EXAMPLE)]
    )
    runs = cold["runs"]
    assert isinstance(runs, list) and runs[0]["priors"] == []
    assert cold["records_to_first"] == 1.0  # the protocol puts an inclusion first
    only = _json([str(review), "--criteria", "co-production health", "--prior-only"])
    assert only["model"] == "prior"
    plain = CliRunner().invoke(app, ["simulate", str(review), "--prior-included", "0"])
    assert plain.exit_code == 0 and "at random" in plain.output


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--criteria", "x", "--protocol", "litrev.toml"], "give one of"),
        (["--prior-only"], "--prior-only"),
        (["--criteria", "the of and"], "no criteria text"),
        (["--criteria-file", "missing.md"], "cannot read criteria text"),
        (["--protocol", "missing.toml"], "file not found"),
    ],
)
def test_bad_prior_options_are_refused(
    review: Path, extra: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["simulate", str(review), *extra]) == 2
    assert message in " ".join(capsys.readouterr().err.split())

"""Simulation: loading, priors, the run itself, the CLI's --json keys and the SVG."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from litrev.cli import app
from litrev.errors import InputError
from litrev.screening.ranking.simulate import (
    draw_priors,
    load_labelled_csv,
    simulate,
    simulate_once,
)

# 120 SYNERGY (CC0) records of Sep_2021: 20 inclusions, 100 exclusions, 5 without abstract.
SAMPLE = Path(__file__).parent / "data" / "sep_2021_sample.csv"
JSON_KEYS = {
    "wss95_classic",
    "wss95_asreview",
    "recall_at_10",
    "recall_at_25",
    "erf_at_10",
    "records_to_95",
    "records_to_100",
    "seconds",
}


def test_load_and_priors() -> None:
    data = load_labelled_csv(SAMPLE)
    assert len(data) == 120 and int(data.labels.sum()) == 20
    priors = draw_priors(data.labels, seed=4)
    assert data.labels[priors[0]] == 1 and data.labels[priors[1]] == 0
    assert draw_priors(data.labels, seed=4) == priors
    assert draw_priors(data.labels, seed=4, n_included=2, n_excluded=3)[:1] != []


def test_simulation_beats_random_and_is_deterministic() -> None:
    data = load_labelled_csv(SAMPLE)
    first = simulate_once(data, "default", seed=2)
    again = simulate_once(data, "default", seed=2)
    assert first.order == again.order
    assert first.metrics.n_records == 118 and first.metrics.n_relevant == 19
    assert first.metrics.recall_at_25 > 0.45  # random order would give about 0.25
    assert first.metrics.erf_at_10 > 0.1
    assert first.metrics.records_to_100 >= first.metrics.records_to_95
    rules = {stop.rule: stop for stop in first.stops}
    assert set(rules) == {"hypergeometric", "irrelevant_in_a_row"}
    assert all(0.0 <= s.recall <= 1.0 for s in first.stops)


def test_explicit_priors_and_summary() -> None:
    data = load_labelled_csv(SAMPLE)
    included, excluded = (
        int(np.flatnonzero(data.labels == 1)[0]),
        int(np.flatnonzero(data.labels == 0)[0]),
    )
    summary = simulate(data, "default", seeds=[0], priors=[included, excluded])
    assert all(run.priors == [included, excluded] for run in summary.runs)
    mean, sd = summary.mean_sd("wss95_asreview")
    assert 0 < mean < 1 and sd >= 0
    assert set(summary.as_dict()) >= JSON_KEYS


def test_cli_json_keys_and_svg(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["simulate", str(SAMPLE), "--seeds", "2", "--json", "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    assert set(figures) >= JSON_KEYS
    assert figures["n_seeds"] == 2 and len(figures["runs"]) == 2
    assert 0.0 <= figures["recall_at_10"] <= 1.0
    svg = (tmp_path / "recall.svg").read_text()
    assert svg.lstrip().startswith(("<?xml", "<svg")) and "random" in svg
    assert json.loads((tmp_path / "summary.json").read_text())["dataset"] == "sep_2021_sample"


def test_cli_table_output() -> None:
    result = CliRunner().invoke(app, ["simulate", str(SAMPLE), "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert "WSS@95, Cohen's classic" in result.output and "hypergeometric" in result.output


def test_bad_input_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("title,label_included\nA,1\nB,yes\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad.csv:3"):
        load_labelled_csv(bad)
    nolabel = tmp_path / "nolabel.csv"
    nolabel.write_text("title,abstract\nA,x\n", encoding="utf-8")
    with pytest.raises(InputError, match="label column"):
        load_labelled_csv(nolabel)

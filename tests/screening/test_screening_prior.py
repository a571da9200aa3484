"""The protocol prior: criteria text, exclusion reasons, highlight terms and the strategy's blocks."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from litrev.protocol import load_protocol, parse_protocol
from litrev.screening.ranking.prior import ProtocolPrior, concept_blocks, tokens
from litrev.search import parse

EXAMPLE = (
    Path(__file__).resolve().parents[2] / "src/litrev/examples/coproduction_models/litrev.toml"
)


def test_examples(docstring_examples: Callable[[str], None]) -> None:
    docstring_examples("litrev.screening.ranking.prior")


def test_tokens_fold_accents_and_cut_cjk_into_character_pairs() -> None:
    assert tokens("Ménière's DISEASE") == tokens("meniere's disease")
    assert "menier" not in tokens("Ménière")  # short words keep their ending
    cjk = tokens("心力衰竭的远程监测")
    assert "心力" in cjk and "衰竭" in cjk and "监测" in cjk
    assert "心力衰竭的远程监测" not in cjk  # not one long word


def _strategy_records() -> list[tuple[str, str]]:
    return [
        ("Soil nitrogen", "Wheat yields in dry years."),  # no block
        ("Telemonitoring at home", "A cohort of older adults."),  # block 1 only
        ("Heart failure clinics", "Telephone follow-up of heart failure patients."),  # blocks 1, 2
        ("Outcomes in rats", "Telemonitoring of heart failure in rats."),  # blocks 1, 2 and NOT
        ("Heart failure and telemonitoring", ""),  # blocks 1, 2, both in the title
    ]


def test_records_matching_more_concept_blocks_rank_higher() -> None:
    prior = ProtocolPrior()
    assert prior.add_strategy('(tele* OR remote) AND "heart failure" NOT (rat OR rats)', "litrev")
    scores = prior.parts(_strategy_records())["strategy"]
    # truncation: tele* matches telemonitoring and telephone
    assert scores[0] < scores[1] < scores[2] < scores[4]
    assert scores[3] < scores[2]  # the NOT part counts against a record
    order = np.argsort(-prior.score(_strategy_records()), kind="stable")
    assert order[0] == 4 and order[-1] == 0


def test_title_or_abstract_strategy_is_read_per_alternative() -> None:
    text = "TI ( (tele* OR remote) AND heart ) OR AB ( (tele* OR remote) AND heart )"
    strategy = concept_blocks(parse(text, "ebsco").root)
    assert len(strategy.alternatives) == 2 and strategy.n_blocks == 2
    prior = ProtocolPrior()
    prior.add_strategy(text, "ebsco")
    scores = prior.parts([("Telecare", "for heart patients"), ("Soil", "soil")])["strategy"]
    assert scores[0] > scores[1]


def test_any_dialect_and_an_unreadable_strategy_is_noted() -> None:
    prior = ProtocolPrior()
    assert prior.add_strategy('telemonitor*[tiab] AND "heart failure"[tiab]', "pubmed", "PubMed")
    assert not prior.add_strategy("(tele* AND", "litrev", "broken")
    assert len(prior.strategies) == 1 and prior.notes and prior.notes[0].startswith("broken")
    assert np.isfinite(prior.score([("Telemonitoring in heart failure", ""), ("x", "")])).all()


def test_built_in_example_protocol() -> None:
    prior = ProtocolPrior.from_protocol(load_protocol(EXAMPLE))
    assert prior.strategies and not prior.notes
    assert all(s.n_blocks == 2 and s.excluded is not None for s in prior.strategies)
    assert "coproduction of health and wellbeing" in prior.criteria
    assert "Conference paper" in prior.negative
    records = [
        (
            "A model of co-production in mental health services",
            "Service users and staff co-design care.",
        ),
        ("Co-production of hydrogen from biomass", "Engineering of bioproducts."),
        ("Teacher training in schools", "A survey of teachers."),
    ]
    scores = prior.score(records)
    assert scores[0] > scores[1] and scores[0] > scores[2]
    assert prior.explain(0)[0][0] in {"criteria", "strategy", "exclusion", "highlight"}


def test_highlight_terms_and_exclusion_reasons() -> None:
    protocol = parse_protocol("""
[review]
id = "r"
title = "Exercise for falls"
question = "Does exercise prevent falls in older people?"
[[eligibility.exclusion_reasons]]
code = "animal"
label = "Animal study in mice"
[screening]
highlight_include = ["fall*"]
highlight_exclude = ["mice"]
""")
    prior = ProtocolPrior.from_protocol(protocol)
    assert prior.has_protocol_text() and "Animal study" in prior.negative
    records = [
        ("Falls after exercise in older people", ""),
        ("Exercise in mice", "mice falls"),
        ("Soil", ""),
    ]
    parts = prior.parts(records)
    assert parts["highlight"][0] > parts["highlight"][1]
    assert parts["exclusion"][1] > parts["exclusion"][0]
    assert np.argmax(prior.score(records)) == 0


def test_title_only_protocol_is_not_protocol_text() -> None:
    protocol = parse_protocol('[review]\nid = "r"\ntitle = "Exercise for falls"\n')
    prior = ProtocolPrior.from_protocol(protocol)
    assert not prior.is_empty() and not prior.has_protocol_text()


def test_from_text_lines() -> None:
    prior = ProtocolPrior.from_text(
        "# Review\nTitle: Telemonitoring in heart failure\nExclude: children\n"
        "Strategy (pubmed): telemonitor*[tiab] AND heart[tiab]\n## Source\nSmith J (2020) Soil.\n"
    )
    assert prior.criteria == "Review\nTelemonitoring in heart failure"
    assert prior.negative == "children" and len(prior.strategies) == 1
    assert "soil" not in tokens(prior.criteria)


def test_deterministic_and_never_nan() -> None:
    prior = ProtocolPrior.from_text("telemonitoring heart failure")
    records = [("", ""), ("a", ""), ("Heart failure", ""), ("", "telemonitoring")] * 3
    first, second = prior.score(records), prior.score(list(records))
    assert np.array_equal(first, second) and np.isfinite(first).all()
    assert ProtocolPrior.from_text("").score([]).shape == (0,)
    # words of the criteria that no record has: a constant part, zeros, not NaN
    assert np.isfinite(ProtocolPrior.from_text("zebra").score([("a", ""), ("b", "")])).all()


@pytest.mark.parametrize(
    "path",
    sorted((Path(__file__).resolve().parents[2] / "benchmarks/screening/criteria").glob("*.md")),
)
def test_benchmark_criteria_files_read_and_cite(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    prior = ProtocolPrior.from_text(text)
    assert prior.criteria and not prior.strategies
    assert "## Source" in text and "doi:" in text  # the citation is kept, and not read
    assert "doi" not in tokens(prior.criteria)

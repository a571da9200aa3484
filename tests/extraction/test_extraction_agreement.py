"""Must show (issue 12): a double-extraction test. Two extractors, ten records, seven compared
fields (choice, multi_choice, text, number, year, and a repeating group's choice and number):
70 compared values, exactly 7 (10%) disagree. The agreement statistics are checked against
values worked out by hand below; then every disagreement is reconciled (some by taking one
extractor's value, some edited) and the rest accepted as agreed, and the consensus, each
reconciliation row and the audit log are checked. Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from sqlalchemy import select

from litrev.extraction.agreement import comparisons, field_agreement
from litrev.extraction.assign import assign_extractors
from litrev.extraction.reconcile import (
    accept_agreements,
    may_reconcile,
    reconcile,
    unreconciled,
)
from litrev.extraction.table import group_frame, studies_frame, unreconciled_records
from litrev.extraction.values import ExtractionError, read_values, save_values
from litrev.project import Project
from litrev.screening import Screening
from litrev.store import schema

from .extraction_review import make_review

GROUP = """
[[codebook.groups]]
name = "measures"
label = "Outcome measures"

[[codebook.fields]]
name = "measure"
type = "choice"
choices = ["MVPA minutes", "step count", "BMI"]
group = "measures"

[[codebook.fields]]
name = "effect"
type = "number"
unit = "min/day"
group = "measures"
"""

# Ten records (R1..R10). Each row: delivery, components, aim, pupils, started, measure, effect.
INES = [
    ("teacher", "curriculum", "More active lessons", "100", "2018", "MVPA minutes", "12.5"),
    ("teacher", "curriculum; recess", "Walk to school", "80", "2018", "MVPA minutes", "8"),
    ("teacher", "curriculum; recess", "Active breaks", "95", "2018", "MVPA minutes", "5"),
    ("teacher", "recess", "Play at recess", "150", "2018", "MVPA minutes", "3"),
    ("teacher", "active travel", "Cycle to school", "120", "2018", "step count", "900"),
    ("coach", "curriculum; family", "Family sport", "60", "2019", "step count", "1200"),
    ("coach", "recess; active travel", "Increase daily MVPA", "75", "2019", "step count", "700"),
    ("coach", "curriculum", "Fitness", "64.0", "2019", "BMI", "-0.3"),
    ("peer", "family", "Peer leaders", "40", "2019", "BMI", "-0.1"),
    ("peer", "curriculum; active travel", "Safe routes", "300", "2019", "BMI", "-0.2"),
]
TOMAS = [list(row) for row in INES]
TOMAS[3][0] = "coach"  # R4 delivery: teacher vs coach
TOMAS[8][0] = "teacher"  # R9 delivery: peer vs teacher
TOMAS[2][1] = "curriculum"  # R3 components: curriculum; recess vs curriculum
TOMAS[1][2] = "walk to schools"  # R2 aim: differs (case alone would not)
TOMAS[6][2] = "increase   daily mvpa"  # R7 aim: agrees once spaces and case are normalised
TOMAS[4][3] = "210"  # R5 pupils: 120 vs 210
TOMAS[7][3] = "64"  # R8 pupils: 64.0 = 64, agrees
TOMAS[9][4] = "2018"  # R10 started: 2019 vs 2018
TOMAS[0][6] = "15"  # R1 effect (row 1 of the group): 12.5 vs 15
COLUMNS = ("delivery", "components", "aim", "pupils", "started")


def _values(row: tuple[str, ...] | list[str]) -> dict[tuple[str, int], str]:
    values = {(name, 0): row[i] for i, name in enumerate(COLUMNS)}
    values[("measure", 1)] = row[5]
    values[("effect", 1)] = row[6]
    return values


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def review(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[Project, list[int]]:
    database = request.getfixturevalue("postgres_url") if request.param == "postgresql" else None
    project, ids = make_review(tmp_path / "r", records=10, extra=GROUP, database=database)
    s = Screening.from_protocol(project.store, project.protocol)
    assign_extractors(project.store, ids, ["ines", "tomas"], 2, by="uma", screening=s)
    return project, ids


def _extract(project: Project, ids: list[int], who: str, rows: list, *, complete: bool) -> None:
    s = Screening.from_protocol(project.store, project.protocol)
    for record_id, row in zip(ids, rows, strict=True):
        result = save_values(
            project.store,
            project.protocol.codebook,
            record_id,
            who,
            _values(row),
            actor=who,
            complete=complete,
            screening=s,
        )
        assert result.problems == {} and result.missing == {}


class TestDoubleExtraction:
    def test_blind_and_refused_until_both_complete(self, review) -> None:
        project, ids = review
        codebook = project.protocol.codebook
        _extract(project, ids, "tomas", TOMAS, complete=True)
        _extract(project, ids, "ines", INES, complete=False)
        # tomas sees only his own values while ines has not completed R4.
        seen = comparisons(project.store, codebook, ids[3], viewer="tomas", is_lead=False)
        delivery = next(c for c in seen if c.field == "delivery")
        assert list(delivery.values) == ["tomas"] and delivery.values["tomas"].value == "coach"
        assert not delivery.agree and delivery.consensus is None
        # uma (not an extractor, not the lead) sees nobody's values; the lead sees both.
        assert all(
            c.values == {}
            for c in comparisons(project.store, codebook, ids[3], viewer="uma", is_lead=False)
        )
        lead = comparisons(project.store, codebook, ids[3], viewer="uma", is_lead=True)
        assert {
            w: v.value for w, v in next(c for c in lead if c.field == "delivery").values.items()
        } == {
            "ines": "teacher",
            "tomas": "coach",
        }
        with pytest.raises(ExtractionError, match=r"not completed by ines \(in progress\)"):
            reconcile(project.store, codebook, ids[3], "delivery", value="coach", by="tomas")
        assert field_agreement(project.store, codebook)[0].pairs == 0  # ines's are not complete
        _extract(project, ids, "ines", INES, complete=True)
        assert not may_reconcile(project.store, ids[3], "uma", False)
        assert may_reconcile(project.store, ids[3], "uma", True)
        with pytest.raises(ExtractionError, match="uma may not reconcile record"):
            reconcile(project.store, codebook, ids[3], "delivery", value="coach", by="uma")
        with pytest.raises(ExtractionError, match="expected one of"):
            reconcile(project.store, codebook, ids[3], "delivery", value="bus", by="tomas")
        with pytest.raises(ExtractionError, match="decimal point"):
            reconcile(project.store, codebook, ids[0], "effect", 1, value="2,5", by="ines")
        after = comparisons(project.store, codebook, ids[3], viewer="tomas", is_lead=False)
        assert set(next(c for c in after if c.field == "delivery").values) == {"ines", "tomas"}

    def test_agreement_matches_hand_computed_values_and_reconciliation_is_recorded(
        self, review
    ) -> None:
        project, ids = review
        codebook = project.protocol.codebook
        _extract(project, ids, "ines", INES, complete=True)
        _extract(project, ids, "tomas", TOMAS, complete=True)
        stats = {a.field: a for a in field_agreement(project.store, codebook)}
        assert [a for a in stats] == [*COLUMNS, "measure", "effect"]
        assert sum(a.pairs for a in stats.values()) == 70
        assert sum(a.pairs - a.agree for a in stats.values()) == 7  # 10% of compared values

        # delivery, 3x3 (rows ines, columns tomas; teacher, coach, peer):
        #   teacher [4, 1, 0]   (R4: teacher/coach)
        #   coach   [0, 3, 0]
        #   peer    [1, 0, 1]   (R9: peer/teacher)
        # p_o = (4 + 3 + 1) / 10 = 0.8; ines's margins .5 .3 .2, tomas's .5 .4 .1
        # p_e = .5*.5 + .3*.4 + .2*.1 = .39; kappa = (.8 - .39) / (1 - .39) = .41 / .61
        d = stats["delivery"]
        assert (d.kind, d.pairs, d.agree, d.percent) == ("categorical", 10, 8, 0.8)
        assert d.kappa == pytest.approx(0.41 / 0.61)
        assert d.similarity is None
        assert d.disagreements == ((ids[3], 0), (ids[8], 0))

        # started, 2x2 (2018, 2019): [[5, 0], [1, 4]] (R10: 2019/2018).
        # p_o = .9; margins ines .5 .5, tomas .6 .4; p_e = .3 + .2 = .5; kappa = .4 / .5 = .8
        # Standard error (Fleiss, Cohen & Everitt 1969), n = 10:
        #   diagonal: .5 (1 - 1.1 * .2)^2 + .4 (1 - .9 * .2)^2 = .5 * .6084 + .4 * .6724 = .57316
        #   off-diagonal: (1 - .8)^2 * [.1 * (.4 + .5)^2] = .04 * .081 = .00324
        #   variance = (.57316 + .00324 - (.8 - .5 * .2)^2) / (10 * (1 - .5)^2) = .0864 / 2.5
        # CI = .8 -/+ 1.959964 * sqrt(.03456), the upper end clipped to 1.
        y = stats["started"]
        assert (y.kind, y.percent, y.kappa) == ("categorical", 0.9, pytest.approx(0.8))
        se = math.sqrt(0.0864 / 2.5)
        assert y.kappa_ci == pytest.approx((0.8 - 1.959963984540054 * se, 1.0))

        # components, multi: per option present/absent tables over the 10 records.
        #   curriculum, active travel, family: identical (kappa 1 each).
        #   recess: ines R2 R3 R4 R7, tomas R2 R4 R7: [[3, 1], [0, 6]]; p_o = .9,
        #   p_e = .4 * .3 + .6 * .7 = .54, kappa = .36 / .46. Mean = (3 + .36 / .46) / 4.
        # Jaccard: R3 {curriculum, recess} vs {curriculum} = 1/2, the other nine 1: 9.5 / 10.
        c = stats["components"]
        assert (c.kind, c.percent, c.kappa_ci) == ("multi", 0.9, None)
        assert c.kappa == pytest.approx((3 + 0.36 / 0.46) / 4)
        assert c.similarity == pytest.approx(0.95)

        # aim, text: R2 "walk to school" vs "walk to schools" differ; R7 agrees once
        # normalised. token_sort_ratio of R2: Indel similarity of "school to walk" (14
        # characters) and "schools to walk" (15), longest common subsequence 14: 2*14/29.
        a = stats["aim"]
        assert (a.kind, a.percent, a.kappa) == ("text", 0.9, None)
        assert a.similarity == pytest.approx((9 + 28 / 29) / 10)
        assert a.disagreements == ((ids[1], 0),)

        # pupils, numeric: R5 120/210 differ; R8 64.0 = 64. No kappa, no similarity.
        p = stats["pupils"]
        assert (p.kind, p.percent, p.kappa, p.similarity) == ("numeric", 0.9, None, None)
        # The group's fields, row 1 of each record: measure identical (3 categories, kappa 1),
        # effect R1 12.5/15.
        m, e = stats["measure"], stats["effect"]
        assert (m.group, m.pairs, m.percent, m.kappa) == ("measures", 10, 1.0, pytest.approx(1.0))
        assert (e.pairs, e.percent, e.disagreements) == (10, 0.9, ((ids[0], 1),))

        # Reconcile every disagreement: four by taking a value, three edited.
        store = project.store
        r1, r2, r3, r4, r5, r9, r10 = ids[0], ids[1], ids[2], ids[3], ids[4], ids[8], ids[9]
        done = [
            reconcile(store, codebook, r4, "delivery", chosen_from="tomas", by="ines",
                      reason="the methods name a coach"),
            reconcile(store, codebook, r9, "delivery", chosen_from="ines", by="uma",
                      is_lead=True, reason="peer leaders deliver it"),
            reconcile(store, codebook, r3, "components", value="curriculum; recess; family",
                      by="tomas", reason="a family newsletter too (p. 4)"),
            reconcile(store, codebook, r2, "aim", chosen_from="ines", by="tomas",
                      reason="typo in mine"),
            reconcile(store, codebook, r5, "pupils", value="201", by="uma", is_lead=True,
                      reason="Table 1 gives 201"),
            reconcile(store, codebook, r10, "started", chosen_from="tomas", by="ines",
                      reason="recruitment began in 2018"),
            reconcile(store, codebook, r1, "effect", 1, value="13", chosen_from="ines",
                      by="ines", reason="rounded in the abstract; 13 in Table 2"),
        ]  # fmt: skip
        assert [(x.method, x.chosen_from, x.value) for x in done] == [
            ("chose", "tomas", "coach"),
            ("chose", "ines", "peer"),
            ("edited", None, "curriculum; recess; family"),
            ("chose", "ines", "Walk to school"),
            ("edited", None, "201"),
            ("chose", "tomas", "2018"),
            ("edited", "ines", "13"),
        ]
        assert unreconciled(store, codebook) == ids  # the agreed fields are not consensus yet
        assert accept_agreements(store, codebook, by="uma", is_lead=True) == 63
        assert unreconciled(store, codebook) == [] and unreconciled_records(store) == {}
        assert accept_agreements(store, codebook, by="uma", is_lead=True) == 0  # nothing left

        consensus = {k: v.value for k, v in read_values(store, r4, "consensus").items()}
        assert consensus[("delivery", 0)] == "coach" and consensus[("measure", 1)] == "MVPA minutes"
        frame = studies_frame(store, codebook).set_index("record_id")
        assert frame.loc[r9, "delivery"] == "peer" and frame.loc[r5, "pupils"] == "201"
        assert frame.loc[r3, "components"] == "curriculum; recess; family"
        assert "effect" not in frame.columns  # a group's fields are group_frame's
        rows = group_frame(store, project.protocol, "measures").set_index("record_id")
        assert rows.loc[r1, "effect"] == "13" and rows.loc[r1, "instance"] == 1
        assert len(rows) == 10

        with store.connect() as conn:
            table = schema.extraction_reconciliations
            settled = (
                conn.execute(select(table).where(table.c.method != "agreed").order_by(table.c.id))
                .mappings()
                .all()
            )
            log = schema.audit_log
            entries = conn.execute(
                select(log.c.actor, log.c.detail)
                .where(log.c.action == "reconcile_extraction")
                .order_by(log.c.id)
            ).all()
        assert [
            (
                s["record_id"],
                s["field"],
                s["instance"],
                s["decided_by"],
                s["chosen_from"],
                s["reason"],
            )
            for s in settled
        ] == [
            (r4, "delivery", 0, "ines", "tomas", "the methods name a coach"),
            (r9, "delivery", 0, "uma", "ines", "peer leaders deliver it"),
            (r3, "components", 0, "tomas", None, "a family newsletter too (p. 4)"),
            (r2, "aim", 0, "tomas", "ines", "typo in mine"),
            (r5, "pupils", 0, "uma", None, "Table 1 gives 201"),
            (r10, "started", 0, "ines", "tomas", "recruitment began in 2018"),
            (r1, "effect", 1, "ines", "ines", "rounded in the abstract; 13 in Table 2"),
        ]
        import json

        assert json.loads(settled[0]["sources"]) == {"ines": "teacher", "tomas": "coach"}
        assert len(entries) == 70  # 7 decided + 63 agreed, one audit entry each
        actor, detail = entries[4]
        assert actor == "uma"
        assert detail == {
            "record_id": r5,
            "field": "pupils",
            "instance": 0,
            "value": "201",
            "location": None,
            "method": "edited",
            "sources": {"ines": "120", "tomas": "210"},
            "chosen_from": None,
            "reason": "Table 1 gives 201",
        }
        agreed = [d for _, d in entries[7:]]
        assert {d["method"] for d in agreed} == {"agreed"}
        assert {(d["record_id"], d["field"]) for d in agreed}.isdisjoint(
            {(s["record_id"], s["field"]) for s in settled}
        )
        # The side-by-side view now shows the consensus and how each field was settled.
        view = comparisons(store, codebook, r5)
        pupils = next(c for c in view if c.field == "pupils")
        assert not pupils.agree and pupils.consensus.value == "201"
        assert pupils.reconciliation.decided_by == "uma"

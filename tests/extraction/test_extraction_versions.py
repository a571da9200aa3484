"""Codebook versions: a codebook changed mid-review is recorded; values are migrated or listed as
misfits, never dropped (every test counts the stored values before and after)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from litrev.extraction.versions import (
    codebook_digest,
    codebook_history,
    codebook_json,
    misfits,
    sync_codebook,
)
from litrev.protocol import Codebook, parse_protocol
from litrev.screening.demo import add_records
from litrev.store import Store, schema

HEAD = '[review]\nid = "falls"\ntitle = "Falls prevention"\n'


def codebook(body: str) -> Codebook:
    return parse_protocol(HEAD + body).codebook


BEFORE = """
[codebook]
version = 1
[[codebook.groups]]
name = "outcomes"
[[codebook.fields]]
name = "nation"
type = "country"
[[codebook.fields]]
name = "design"
type = "choice"
choices = ["RCT", "cluster RCT", "cohort"]
[[codebook.fields]]
name = "participants"
type = "text"
[[codebook.fields]]
name = "outcome"
group = "outcomes"
[[codebook.fields]]
name = "programme"
"""


@pytest.fixture
def store() -> Store:
    return Store.open("sqlite://")


def put(store: Store, rows: list[tuple[int, str, str, int, str]]) -> None:
    now = datetime.now(UTC)
    with store.transaction() as conn:
        conn.execute(
            schema.extractions.insert(),
            [
                {"record_id": r, "reviewer": who, "field": f, "instance": i, "value": v,
                 "created_at": now}
                for r, who, f, i, v in rows
            ],
        )  # fmt: skip


def stored(store: Store) -> list[tuple[int, str, str, int, str]]:
    table = schema.extractions
    with store.engine.connect() as conn:
        rows = conn.execute(
            select(table.c.record_id, table.c.reviewer, table.c.field, table.c.instance,
                   table.c.value).order_by(table.c.id)
        ).all()  # fmt: skip
    return [tuple(row) for row in rows]  # type: ignore[misc]


def count(store: Store) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(schema.extractions)).scalar_one())


@pytest.fixture
def coded(store: Store) -> Store:
    return fill(store)


def fill(store: Store) -> Store:
    ids = add_records(store, 3)
    sync_codebook(store, codebook(BEFORE), actor="lead")
    put(
        store,
        [
            (ids[0], "ana", "nation", 0, "UK"),
            (ids[0], "ana", "design", 0, "cluster RCT"),
            (ids[0], "ana", "participants", 0, "120"),
            (ids[0], "ana", "outcome", 1, "falls"),
            (ids[0], "ana", "programme", 0, "Otago"),
            (ids[1], "ana", "nation", 0, "Japan"),
            (ids[1], "ana", "design", 0, "RCT"),
            (ids[1], "ana", "participants", 0, "about 80"),
            (ids[1], "ana", "outcome", 1, "fractures"),
            (ids[1], "ana", "outcome", 2, "falls"),
            (ids[2], "bo", "design", 0, "cohort"),
        ],
    )
    return store


def test_unchanged_codebook_records_one_version(store: Store) -> None:
    first = sync_codebook(store, codebook(BEFORE), actor="lead")
    again = sync_codebook(store, codebook(BEFORE), actor="lead")
    assert (first.version, first.changed) == (1, True)
    assert (again.version, again.changed) == (1, False)
    assert len(codebook_history(store)) == 1
    # Canonical JSON: key order in the TOML does not matter, any value does.
    assert codebook_digest(codebook(BEFORE)) == codebook_digest(codebook(BEFORE))
    assert '"fields":[' in codebook_json(codebook(BEFORE))
    assert codebook_digest(codebook(BEFORE.replace("version = 1", "version = 2"))) != (
        codebook_digest(codebook(BEFORE))
    )


def test_renamed_field_takes_its_values_and_logs_it(coded: Store) -> None:
    before = count(coded)
    after_body = BEFORE.replace('name = "nation"', 'name = "country"\nrenamed_from = ["nation"]')
    result = sync_codebook(coded, codebook(after_body), actor="lead")
    assert (result.version, result.changed, result.renamed, result.moved_values) == (
        2, True, {"nation": "country"}, 2,
    )  # fmt: skip
    assert count(coded) == before
    fields = [row[2] for row in stored(coded)]
    assert "nation" not in fields and fields.count("country") == 2
    assert misfits(coded, codebook(after_body)) == []
    with coded.engine.connect() as conn:
        actions = [
            (row.action, row.detail)
            for row in conn.execute(select(schema.audit_log.c.action, schema.audit_log.c.detail))
        ]
    migrate = [detail for action, detail in actions if action == "codebook_migrate"]
    assert migrate == [{"renamed": {"nation": "country"}, "moved_values": 2, "regrouped_values": 0}]


def test_rename_onto_an_existing_value_keeps_both_as_a_misfit(coded: Store) -> None:
    record = stored(coded)[0][0]
    put(coded, [(record, "ana", "country", 0, "Canada")])
    before = count(coded)
    after_body = BEFORE.replace('name = "nation"', 'name = "country"\nrenamed_from = ["nation"]')
    result = sync_codebook(coded, codebook(after_body), actor="lead")
    assert result.moved_values == 1  # the other record's value moved; this one would overwrite
    assert count(coded) == before
    found = [m for m in misfits(coded, codebook(after_body)) if m.field == "nation"]
    assert [(m.record_id, m.value) for m in found] == [(record, "UK")]
    assert "already has a value here; not moved" in found[0].problem


def test_removed_choice_and_removed_field_are_misfits(coded: Store) -> None:
    before = count(coded)
    after_body = BEFORE.replace('"RCT", "cluster RCT", "cohort"', '"RCT", "cohort"').replace(
        '[[codebook.fields]]\nname = "programme"\n', ""
    )
    sync_codebook(coded, codebook(after_body), actor="lead")
    assert count(coded) == before
    found = {(m.field, m.value): m.problem for m in misfits(coded, codebook(after_body))}
    assert "expected one of 'RCT', 'cohort' for 'design'" in found[("design", "cluster RCT")]
    assert found[("programme", "Otago")] == "'programme' is not a codebook field"
    assert len(found) == 2


def test_type_change_flags_values_that_no_longer_fit(coded: Store) -> None:
    before = count(coded)
    after_body = BEFORE.replace(
        'name = "participants"\ntype = "text"', 'name = "participants"\ntype = "integer"'
    )
    sync_codebook(coded, codebook(after_body), actor="lead")
    found = misfits(coded, codebook(after_body))
    assert [(m.field, m.value, m.problem) for m in found] == [
        ("participants", "about 80", "expected a whole number for 'participants', got 'about 80'")
    ]
    assert count(coded) == before
    assert codebook_history(coded)[-1].changes == [
        "field 'participants' changed: type 'text' -> 'integer'"
    ]


def test_field_made_required_lists_completed_extractions_lacking_it(coded: Store) -> None:
    before = count(coded)
    after_body = BEFORE.replace('name = "programme"', 'name = "programme"\nrequired = true')
    sync_codebook(coded, codebook(after_body), actor="lead")
    found = misfits(coded, codebook(after_body))
    lacking = sorted({(m.record_id, m.reviewer) for m in found})
    ids = sorted({row[0] for row in stored(coded)})
    assert lacking == [(ids[1], "ana"), (ids[2], "bo")]
    assert {m.problem for m in found} == {"'programme' is required but empty"}
    assert all(m.value == "" for m in found)
    assert count(coded) == before


def test_field_moved_into_and_out_of_a_group(coded: Store) -> None:
    before = count(coded)
    # participants joins the group (its value becomes row 1); outcome leaves it (one-row
    # records move to the single value; the two-row record is a misfit).
    after_body = BEFORE.replace(
        'name = "participants"\ntype = "text"',
        'name = "participants"\ntype = "text"\ngroup = "outcomes"',
    ).replace('name = "outcome"\ngroup = "outcomes"', 'name = "outcome"')
    result = sync_codebook(coded, codebook(after_body), actor="lead")
    assert result.regrouped_values == 3  # two participants values, one outcome
    rows = stored(coded)
    assert sorted((f, i) for _, _, f, i, _ in rows if f == "participants") == [
        ("participants", 1), ("participants", 1),
    ]  # fmt: skip
    found = misfits(coded, codebook(after_body))
    assert sorted((m.field, m.instance) for m in found) == [("outcome", 1), ("outcome", 2)]
    assert all("not in a repeating group" in m.problem for m in found)
    assert count(coded) == before


def test_history_says_what_changed(coded: Store) -> None:
    after_body = (
        BEFORE.replace("version = 1", "version = 2").replace(
            'name = "nation"', 'name = "country"\nrenamed_from = ["nation"]'
        )
        + '[[codebook.fields]]\nname = "dropouts"\ntype = "integer"\n'
    )
    sync_codebook(coded, codebook(after_body), actor="lead")
    history = codebook_history(coded)
    assert [h.version for h in history] == [1, 2]
    assert [h.label for h in history] == [1, 2]
    assert history[0].changes == ["first version"]
    assert history[1].changes == [
        "version label 1 -> 2",
        "field 'country' added (renamed from 'nation')",
        "field 'dropouts' added",
        "field 'nation' renamed to 'country'",
    ]


def test_migrations_on_postgresql(postgres_store: Store) -> None:
    store = fill(postgres_store)
    before = count(store)
    after_body = BEFORE.replace(
        'name = "nation"', 'name = "country"\nrenamed_from = ["nation"]'
    ).replace('name = "participants"\ntype = "text"', 'name = "participants"\ngroup = "outcomes"')
    result = sync_codebook(store, codebook(after_body), actor="lead")
    assert (result.moved_values, result.regrouped_values) == (2, 2)
    assert sync_codebook(store, codebook(after_body), actor="lead").changed is False
    assert misfits(store, codebook(after_body)) == []
    assert count(store) == before


def test_concurrent_syncs_record_one_version_on_postgresql(postgres_url: str) -> None:
    # Two processes open the review at once with the same new codebook: the second's insert of
    # version 2 waits on the first's uncommitted one, fails on the unique version, and is
    # retried, finding the codebook recorded. Neither fails; one version is recorded.
    import time
    from concurrent.futures import ThreadPoolExecutor

    from litrev.extraction import versions

    stores = [Store.open(postgres_url) for _ in range(2)]
    try:
        sync_codebook(stores[0], codebook(BEFORE), actor="lead")
        changed = codebook(BEFORE.replace("version = 1", "version = 2"))
        with ThreadPoolExecutor(max_workers=1) as pool:
            with stores[0].transaction() as conn:
                first = versions._sync(conn, changed, actor="lead")
                second = pool.submit(sync_codebook, stores[1], changed, actor="lead")
                time.sleep(1.0)  # the second is now waiting on the unique version number
            result = second.result(timeout=30)
        assert (first.version, first.changed) == (2, True)
        assert (result.version, result.changed) == (2, False)
        assert [h.version for h in codebook_history(stores[0])] == [1, 2]
    finally:
        for store in stores:
            store.close()

"""Dedupe inside a review store: idempotent runs, incremental imports, review queue, undo."""

from pathlib import Path

import pytest

from litrev.dedupe import persist
from litrev.errors import LitrevError
from litrev.records import import_files
from litrev.store import Store, schema

DATA = Path(__file__).parent / "data"


@pytest.fixture()
def store(tmp_path: Path) -> Store:
    return Store.open(tmp_path / "litrev.db")


def audit_actions(store: Store) -> list[str]:
    with store.connect() as conn:
        return [row.action for row in conn.execute(schema.audit_log.select())]


def test_run_clusters_links_and_is_idempotent(store: Store) -> None:
    import_files(store, [DATA / "medline_sample.ris", DATA / "scopus_sample.csv"], actor="t")
    first = persist.run(store, actor="t")
    assert first.action_id is not None
    # 101 (RIS) = S1 (CSV); 103 = S2; the erratum 102 is linked, not merged.
    assert persist.current_clusters(store) == {1: [1, 4], 3: [3, 5]}
    assert [(a, b) for a, b, _ in persist.related_links(store)] == [(1, 2), (2, 4)]
    again = persist.run(store, actor="t")
    assert again.action_id is None
    assert persist.current_clusters(store) == {1: [1, 4], 3: [3, 5]}
    assert audit_actions(store).count("dedupe.run") == 1
    assert persist.duplicates_removed(store) == 2
    assert persist.screening_record(store) == {1: 1, 4: 1, 3: 3, 5: 3}


def test_new_imports_join_existing_clusters_without_undoing_decisions(store: Store) -> None:
    import_files(store, [DATA / "medline_sample.ris", DATA / "scopus_sample.csv"], actor="t")
    persist.run(store, actor="t")
    # A person decides 3 and 5 are different after all: the cluster is split.
    persist.decide(store, 3, 5, persist.DIFFERENT, reviewer="ana", note="different samples")
    assert persist.current_clusters(store) == {1: [1, 4]}
    import_files(store, [DATA / "no_ids.ris"], actor="t")  # record 7 = S3 (record 6)
    summary = persist.run(store, actor="t")
    assert summary.action_id is not None
    assert persist.current_clusters(store) == {1: [1, 4], 6: [6, 7]}
    assert persist.decisions(store)[(3, 5)] == persist.DIFFERENT


def test_review_queue_decisions_and_undo(store: Store) -> None:
    import_files(store, [DATA / "medline_sample.ris", DATA / "scopus_sample.csv"], actor="t")
    persist.run(store, actor="t")
    persist.decide(store, 2, 1, persist.SAME, reviewer="ana")  # a person overrides the guard
    assert persist.current_clusters(store)[1] == [1, 2, 4]
    undone = persist.undo(store, actor="ana")
    assert undone.kind == "review"
    assert persist.current_clusters(store) == {1: [1, 4], 3: [3, 5]}
    assert persist.decisions(store) == {}
    persist.undo(store, actor="ana")
    assert persist.current_clusters(store) == {}
    with pytest.raises(LitrevError, match="nothing to undo"):
        persist.undo(store, actor="ana")
    assert audit_actions(store).count("dedupe.undo") == 2


def test_queued_pair_is_resolved_by_a_decision(store: Store) -> None:
    path = DATA / "uncertain.ris"
    assert path.exists()
    import_files(store, [path], actor="t")
    persist.run(store, actor="t")
    queue = persist.open_queue(store)
    assert [(q.record_a, q.record_b) for q in queue] == [(1, 2)]
    assert persist.current_clusters(store) == {}
    persist.decide(store, 1, 2, persist.SAME, reviewer="ana")
    assert persist.open_queue(store) == []
    assert persist.current_clusters(store) == {1: [1, 2]}
    assert persist.run(store, actor="t").action_id is None  # the decision is respected
    persist.undo(store, actor="ana")
    assert [(q.record_a, q.record_b) for q in persist.open_queue(store)] == [(1, 2)]


def test_conflicting_decisions_are_refused(store: Store) -> None:
    import_files(store, [DATA / "medline_sample.ris", DATA / "scopus_sample.csv"], actor="t")
    persist.run(store, actor="t")
    persist.decide(store, 1, 2, persist.DIFFERENT, reviewer="ana")
    with pytest.raises(LitrevError, match="decided different"):
        persist.decide(store, 2, 4, persist.SAME, reviewer="ana")
    with pytest.raises(LitrevError, match="no record"):
        persist.decide(store, 1, 99, persist.SAME, reviewer="ana")

"""Complete-linkage clustering: no chaining of unrelated records; constraints respected."""

from litrev.dedupe.cluster import complete_linkage
from litrev.dedupe.engine import Deduplicator
from litrev.records.model import Record


def test_a_bridge_record_does_not_chain_two_works() -> None:
    same = {(0, 1), (1, 2)}
    clusters = complete_linkage(3, [(0.99, 0, 1), (0.95, 1, 2)],
                                lambda i, j: (i, j) in same)
    assert clusters == [[0, 1], [2]]


def test_no_chaining_through_a_record_without_a_citation() -> None:
    # A bare record (no journal/pages) resembles both versions; they must not be merged.
    title = "Home care reablement for older people: a randomised trial"
    full = Record(title=title, authors=["Tuntland, H"], year=2015, journal="BMC Geriatr",
                  volume="15", pages="145")
    bare = Record(title=title, authors=["Tuntland, H"], year=2015, journal="BMC Geriatr")
    other = Record(title=title, authors=["Tuntland, H"], year=2015, journal="BMC Geriatr",
                   volume="16", pages="12")
    model = Deduplicator().fit([full, bare, other])
    for cluster in model.clusters_:
        assert not {0, 2} <= set(cluster)


def test_cannot_link_and_must_link_are_obeyed() -> None:
    clusters = complete_linkage(4, [(0.9, 0, 1), (0.9, 2, 3)], lambda i, j: True,
                                cannot_link=[(0, 1)], must_link=[(1, 2)])
    assert clusters == [[0], [1, 2, 3]]


def test_seeds_stay_together() -> None:
    assert complete_linkage(3, [], lambda i, j: False, seeds=[[0, 2]]) == [[0, 2], [1]]


def test_clusters_are_deterministic_and_cover_every_record() -> None:
    records = [Record(title=f"Study number {w} of loneliness", year=2000 + i % 3,
                      authors=["Ng, A"], journal="BMJ", volume="1", pages=f"{i}-{i + 3}")
               for i, w in enumerate(["one", "two", "three", "one", "two"])]
    first = Deduplicator().fit(records).clusters_
    assert first == Deduplicator().fit(records).clusters_
    assert sorted(i for c in first for i in c) == list(range(5))


def test_parallel_path_gives_the_same_clusters(monkeypatch: object) -> None:
    import litrev.dedupe.engine as engine

    monkeypatch.setattr(engine, "_PARALLEL_FROM", 10)  # type: ignore[attr-defined]
    monkeypatch.setattr(engine, "_CHUNK", 7)  # type: ignore[attr-defined]
    titles = ["Reablement at home", "Loneliness in care homes", "Nurse staffing and mortality"]
    records = [Record(title=f"{t} among older people in {place}", year=2019 + k % 2,
                      authors=["Ng, A", "Li, X"], journal="BMJ", volume=str(k), pages="1-9")
               for k, t in enumerate(titles) for place in ("Leeds", "Leeds.", "Oslo")]
    serial = Deduplicator(n_jobs=1).fit(records)
    parallel = Deduplicator(n_jobs=2).fit(records)
    assert parallel.clusters_ == serial.clusters_
    assert parallel.pairs_compared_ == serial.pairs_compared_
    assert any(len(c) > 1 for c in serial.clusters_)

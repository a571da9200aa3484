"""Property tests: normalisation invariances and the complete-linkage guarantee."""

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from litrev.dedupe.compare import DUPLICATE, Settings, judge
from litrev.dedupe.engine import Deduplicator
from litrev.dedupe.features import fingerprint
from litrev.dedupe.normalize import normalize_pages, normalize_title
from litrev.records.model import Record

WORDS = ["care", "home", "sleep", "older", "adults", "trial", "part", "exercise", "loneliness",
         "nurse", "staffing", "reablement", "dementia", "2", "1", "erratum", "review"]
ACCENTS = str.maketrans("aeiou", "áéíöü")


@given(st.lists(st.sampled_from(WORDS[:13]), min_size=3, max_size=10))
def test_title_normalisation_ignores_case_accents_and_punctuation(words: list[str]) -> None:
    title = " ".join(words)
    variants = [title.upper(), title.title() + ".", title.translate(ACCENTS),
                f"<i>{title}</i>", title.replace(" ", ", ", 1) + "!"]
    assert {normalize_title(v) for v in variants} == {normalize_title(title)}


@given(st.integers(min_value=100, max_value=9899), st.integers(min_value=1, max_value=99))
def test_abbreviated_page_ranges_equal_full_ranges(first: int, length: int) -> None:
    full, start, last = normalize_pages(f"{first}-{first + length}"), str(first), str(first + length)
    assert full == (start, last)
    if len(last) == len(start):
        # "1234-1256" may be written "1234-256" or "1234-56" (dropping a shared prefix).
        for cut in range(1, len(last)):
            if last[:cut] == start[:cut]:
                assert normalize_pages(f"{start}-{last[cut:]}") == full


record_strategy = st.builds(
    lambda words, year, author, volume, page: Record(
        title=" ".join(words), year=year, authors=[author], journal="BMJ",
        volume=str(volume), pages=f"{page}-{page + 5}"),
    st.lists(st.sampled_from(WORDS), min_size=4, max_size=7),
    st.integers(min_value=2018, max_value=2020),
    st.sampled_from(["Li, X", "Li X", "Berg, T", "Okafor, A"]),
    st.integers(min_value=1, max_value=2),
    st.sampled_from([10, 100]),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(record_strategy, min_size=2, max_size=12))
def test_every_cluster_member_matches_every_other(records: list[Record]) -> None:
    model = Deduplicator().fit(records)
    assert sorted(i for c in model.clusters_ for i in c) == list(range(len(records)))
    fps = [fingerprint(r) for r in records]
    for cluster in model.clusters_:
        for i, j in itertools.combinations(cluster, 2):
            assert judge(fps[i], fps[j], Settings()).label == DUPLICATE

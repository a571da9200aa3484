"""The three classes found on a labelled set litrev had not seen (issue 10, item 2).

Recurring items of a serial with a generic title kept apart; a shared DOI with pages written in
another form merged; a conference paper and its proceedings dated a year later merged.
"""

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from litrev.dedupe.compare import DISTINCT, DUPLICATE, MAYBE, Settings, judge, venues_compatible
from litrev.dedupe.engine import Deduplicator
from litrev.dedupe.features import fingerprint
from litrev.dedupe.guards import is_generic_title
from litrev.dedupe.normalize import normalize_title
from litrev.dedupe.serial import mark_recurring
from litrev.records.model import Record


def verdict(a: Record, b: Record) -> str:
    return judge(fingerprint(a), fingerprint(b), Settings()).label


def column(title: str, **changes: object) -> Record:
    fields: dict[str, object] = {
        "title": title,
        "authors": ["Rai, Arun"],
        "year": 2021,
        "journal": "MIS Quarterly",
        "volume": "45",
    }
    fields.update(changes)
    return Record(**fields)  # type: ignore[arg-type]


def test_recurring_editor_columns_without_issue_or_pages_are_never_merged() -> None:
    # One editor's column in four issues of one volume; the export dropped issue and pages.
    for title in (
        "Editor's Comments",
        "From the Editor",
        "A note from the editors",
        "Editor's desk: spring issue",
        "In This Issue",
        "Reviewers 2021",
        "Acknowledgement to reviewers",
    ):
        records = [column(title) for _ in range(4)]
        model = Deduplicator().fit(records)
        assert model.clusters_ == [[0], [1], [2], [3]], title
        assert model.review_ == [], title


def test_a_generic_title_merges_on_an_identifier_or_the_same_issue_and_pages() -> None:
    doi = column("Editor's Comments", doi="10.25300/MISQ/2021/45.1.EDC")
    assert (
        verdict(
            doi, column("Editor's comments.", doi="https://doi.org/10.25300/misq/2021/45.1.edc")
        )
        == DUPLICATE
    )
    printed = column("Editor's Comments", issue="2", pages="iii-vi")
    assert verdict(printed, column("EDITOR'S COMMENTS", issue="2", pages="iii-vi")) == DUPLICATE
    assert verdict(printed, column("Editor's Comments", issue="3", pages="iii-vi")) == DISTINCT
    # Same pages, one issue missing: a person decides.
    assert verdict(printed, column("Editor's Comments", pages="iii-vi")) == MAYBE
    assert verdict(printed, column("Editor's Comments", issue="2")) == DISTINCT


def test_generic_is_decided_by_the_title_s_make_up() -> None:
    generic = [
        "Editorial",
        "Editor's Comments",
        "Letter from the editor",
        "In this issue",
        "Reply",
        "Response",
        "Correction",
        "Erratum",
        "Retraction",
        "Book reviews",
        "Meeting abstracts",
        "Abstracts of the 2019 annual meeting",
        "Contents",
        "Index to volume 45",
        "Acknowledgement to reviewers 2019",
        "President's message",
        "Letters to the editor",
        "Highlights of this issue",
    ]
    specific = [
        "Editorial: sleep in care homes is a public health issue",
        "Letters from the front line of dementia care",
        "Reply to a reviewer's bias",
        "Introduction of a falls programme in twelve care homes",
        "Correction of vitamin D deficiency in older adults: a trial",
    ]
    assert [t for t in generic if not is_generic_title(normalize_title(t))] == []
    assert [t for t in specific if is_generic_title(normalize_title(t))] == []


def test_a_title_that_recurs_in_one_journal_is_treated_as_generic() -> None:
    # Not section words, but the input shows the title in three volumes of the journal.
    gateways = [
        column(
            "Gateways to clinical trials",
            journal="Methods Find Exp Clin Pharmacol",
            volume=v,
            pages=p,
            year=y,
            authors=["Bayes, M", "Rabasseda, X"],
        )
        for v, p, y in (("25", "387-408", 2003), ("26", "473-503", 2004), ("26", None, 2004))
    ]
    assert verdict(gateways[1], gateways[2]) == DUPLICATE  # the pair alone looks like one item
    model = Deduplicator().fit(gateways)
    assert model.clusters_ == [[0], [1], [2]]
    fps = [fingerprint(r) for r in gateways]
    assert mark_recurring(fps) == 3 and all(fp.generic for fp in fps)


def test_one_article_copied_with_a_page_typo_is_not_a_recurring_title() -> None:
    copies = [
        column(
            "Disease recurrence in paediatric renal transplantation",
            journal="Pediatr Nephrol",
            volume="24",
            pages=p,
            year=2009,
            authors=["Cochat, P", "Fargue, S"],
        )
        for p in ("2297-2108", "2097-2108")
    ]
    copies.append(
        column(
            "Disease recurrence in paediatric renal transplantation",
            journal="Pediatric Nephrology",
            volume="24",
            pages="S33-38",
            year=2009,
            authors=["Cochat, P", "Fargue, S"],
        )
    )
    # Online-first and print years either side of the true one: not a recurring title.
    copies += [
        column(
            "Disease recurrence in paediatric renal transplantation",
            journal="Pediatr Nephrol",
            volume="24",
            pages="2097-2108",
            year=year,
            authors=["Cochat, P", "Fargue, S"],
        )
        for year in (2008, 2010)
    ]
    fps = [fingerprint(r) for r in copies]
    assert mark_recurring(fps) == 0
    labels = Deduplicator().fit(copies).labels_
    assert labels[0] == labels[1]


def plos(**changes: object) -> Record:
    fields: dict[str, object] = {
        "title": "Loneliness and sleep in older adults: a cohort study",
        "authors": ["Okafor, Ada", "Li, Xiu"],
        "year": 2019,
        "journal": "PLoS One",
        "volume": "14",
        "doi": "10.1371/journal.pone.0212345",
    }
    fields.update(changes)
    return Record(**fields)  # type: ignore[arg-type]


def test_a_shared_doi_merges_when_pages_are_an_article_number_and_a_page_count() -> None:
    other_form = "https://doi.org/10.1371/JOURNAL.PONE.0212345"
    for ours, theirs in (("e0212345", "1-12"), ("212345", "1-12"), ("e0212345", "12 pp")):
        assert verdict(plos(pages=ours), plos(pages=theirs, doi=other_form)) == DUPLICATE
    # A PMID or a database's accession number is as strong as the DOI.
    for ids in ({"pmid": "30789012"}, {"record_id": "2-s2.0-85061987654"}):
        assert (
            verdict(plos(doi=None, pages="e0212345", **ids), plos(doi=None, pages="1-12", **ids))
            == DUPLICATE
        )
    # The year given as the volume by one database is a form, not a conflict, too.
    assert verdict(plos(volume="2019"), plos(volume="14", doi=other_form)) == DUPLICATE
    assert verdict(plos(volume="13"), plos(volume="14", doi=other_form)) == MAYBE
    # One printed page against a range starting elsewhere is how an erratum looks: still queued.
    assert verdict(plos(pages="2205"), plos(pages="2195-2204")) == MAYBE
    # A shorter title without the DOI: the differing page forms are left to a person.
    short = {"doi": None, "title": "Loneliness and sleep in older adults"}
    assert verdict(plos(pages="e0212345", **short), plos(pages="1-12", **short)) == MAYBE


PAPER = "Designing conversational agents for older adults living alone at home"


def paper(**changes: object) -> Record:
    fields: dict[str, object] = {
        "title": PAPER,
        "authors": ["Berg, Tom", "Li, Xiu", "Ruiz, Ana"],
        "year": 2017,
        "publication_type": "inproceedings",
        "journal": "Proceedings of AMCIS 2017",
    }
    fields.update(changes)
    return Record(**fields)  # type: ignore[arg-type]


def test_a_conference_paper_and_its_proceedings_a_year_later_are_one_paper() -> None:
    assert verdict(paper(), paper(year=2018, journal="AMCIS 2017 Proceedings")) == DUPLICATE
    # Another meeting of the series (the same abstract given again) is not the same paper.
    assert verdict(paper(), paper(year=2018, journal="AMCIS 2018 Proceedings")) != DUPLICATE
    # Year +-1 only for meeting papers: two journal articles need more than title and authors.
    journal = paper(publication_type=None, journal="Computers in Human Behavior")
    assert (
        verdict(journal, paper(publication_type=None, journal="Comput Hum Behav Rep", year=2018))
        != DUPLICATE
    )


def test_a_proceedings_paper_indexed_as_a_journal_article_a_year_apart_is_one_item() -> None:
    scopus = paper(
        journal="Studies in Health Technology and Informatics",
        volume="245",
        pages="1017-1021",
        year=2018,
        publication_type="Conference Paper",
    )
    pubmed = paper(
        journal="Stud Health Technol Inform",
        volume="245",
        pages="1017-21",
        year=2017,
        publication_type=None,
    )
    assert verdict(scopus, pubmed) == DUPLICATE
    # Without the same volume and pages the two stay linked as versions, not merged.
    later = paper(
        journal="J Med Internet Res", volume="20", pages="e117", year=2018, publication_type=None
    )
    assert verdict(scopus, later) != DUPLICATE


def test_venue_names_of_one_meeting() -> None:
    assert venues_compatible(
        ("ecis", "2019", "proceedings"),
        ("proceedings", "27th", "european", "conference", "ecis", "2019"),
    )
    assert not venues_compatible(("chi", "2019"), ("cscw", "2019"))


def test_a_very_short_title_without_pages_is_queued_not_merged() -> None:
    # Seen twice only, a column's title cannot be told from a work's; pages can.
    once = column("Nursing matters", journal="Nurs Stand", volume="30")
    assert (
        verdict(once, column("Nursing Matters.", journal="Nursing Standard", volume="30")) == MAYBE
    )
    assert (
        verdict(column("Nursing matters", pages="12-13"), column("Nursing matters", pages="12-13"))
        == DUPLICATE
    )


def test_unsigned_front_matter_merges_on_the_same_issue_and_pages_only() -> None:
    contents = column("Contents", authors=[], issue="3", pages="i-ii")
    assert verdict(contents, column("CONTENTS", authors=[], issue="3", pages="i-ii")) == DUPLICATE
    assert verdict(contents, column("Contents", authors=[], issue="4", pages="i-ii")) == DISTINCT
    assert verdict(contents, column("Contents", authors=[])) == DISTINCT


def test_two_dois_under_one_short_title_in_a_journal_make_it_recurring() -> None:
    def item(doi: str | None) -> Record:
        return column(
            "Research round-up for busy clinicians",
            journal="Nurs Stand",
            doi=doi,
            pages=None,
            volume="30",
        )

    items = [item("10.7748/ns.30.1.1.s1"), item("10.7748/ns.30.2.1.s1"), item(None)]
    assert Deduplicator().fit(items).clusters_ == [[0], [1], [2]]
    # A DOI's versions are one item, and so are a Cochrane review's updates (a guard links
    # those): neither makes the title recurring.
    versions = [item("10.21203/rs.3.rs-1234/v1"), item("10.21203/rs.3.rs-1234/v2")]
    assert mark_recurring([fingerprint(r) for r in versions]) == 0
    review = {
        "title": "Exercise for sleep in older people",
        "journal": "Cochrane Database Syst Rev",
    }
    updates = [
        Record(**review, doi="10.1002/14651858.CD001234.pub2", year=2015),  # type: ignore[arg-type]
        Record(**review, doi="10.1002/14651858.CD001234.pub3", year=2020),  # type: ignore[arg-type]
    ]
    assert mark_recurring([fingerprint(r) for r in updates]) == 0


FILLER = ["s", "from", "the", "in", "this", "to", "2019"]
SECTION = [
    "editor",
    "editors",
    "editorial",
    "comments",
    "note",
    "issue",
    "reply",
    "letter",
    "reviewers",
    "acknowledgement",
    "desk",
]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.sampled_from(SECTION), min_size=1, max_size=3),
    st.lists(st.sampled_from(FILLER), max_size=3),
    st.randoms(use_true_random=False),
    st.integers(2, 6),
)
def test_section_word_titles_without_locator_never_merge(
    section: list[str], filler: list[str], rng: random.Random, copies: int
) -> None:
    words = section + filler
    rng.shuffle(words)
    title = " ".join(words).title()
    records = [column(title) for _ in range(copies)]
    assert Deduplicator().fit(records).clusters_ == [[i] for i in range(copies)]

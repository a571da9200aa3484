"""Each guard against a known false merge, and the related-version links."""

from litrev.dedupe.compare import DISTINCT, DUPLICATE, MAYBE, RELATED, Settings, judge
from litrev.dedupe.engine import Deduplicator
from litrev.dedupe.features import fingerprint
from litrev.records.model import Record

TITLE = "Effects of structured exercise on sleep quality in care home residents"


def article(**changes: object) -> Record:
    fields: dict[str, object] = {
        "title": TITLE, "authors": ["Li, Xiu", "Okafor, Ada", "Berg, Tom"], "year": 2020,
        "journal": "Age and Ageing", "volume": "49", "issue": "3", "pages": "401-409",
    }
    fields.update(changes)
    return Record(**fields)  # type: ignore[arg-type]


def verdict(a: Record, b: Record, **settings: object) -> str:
    return judge(fingerprint(a), fingerprint(b), Settings(**settings)).label  # type: ignore[arg-type]


def test_the_same_article_from_two_databases_is_a_duplicate() -> None:
    other = article(title=TITLE.upper() + ".", authors=["Li X", "Okafor A", "Berg T"],
                    journal="Age Ageing", pages="401-9")
    assert verdict(article(), other) == DUPLICATE


def test_erratum_retraction_and_concern_are_not_merged_with_the_article() -> None:
    for title in (f"Erratum: {TITLE}", f"Correction to: {TITLE}", f"Retraction: {TITLE}",
                  f"Retracted: {TITLE}", f"Expression of concern: {TITLE}",
                  f"{TITLE} (vol 49, pg 401, 2020)"):
        notice = article(title=title, pages="800", issue="5")
        assert verdict(article(), notice) == RELATED, title


def test_a_shared_doi_does_not_merge_an_erratum_with_its_article() -> None:
    notice = article(title=f"Erratum: {TITLE}", pages="800", doi="10.1093/ageing/afz001")
    assert verdict(article(doi="10.1093/ageing/afz001"), notice) == RELATED


def test_comment_and_reply_are_not_merged_with_the_article() -> None:
    for title in (f"Comment on: {TITLE}", f"Reply to: {TITLE}", f"{TITLE} - Reply",
                  f"Re: {TITLE}", f"Letter to the editor regarding {TITLE}"):
        letter = article(title=title, authors=["Smith, John"], pages="810-811")
        assert verdict(article(), letter) in (RELATED, DISTINCT), title


def test_conference_abstract_is_related_to_the_full_paper_not_merged() -> None:
    abstract = article(journal="Age and Ageing. Conference: British Geriatrics Society Meeting",
                       volume="48", issue="Suppl 1", pages="i12", year=2019)
    assert verdict(article(), abstract) == RELATED
    typed = article(publication_type="Conference Abstract", pages=None, volume=None)
    assert verdict(article(), typed) == RELATED


def test_part_one_and_part_two_are_distinct() -> None:
    one = article(title=f"{TITLE}: Part 1", pages="401-409")
    two = article(title=f"{TITLE}: Part 2", pages="410-419")
    assert verdict(one, two) == DISTINCT
    roman = article(title=f"{TITLE}. II. Outcomes", pages="410-419")
    assert verdict(article(title=f"{TITLE}. I. Outcomes"), roman) == DISTINCT
    phases = (article(title=f"A phase 2 trial of {TITLE}"),
              article(title=f"A phase 3 trial of {TITLE}"))
    assert verdict(*phases) == DISTINCT


def test_guideline_copublished_in_several_journals_stays_apart() -> None:
    title = "2020 consensus statement on the management of delirium in older people"
    first = article(title=title, journal="Age and Ageing", volume="49", pages="1-20")
    second = article(title=title, journal="Journal of the American Geriatrics Society",
                     volume="68", pages="200-219")
    assert verdict(first, second) == DISTINCT


def test_generic_titles_need_the_full_citation() -> None:
    first = article(title="Editorial", authors=["Berg, Tom"], pages="1")
    elsewhere = article(title="Editorial", authors=["Berg, Tom"], pages="201", issue="4")
    assert verdict(first, elsewhere) == DISTINCT
    assert verdict(first, article(title="EDITORIAL.", authors=["Berg T"], pages="1")) == DUPLICATE
    for title in ("Letter", "Correction", "Introduction"):
        assert verdict(article(title=title, pages="5"), article(title=title, pages="9")) == DISTINCT


def test_preprint_thesis_and_cochrane_updates_are_related_unless_merging_versions() -> None:
    preprint = article(journal="medRxiv", volume=None, issue=None, pages=None, year=2019,
                       doi="10.1101/2019.12.01.123456")
    assert verdict(article(), preprint) == RELATED
    assert verdict(article(), preprint, merge_versions=True) != RELATED
    thesis = article(journal="ProQuest Dissertations and Theses", publication_type="Thesis",
                     volume=None, issue=None, pages="1-210", authors=["Li, Xiu"], year=2019)
    assert verdict(article(), thesis) == RELATED
    review = "Exercise for sleep in older people"
    pub2 = article(title=review, journal="Cochrane Database Syst Rev", volume=None,
                   pages="CD001234", doi="10.1002/14651858.CD001234.pub2", year=2015)
    pub3 = article(title=review, journal="Cochrane Database Syst Rev", volume=None,
                   pages="CD001234", doi="10.1002/14651858.CD001234.pub3", year=2020)
    assert verdict(pub2, pub3) == RELATED


def test_uncertain_pairs_go_to_the_review_queue() -> None:
    # Same title and authors, one record without any citation details: not guessed.
    bare = Record(title=TITLE, authors=["Li, Xiu", "Okafor, Ada", "Berg, Tom"], year=2020)
    other = Record(title=TITLE, authors=["Li, Xiu"], year=2020)
    assert verdict(bare, other) in (MAYBE, DUPLICATE)
    model = Deduplicator().fit([article(), article(title=TITLE + " in Norway", pages="501-9")])
    assert model.clusters_ == [[0], [1]]
    assert [(q.a, q.b) for q in model.review_] == [(0, 1)]


def test_a_title_one_word_apart_with_only_the_journal_in_common_is_queued() -> None:
    first = article(title="Reablement services for people at risk of needing long-term care",
                    volume=None, issue=None, pages=None)
    second = article(title="Reablement services for older people at risk of needing long-term "
                     "care", volume=None, issue=None, pages=None)
    assert verdict(first, second) == MAYBE


def test_qualitative_and_quantitative_companion_papers_stay_apart() -> None:
    first = article(title="Reablement for people with dementia: qualitative findings")
    second = article(title="Reablement for people with dementia: quantitative findings",
                     pages="410-418")
    assert verdict(first, second) in (MAYBE, DISTINCT)
    # Online-first records without volume or pages: a person decides.
    online = {"volume": None, "issue": None, "pages": None}
    assert verdict(article(title=first.title, **online),
                   article(title=second.title, **online)) == MAYBE


def test_cochrane_updates_without_doi_are_related_by_cd_number_and_year() -> None:
    first = Record(title="Treatment for POEMS syndrome", authors=["Kuwabara, S"], year=2008,
                   journal="Cochrane Database of Systematic Reviews", pages="CD006828")
    update = Record(title="Treatment for POEMS syndrome", authors=["Kuwabara, S"], year=2012,
                    journal="Cochrane Database Syst Rev", pages="CD006828")
    assert verdict(first, update) == RELATED
    same = Record(title="Treatment for POEMS syndrome", authors=["Kuwabara S"], year=2008,
                  journal="Cochrane Database Syst Rev", pages="CD006828")
    assert verdict(first, same) == DUPLICATE


def test_a_reworded_title_without_volume_or_pages_goes_to_the_review_queue() -> None:
    # Print and online titles of one NEJM letter (haematology set, id_0000818/id_0000819): the
    # same authors, journal and year, but one record has no volume or pages to confirm it.
    authors = ["Lapeyraque, A. L.", "Malina, M.", "Fremeaux-Bacchi, V.", "Boppel, T."]
    printed = Record(title="Eculizumab in severe Shiga-toxin-associated HUS", authors=authors,
                     year=2011, journal="New England Journal of Medicine", volume="364",
                     issue="26", pages="2561-2563")
    online = Record(title="Complement Blockade in Severe Shiga-Toxin–Associated HUS",
                    authors=["Lapeyraque, AL", "Malina, M", "Fremeaux-Bacchi, V", "Boppel, T"],
                    year=2011, journal="New Engl J Med")
    assert verdict(printed, online) == MAYBE
    # With the citation on both records and a conflict in it, they stay apart.
    assert verdict(printed, Record(**{**online.__dict__, "volume": "365", "pages": "10-12"})) != DUPLICATE

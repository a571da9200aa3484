"""Judging one pair of fingerprints: duplicate, related version, uncertain, or distinct.

The rules are ordered from the guards (which refuse merges that look right but are wrong) to
the evidence (identifiers, then title with authors and bibliographic details). A pair the rules
cannot settle is `maybe`, which sends it to the review queue instead of guessing.

>>> from litrev.records.model import Record
>>> from litrev.dedupe.features import fingerprint
>>> a = fingerprint(Record(title="Sleep and pain", authors=["Li, X"], year=2020, pages="1-9"))
>>> b = fingerprint(Record(title="Erratum: Sleep and pain", authors=["Li, X"], year=2020))
>>> judge(a, b, Settings()).label
'related'
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz

from litrev.dedupe.features import Fingerprint
from litrev.dedupe.normalize import page_forms_differ

DUPLICATE, RELATED, MAYBE, DISTINCT = "duplicate", "related", "maybe", "distinct"
_SHORT_TITLE_WORDS = 3


@dataclass(frozen=True)
class Settings:
    """Tunable thresholds (similarities in 0..1). The defaults are the benchmarked setting.

    `title_threshold`: title similarity from which title + authors + one bibliographic
    agreement make a duplicate. `review_threshold`: title similarity from which a pair that is
    not a clear duplicate goes to the review queue. `merge_versions`: merge preprint/journal,
    thesis/article, abstract/paper and Cochrane updates instead of linking them as related.
    """

    title_threshold: float = 0.93
    review_threshold: float = 0.85
    merge_versions: bool = False
    max_block: int = 60
    window: int = 8


@dataclass(frozen=True, slots=True)
class Judgement:
    label: str
    score: float
    reason: str


def title_similarity(a: str, b: str) -> float:
    """Similarity of two normalised titles, forgiving word order and a dropped subtitle."""
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    score = max(fuzz.ratio(a, b), fuzz.token_sort_ratio(a, b)) / 100
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    if len(short) >= 40 and long.startswith(short):
        score = max(score, 0.95)
    return score


def _same_surname(x: str, y: str) -> bool:
    """Typos, lost diacritics and dropped particles ("Kessel" = "van Kessel")."""
    if min(len(x), len(y)) >= 4 and (x.endswith(y) or y.endswith(x)):
        return True
    return fuzz.ratio(x, y) >= 80


def author_similarity(a: Fingerprint, b: Fingerprint) -> float | None:
    """Share of the first authors (up to 5) of one list found in the other, the better direction.

    The better direction, because one database truncates a list another gives in full. A name
    matches on surname, on a swapped given name/surname, or on a near-identical surname (typos,
    lost diacritics). None when either record has no personal author.
    """
    if not a.surnames or not b.surnames:
        return None

    def share(x: Fingerprint, y: Fingerprint) -> float:
        head = x.surnames[:5]
        pool = set(y.surnames) | {s for s in y.alt_surnames if len(s) > 1}
        hits = 0
        for position, name in enumerate(head):
            alt = x.alt_surnames[position] if position < len(x.alt_surnames) else ""
            if name in pool or (len(alt) > 1 and alt in pool) or any(
                _same_surname(name, other) for other in y.surnames[:30]
            ):
                hits += 1
        return hits / len(head)

    return max(share(a, b), share(b, a))


def journals_compatible(a: tuple[str, ...], b: tuple[str, ...]) -> bool | None:
    """True when one journal name is the other or its abbreviation ("Nat Rev Nephrol")."""
    if not a or not b:
        return None
    if a == b:
        return True
    if venue_years_differ(a, b):
        return False  # "AMCIS 2017 Proceedings" / "AMCIS 2018 Proceedings": two meetings
    short, long = (a, b) if sum(map(len, a)) <= sum(map(len, b)) else (b, a)
    position = 0
    for token in short:
        while position < len(long) and not long[position].startswith(token):
            position += 1
        if position == len(long):
            break
        position += 1
    else:
        return True
    return fuzz.ratio(" ".join(a), " ".join(b)) >= 90


def venue_years_differ(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Both venue names give a year and no year is shared: two meetings of one series.

    >>> venue_years_differ(("amcis", "2017", "proceedings"), ("amcis", "2018", "proceedings"))
    True
    """
    years = [{t for t in name if len(t) == 4 and t[:2] in ("19", "20") and t.isdigit()}
             for name in (a, b)]
    return bool(years[0] and years[1] and not years[0] & years[1])


_VENUE_WORDS = frozenset("""
proceedings proc conference conf international int annual annu meeting symposium symp workshop
congress ieee acm ifip aaai usenix of on the and in for th st nd rd
""".split())  # noqa: SIM905 (a word list reads best as text)


def venues_compatible(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Two names of one meeting's proceedings ("Proc AMCIS 2017" / "AMCIS 2017 Proceedings").

    Compatible when the journal test passes, or when the words that name the meeting (not
    "proceedings", "international", "conference"...) of one name are all in the other and
    the years the names give, if both give one, are the same.

    >>> venues_compatible(("proceedings", "amcis", "2017"), ("amcis", "2017", "proceedings"))
    True
    >>> venues_compatible(("amcis", "2017"), ("amcis", "2018", "proceedings"))
    False
    """
    if venue_years_differ(a, b):
        return False
    if journals_compatible(a, b):
        return True
    words = [{t for t in name if t not in _VENUE_WORDS and not t.isdigit()} for name in (a, b)]
    short, long = sorted(words, key=len)
    return bool(short) and short <= long


def _identifiers(a: Fingerprint, b: Fingerprint) -> tuple[bool, bool]:
    """(some identifier equal, some identifier of the same kind different)."""
    same = conflict = False
    for x, y in ((a.doi, b.doi), (a.pmid, b.pmid), (a.pmcid, b.pmcid)):
        if x and y:
            if x == y:
                same = True
            else:
                conflict = True
    if a.accessions and b.accessions:
        for acc in a.accessions:
            db = acc.split(":")[0]
            others = [o for o in b.accessions if o.startswith(db + ":")]
            if acc in others:
                same = True
            elif others:
                conflict = True
    return same, conflict


def _first_page(fp: Fingerprint) -> str | None:
    return fp.pages[0] if fp.pages else None


def _same_pages(a: Fingerprint, b: Fingerprint) -> bool | None:
    """First pages equal, forgiving a letter prefix one database drops ("c37" = "37")."""
    x, y = _first_page(a), _first_page(b)
    if not x or not y:
        return None
    if x == y:
        return True
    if a.pages and b.pages and a.pages[1] == b.pages[1]:
        # "2141-2147" vs "2142-2147": a typo in the first page; "488" vs "487-488": one
        # database gives only the last page.
        return True
    if x[0].isalpha() != y[0].isalpha():
        return x.lstrip("abcdefghijklmnopqrstuvwxyz") == y.lstrip("abcdefghijklmnopqrstuvwxyz")
    return False


def _page_vs_range(a: Fingerprint, b: Fingerprint) -> bool:
    """One printed page against a printed page range (how an unlabelled erratum looks)."""
    ranged = [fp.pages is not None and fp.pages[0].isdigit() and fp.pages[0] != fp.pages[1]
              for fp in (a, b)]
    return (_one_page(a) and ranged[1]) or (_one_page(b) and ranged[0])


def _one_page(fp: Fingerprint) -> bool:
    """A single printed page ("2205"); electronic article numbers ("e12724") are not."""
    return fp.pages is not None and fp.pages[0] == fp.pages[1] and fp.pages[0].isdigit()


def _short_item(fp: Fingerprint) -> bool:
    """A one- or two-page item or one in a supplement: the size of a printed abstract."""
    if fp.issue and fp.issue.startswith("s"):
        return True
    if not fp.pages:
        return False
    first, last = fp.pages
    return first == last or (first.isdigit() and last.isdigit() and int(last) - int(first) <= 1)


def _same_item(a: Fingerprint, b: Fingerprint) -> bool:
    if _same_pages(a, b):
        return True
    abstract, article = (a, b) if a.abstract else (b, a)
    return (
        abstract.pages is None
        and _short_item(article)
        and journals_compatible(a.journal, b.journal) is True
    )


def _version_relation(a: Fingerprint, b: Fingerprint) -> str | None:
    if a.cochrane and b.cochrane and a.cochrane[0] == b.cochrane[0] and a.cochrane != b.cochrane:
        return "cochrane update"
    if a.version_kind != b.version_kind:
        kinds = {a.version_kind, b.version_kind}
        if kinds == {"abstract", "article"} and _same_item(a, b) and (
            a.year == b.year or _same_printed_proceedings(a, b)
        ):
            # One database lists a meeting supplement's abstract (or a proceedings paper)
            # under the conference, another under the journal: same printed item, not two
            # versions.
            return None
        return f"{a.version_kind} / {b.version_kind}"
    return None


def _same_printed_proceedings(a: Fingerprint, b: Fingerprint) -> bool:
    """A proceedings paper indexed as a journal article, dated a year apart.

    Proceedings printed as a journal volume (a lecture-notes series, a "Studies in ..." book
    series) carry the meeting's year in one database and the volume's year in the other. The
    printed citation must agree: the same venue, volume and first page.
    """
    return (
        a.year is not None and b.year is not None and abs(a.year - b.year) == 1
        and a.volume is not None and a.volume == b.volume
        and _same_pages(a, b) is True
        and journals_compatible(a.journal, b.journal) is True
    )


def _page_forms_differ(a: Fingerprint, b: Fingerprint) -> bool:
    return a.pages is not None and b.pages is not None and page_forms_differ(a.pages, b.pages)


def _volume_is_year(a: Fingerprint, b: Fingerprint) -> bool:
    """One database gives the year as the volume ("2019") where another gives the number."""
    years = {y + d for y in (a.year, b.year) if y for d in (-1, 0, 1)}
    return any(v is not None and v.isdigit() and int(v) in years for v in (a.volume, b.volume))


def _judge_generic(
    a: Fingerprint, b: Fingerprint, ts: float, au: float | None, same_id: bool, same_print: bool
) -> Judgement:
    """Two records of which one has a generic or recurring title ("Editor's Comments").

    The title says nothing about which item of the serial it is, and the same author writes
    every one of them: only an identifier, or the same issue and the same pages, tell two
    items apart. The same volume, year and pages with an issue missing is left to a person.
    """
    if same_id:
        return Judgement(DUPLICATE, ts, "generic title, same identifier")
    # (Unsigned items, "Contents" or "Index", are compared on their citation alone.)
    if ts < 0.95 or (au is not None and au < 0.8) or not same_print:
        return Judgement(DISTINCT, ts, "generic title, citation differs")
    if a.issue and b.issue:
        if a.issue == b.issue:
            return Judgement(DUPLICATE, ts, "generic title, same issue and pages")
        return Judgement(DISTINCT, ts, "generic title, issues differ")
    return Judgement(MAYBE, ts, "generic title, same pages, issue unknown")


def judge(a: Fingerprint, b: Fingerprint, settings: Settings) -> Judgement:
    """Decide whether two records are the same publication (see module docstring)."""
    id_same, id_conflict = _identifiers(a, b)
    ts = title_similarity(a.title, b.title)
    if id_same and id_conflict and ts < 0.9:
        return Judgement(MAYBE, ts, "identifiers disagree")
    if not id_same and ts < 0.6:
        return Judgement(DISTINCT, ts, "titles differ")

    au = author_similarity(a, b)
    if au is not None and a.surnames[0] == b.surnames[0]:
        au = max(au, 0.6)  # same first author; co-author lists differ in length and spelling
    journal_ok = journals_compatible(a.journal, b.journal)
    year_gap = abs(a.year - b.year) if a.year and b.year else None
    volume_eq = a.volume == b.volume if a.volume and b.volume else None
    page_eq = _same_pages(a, b)
    exact_biblio = volume_eq and page_eq and year_gap == 0

    # Guards: notices, versions, parts. These hold even against a shared identifier, since
    # databases attach the article's DOI to its erratum and a preprint's DOI to the paper.
    full_pages = a.pages is not None and a.pages == b.pages
    same_print = full_pages and a.volume == b.volume and a.year == b.year
    if a.notice != b.notice and not same_print:
        # (An erratum indexed without its "Erratum:" label has the erratum's own page.)
        label = RELATED if ts >= 0.6 else DISTINCT
        return Judgement(label, ts, f"{a.notice or 'article'} vs {b.notice or 'article'}")
    relation = _version_relation(a, b)
    if relation and not settings.merge_versions:
        return Judgement(RELATED if ts >= 0.75 else DISTINCT, ts, f"versions: {relation}")
    if a.generic or b.generic:
        if id_same and not id_conflict and (
            volume_eq is False or (page_eq is False and not _page_forms_differ(a, b))
        ):
            # Two "Introduction"s with one book's DOI are two chapters.
            return Judgement(MAYBE, ts, "generic title, same identifier, citation differs")
        return _judge_generic(a, b, ts, au, id_same and not id_conflict, same_print)
    if a.notice or b.notice:
        # Two notices with one printed citation are one notice, however each database words
        # the corrected article's reference in its title.
        if (id_same and not id_conflict) or (ts >= 0.7 and same_print and (au or 0) >= 0.8):
            return Judgement(DUPLICATE, ts, "notice, same citation")
        return Judgement(DISTINCT, ts, "notice, citation differs")
    if a.parts != b.parts:
        if a.parts and b.parts:
            return Judgement(DISTINCT, ts, "different part numbers")
        return Judgement(MAYBE if ts >= 0.9 else DISTINCT, ts, "part number in one title only")
    if a.numbers and b.numbers and a.numbers != b.numbers:
        return Judgement(MAYBE if id_same else DISTINCT, ts, "numbers in titles differ")


    elsewhere = journal_ok is False or volume_eq is False or page_eq is False
    if a.guideline and elsewhere and not id_same:
        return Judgement(DISTINCT, ts, "guideline co-published elsewhere")

    if id_same and not id_conflict:
        volume_conflict = volume_eq is False and not _volume_is_year(a, b)
        if volume_conflict or (page_eq is False and not _page_forms_differ(a, b)):
            return Judgement(MAYBE, ts, "same identifier, citation differs")
        if ts >= 0.8 or (au or 0) >= 0.8 or not a.title or not b.title:
            return Judgement(DUPLICATE, max(ts, 0.95), "same identifier")
        return Judgement(MAYBE, ts, "same identifier, titles differ")

    near = ts >= settings.review_threshold
    if id_conflict:
        if ts >= 0.97 and exact_biblio and (au or 0) >= 0.9:
            return Judgement(MAYBE, ts, "different identifiers, same citation")
        return Judgement(DISTINCT, ts, "different identifiers")
    if year_gap is not None and year_gap > 1:
        return Judgement(MAYBE if near and exact_biblio else DISTINCT, ts, "years differ")
    if (page_eq is False and volume_eq and year_gap == 0 and journal_ok and ts >= 0.98
            and (au or 0) >= 0.9 and len(a.title) >= 50 and not _page_vs_range(a, b)):
        # Same long title, authors, journal, volume and year: a mistyped page range. (Not a
        # one-page item against an article: that is how an unlabelled erratum looks.)
        return Judgement(DUPLICATE, ts, "citation agrees except pages")
    if volume_eq is False or page_eq is False:
        if near and (au or 0) >= 0.9 and (volume_eq or page_eq):
            return Judgement(MAYBE, ts, "citation differs")
        return Judgement(DISTINCT, ts, "volume or pages differ")
    if not a.title or not b.title:
        return Judgement(DISTINCT, ts, "no title")

    # Agreement beyond the title: journal, volume, first page (the year alone is too common).
    support = sum(x is True for x in (journal_ok, volume_eq, page_eq))
    authors_ok = au is None or au >= 0.8
    full_range = full_pages and a.pages is not None and a.pages[0] != a.pages[1]
    if au is not None and au < 0.5:
        if ts >= 0.97 and exact_biblio:
            return Judgement(MAYBE, ts, "authors differ")
        return Judgement(DISTINCT, ts, "authors differ")
    # Below near-identity, a journal match alone does not confirm a title that differs by a
    # word ("for people" / "for older people"): volume or first page must agree too.
    located = bool(volume_eq or page_eq) or ts >= 0.98
    short_title = a.title.count(" ") < _SHORT_TITLE_WORDS
    if page_eq is None and short_title and ts >= settings.review_threshold:
        # A title of two or three words ("Nursing matters") may be a column seen once in
        # this input; without pages nothing tells one item from the next.
        return Judgement(MAYBE, ts, "short title, no pages to confirm")
    if (ts >= settings.title_threshold and authors_ok and located
            and support >= (2 if au is None else 1)):
        return Judgement(DUPLICATE, ts, "title, authors and citation agree")
    if ts >= 0.97 and (au or 0) >= 0.6 and support >= 2:
        return Judgement(DUPLICATE, ts, "title and citation agree, authors partly")
    if ts >= 0.9 and au is not None and exact_biblio:
        return Judgement(DUPLICATE, ts, "citation agrees, authors partly")
    if ts >= 0.6 and (au or 0) >= 0.8 and exact_biblio and full_range and journal_ok is not False:
        return Judgement(DUPLICATE, ts, "citation and authors agree, title translated or reworded")
    if (a.title == b.title and au is not None and au >= 0.9 and year_gap == 0
            and min(len(a.surnames), len(b.surnames)) >= 2 and len(a.title) >= 40
            and not venue_years_differ(a.journal, b.journal)):
        # Venue names differ beyond abbreviation ("AMCIS 2017 Proceedings"), nothing conflicts.
        # Only for identical titles: "qualitative"/"quantitative findings" differ by a word.
        # (Not venues naming two years: one abstract given at two meetings is two records.)
        return Judgement(DUPLICATE, ts, "title, authors and year agree")
    if (year_gap == 1 and a.abstract and b.abstract and a.title == b.title
            and au is not None and au >= 0.9 and min(len(a.surnames), len(b.surnames)) >= 2
            and len(a.title) >= 40 and venues_compatible(a.journal, b.journal)):
        # A conference paper is dated by the meeting in one database and by its proceedings,
        # published the next year, in another. The venue must be the same meeting: a venue
        # naming another year is another meeting, where the same abstract may be given again.
        return Judgement(DUPLICATE, ts, "conference paper, proceedings dated a year later")
    if (ts >= 0.75 and au is not None and au >= 0.9 and min(len(a.surnames), len(b.surnames)) >= 3
            and year_gap == 0 and journal_ok and located):
        # Three or more authors in the same order, same journal and year, nothing conflicting:
        # one paper whose title a database reworded (e.g. the print vs the online title).
        return Judgement(DUPLICATE, ts, "authors, journal and year agree, title reworded")
    if (ts >= 0.75 and au is not None and au >= 0.9 and min(len(a.surnames), len(b.surnames)) >= 3
            and year_gap == 0 and journal_ok and volume_eq is None and page_eq is None):
        # The same as above, but one record has no volume or pages to confirm it: a person decides.
        return Judgement(MAYBE, ts, "authors, journal and year agree, title reworded, no citation")
    no_venue = not (a.journal or b.journal)
    if ts >= 0.97 and authors_ok and year_gap == 0 and support == 0 and no_venue:
        return Judgement(MAYBE, ts, "same title and year, no citation to confirm")
    if near:
        return Judgement(MAYBE, ts, "similar but not conclusive")
    return Judgement(DISTINCT, ts, "not similar enough")

"""What kind of publication a record is, so that known false merges can be refused.

A retraction notice, an erratum or a comment usually repeats the article's title; a conference
abstract shares title and authors with the later paper; "Part 1" and "Part 2" differ by one
character. These functions read such signals from normalised fields.

>>> notice_kind("erratum to: effects of exercise on sleep")
'erratum'
>>> part_numbers("outcomes after stroke part ii rehabilitation")
('part:2', 'roman:2')
>>> is_generic_title("editorial")
True
"""

from __future__ import annotations

import re

from litrev.dedupe.normalize import ROMAN

_NOTICE_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("retraction", re.compile(r"^(?:notice of )?retract(?:ion|ed)\b|\bretraction (?:note|notice)\b"
                              r"|^withdrawn\b|\bretracted article\b")),
    ("concern", re.compile(r"^expression of concern\b|\beditorial expression of concern\b")),
    ("erratum", re.compile(r"^(?:erratum|errata|corrigendum|corrigenda|correction|"
                           r"publisher s? (?:correction|note)|author correction|addendum)\b"
                           r"|\b(?:erratum|corrigendum) (?:to|for|in|on)\b|\berratum$|\berrata$"
                           # Web of Science marks a correction with the corrected citation.
                           r"|\bvol \d+ pg \w+ \d{4}$"
                           # Embase: the corrected citation "(Journal (2009) 360 (542-544))".
                           r"|[a-z] (?:19|20)\d\d \d+ \d+ \d+$")),
    ("reply", re.compile(r"^(?:in )?reply\b|^(?:author s?|authors) (?:reply|response)\b"
                         r"|^response (?:to|from)\b|\bresponse to (?:letter|comment|commentary)"
                         r"|\breply to\b|\breply$")),
    ("comment", re.compile(r"^(?:comment|comments|commentary) (?:on|to|about)\b|^re\b"
                           r"|^letter (?:to the editor|re|regarding|on)\b|\bletter to the editor$"
                           r"|^(?:invited |editorial )?commentary\b")),
]

# Words that name a section or genre of a serial, not a subject. A short title made only of
# these (with numbers, dates and connecting words) names a recurring item: "Editor's
# Comments", "From the editor's desk", "In this issue", "Acknowledgement to reviewers 2019".
_SECTION_WORDS = frozenset("""
editorial editorials editor editors editorship guest column columns comment comments commentary
commentaries note notes message messages letter letters correspondence reply replies response
responses rejoinder correction corrections corrigendum corrigenda erratum errata retraction
retractions retracted notice notices concern expression introduction introductions introductory
foreword preface prologue epilogue afterword issue issues desk page pages corner viewpoint
perspective perspectives news update updates review reviews reviewer reviewers referees book
books abstract abstracts meeting meetings conference congress symposium proceedings poster
posters annual acknowledgement acknowledgements acknowledgment acknowledgments thanks contents table
index indexes indices instructions author authors information president presidential chair
chairman chairs welcome highlights highlight summary summaries conclusion conclusions
discussion overview announcement announcements obituary obituaries calendar events masthead
cover matter board list volume supplement readers reader forum brief briefs report reports
selected what new roundup literature untitled title available notes reviewed
""".split())  # noqa: SIM905 (a word list reads best as text)
# Connecting words and date/number words that may stand between section words.
_SECTION_FILLER = frozenset("""
a an the of to in on for from and by with this our your s at its de du le la no vol nr part
january february march april may june july august september october november december
jan feb mar apr jun jul aug sep sept oct nov dec spring summer autumn fall winter
""".split())  # noqa: SIM905 (a word list reads best as text)
_MAX_SECTION_WORDS = 8

_GUIDELINE_RE = re.compile(
    r"\b(?:guideline|guidelines|consensus|position (?:statement|paper)|policy statement|"
    r"recommendations?|practice parameter|scientific statement|joint statement|standards of care|"
    r"reporting standards?|checklist|statement)\b"
)

_PART_RE = re.compile(
    r"\b(part|pt|paper|study|phase|series|section|chapter|report|trial)\s+"
    r"(\d{1,3}|[ivx]{1,5}|one|two|three|four|five|six|a|b|c)\b"
)
_WORD_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
                 "a": 1, "b": 2, "c": 3}
_ROMAN_TAIL_RE = re.compile(r"\b([ivx]{1,4})$")

PREPRINT_SERVERS = ("medrxiv", "biorxiv", "arxiv", "ssrn", "research square", "researchsquare",
                    "preprints", "psyarxiv", "socarxiv", "osf preprints", "authorea", "sportrxiv",
                    "edarxiv", "jmir preprints", "qeios")
PREPRINT_DOI_PREFIXES = ("10.1101/", "10.48550/", "10.21203/", "10.2139/", "10.31234/",
                         "10.20944/", "10.31235/", "10.31219/", "10.22541/", "10.32388/")
_THESIS_RE = re.compile(r"\b(?:thesis|dissertation|dissertations|doctoral|phd|msc thesis)\b")
_ABSTRACT_TYPES = re.compile(r"\b(?:conference abstract|meeting abstract|conference paper|"
                             r"congress|poster|abstract)\b")
# Not "proceedings" alone: PNAS and Mayo Clinic Proceedings are journals.
_ABSTRACT_VENUE = re.compile(r"\b(?:abstracts|congress|meeting|conference|symposium|"
                             r"annual scientific|proceedings 20\d\d|20\d\d proceedings)\b")
_COCHRANE_RE = re.compile(r"^10\.1002/14651858\.([a-z]{2}\d+)(?:\.pub(\d+))?")


def notice_kind(norm_title: str) -> str | None:
    """'retraction', 'concern', 'erratum', 'reply' or 'comment' for a notice; None for a work."""
    # Most titles are not notices: a substring test spares five regex scans.
    if not (norm_title[-1:].isdigit() or any(w in norm_title for w in _NOTICE_WORDS)):
        return None
    for kind, pattern in _NOTICE_PATTERNS:
        if pattern.search(norm_title):
            return kind
    return None


_NOTICE_WORDS = ("errat", "corrig", "correct", "retract", "withdrawn", "concern", "reply",
                 "response", "comment", "letter", "addend", "publisher", "re ")


def is_generic_title(norm_title: str) -> bool:
    """True for titles that name a genre or a serial's section, not a work.

    A title is generic when it is very short (under 12 characters) or when it has at most
    eight words and every word is a section word ("editor", "comments", "issue", "reviewers",
    "correction", ...), a connecting word, a month or a number. The test reads the title's
    make-up, not a list of whole titles, so "A note from the editors" and "Editor's desk:
    spring issue" are caught as well as "Editorial".

    >>> is_generic_title("editor s comments"), is_generic_title("acknowledgement to reviewers 2019")
    (True, True)
    >>> is_generic_title("editorial comment on sleep in care homes")
    False
    """
    if len(norm_title) < 12:
        return True
    words = norm_title.split()
    if len(words) > _MAX_SECTION_WORDS:
        return False
    content = [w for w in words
               if w not in _SECTION_FILLER and not w.isdigit() and w not in ROMAN]
    return bool(content) and all(w in _SECTION_WORDS for w in content)


def is_guideline(norm_title: str) -> bool:
    """Titles of guidelines and consensus statements, which journals often co-publish."""
    return bool(_GUIDELINE_RE.search(norm_title))


_PART_WORDS = ("part", "pt ", "paper", "study", "phase", "series", "section", "chapter",
               "report", "trial", " i", " v", " x")


def part_numbers(norm_title: str) -> tuple[str, ...]:
    """Numbered parts, phases, studies or series in a title, e.g. ('part:2',); roman and words read.

    >>> part_numbers("the x trial phase 3 part one")
    ('part:1', 'phase:3')
    """
    found: set[str] = set()
    if not any(w in norm_title for w in _PART_WORDS):
        return ()  # (" i" is one of the words, so roman numerals pass this test)
    for label, number in _PART_RE.findall(norm_title):
        label = {"pt": "part"}.get(label, label)
        if number in ROMAN:
            value = ROMAN[number]
        elif number in _WORD_NUMBERS:
            value = _WORD_NUMBERS[number]
        elif number.isdigit():
            value = int(number)
        else:
            continue
        found.add(f"{label}:{value}")
    tail = _ROMAN_TAIL_RE.search(norm_title)
    if tail and tail.group(1) in ROMAN and len(norm_title.split()) > 2:
        found.add(f"part:{ROMAN[tail.group(1)]}")
    # A free-standing roman numeral ("... II. Outcomes", "type II") numbers a part or a kind;
    # "v" and "x" are left out (versus, a variable).
    for token in norm_title.split()[1:]:
        if token in ROMAN and token not in {"v", "x"}:
            found.add(f"roman:{ROMAN[token]}")
    return tuple(sorted(found))


def is_preprint(journal_text: str, doi: str | None, pub_type: str) -> bool:
    """A preprint server record, known by venue, DOI prefix or publication type."""
    if doi and doi.startswith(PREPRINT_DOI_PREFIXES):
        return True
    if "preprint" in pub_type:
        return True
    return any(server in journal_text for server in PREPRINT_SERVERS)


def is_thesis(journal_text: str, pub_type: str) -> bool:
    """A thesis or dissertation."""
    return bool(_THESIS_RE.search(pub_type) or _THESIS_RE.search(journal_text))


def is_conference_abstract(pub_type: str, journal_text: str, pages: str, issue: str) -> bool:
    """A conference abstract or meeting paper rather than a full journal article.

    Read from the publication type ("Conference Abstract", BibTeX inproceedings), a venue named
    as abstracts/proceedings/meeting, or a supplement issue with S-pages.
    """
    if _ABSTRACT_TYPES.search(pub_type) or "inproceedings" in pub_type:
        return True
    if _ABSTRACT_VENUE.search(journal_text):
        return True
    supplement = issue.startswith("s") or "suppl" in issue
    return supplement and pages[:1] in {"s", "a", "p"} and pages[1:2].isdigit()


def cochrane_review(doi: str | None) -> tuple[str, int] | None:
    """(review number, version) of a Cochrane review DOI; version 1 when there is no .pubN.

    >>> cochrane_review("10.1002/14651858.cd001234.pub3")
    ('cd001234', 3)
    """
    if not doi:
        return None
    match = _COCHRANE_RE.match(doi)
    if not match:
        return None
    return match.group(1), int(match.group(2) or 1)

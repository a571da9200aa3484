"""Normalisation of what deduplication compares: identifiers, titles, authors, journals, pages.

Every function is pure and total: it returns None (or an empty value) for what it cannot read,
never raises, so one malformed export field cannot stop a run.

>>> normalize_doi("https://doi.org/10.1000/ABC.123.")
'10.1000/abc.123'
>>> normalize_pages("123-9")
('123', '129')
>>> normalize_title("<i>Héllo</i>, World!")
'hello world'
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache

_DOI_RE = re.compile(r"10\.\d{4,9}/\S+", re.IGNORECASE)
_TAG_RE = re.compile(r"<[^>]{0,200}>")
_NON_ALNUM_RE = re.compile(r"[^a-z0-9]+")
_DIGITS_RE = re.compile(r"\d+")
# Notes databases add to titles: "[Review] [45 refs]", "[Chinese]", "(Provisional abstract)".
# A title wholly in brackets is a translated title (MEDLINE): only the brackets go.
_BRACKET_RE = re.compile(r"\[[^\[\]]*\]")
_LEADING_BRACKET_RE = re.compile(r"^[\s\"'“]*\[([^\[\]]{12,})\]")
_OPEN_BRACKET_RE = re.compile(r"\[[^\]]*$")
_PAREN_NOTE_RE = re.compile(
    r"\((?:provisional|structured) abstract\)|\(author'?s? transl\)|<original>.*$"
    r"|\(multiple letters\)|\.{3} \[corrected\]",
    re.IGNORECASE,
)
_LIGATURES = str.maketrans({"ß": "ss", "æ": "ae", "Æ": "AE", "ø": "o", "Ø": "O", "œ": "oe",
                            "Œ": "OE", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ı": "i"})
_GREEK = {"α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "κ": "kappa", "μ": "mu",
          "ε": "epsilon", "θ": "theta", "λ": "lambda", "σ": "sigma", "τ": "tau", "ω": "omega"}
_GREEK_RE = re.compile("|".join(_GREEK))


def fold(text: str) -> str:
    """Lower-case ASCII fold: HTML entities and tags removed, diacritics stripped.

    >>> fold("Ärzte &amp; <b>Pflege</b>")
    'arzte & pflege'
    """
    if "&" in text:
        text = html.unescape(text)
    if "<" in text:
        text = _TAG_RE.sub("", text)
    if not text.isascii():
        text = _GREEK_RE.sub(lambda m: _GREEK[m.group(0)], text.translate(_LIGATURES))
        text = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in text if not unicodedata.combining(c))
    return text.lower()


def normalize_doi(value: str | None) -> str | None:
    """The DOI in lower case without resolver prefix, 'doi:' label or trailing punctuation.

    A comparison key, not a value to store: `litrev.records.base.normalise_doi` keeps the DOI as
    the source wrote it (case included) for the record itself.

    >>> normalize_doi("doi: 10.1002/14651858.CD001234.pub3")
    '10.1002/14651858.cd001234.pub3'
    """
    if not value:
        return None
    text = html.unescape(value).replace("%2F", "/").replace("%2f", "/")
    match = _DOI_RE.search(text)
    if not match:
        return None
    return match.group(0).lower().rstrip(".,;:)]}>'\"")


def _digits_id(value: str | None, prefix: str = "") -> str | None:
    if not value:
        return None
    text = value.strip().upper()
    if prefix and text.startswith(prefix):
        text = text[len(prefix):]
    match = _DIGITS_RE.search(text)
    if not match:
        return None
    return match.group(0).lstrip("0") or None


def normalize_pmid(value: str | None) -> str | None:
    """PubMed ID as bare digits without leading zeros.

    >>> normalize_pmid("PMID: 012345678 [Indexed for MEDLINE]")
    '12345678'
    """
    return _digits_id(value)


def normalize_pmcid(value: str | None) -> str | None:
    """PubMed Central ID as 'PMC' + digits.

    >>> normalize_pmcid("pmc0123")
    'PMC123'
    """
    digits = _digits_id(value, "PMC")
    return f"PMC{digits}" if digits else None


def normalize_accession(value: str | None) -> str | None:
    """Embase, Scopus and Web of Science accession numbers, with their database prefix kept.

    Scopus EIDs ('2-s2.0-8501...'), WoS UTs ('WOS:000123...'), Embase ('L612345', 'EMB-612345'):
    the prefix decides which database the number belongs to, so two databases' numbers never
    collide.

    >>> normalize_accession("2-s2.0-85012345678")
    'scopus:85012345678'
    >>> normalize_accession("WOS:000412345600001")
    'wos:000412345600001'
    >>> normalize_accession("L 612345678")
    'embase:612345678'
    """
    if not value:
        return None
    text = value.strip().upper().replace(" ", "")
    if text.startswith("2-S2.0-"):
        return "scopus:" + text[7:]
    if text.startswith(("WOS:", "ISI:")):
        return "wos:" + text[4:]
    if re.fullmatch(r"(?:EMBASE:|EMB-|L)\d{6,}", text):
        return "embase:" + _DIGITS_RE.search(text).group(0)  # type: ignore[union-attr]
    return None


@lru_cache(maxsize=200_000)
def normalize_title(value: str | None) -> str:
    """Title folded to lower-case ASCII words: HTML, diacritics, punctuation and notes removed.

    >>> normalize_title("Efficacy of X. [Chinese]")
    'efficacy of x'
    """
    if not value:
        return ""
    text = value
    # The regexes run only when their trigger character is there: most titles have none.
    if "(" in text or "<" in text or "..." in text:
        text = _PAREN_NOTE_RE.sub(" ", text)
    if "[" in text:
        # MEDLINE puts a translated title in brackets: keep its words, drop only the brackets.
        text = _LEADING_BRACKET_RE.sub(r"\1 ", text, count=1)
        stripped = text
        for _ in range(3):  # nested notes: "[Erratum appears in ... [added]]"
            stripped = _BRACKET_RE.sub(" ", stripped)
        stripped = _OPEN_BRACKET_RE.sub(" ", stripped)  # a note cut off by the export
        if len(stripped.strip(" .;:")) >= 12:
            text = stripped
    text = fold(text)
    return " ".join(_NON_ALNUM_RE.sub(" ", text).split())


def title_without_numbers(norm_title: str) -> str:
    """A normalised title with digits and stand-alone roman numerals removed (for blocking)."""
    return " ".join(t for t in norm_title.split() if not t.isdigit() and t not in ROMAN)


ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9,
         "x": 10, "xi": 11, "xii": 12}


_SUFFIX_RE = re.compile(r"\b(?:jr|sr|ii|iii|iv)\b\.?")
_CORPORATE_RE = re.compile(
    r"\b(?:group|study|trial|committee|collaborat\w*|investigators|consortium|society|"
    r"association|network|inc|ltd|pharmaceuticals|organi[sz]ation|council|institute|team)\b"
)


def is_corporate(name: str) -> bool:
    """True for group authors ("ALTS Group", "Alexion Pharmaceuticals, Inc").

    >>> is_corporate("ASCUS-LSIL Triage Study Group")
    True
    """
    return bool(_CORPORATE_RE.search(fold(name)))


_NULL_RE = re.compile(r"\b(?:null|none|nan|et al|anonymous)\b\.?", re.IGNORECASE)


@lru_cache(maxsize=500_000)
def author_key(name: str) -> str:
    """An author as 'surname initial' in folded ASCII.

    Handles 'Surname, Given', 'Surname, G. H.', 'Surname GH' (PubMed) and 'Given Surname'.

    >>> author_key("Müller-Lüdenscheidt, Hans P.")
    'mullerludenscheidt h'
    >>> author_key("Zuna RE")
    'zuna r'
    >>> author_key("van der Berg J.-M.")
    'vanderberg j'
    >>> author_key("Ravi Kumar")
    'kumar r'
    """
    lowered = name.lower()
    if any(w in lowered for w in ("null", "none", "nan", "et al", "anonym")):
        name = _NULL_RE.sub("", name)
    name = name.strip(" ,;")
    text = fold(name).strip()
    if text.endswith(","):
        text = text.rstrip(",")
    if "," in text:
        surname, _, given = text.partition(",")
    else:
        parts = text.split()
        if not parts:
            return ""
        # PubMed style "Zuna RE", Embase and Scopus "Adler D.G.": the last token is
        # upper-case initials in the raw name.
        raw_parts = name.split()
        if len(raw_parts) >= 2 and _is_initials(raw_parts[-1]):
            surname, given = " ".join(parts[:-1]), parts[-1]
        else:
            surname, given = parts[-1], " ".join(parts[:-1])
    if not surname.isalpha():
        surname = _NON_ALNUM_RE.sub("", _SUFFIX_RE.sub("", surname))
    given = given.strip(" .-")
    initial = given[:1] if given[:1].isalnum() else _NON_ALNUM_RE.sub(" ", given).strip()[:1]
    return f"{surname} {initial}".strip()


_INITIALS_RE = re.compile(r"[A-Z](?:[.-]{0,2}[A-Z]){0,3}\.?")


def _is_initials(token: str) -> bool:
    """ "RE", "D.G.", "J.-M.": initials, not an upper-case surname ("ADLER")."""
    if len(token) <= 3 and token.isupper():
        return True
    return "." in token and bool(_INITIALS_RE.fullmatch(token))


_AUTHOR_SPLIT_RE = re.compile(r"\s+and\s+|;")


def split_authors(names: list[str]) -> list[str]:
    """Author names, splitting any "A and B" / "A; B" strings a reader left joined."""
    if not any(" and " in n or ";" in n for n in names):
        return names
    return [part.strip() for n in names for part in _AUTHOR_SPLIT_RE.split(n) if part.strip()]


def normalize_authors(names: list[str] | str | None) -> tuple[str, ...]:
    """Authors as a tuple of 'surname initial' keys; a BibTeX 'A and B' string is split.

    >>> normalize_authors("Zuna, R E and Wang, S S")
    ('zuna r', 'wang s')
    """
    if not names:
        return ()
    # A BibTeX/CSV author field may arrive as one string: "Zuna, R E and Wang, S S".
    names = split_authors([names] if isinstance(names, str) else list(names))
    keys = (_person_key(n) for n in names if n)
    return tuple(k for k in keys if k)


@lru_cache(maxsize=500_000)
def _person_key(name: str) -> str:
    # Group authors are listed inconsistently across databases: compare people only.
    return "" if not name.strip() or is_corporate(name) else author_key(name)


_JOURNAL_STOP = {"the", "of", "and", "for", "in", "on", "und", "de", "la", "le", "der", "des"}


@lru_cache(maxsize=100_000)
def journal_tokens(value: str | None) -> tuple[str, ...]:
    """Journal name as folded word tokens without stopwords ('&' and 'and' alike).

    >>> journal_tokens("JPEN. Journal of Parenteral & Enteral Nutrition")
    ('jpen', 'journal', 'parenteral', 'enteral', 'nutrition')
    """
    if not value:
        return ()
    text = fold(value).replace("&", " and ")
    if "(" in text:
        text = _PARENS_RE.sub(" ", text)  # "(London, England)", "(Online)"
    return tuple(t for t in _NON_ALNUM_RE.sub(" ", text).split() if t not in _JOURNAL_STOP)


def normalize_pages(value: str | None) -> tuple[str, str] | None:
    """(first, last) page with the abbreviated last page expanded: "123-9" = "123-129".

    >>> normalize_pages("1234-56")
    ('1234', '1256')
    >>> normalize_pages("e1002")
    ('e1002', 'e1002')
    >>> normalize_pages("iii-vi")
    ('iii', 'vi')
    """
    if not value:
        return None
    text = fold(value).replace("–", "-").replace("—", "-").replace(" ", "")
    text = text.removeprefix("pp.").removeprefix("p.")
    while "--" in text:
        text = text.replace("--", "-")
    first, sep, last = text.partition("-")
    first = first.lstrip("0") or first
    if _ROMAN_PAGE_RE.fullmatch(first):
        # Front matter (editorials, "In this issue") is paged in roman numerals: "iii-vi".
        return first, last if sep and _ROMAN_PAGE_RE.fullmatch(last) else first
    # Garbled exports ("Suppl-29", "t-8", Excel's "01-Jun") carry no usable first page.
    if not _PAGE_RE.fullmatch(first):
        return None
    last = (last.lstrip("0") or last) if sep and _PAGE_RE.fullmatch(last) else first
    if first.isdigit() and last.isdigit() and len(last) < len(first):
        last = first[: len(first) - len(last)] + last
    return first, last or first


def page_forms_differ(a: tuple[str, str], b: tuple[str, str]) -> bool:
    """Two normalised page values that may be one article's pages written in two forms.

    An electronic article has an article number ("e0123456", or a bare "123") in one database
    and its PDF's page range ("1-12") or page count ("12") in another. Forms differ when one
    side is a lettered article number and the other plain digits, or one side a single number
    and the other a range starting at page 1. A single page against a range starting elsewhere
    is how an erratum looks, and two ranges are two places in print: neither is a form change.

    >>> page_forms_differ(("e0123456", "e0123456"), ("1", "12"))
    True
    >>> page_forms_differ(("123", "123"), ("1", "12"))
    True
    >>> page_forms_differ(("e12", "e12"), ("12", "12"))
    True
    >>> page_forms_differ(("2205", "2205"), ("2195", "2204"))
    False
    """

    def lettered(pages: tuple[str, str]) -> bool:
        return pages[0][:1].isalpha() and pages[0][-1:].isdigit()  # "e0123456", not "iii"

    def single(pages: tuple[str, str]) -> bool:
        return pages[0] == pages[1] and pages[0].isdigit()

    def from_page_one(pages: tuple[str, str]) -> bool:
        return pages[0] == "1" and pages[1] != "1"

    if lettered(a) != lettered(b):
        plain = b if lettered(a) else a
        return plain[0].isdigit()
    return (single(a) and from_page_one(b)) or (single(b) and from_page_one(a))


_SUPPLEMENT_RE = re.compile(r"s(?:upp\w*)?\W*\d*$")
_PARENS_RE = re.compile(r"\(.*?\)")
_PAGE_RE = re.compile(r"[a-z]{0,2}\d+[a-z]?")
_ROMAN_PAGE_RE = re.compile(r"(?=[ivxlc])c{0,3}(?:xc|xl|l?x{0,3})(?:ix|iv|v?i{0,3})")


def normalize_volume(value: str | None) -> str | None:
    """Volume or issue as its leading number (or folded text when it has none).

    >>> normalize_volume("Vol. 012")
    '12'
    >>> normalize_volume("Suppl 2")
    's2'
    >>> normalize_volume("35 Suppl 1")
    '35'
    """
    if value is None:
        return None
    text = fold(str(value)).strip()
    if not text:
        return None
    digits = _DIGITS_RE.search(text)
    if text[0] == "s" and (_SUPPLEMENT_RE.match(text) or "supp" in text[:5]):
        return "s" + (digits.group(0) if digits else "")
    # "Jul", "Ph.D.", "(Online)": no number, nothing to compare.
    return (digits.group(0).lstrip("0") or "0") if digits else None


def normalize_year(value: int | str | None) -> int | None:
    """Four-digit year from an int or a date string.

    >>> normalize_year("2016/03/01")
    2016
    """
    if value is None:
        return None
    if isinstance(value, int):
        return value if 1000 <= value <= 2999 else None
    match = re.search(r"(?<!\d)(1\d{3}|2\d{3})(?!\d)", str(value))
    return int(match.group(0)) if match else None

"""Countries as reviews write them, read as ISO 3166-1 countries (pycountry's data, offline).

Accepted: English names, ISO names and official names ("Korea, Republic of", "Republic of
Korea"), common names ("South Korea", "Iran", "Vietnam"), ISO alpha-2 and alpha-3 codes ("GB",
"GBR"), and the names reviews use that ISO lacks ("UK", "U.S.", "Holland", "Ivory Coast",
"Turkey", "Czech Republic"). Case, accents, dots and a leading "The" are ignored. The parts of
the United Kingdom ("England", "Scotland", "Wales", "Northern Ireland") have no ISO code: they
are read as the United Kingdom, with a note saying so.

>>> to_country("U.K.").name
'United Kingdom'
>>> to_country("the netherlands").alpha_3
'NLD'
>>> to_country("England").note
'England is read as United Kingdom (ISO 3166-1 has no code for England)'
>>> to_country("Narnia") is None
True
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache


@dataclass(frozen=True)
class Country:
    """An ISO 3166-1 country: its codes and the name litrev stores (the ISO short name, or the
    common form pycountry gives when ISO's carries a qualifier: "South Korea" for "Korea,
    Republic of", "Iran", "Taiwan"); `note` explains a reading that is not just a spelling."""

    alpha_2: str
    alpha_3: str
    name: str
    note: str = ""


# Names reviews write that ISO 3166-1 does not list under any of its names, by alpha-2 code.
# Keys are folded (see `fold`).
_ALIASES: dict[str, str] = {
    "uk": "GB", "great britain": "GB", "britain": "GB", "united kingdom of great britain": "GB",
    "us": "US", "usa": "US", "united states of america": "US", "america": "US",
    "holland": "NL", "netherlands": "NL",
    "korea": "KR", "south korea": "KR", "republic of korea": "KR", "korea south": "KR",
    "north korea": "KP", "korea north": "KP", "dprk": "KP",
    "iran": "IR", "persia": "IR", "russia": "RU", "vietnam": "VN", "taiwan": "TW",
    "czech republic": "CZ", "czechia": "CZ", "turkey": "TR", "turkiye": "TR",
    "ivory coast": "CI", "cote divoire": "CI", "hong kong": "HK", "hong kong sar": "HK",
    "macau": "MO", "macao": "MO", "macao sar": "MO", "laos": "LA", "syria": "SY",
    "bolivia": "BO", "venezuela": "VE", "tanzania": "TZ", "moldova": "MD", "palestine": "PS",
    "china": "CN", "mainland china": "CN", "prc": "CN", "peoples republic of china": "CN",
    "dr congo": "CD", "drc": "CD", "democratic republic of congo": "CD",
    "congo kinshasa": "CD", "republic of congo": "CG", "congo brazzaville": "CG",
    "swaziland": "SZ", "burma": "MM", "macedonia": "MK", "cape verde": "CV",
    "east timor": "TL", "vatican": "VA", "vatican city": "VA", "uae": "AE",
    "saudi": "SA", "ksa": "SA", "brunei": "BN", "micronesia": "FM", "gambia": "GM",
    "bahamas": "BS", "slovak republic": "SK", "kyrgyz republic": "KG",
    "st lucia": "LC", "st kitts and nevis": "KN", "st vincent and the grenadines": "VC",
}  # fmt: skip

# Parts of a country that ISO 3166-1 does not code: read as the country, with a note.
_PARTS: dict[str, str] = {
    "england": "GB", "scotland": "GB", "wales": "GB", "northern ireland": "GB",
}  # fmt: skip


def fold(text: str) -> str:
    """The form names are compared in: lower case, no accents, no dots, apostrophes or "the".

    >>> fold("  The Côte d'Ivoire ")
    'cote divoire'
    """
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = re.sub(r"[.'’`]", "", text)
    text = text.replace("&", " and ")
    text = re.sub(r"[^\w]+", " ", text).strip()
    text = re.sub(r"^the ", "", text)
    text = re.sub(r"\bsaint\b", "st", text)
    return text


@dataclass(frozen=True)
class _Index:
    by_key: dict[str, Country]
    by_code: dict[str, Country]


def _stored_name(country: object) -> str:
    return str(getattr(country, "common_name", None) or country.name)  # type: ignore[attr-defined]


@lru_cache(maxsize=1)
def _index() -> _Index:
    import pycountry

    by_code: dict[str, Country] = {}
    by_key: dict[str, Country] = {}
    ambiguous: set[str] = set()

    def add(key: str, country: Country) -> None:
        key = fold(key)
        if not key or key in ambiguous:
            return
        if key in by_key and by_key[key].alpha_2 != country.alpha_2:
            # "Virgin Islands" is British and U.S.: neither is guessed.
            ambiguous.add(key)
            del by_key[key]
            return
        by_key[key] = country

    heads: list[tuple[str, Country]] = []
    for entry in pycountry.countries:
        country = Country(entry.alpha_2, entry.alpha_3, _stored_name(entry))
        by_code[entry.alpha_2.casefold()] = country
        by_code[entry.alpha_3.casefold()] = country
        for attribute in ("name", "common_name", "official_name"):
            name = getattr(entry, attribute, None)
            if not name:
                continue
            add(name, country)
            if ", " in name:  # "Korea, Republic of" -> "Republic of Korea"; later "Korea"
                head, tail = name.split(", ", 1)
                add(f"{tail} {head}", country)
                heads.append((head, country))
    # A name before its comma ("Bolivia") counts only where no country is called that
    # ("Congo" is the Republic of the Congo's ISO name, not the Democratic Republic's).
    named = set(by_key) | ambiguous
    for head, country in heads:
        if fold(head) not in named:
            add(head, country)
    for key, code in _ALIASES.items():
        by_key[fold(key)] = by_code[code.casefold()]
    for key, code in _PARTS.items():
        whole = by_code[code.casefold()]
        part = key.title()
        note = f"{part} is read as {whole.name} (ISO 3166-1 has no code for {part})"
        by_key[key] = Country(whole.alpha_2, whole.alpha_3, whole.name, note)
    return _Index(by_key, by_code)


@lru_cache(maxsize=4096)  # forms and imports read the same few countries over and over
def to_country(text: str) -> Country | None:
    """The country `text` names (a name, alias or ISO code), or None.

    >>> to_country("usa").name, to_country("GBR").alpha_2, to_country("Viet Nam").name
    ('United States', 'GB', 'Vietnam')
    """
    index = _index()
    key = fold(text)
    found = index.by_key.get(key)
    if found is None and re.fullmatch(r"[a-z]{2,3}", key):
        found = index.by_code.get(key)
    return found


def nearest_country(text: str) -> str | None:
    """The stored name of the country whose name is closest to `text`, or None.

    >>> nearest_country("Untied Kingdom")
    'United Kingdom'
    """
    from rapidfuzz import fuzz, process

    index = _index()
    keys = list(index.by_key)
    found = process.extractOne(fold(text), keys, scorer=fuzz.ratio, score_cutoff=60)
    return index.by_key[found[0]].name if found else None


def country_names() -> list[str]:
    """Every country's stored name, sorted (for forms' suggestion lists)."""
    return sorted({c.name for c in _index().by_code.values()})

"""Which `[[searches]]` entry an import came from: match a source name to the protocol's searches.

An import's source is the `--source` given at import, else the database detected from the file
("Web of Science", "MEDLINE", ...). Protocols name databases as the review's methods print them
("Web of Science Core Collection", "CINAHL with Full Text"), so an exact comparison would count
one database twice in the PRISMA flow. `match_source` tries, in order:

1. the same name (case, punctuation, "(R)" and a platform in brackets ignored), or one of the
   search's own `aliases`;
2. the same database under another name, from a table of known names (`FAMILIES`); when two
   searches share a database (MEDLINE on Ovid and on EBSCOhost) the platform decides;
3. a platform-only source ("ProQuest", "Cochrane Library" from a Wiley export) that exactly one
   search's `platform` or `dialect` names;

and otherwise says "unmatched" (or "ambiguous") with the names to choose from. PubMed and MEDLINE
are different searches (PubMed holds more than MEDLINE): they match only through `aliases`.

>>> from litrev.protocol import DatabaseSearch
>>> searches = [DatabaseSearch(database="Web of Science Core Collection", platform="Clarivate"),
...             DatabaseSearch(database="MEDLINE", platform="Ovid")]
>>> match_source("Web of Science", searches).search
'Web of Science Core Collection'
>>> match = match_source("PubMed", searches)
>>> match.how, match.candidates
('unmatched', ('Web of Science Core Collection', 'MEDLINE'))
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol as TypingProtocol

EXACT = "exact"
ALIAS = "alias"
PLATFORM = "platform"
UNMATCHED = "unmatched"
AMBIGUOUS = "ambiguous"


class SearchLike(TypingProtocol):
    """What matching reads from a `[[searches]]` entry (`litrev.protocol.DatabaseSearch`)."""

    @property
    def database(self) -> str: ...
    @property
    def platform(self) -> str: ...
    @property
    def dialect(self) -> str: ...


# Known names of one database, normalised by `_normal` (platform words removed). A name in two
# families would make matching depend on table order, so each appears once (a test checks).
FAMILIES: dict[str, tuple[str, ...]] = {
    "wos": (
        "web of science",
        "web of science core collection",
        "wos",
        "wos core collection",
        "web of knowledge",
        "isi web of knowledge",
        "isi web of science",
    ),
    "medline": (
        "medline",
        "medline all",
        "medline complete",
        "medline with full text",
        "medline in process",
        "medline in process other non indexed citations",
        "medline epub ahead of print in process in data review other non indexed citations",
    ),
    "pubmed": ("pubmed", "pubmed legacy"),
    "cinahl": (
        "cinahl",
        "cinahl with full text",
        "cinahl plus",
        "cinahl plus with full text",
        "cinahl complete",
        "cinahl ultimate",
    ),
    "embase": ("embase", "embase com", "embase classic", "embase classic embase"),
    "psycinfo": ("psycinfo", "apa psycinfo", "psyc info", "psycinfo database"),
    "central": (
        "central",
        "cochrane central",
        "cochrane central register of controlled trials",
        "cochrane central register of controlled trials central",
        "cochrane library",
        "the cochrane library",
        "cochrane",
    ),
    "cdsr": (
        "cdsr",
        "cochrane database of systematic reviews",
        "cochrane reviews",
        "cochrane database of systematic reviews cdsr",
    ),
    "scopus": ("scopus",),
    "eric": ("eric", "education resources information center"),
    "assia": ("assia", "applied social sciences index and abstracts"),
    "socindex": ("socindex", "socindex with full text"),
    "hmic": ("hmic", "health management information consortium"),
    "amed": ("amed", "allied and complementary medicine database"),
    "europepmc": ("europe pmc", "europepmc"),
    "openalex": ("openalex",),
}

# Interface and vendor names: they say where a database was searched, not which one.
PLATFORM_WORDS = {
    "ovid": "ovid",
    "ovidsp": "ovid",
    "ebscohost": "ebsco",
    "ebsco": "ebsco",
    "proquest": "proquest",
    "wiley": "wiley",
    "elsevier": "elsevier",
    "clarivate": "clarivate",
    "nlm": "nlm",
    "ncbi": "nlm",
}
# Detected dialects and search dialects that name the same interface.
_DIALECT_PLATFORM = {
    "ovid": "ovid",
    "ebsco": "ebsco",
    "proquest": "proquest",
    "wiley": "wiley",
    "cochrane": "wiley",
    "embase": "elsevier",
    "scopus": "elsevier",
    "wos": "clarivate",
    "pubmed": "nlm",
}
_ALIAS_FAMILY = {name: family for family, names in FAMILIES.items() for name in names}
# Names that start with one of these are that database, whatever segment follows ("Ovid
# MEDLINE(R) and Epub Ahead of Print, In-Process ..."; "CINAHL Complete"). Not "cochrane":
# the Cochrane Database of Systematic Reviews is not CENTRAL.
_PREFIXES = {
    "medline": "medline",
    "pubmed": "pubmed",
    "cinahl": "cinahl",
    "embase": "embase",
    "psycinfo": "psycinfo",
    "apa psycinfo": "psycinfo",
    "scopus": "scopus",
    "web of science": "wos",
}


@dataclass(frozen=True)
class SourceMatch:
    """The search an import's source matched (`search` None when `how` is unmatched/ambiguous)."""

    source: str
    search: str | None
    how: str  # exact | alias | platform | unmatched | ambiguous
    candidates: tuple[str, ...] = ()

    @property
    def matched(self) -> bool:
        return self.search is not None

    def message(self) -> str:
        """One line for a warning or the audit.

        >>> SourceMatch("WoS", None, "unmatched", ("Scopus",)).message()
        "imported source 'WoS' matches no [[searches]] database; choose one of: Scopus"
        """
        if self.search is not None:
            return f"imported source {self.source!r} counts as {self.search!r} ({self.how})"
        shown = ", ".join(self.candidates) or "(the protocol has no [[searches]])"
        if self.how == AMBIGUOUS:
            return (
                f"imported source {self.source!r} could be any of: {shown}; name one with --source"
            )
        return (
            f"imported source {self.source!r} matches no [[searches]] database"
            f"{_did_you_mean(self.source, self.candidates)}; choose one of: {shown}"
        )


def _did_you_mean(name: str, candidates: Sequence[str]) -> str:
    """' (did you mean 'X'?)' for the candidate spelled closest to `name` (a typo), or ''.

    >>> _did_you_mean("Web of Sceince", ["Scopus", "Web of Science"])
    " (did you mean 'Web of Science'?)"
    """
    from rapidfuzz import fuzz, process

    found = process.extractOne(
        name, list(candidates), scorer=fuzz.ratio, processor=str.casefold, score_cutoff=75
    )
    return f" (did you mean {found[0]!r}?)" if found else ""


def _words(text: str) -> list[str]:
    text = text.casefold().replace("®", " ").replace("™", " ")
    text = re.sub(r"\(r\)", " ", text)
    return re.findall(r"[a-z0-9]+", text)


def _normal(text: str) -> tuple[str, frozenset[str]]:
    """(the name without platform words, the platforms it names).

    >>> _normal("Ovid MEDLINE(R) ALL")
    ('medline all', frozenset({'ovid'}))
    """
    words = _words(text)
    platforms = frozenset(PLATFORM_WORDS[w] for w in words if w in PLATFORM_WORDS)
    core = [w for w in words if w not in PLATFORM_WORDS and w not in ("via", "on")]
    # "Embase.com" is a platform as much as a name; keep the name.
    return " ".join(core), platforms


def _family(core: str) -> str | None:
    """The database a normalised name stands for, if known.

    >>> _family("medline and epub ahead of print in process"), _family("cochrane reviews")
    ('medline', 'cdsr')
    """
    if core in _ALIAS_FAMILY:
        return _ALIAS_FAMILY[core]
    for prefix, family in _PREFIXES.items():
        if core == prefix or core.startswith(prefix + " "):
            return family
    return None


def _search_platforms(search: SearchLike) -> frozenset[str]:
    found = set(_normal(search.platform)[1]) | set(_normal(search.database)[1])
    found |= {w for w in _words(search.platform) if w not in PLATFORM_WORDS}
    if search.dialect in _DIALECT_PLATFORM:
        found.add(_DIALECT_PLATFORM[search.dialect])
    return frozenset(found)


def _aliases(search: SearchLike) -> list[str]:
    return list(getattr(search, "aliases", []) or [])


def match_source(
    source: str, searches: Sequence[SearchLike], *, dialect: str | None = None
) -> SourceMatch:
    """The `[[searches]]` entry an import's source name stands for.

    `dialect` is the export dialect detected with the source (e.g. "ovid"), used like a platform
    to choose between two searches of one database.

    >>> from litrev.protocol import DatabaseSearch
    >>> searches = [DatabaseSearch(database="MEDLINE", platform="Ovid"),
    ...             DatabaseSearch(database="MEDLINE (EBSCOhost)"),
    ...             DatabaseSearch(database="PsycINFO", platform="ProQuest")]
    >>> match_source("MEDLINE", searches, dialect="ebsco").search
    'MEDLINE (EBSCOhost)'
    >>> match_source("ProQuest", searches).how
    'platform'
    """
    names = tuple(s.database for s in searches)
    core, platforms = _normal(source)
    if dialect in _DIALECT_PLATFORM:
        platforms = platforms | {_DIALECT_PLATFORM[dialect]}

    exact = [
        s
        for s in searches
        if core
        and (_normal(s.database)[0] == core or any(_normal(a)[0] == core for a in _aliases(s)))
    ]
    if len(exact) > 1:
        exact = _by_platform(exact, platforms) or exact
    if len(exact) == 1:
        return SourceMatch(source, exact[0].database, EXACT)

    family = _family(core)
    related = [
        s
        for s in searches
        if family is not None
        and (
            _family(_normal(s.database)[0]) == family
            or any(_family(_normal(a)[0]) == family for a in _aliases(s))
        )
    ]
    if len(related) > 1:
        related = _by_platform(related, platforms) or related
    if len(related) == 1:
        return SourceMatch(source, related[0].database, ALIAS)
    if len(exact) > 1 or len(related) > 1:
        choices = tuple(s.database for s in (exact if len(exact) > 1 else related))
        return SourceMatch(source, None, AMBIGUOUS, choices)

    # A source that is only a platform ("ProQuest"; "Cochrane Library" from a Wiley export).
    only_platform = not core or (family == "central" and "wiley" in platforms)
    if only_platform or (not core and platforms):
        wanted = platforms | ({"wiley"} if family == "central" else set())
        on_platform = [s for s in searches if _search_platforms(s) & wanted]
        if len(on_platform) == 1:
            return SourceMatch(source, on_platform[0].database, PLATFORM)
        if len(on_platform) > 1:
            return SourceMatch(source, None, AMBIGUOUS, tuple(s.database for s in on_platform))
    return SourceMatch(source, None, UNMATCHED, names)


def _by_platform(searches: list[SearchLike], platforms: frozenset[str]) -> list[SearchLike]:
    if not platforms:
        return []
    chosen = [s for s in searches if _search_platforms(s) & platforms]
    return chosen if len(chosen) == 1 else []


def match_sources(sources: Iterable[str], searches: Sequence[SearchLike]) -> dict[str, SourceMatch]:
    """`match_source` for each distinct source name, in the order given.

    >>> from litrev.protocol import DatabaseSearch
    >>> found = match_sources(["CINAHL", "unspecified"], [DatabaseSearch(database="CINAHL Plus")])
    >>> [(m.source, m.search) for m in found.values()]
    [('CINAHL', 'CINAHL Plus'), ('unspecified', None)]
    """
    return {name: match_source(name, searches) for name in dict.fromkeys(sources)}

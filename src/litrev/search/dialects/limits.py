"""Limits (language, publication type, date range, peer review) as written by each interface.

Canonical values: `Limit("language", "English")`, `Limit("publication_type", "Journal Article")`,
`Limit("date", "2000..2019")` (years or ISO dates), `Limit("peer_reviewed", "true")`.
Several values of one kind are joined with " OR ".
"""

from __future__ import annotations

import re

from litrev.search.ast import Field, Fielded, Heading, Limit, Node, Or, Phrase, Term, Vocabulary
from litrev.search.errors import SearchSyntaxError

#: language name -> (ISO 639-1, ISO 639-2/B)
LANGUAGES: dict[str, tuple[str, str]] = {
    "English": ("en", "eng"), "French": ("fr", "fre"), "German": ("de", "ger"),
    "Spanish": ("es", "spa"), "Italian": ("it", "ita"), "Portuguese": ("pt", "por"),
    "Dutch": ("nl", "dut"), "Chinese": ("zh", "chi"), "Japanese": ("ja", "jpn"),
    "Russian": ("ru", "rus"), "Swedish": ("sv", "swe"), "Norwegian": ("no", "nor"),
    "Danish": ("da", "dan"), "Finnish": ("fi", "fin"), "Polish": ("pl", "pol"),
    "Korean": ("ko", "kor"), "Arabic": ("ar", "ara"), "Turkish": ("tr", "tur"),
}
#: canonical publication type -> codes used by Scopus (DOCTYPE) and OpenAlex (type)
PUBLICATION_TYPES: dict[str, tuple[str, str]] = {
    "Journal Article": ("ar", "article"), "Review": ("re", "review"),
    "Conference Paper": ("cp", "article"), "Book Chapter": ("ch", "book-chapter"),
    "Book": ("bk", "book"), "Letter": ("le", "letter"), "Editorial": ("ed", "editorial"),
    "Erratum": ("er", "erratum"),
}


#: every limit kind, with what it restricts (said in warnings when a target lacks it)
LIMIT_KINDS: dict[str, str] = {
    "language": "a language limit",
    "publication_type": "a publication type limit",
    "date": "a publication date limit",
    "peer_reviewed": "a peer-reviewed limit",
    "entry_date": "an entry date limit (when the record entered the database)",
    "create_date": "a create date limit (PubMed [crdt])",
    "completion_date": "a completion date limit (PubMed [dcom])",
    "mesh_date": "a MeSH date limit (PubMed [mhda])",
    "species": "a species limit (Humans/Animals check tags)",
    "filter": "a named search filter (its value names the interface: 'ovid: reviews "
              "(maximizes specificity)', 'ebsco: Age Groups: Aged')",
    "database": "a limit to one part of the database (e.g. Cochrane CENTRAL 'Trials')",
}
DATE_KINDS = frozenset({"date", "entry_date", "create_date", "completion_date", "mesh_date"})
MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}


#: Ovid MEDLINE age-group limits -> the MeSH age check tags they select (not exploded:
#: the limit is the check tags themselves, as Ovid's limit help lists them)
AGE_GROUPS: dict[str, tuple[str, ...]] = {
    "all child (0 to 18 years)": ("Infant, Newborn", "Infant", "Child, Preschool", "Child",
                                  "Adolescent"),
    "all infant (birth to 23 months)": ("Infant, Newborn", "Infant"),
    "all adult (19 plus years)": ("Young Adult", "Adult", "Middle Aged", "Aged",
                                  "Aged, 80 and over"),
    "all aged (65 and over)": ("Aged", "Aged, 80 and over"),
}


def limit_term(limit: Limit, vocabulary: str = "mesh") -> Node | None:
    """A limit as a search term of the tree, or None when it has no term form.

    Used for a limited line that the search uses inside OR, NOT or proximity, where the
    limit cannot move onto the whole search. Languages and publication types are field
    searches; species and Ovid age groups are MeSH check tags (only when the database is
    indexed with MeSH: `vocabulary`). Date ranges have none: a year as a search word is a
    line number in Ovid and a whole-search limit in PubMed.

    >>> limit_term(Limit("species", "Humans"))
    Heading(term='Humans', vocabulary=<Vocabulary.MESH: 'mesh'>, explode=False, major=False, subheadings=())
    >>> limit_term(Limit("date", "2000..2019")) is None
    True
    """
    values = [v.strip() for v in limit.value.split(" OR ") if v.strip()]
    terms: list[Node] = []
    if limit.kind in {"language", "publication_type"}:
        field = Field.LANGUAGE if limit.kind == "language" else Field.PUBLICATION_TYPE
        for value in values:
            words = tuple(value.split())
            leaf: Node = Term(words[0]) if len(words) == 1 else Phrase(words)
            terms.append(Fielded(leaf, frozenset({field})))
    elif limit.kind == "species" and vocabulary == "mesh":
        terms = [Heading(v, Vocabulary.MESH, explode=False) for v in values]
    elif limit.kind == "filter" and vocabulary == "mesh":
        for value in values:
            owner, _, name = value.partition(": ")
            tags = AGE_GROUPS.get(name.strip('"').lower()) if owner == "ovid" else None
            if tags is None:
                return None
            terms.extend(Heading(t, Vocabulary.MESH, explode=False) for t in tags)
    if not terms:
        return None
    return terms[0] if len(terms) == 1 else Or(tuple(terms))


def limit_loss(limit: Limit, database: str) -> str:
    """Why a limit is dropped for `database`, as a warning sentence.

    >>> limit_loss(Limit("species", "Humans"), "Scopus")
    'Scopus has no species limit (Humans/Animals check tags): limit species=Humans dropped (wider)'
    """
    if limit.kind == "filter":
        owner, _, name = limit.value.partition(": ")
        return (f"{database} has no equivalent of the {owner} filter {name!r} (a filter is the "
                "interface's own): limit dropped (wider)")
    what = LIMIT_KINDS.get(limit.kind, f"a {limit.kind} limit")
    what = re.sub(r"^an? ", "", what)
    return f"{database} has no {what}: limit {limit.kind}={limit.value} dropped (wider)"


def month_date(month: str, year: str, end: bool) -> str:
    """'Mar', '2019' -> '2019-03-01' (start) or '2019-03-31' (end of the month).

    >>> month_date("Feb", "2020", True)
    '2020-02-29'
    """
    import calendar

    number = MONTHS[month[:3].lower()]
    day = calendar.monthrange(int(year), number)[1] if end else 1
    return f"{year}-{number:02d}-{day:02d}"


def language_name(value: str) -> str | None:
    """Canonical language name for a name or ISO code, or None.

    >>> language_name("eng"), language_name("en"), language_name("ENGLISH language")
    ('English', 'English', 'English')
    """
    value = re.sub(r"(?i)\s*language\s*$", "", value.strip().strip('"')).strip()
    for name, codes in LANGUAGES.items():
        if value.lower() == name.lower() or value.lower() in codes:
            return name
    return None


def publication_type_name(value: str) -> str:
    value = value.strip().strip('"')
    for name, codes in PUBLICATION_TYPES.items():
        if value.lower() == name.lower() or value.lower() in codes:
            return name
    return value


def date_range(start: str, end: str) -> str:
    return f"{start}..{end}"


def years(limit: Limit) -> tuple[str, str]:
    """The first and last year of a date limit ('2000-01-01..2019' -> ('2000', '2019'))."""
    start, _, end = limit.value.partition("..")
    return start[:4], end[:4]


#: years written for an open end of a date range where the syntax needs both ends
OPEN_START, OPEN_END = "1000", "3000"


def closed_years(limit: Limit) -> tuple[str, str]:
    """Like `years`, with an open end written as 1000 or 3000 (read back as open).

    >>> closed_years(Limit("date", "2000.."))
    ('2000', '3000')
    """
    start, end = years(limit)
    return start or OPEN_START, end or OPEN_END


def open_ends(limit: Limit) -> Limit:
    """Read 1000/3000 (or beyond) at either end of a date range as open."""
    if limit.kind not in DATE_KINDS:
        return limit
    start, _, end = limit.value.partition("..")
    start = "" if start and start[:4] <= OPEN_START else start
    end = "" if end and end[:4] >= OPEN_END else end
    return Limit(limit.kind, f"{start}..{end}")


def parse_limit_line(line: str) -> list[Limit]:
    """Read a limits line as the interfaces print it.

    >>> parse_limit_line("Limiters - Peer Reviewed; English Language")
    [Limit(kind='peer_reviewed', value='true'), Limit(kind='language', value='English')]
    """
    body = re.sub(r"(?i)^\s*(filters|limiters|limits)\s*[-:–]?\s*", "", line)
    limits: list[Limit] = []
    for item in re.split(r"\s*[;,]\s*", body.strip()):
        if not item:
            continue
        limits.append(parse_limit_item(item, line))
    return limits


def parse_limit_item(item: str, line: str = "") -> Limit:
    """One limit as printed by an interface ('English Language', 'Humans', a date range).

    >>> parse_limit_item("Cochrane Library publication date from Jan 2000 to Mar 2019")
    Limit(kind='entry_date', value='2000-01-01..2019-03-31')
    """
    low = item.lower().strip()
    if re.fullmatch(r"(peer[- ]reviewed|scholarly.*journals?)", low):
        return Limit("peer_reviewed", "true")
    if low in {"humans", "human", "animals", "animal"}:
        return Limit("species", "Humans" if low.startswith("human") else "Animals")
    m = re.fullmatch(r"in (trials|cochrane reviews|cochrane protocols|clinical answers|"
                     r"editorials|special collections)", low)
    if m:
        return Limit("database", item.strip()[3:])
    cochrane = cochrane_date(item)
    if cochrane is not None:
        return cochrane
    m = re.fullmatch(r"(?:language\s*[:=]\s*)?(.+?)", item, re.I)
    if m and language_name(m.group(1)):
        return Limit("language", language_name(m.group(1)) or "")
    m = re.fullmatch(r"(?:publication type|document type|pt)\s*[:=]\s*(.+)", item, re.I)
    if m:
        return Limit("publication_type", publication_type_name(m.group(1)))
    found = [v.replace("/", "-") for v in re.findall(
        r"\d{4}[-/]\d{1,2}[-/]\d{1,2}|\d{8}|\d{4}", item)]
    found = [re.sub(r"-(\d)(?=-|$)", r"-0\1", v) for v in found]  # 1996/1/5 -> 1996-01-05
    kind = "entry_date" if re.match(r"(?i)\s*(?:entrez|entry)\s+date", item) else "date"
    if found and re.search(r"(?i)date|year|from|^\d", item):
        start = _iso(found[0])
        end = _iso(found[1]) if len(found) > 1 else ""
        return Limit(kind, date_range(start, end))
    if item.strip().title() in PUBLICATION_TYPES or item.strip() in PUBLICATION_TYPES:
        return Limit("publication_type", publication_type_name(item))
    raise SearchSyntaxError(
        f"limit {item!r} not understood (expected a language, 'Peer Reviewed', "
        "'Publication Type: ...' or a date range)", line, 1, max(1, line.find(item) + 1))


def cochrane_date(item: str) -> Limit | None:
    """Cochrane's printed date limits: 'Cochrane Library publication date from Jan 2000 to
    Mar 2019' (when the record was added: an entry date) and 'Publication Year from 2000 to
    2019'; either end may be missing ('from 2000', 'to 2019')."""
    m = re.fullmatch(r"(?i)\s*(cochrane library publication date|publication year|"
                     r"original publication year)\s*(?:between\s*|from\s+)?"
                     r"((?:[a-z]{3,9}\s+)?\d{4})?\s*(?:(?:to|and)\s+((?:[a-z]{3,9}\s+)?\d{4}|present|"
                     r"current))?\s*",
                     item)
    if m is None or not (m.group(2) or m.group(3)):
        return None

    def one(text: str | None, end: bool) -> str:
        if not text or text.lower() in {"present", "current"}:
            return ""
        parts = text.split()
        if len(parts) == 2:
            if parts[0][:3].lower() not in MONTHS:
                raise SearchSyntaxError(f"limit {item!r}: {parts[0]!r} is not a month", item,
                                        1, 1)
            return month_date(parts[0], parts[1], end)
        return parts[0]

    kind = "entry_date" if m.group(1).lower().startswith("cochrane") else "date"
    return Limit(kind, date_range(one(m.group(2), False), one(m.group(3), True)))


def _month_year(value: str, end: bool) -> str:
    """'2019-03-31' -> 'Mar 2019'; a bare year -> 'Jan 2000' / 'Dec 2019'."""
    names = {v: k.title() for k, v in MONTHS.items()}
    month = int(value[5:7]) if len(value) >= 7 else (12 if end else 1)
    return f"{names[month]} {value[:4]}"


def _iso(value: str) -> str:
    digits = value.replace("-", "")
    if len(digits) == 8:
        return f"{digits[:4]}-{digits[4:6]}-{digits[6:]}"
    return digits


def _compact(value: str) -> str:
    return value.replace("-", "")


def format_limit_line(limits: tuple[Limit, ...], style: str) -> tuple[str, list[Limit]]:
    """A limits line in `style` (pubmed, ebsco, proquest, cochrane) and the limits it cannot say.

    >>> format_limit_line((Limit("language", "English"),), "pubmed")
    ('Filters: English', [])
    """
    items: list[str] = []
    lost: list[Limit] = []
    for limit in limits:
        text = _format_item(limit, style)
        if text is None:
            lost.append(limit)
        else:
            items.append(text)
    if not items:
        return "", lost
    prefix = {"pubmed": "Filters: ", "ebsco": "Limiters - ", "proquest": "Limits - "}.get(
        style, "Limits: ")
    return prefix + "; ".join(items), lost


def _format_item(limit: Limit, style: str) -> str | None:
    values = limit.value.split(" OR ")
    if limit.kind == "peer_reviewed":
        return {"ebsco": "Peer Reviewed", "proquest": "Peer reviewed"}.get(style)
    if limit.kind == "language":
        if style == "cochrane":
            return None
        if style == "ebsco":
            return ", ".join(f"{v} Language" for v in values)
        if style == "proquest":
            return "Language: " + ", ".join(values)
        return ", ".join(values)
    if limit.kind == "publication_type":
        if style == "cochrane":
            return None
        label = {"ebsco": "Publication Type: ", "proquest": "Document type: "}.get(style, "")
        return label + ", ".join(values)
    if limit.kind == "filter":  # named filters are the interface's own: "ebsco: ..."
        return limit.value.removeprefix("ebsco: ") if (
            style == "ebsco" and limit.value.startswith("ebsco: ")) else None
    if limit.kind == "species":
        return {"pubmed": limit.value, "ebsco": limit.value.rstrip("s")}.get(style)
    if limit.kind == "database":
        return f"in {limit.value}" if style == "cochrane" else None
    if limit.kind == "entry_date":
        if style != "cochrane":
            return None
        start, _, end = limit.value.partition("..")
        return "Cochrane Library publication date" + (
            f" from {_month_year(start, False)}" if start else "") + (
            f" to {_month_year(end, True)}" if end else "")
    if limit.kind == "date":
        start, _, end = limit.value.partition("..")
        start, end = start or OPEN_START, end or OPEN_END
        if style == "ebsco":
            return f"Published Date: {_compact(start)}-{_compact(end)}"
        if style == "pubmed":
            return f"from {start} - {end}"
        if style == "cochrane":
            return f"Publication Year from {start[:4]} to {end[:4]}"
        return f"Date: From {start} to {end}"
    return None

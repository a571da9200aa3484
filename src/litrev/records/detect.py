"""Which format a file is in, and which database (and program) produced it.

Format comes from the content, never the extension alone: a PubMed export is a `.txt`, a Web
of Science tab-delimited file is a `.txt` in UTF-16. The source database comes from what each
database writes: `DB`/`DP` tags, accession-number shapes, URLs, column names.

>>> detect_format("x.txt", "PMID- 123\\nTI  - A\\n")
'nbib'
>>> ris_source({"DB": "Ovid MEDLINE(R) ALL", "AN": "123"})
('MEDLINE', 'ovid')
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

from litrev.errors import InputError
from litrev.records.model import Record

FORMATS = (
    "ris",
    "nbib",
    "wos-txt",
    "wos-tab",
    "scopus-csv",
    "csv",
    "tsv",
    "xlsx",
    "bibtex",
    "endnote-xml",
    "openalex-json",
    "crossref-json",
    "europepmc-json",
    "cochrane-txt",
    "pubmed-xml",
    "europepmc-xml",
    "ovid-txt",
    "csl-json",
    "zotero-rdf",
    "refworks",
    "embase-csv",
    "proquest-csv",
    "ebsco-csv",
)
ALIASES = {
    "medline": "nbib",
    "pubmed": "nbib",
    "txt": "nbib",
    "wos": "wos-txt",
    "wos-plain": "wos-txt",
    "wos_plain": "wos-txt",
    "bib": "bibtex",
    "xml": "endnote-xml",
    "endnote": "endnote-xml",
    "scopus_csv": "scopus-csv",
    "json": "json",
    "openalex": "openalex-json",
    "crossref": "crossref-json",
    "europepmc": "europepmc-json",
    "asreview-csv": "csv",
    "asreview": "csv",
    "cochrane": "cochrane-txt",
    "pubmed-xml": "pubmed-xml",
    "medline-xml": "pubmed-xml",
    "ovid": "ovid-txt",
    "csl": "csl-json",
    "zotero-json": "csl-json",
    "rdf": "zotero-rdf",
    "refworks-tagged": "refworks",
    "embase-xlsx": "embase-csv",
    "proquest-xlsx": "proquest-csv",
    "ebsco-xlsx": "ebsco-csv",
}
# Formats whose records each name their database (or none): the file's database is theirs only
# when they agree.
_DATABASE_EXPORTS = frozenset({"cochrane-txt", "ovid-txt", "proquest-csv", "ebsco-csv"})
_OWN_DATABASE_FORMATS = _DATABASE_EXPORTS | {"csl-json", "zotero-rdf", "refworks"}
# The program that wrote each of these formats, when the format alone says it.
FORMAT_DIALECTS = {
    "cochrane-txt": "wiley",
    "pubmed-xml": "pubmed",
    "ovid-txt": "ovid",
    "zotero-rdf": "zotero",
    "refworks": "refworks",
    "embase-csv": "embase",
    "proquest-csv": "proquest",
    "ebsco-csv": "ebsco",
}
_EXTENSIONS = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".ris": "ris",
    ".nbib": "nbib",
    ".bib": "bibtex",
    ".xml": "endnote-xml",
    ".json": "json",
}
_BIBTEX_START = re.compile(r"^\s*@[A-Za-z]+\s*[{(]", re.MULTILINE)

# Database names as they appear in DB tags, mapped to the name litrev counts them under.
_DATABASES = [
    ("cinahl", "CINAHL"),
    ("psycinfo", "PsycINFO"),
    ("psycarticles", "PsycARTICLES"),
    ("embase", "Embase"),
    ("medline", "MEDLINE"),
    ("pubmed", "PubMed"),
    ("scopus", "Scopus"),
    ("web of science", "Web of Science"),
    ("cochrane", "Cochrane Library"),
    ("academic search", "Academic Search"),
    ("eric", "ERIC"),
    ("socindex", "SocINDEX"),
    ("assia", "ASSIA"),
    ("social services abstracts", "Social Services Abstracts"),
    ("sociological abstracts", "Sociological Abstracts"),
    ("proquest", "ProQuest"),
    ("global health", "Global Health"),
    ("hmic", "HMIC"),
    ("amed", "AMED"),
]
_URL_DATABASES = [
    ("scopus.com", "Scopus", "scopus"),
    ("embase.com", "Embase", "embase"),
    ("webofscience", "Web of Science", "wos"),
    ("webofknowledge", "Web of Science", "wos"),
    ("cochranelibrary.com", "Cochrane Library", "wiley"),
    ("proquest.com", "ProQuest", "proquest"),
    ("ovid.com", None, "ovid"),
    ("ebscohost.com", None, "ebsco"),
    ("ncbi.nlm.nih.gov/pubmed", "PubMed", None),
    ("pubmed.ncbi.nlm.nih.gov", "PubMed", None),
]
_EBSCO_DB_CODES = {
    "aph": "Academic Search",
    "psyh": "PsycINFO",
    "cin20": "CINAHL",
    "ccm": "CINAHL",
    "rzh": "CINAHL",
    "cmedm": "MEDLINE",
    "mdc": "MEDLINE",
    "mnh": "MEDLINE",
    "eric": "ERIC",
    "sih": "SocINDEX",
    "pdh": "PsycARTICLES",
}


_XML_ROOT = re.compile(r"<([A-Za-z_][\w.:-]*)")
_XML_PROLOGUE = re.compile(r"<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>\[]*(?:\[.*?\])?\s*>", re.DOTALL)
_OVID_RECORD = re.compile(r"^<\s*\d+\s*\.?\s*>\s*$")
_COCHRANE_RECORD = re.compile(r"^Record #\d+ of \d+\s*$")
_COCHRANE_FIELD = re.compile(r"^[A-Z][A-Z0-9]{1,3}:( |$)")
_CSL_ONLY_TYPES = (
    "article-journal|article-magazine|article-newspaper|paper-conference|chapter|"
    "entry-encyclopedia|entry-dictionary|post-weblog|personal_communication|motion_picture|"
    "legal_case|musical_score|review-book|webpage|manuscript|thesis"
)
_CSL_MARKS = re.compile(
    r'"container-title"\s*:\s*"|"citation-key"\s*:|"type"\s*:\s*"(?:' + _CSL_ONLY_TYPES + ')"'
)
_OTHER_JSON_MARKS = re.compile(
    r'"(?:message-type|authorships|abstract_inverted_index|resultList|authorString)"\s*:'
    r'|"title"\s*:\s*\['
)


def _xml_root(text: str) -> str | None:
    """The first element name of an XML document, after its declaration, comments, DOCTYPE.

    >>> _xml_root('<?xml version="1.0"?><!DOCTYPE PubmedArticleSet><!-- x --><PubmedArticleSet>')
    'PubmedArticleSet'
    """
    body = _XML_PROLOGUE.sub("", text[:5000])
    match = _XML_ROOT.match(body.lstrip())
    return match.group(1) if match else None


def looks_like_csl(head: str) -> bool:
    """Whether a JSON document's start reads as CSL-JSON rather than Crossref, OpenAlex or
    Europe PMC JSON (CSL's `title` and `container-title` are strings, Crossref's lists).

    >>> looks_like_csl('[{"id": "x", "type": "article-journal", "title": "Care"}]')
    True
    >>> looks_like_csl('{"message": {"items": [{"type": "journal-article", "title": ["Care"]}]}}')
    False
    """
    return bool(_CSL_MARKS.search(head)) and not _OTHER_JSON_MARKS.search(head)


def _looks_like_column_names(line: str, following: str) -> bool:
    """Five or more short names not ending a sentence, and the next line has as many cells
    (a row): exports have a dozen columns or more, prose with commas rarely passes."""
    delimiter = "\t" if line.count("\t") > line.count(",") else ","
    try:
        names, row = csv.reader([line, following], delimiter=delimiter)
    except (csv.Error, ValueError):
        return False
    return (
        len(names) >= 5
        and len(row) == len(names)
        and all(0 < len(n) <= 60 and not n.endswith(".") for n in names)
    )


def _tagged_kind(lines: list[str]) -> str | None:
    """The line-tagged formats litrev knows by their record openers (header lines allowed)."""
    for index, line in enumerate(lines[:150]):
        if _COCHRANE_RECORD.match(line):
            # Cochrane also numbers its RIS and BibTeX exports: plain text has "ID: ..." lines next.
            if any(_COCHRANE_FIELD.match(after) for after in lines[index + 1 : index + 4]):
                return "cochrane-txt"
            continue
        if _OVID_RECORD.match(line):
            return "ovid-txt"
        if line.startswith("RT ") and len(line) > 3:
            return "refworks"
        if line.startswith(("TY  -", "PMID-", "FN ", "PT ", "@")):
            return None  # RIS, MEDLINE, Web of Science, BibTeX: decided below
    return None


def canonical_format(name: str) -> str:
    """Accept litrev's format names and common aliases; raise `InputError` for others."""
    key = name.strip().lower()
    key = ALIASES.get(key, key)
    if key not in FORMATS and key != "json":
        raise InputError(name, f"unknown format {name!r}; expected one of {', '.join(FORMATS)}")
    return key


def detect_format(path: str | Path, text: str) -> str:
    """The format of decoded text (xlsx is recognised from bytes by the caller)."""
    head = text[:20000]
    stripped = head.lstrip()
    if stripped.startswith("<") and not _OVID_RECORD.match(stripped.split("\n", 1)[0]):
        root = _xml_root(stripped)
        if root in ("PubmedArticleSet", "PubmedArticle", "PubmedBookArticle"):
            return "pubmed-xml"
        if root == "responseWrapper":
            return "europepmc-xml"
        if root == "rdf:RDF":
            return "zotero-rdf"
        if root in ("xml", "records") or stripped.startswith("<?xml"):
            return "endnote-xml"
    if stripped.startswith(("{", "[")):
        return "csl-json" if looks_like_csl(head) else "json"
    lines = [line for line in head.split("\n")[:200] if line.strip()]
    tagged = _tagged_kind(lines)
    if tagged:
        return tagged
    for line in lines[:60]:
        if line.startswith("TY  -"):
            return "ris"
        if line.startswith("PMID-"):
            return "nbib"
        if (line.startswith(("FN ", "PT ")) and any(x.rstrip() == "ER" for x in lines)) or (
            line.startswith("FN ") and "Web of Science" in line
        ):
            return "wos-txt"
    if _BIBTEX_START.search(head):
        return "bibtex"
    if lines and ("\t" in lines[0] or "," in lines[0]):
        return "tsv" if lines[0].count("\t") > lines[0].count(",") else "csv"
    # A table under a few header lines ("Embase Session Results", an export date).
    for index in range(1, min(len(lines) - 1, 30)):
        header = lines[index]
        if _looks_like_column_names(header, lines[index + 1]):
            return "tsv" if header.count("\t") > header.count(",") else "csv"
    by_extension = _EXTENSIONS.get(Path(path).suffix.lower())
    if by_extension:
        return by_extension  # e.g. a one-column CSV: nothing in it says "CSV"
    raise InputError(
        str(path),
        "cannot tell the format: expected RIS ('TY  - '), MEDLINE "
        "('PMID- '), Web of Science ('FN '/'PT '), BibTeX ('@article{'), Cochrane "
        "('Record #1 of'), Ovid ('<1>'), RefWorks ('RT '), EndNote, PubMed, Europe PMC or "
        "Zotero XML, JSON, CSV/TSV or XLSX; pass the format explicitly",
        line=1,
    )


def ebsco_database(code: str) -> str | None:
    """The database an EBSCOhost `db=` code names, None if unknown.

    >>> ebsco_database("rzh"), ebsco_database("xyz")
    ('CINAHL', None)
    """
    return _EBSCO_DB_CODES.get(code.lower())


def database_name(text: str) -> str | None:
    """The name litrev counts a database under ("Ovid MEDLINE(R) ALL" -> "MEDLINE").

    >>> database_name("APA PsycInfo"), database_name("Global Index Medicus")
    ('PsycINFO', 'Global Index Medicus')
    """
    lowered = text.lower()
    for needle, name in _DATABASES:
        if needle in lowered:
            return name
    return text.strip() or None


_database_name = database_name


def ris_source(first: dict[str, str]) -> tuple[str | None, str | None]:
    """(source database, dialect) of one RIS record from the first value of each tag."""
    get = first.get
    db, dp = get("DB", "").strip(), get("DP", "").strip()
    urls = " ".join(get(t, "") for t in ("UR", "L2", "US", "LK")).lower()
    an, record_id = get("AN", ""), get("ID", "")
    if "WE" in first or an.startswith("WOS:") or get("UT", "").startswith("WOS:"):
        return "Web of Science", "wos"
    if "ovid" in db.lower() or "ovid.com" in urls:
        return _database_name(db.lower().replace("ovid", "")) if db else None, "ovid"
    if dp.lower() == "ebscohost" or "ebscohost.com" in urls:
        code = re.search(r"[?&]db=([a-z0-9]+)", urls)
        name = _EBSCO_DB_CODES.get(db.lower()) or (_database_name(db) if db else None)
        return name or (_EBSCO_DB_CODES.get(code.group(1)) if code else None), "ebsco"
    if "proquest" in (db + dp).lower() or "proquest.com" in urls:
        name = _database_name(db) if db else "ProQuest"
        return name, "proquest"
    if record_id.startswith("CN-") or "cochranelibrary.com" in urls or "cochrane" in db.lower():
        return (
            "Cochrane CENTRAL"
            if record_id.startswith("CN-") or "/central/" in urls
            else "Cochrane Library"
        ), "wiley"
    if db.lower() == "scopus" or "scopus.com" in urls:
        return "Scopus", "scopus"
    if db.lower().startswith("embase") or re.fullmatch(r"L\d{6,}", get("U2", "").strip()):
        return "Embase", "embase"
    dialect = None
    tags = list(first)
    if tags and tags[-1] == "ID" and tags[1:-1] == sorted(tags[1:-1]) and "DP" in first:
        dialect = "endnote"
    elif tags[:3] == ["TY", "TI", "AU"] and "DA" in first and not db:
        dialect = "zotero"
    if dp.upper() == "NLM" or db.lower() == "pubmed":
        return "PubMed", dialect or "pubmed"
    for needle, name, url_dialect in _URL_DATABASES:
        if needle in urls:
            return name, dialect or url_dialect
    return (_database_name(db) if db else None), dialect


def _first_values(record: Record) -> dict[str, str]:
    first: dict[str, str] = {}
    for tag, value in record.raw:
        if tag not in first and value.strip():
            first[tag] = value
    return first


def record_source(record: Record) -> tuple[str | None, str | None]:
    """(source database, dialect) of one RIS record."""
    return ris_source(_first_values(record))


def detect_source(records: list[Record], fmt: str) -> tuple[str | None, str | None]:
    """(source database, dialect) of a whole file: the most common answer among its records."""
    if not records:
        return None, None
    if fmt == "nbib":
        return "PubMed", "pubmed"
    if fmt in ("wos-txt", "wos-tab"):
        return "Web of Science", "wos"
    if fmt == "scopus-csv":
        return "Scopus", "scopus"
    if fmt in _OWN_DATABASE_FORMATS:
        # A reference manager's library mixes databases, so a record that names none must not
        # be counted under its neighbours'; a database's own export (Ovid, ProQuest) is one
        # search, so the records that name none are from the database the others all name.
        names = {record.source_db for record in records}
        if fmt in _DATABASE_EXPORTS:
            names.discard(None)
        dialect = FORMAT_DIALECTS.get(fmt)
        if fmt == "csl-json" and any("zotero.org" in (r.record_id or "") for r in records[:50]):
            dialect = "zotero"
        return (names.pop() if len(names) == 1 else None), dialect
    sample = records[:50]
    votes: Counter[tuple[str | None, str | None]] = Counter()
    for record in sample:
        first = _first_values(record)
        if fmt == "ris":
            votes[ris_source(first)] += 1
        elif fmt == "bibtex":
            lowered = {k.lower(): v for k, v in first.items()}
            if (
                lowered.get("unique-id", "").startswith("WOS:")
                or "web-of-science-categories" in lowered
            ):
                votes[("Web of Science", "wos")] += 1
            elif "scopus.com" in lowered.get("url", "") or lowered.get("source") == "Scopus":
                votes[("Scopus", "scopus")] += 1
            else:
                votes[(None, None)] += 1
        elif fmt == "endnote-xml":
            provider = first.get("remote-database-provider", "") + first.get(
                "remote-database-name", ""
            )
            name = (
                "PubMed"
                if "nlm" in provider.lower()
                else (_database_name(provider) if provider else None)
            )
            votes[(name, "endnote")] += 1
        else:
            votes[(record.source_db, FORMAT_DIALECTS.get(fmt))] += 1
    return votes.most_common(1)[0][0]

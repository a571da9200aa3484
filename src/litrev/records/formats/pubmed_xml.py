"""PubMed XML (`<PubmedArticleSet>`: E-utilities efetch, PubMed "Save > XML").

Each `<PubmedArticle>` (and `<PubmedBookArticle>`) is a record. `raw` holds every element
below it as path/text pairs (`MedlineCitation/Article/ArticleTitle`, `...@Label` attributes);
the typed fields follow the NLM DTD: structured abstracts are joined as "LABEL: text", the
year comes from `PubDate/Year` or `MedlineDate` ("2019 Mar-Apr"), the DOI from the
article's own `ArticleIdList` (never the cited references') or `ELocationID`, and MeSH
descriptors and author keywords go to `keywords`.

>>> xml = ('<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>1</PMID><Article>'
...        '<Journal><JournalIssue><PubDate><MedlineDate>2019 Mar-Apr</MedlineDate></PubDate>'
...        '</JournalIssue><Title>BMJ</Title></Journal><ArticleTitle>A <i>trial</i></ArticleTitle>'
...        '<Abstract><AbstractText Label="AIM">To test.</AbstractText></Abstract></Article>'
...        '</MedlineCitation></PubmedArticle></PubmedArticleSet>')
>>> r = parse_pubmed_xml(xml).records[0]
>>> r.pmid, r.title, r.year, r.abstract, r.journal
('1', 'A trial', 2019, 'AIM: To test.', 'BMJ')
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from litrev.errors import InputError
from litrev.records.base import ParsedFile, Problems, clean_text, join_pages, normalise_doi
from litrev.records.base import parse_year as _year
from litrev.records.formats.xmlsafe import flatten, iter_records, text_of
from litrev.records.model import Provenance, Record

_RECORDS = {"PubmedArticle", "PubmedBookArticle"}


def parse_pubmed_xml(text: str, path: str = "<text>", skip_invalid: bool = False) -> ParsedFile:
    """Read every article of a PubMed XML file; an article without a PMID is malformed."""
    problems = Problems(path, skip_invalid)
    if not any(root in text[:20000] for root in ("<PubmedArticle", "<PubmedBookArticle")):
        raise InputError(path, "no <PubmedArticleSet>; expected a PubMed XML export", line=1)
    records: list[Record] = []
    for position, (element, line, problem) in enumerate(iter_records(text, path, _RECORDS)):
        if element is None:
            problems.report(problem or "unreadable record", line=line, position=position)
            continue
        citation = element.find("MedlineCitation")
        if citation is None:
            citation = element.find("BookDocument")
        pmid = text_of(citation.find("PMID")) if citation is not None else None
        if citation is None or not pmid:
            problems.report(
                f"<{element.tag}> has no <MedlineCitation>/<BookDocument> with a <PMID>",
                line=line,
                position=position,
            )
        else:
            records.append(_record(element, citation, pmid, path, position, line))
    return ParsedFile(records, problems.skipped)


def _abstract(parent: ET.Element | None) -> str | None:
    if parent is None:
        return None
    parts = []
    for piece in parent.findall("Abstract/AbstractText"):
        body = text_of(piece)
        if not body:
            continue
        label = piece.get("Label")
        parts.append(f"{label}: {body}" if label else body)
    return clean_text(" ".join(parts)) if parts else None


def _author(person: ET.Element) -> str | None:
    last, fore = text_of(person.find("LastName")), text_of(person.find("ForeName"))
    if last:
        initials = fore or text_of(person.find("Initials"))
        suffix = text_of(person.find("Suffix"))
        name = f"{last}, {initials}" if initials else last
        return f"{name} {suffix}" if suffix else name
    return text_of(person.find("CollectiveName"))


def _record(
    element: ET.Element, citation: ET.Element, pmid: str, path: str, position: int, line: int
) -> Record:
    book = citation.tag == "BookDocument"
    article = citation if book else citation.find("Article")
    journal = article.find("Journal") if article is not None else None
    issue = journal.find("JournalIssue") if journal is not None else None
    date = issue.find("PubDate") if issue is not None else None
    if book:
        date = citation.find("Book/PubDate")
    year = None
    if date is not None:
        year = _year(text_of(date.find("Year")) or text_of(date.find("MedlineDate")))
    if year is None and article is not None:
        year = _year(text_of(article.find("ArticleDate/Year")))
    ids = {
        (i.get("IdType") or ""): text_of(i)
        for i in element.findall("PubmedData/ArticleIdList/ArticleId")
        + element.findall("PubmedBookData/ArticleIdList/ArticleId")
    }
    doi = ids.get("doi")
    if not doi and article is not None:
        for location in article.findall("ELocationID"):
            if location.get("EIdType") == "doi" and location.get("ValidYN", "Y") == "Y":
                doi = text_of(location)
                break
    pages = None
    if article is not None:
        pages = text_of(article.find("Pagination/MedlinePgn")) or join_pages(
            text_of(article.find("Pagination/StartPage")),
            text_of(article.find("Pagination/EndPage")),
        )
    authors = [
        name
        for name in (
            _author(a)
            for a in (article.findall("AuthorList/Author") if article is not None else [])
        )
        if name
    ]
    keywords = [
        k
        for k in (
            text_of(d) for d in citation.findall("MeshHeadingList/MeshHeading/DescriptorName")
        )
        if k
    ]
    keywords += [k for k in (text_of(w) for w in citation.findall("KeywordList/Keyword")) if k]
    title_element = article.find("ArticleTitle") if article is not None else None
    if book and title_element is None:
        title_element = citation.find("Book/BookTitle")
    if title_element is None and article is not None:
        title_element = article.find("VernacularTitle")
    issn = None
    if journal is not None:
        issn = text_of(journal.find("ISSN"))
    types = [
        t
        for t in (
            text_of(p)
            for p in (
                article.findall("PublicationTypeList/PublicationType")
                if article is not None
                else []
            )
        )
        if t
    ]
    if book and not types:
        types = [t for t in (text_of(p) for p in citation.findall("PublicationType")) if t]
    return Record(
        title=clean_text(text_of(title_element)),
        abstract=_abstract(citation if book else article),
        authors=authors,
        year=year,
        journal=clean_text(
            # A chapter's book is its "journal"; a whole book has no container.
            (
                text_of(citation.find("Book/BookTitle"))
                if citation.find("ArticleTitle") is not None
                else None
            )
            if book
            else (text_of(journal.find("Title")) if journal is not None else None)
        ),
        volume=text_of(issue.find("Volume")) if issue is not None else None,
        issue=text_of(issue.find("Issue")) if issue is not None else None,
        pages=pages,
        doi=normalise_doi(doi),
        pmid=pmid,
        pmcid=ids.get("pmc"),
        issn=issn,
        keywords=keywords,
        language=text_of(citation.find("Language"))
        if book
        else (text_of(article.find("Language")) if article is not None else None),
        publication_type=types[0] if types else None,  # the first, as from .nbib
        url=f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/",
        record_id=pmid,
        source_db="PubMed",
        raw=[(f"{element.tag}@{k}", v) for k, v in element.attrib.items()] + flatten(element),
        provenance=Provenance(file=path, position=position, line=line, format="pubmed-xml"),
    )

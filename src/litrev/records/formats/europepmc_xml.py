"""Europe PMC XML (REST `search?format=xml`, `resultType=core` or `lite`).

Records are `responseWrapper/resultList/result`; the wrapper's `hitCount`, `request` and cursor
are not records. `raw` holds every element below `<result>` as path/text pairs
(`journalInfo/journal/title`, `authorList/author/fullName`); the typed fields read the same
elements as litrev's Europe PMC JSON reader, so the two exports of one search agree.

>>> xml = ('<responseWrapper><hitCount>1</hitCount><resultList><result><id>9</id>'
...        '<source>MED</source><pmid>9</pmid><title>Care</title><pubYear>2020</pubYear>'
...        '<authorString>Smith J, Jones K.</authorString></result></resultList></responseWrapper>')
>>> r = parse_europepmc_xml(xml).records[0]
>>> r.record_id, r.pmid, r.title, r.year, r.authors
('MED:9', '9', 'Care', 2020, ['Smith J', 'Jones K'])
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from litrev.errors import InputError
from litrev.records.base import ParsedFile, Problems, clean_text, normalise_doi, parse_year
from litrev.records.formats.xmlsafe import flatten, iter_records, text_of
from litrev.records.model import Provenance, Record


def _is_result(tags: tuple[str, ...]) -> bool:
    return tags[-2:] == ("resultList", "result")


def parse_europepmc_xml(text: str, path: str = "<text>", skip_invalid: bool = False) -> ParsedFile:
    """Read every `<result>`; one without `<id>` or `<title>` is malformed."""
    problems = Problems(path, skip_invalid)
    if "<responseWrapper" not in text[:5000]:
        # Without the wrapper the file is some other XML: say so rather than find no records.
        raise InputError(path, "no <responseWrapper>; expected a Europe PMC XML response", line=1)
    records: list[Record] = []
    for position, (element, line, problem) in enumerate(iter_records(text, path, _is_result)):
        if element is None:
            problems.report(problem or "unreadable record", line=line, position=position)
            continue
        if not text_of(element.find("id")) or not text_of(element.find("title")):
            problems.report(
                "<result> has no <id> or no <title>; expected a Europe PMC search result",
                line=line,
                position=position,
            )
            continue
        records.append(_record(element, path, position, line))
    return ParsedFile(records, problems.skipped)


def _texts(element: ET.Element, path: str) -> list[str]:
    return [t for t in (text_of(e) for e in element.findall(path)) if t]


def _record(element: ET.Element, path: str, position: int, line: int) -> Record:
    def get(tag: str) -> str | None:
        return text_of(element.find(tag))

    authors = _texts(element, "authorList/author/fullName")
    if not authors and get("authorString"):
        authors = [a.strip() for a in (get("authorString") or "").rstrip(".").split(",")]
        authors = [a for a in authors if a]
    keywords = _texts(element, "keywordList/keyword")
    keywords += _texts(element, "meshHeadingList/meshHeading/descriptorName")
    source, identifier = get("source") or "", get("id") or ""
    year = parse_year(get("pubYear") or get("journalInfo/yearOfPublication"))
    urls = _texts(element, "fullTextUrlList/fullTextUrl/url")
    return Record(
        title=clean_text(get("title")),
        abstract=clean_text(get("abstractText")),
        authors=authors,
        year=year,
        journal=clean_text(get("journalInfo/journal/title") or get("journalTitle")),
        volume=get("journalInfo/volume"),
        issue=get("journalInfo/issue"),
        pages=get("pageInfo"),
        doi=normalise_doi(get("doi")),
        pmid=get("pmid"),
        pmcid=get("pmcid"),
        issn=get("journalInfo/journal/issn") or get("journalInfo/journal/essn"),
        keywords=keywords,
        language=get("language"),
        publication_type=next(iter(_texts(element, "pubTypeList/pubType")), None),
        url=urls[0] if urls else None,
        record_id=f"{source}:{identifier}",
        source_db="Europe PMC",
        raw=flatten(element),
        provenance=Provenance(file=path, position=position, line=line, format="europepmc-xml"),
    )

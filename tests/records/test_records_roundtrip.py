"""Property: any record written by litrev in a format and read back keeps every tag and value."""

from __future__ import annotations

import string
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from litrev.records import Provenance, Record, read, write
from litrev.records.formats.jsonfmt import encode_value

SETTINGS = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
# Any character a file can carry, but CR (every reader reads CR, CRLF and LF as one newline)
# and the NUL/line-separator characters that text formats cannot hold.
LINE_TEXT = st.text(
    st.characters(blacklist_categories=["Cs", "Cc"], blacklist_characters="\u2028\u2029\ufeff"),
    max_size=30,
)
XML_TEXT = st.text(
    st.characters(blacklist_categories=["Cs", "Cc"], blacklist_characters="\ufffe\uffff\ufeff"),
    max_size=30,
)
UPPER2 = st.text(string.ascii_uppercase + string.digits, min_size=2, max_size=2).filter(
    lambda t: t[0].isalpha()
)


def _record(fmt: str, raw: list[tuple[str, str]]) -> Record:
    return Record(raw=raw, provenance=Provenance(file="mem", position=0, format=fmt))


SUFFIX = {"asreview-csv": "csv", "endnote-xml": "xml", "wos-txt": "txt", "bibtex": "bib"}


def _round_trip(tmp: Path, fmt: str, write_as: str, raws: list[list[tuple[str, str]]]) -> None:
    path = tmp / f"out.{SUFFIX.get(write_as, write_as)}"
    write([_record(fmt, raw) for raw in raws], path, format=write_as)
    assert [r.raw for r in read(path)] == raws


@st.composite
def ris_value(draw: st.DrawFn) -> str:
    first = draw(LINE_TEXT)
    more = draw(
        st.lists(
            LINE_TEXT.filter(lambda t: t.strip() != "" and not (len(t) > 4 and t[2:5] == "  -")),
            max_size=2,
        )
    )
    return "\n".join([first, *more])


@st.composite
def ris_raw(draw: st.DrawFn) -> list[tuple[str, str]]:
    tags = UPPER2.filter(lambda t: t not in ("TY", "ER"))
    pairs = draw(st.lists(st.tuples(tags, ris_value()), max_size=8))
    return [("TY", draw(st.sampled_from(["JOUR", "BOOK", "CONF", "RPRT"]))), *pairs]


@given(raws=st.lists(ris_raw(), min_size=1, max_size=4))
@SETTINGS
def test_ris_round_trip(tmp_path: Path, raws: list[list[tuple[str, str]]]) -> None:
    _round_trip(tmp_path, "ris", "ris", raws)


@st.composite
def medline_raw(draw: st.DrawFn) -> list[tuple[str, str]]:
    tags = st.text(string.ascii_uppercase, min_size=2, max_size=4).filter(lambda t: t != "PMID")
    value = st.lists(LINE_TEXT, min_size=1, max_size=3).map("\n".join)
    pmid = draw(st.integers(1, 10**8).map(str))
    return [("PMID", pmid), *draw(st.lists(st.tuples(tags, value), max_size=8))]


@given(raws=st.lists(medline_raw(), min_size=1, max_size=4))
@SETTINGS
def test_medline_round_trip(tmp_path: Path, raws: list[list[tuple[str, str]]]) -> None:
    _round_trip(tmp_path, "nbib", "nbib", raws)


@st.composite
def wos_raw(draw: st.DrawFn) -> list[tuple[str, str]]:
    tags = UPPER2.filter(lambda t: t not in ("ER", "EF", "PT"))
    value = st.lists(LINE_TEXT, min_size=1, max_size=3).map("\n".join)
    return [("PT", "J"), *draw(st.lists(st.tuples(tags, value), max_size=8))]


@given(raws=st.lists(wos_raw(), min_size=1, max_size=4))
@SETTINGS
def test_wos_round_trip(tmp_path: Path, raws: list[list[tuple[str, str]]]) -> None:
    _round_trip(tmp_path, "wos-txt", "wos-txt", raws)


@st.composite
def bibtex_raw(draw: st.DrawFn) -> list[tuple[str, str]]:
    name = st.text(string.ascii_letters + "-_", min_size=1, max_size=12).filter(
        lambda t: t[0].isalpha()
    )
    braced = st.text(
        st.characters(blacklist_categories=["Cs", "Cc"], blacklist_characters="{}\\\ufeff"),
        max_size=30,
    )
    fields = draw(st.lists(st.tuples(name, braced), max_size=8))
    entry_type = draw(st.sampled_from(["article", "ARTICLE", "book", "inproceedings", "misc"]))
    key = draw(st.text(string.ascii_letters + string.digits + ":_-", min_size=1, max_size=20))
    return [("ENTRYTYPE", entry_type), ("ID", key), *fields]


@given(raws=st.lists(bibtex_raw(), min_size=1, max_size=4))
@SETTINGS
def test_bibtex_round_trip(tmp_path: Path, raws: list[list[tuple[str, str]]]) -> None:
    _round_trip(tmp_path, "bibtex", "bibtex", raws)


ENDNOTE_LEAVES = [
    "titles/title",
    "titles/secondary-title",
    "contributors/authors/author",
    "dates/year",
    "dates/pub-dates/date",
    "keywords/keyword",
    "abstract",
    "urls/related-urls/url",
    "accession-num",
]


@st.composite
def endnote_raw(draw: st.DrawFn) -> list[tuple[str, str]]:
    raw: list[tuple[str, str]] = []
    if draw(st.booleans()):
        raw += [("ref-type@name", draw(XML_TEXT)), ("ref-type", draw(XML_TEXT))]
    for _ in range(draw(st.integers(0, 8))):
        raw.append((draw(st.sampled_from(ENDNOTE_LEAVES)), draw(XML_TEXT)))
    return raw or [("titles/title", "x")]


@given(raws=st.lists(endnote_raw(), min_size=1, max_size=4))
@SETTINGS
def test_endnote_xml_round_trip(tmp_path: Path, raws: list[list[tuple[str, str]]]) -> None:
    _round_trip(tmp_path, "endnote-xml", "endnote-xml", raws)


TABLE_COLUMNS = ["title", "abstract", "authors", "notes", "label_included", "title"]
CELL_TEXT = st.text(
    st.characters(blacklist_categories=["Cs", "Cc"], blacklist_characters="\ufeff"), max_size=20
)


@st.composite
def table_raws(draw: st.DrawFn) -> list[list[tuple[str, str]]]:
    columns = draw(st.lists(st.sampled_from(TABLE_COLUMNS), min_size=1, max_size=6))
    if "title" not in columns:
        columns = ["title", *columns]
    rows = draw(
        st.lists(
            st.lists(CELL_TEXT, min_size=len(columns), max_size=len(columns)),
            min_size=1,
            max_size=4,
        )
    )
    return [
        [(c, v if i else v or "t") for i, (c, v) in enumerate(zip(columns, row, strict=True))]
        for row in rows
    ]


@given(raws=table_raws())
@SETTINGS
def test_csv_round_trip(tmp_path: Path, raws: list[list[tuple[str, str]]]) -> None:
    _round_trip(tmp_path, "csv", "csv", raws)
    _round_trip(tmp_path, "csv", "asreview-csv", raws)


@given(raws=table_raws())
@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_xlsx_round_trip(tmp_path: Path, raws: list[list[tuple[str, str]]]) -> None:
    _round_trip(tmp_path, "xlsx", "xlsx", raws)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | LINE_TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(LINE_TEXT, inner, max_size=3),
    max_leaves=8,
)


@given(
    works=st.lists(
        st.dictionaries(LINE_TEXT, JSON_VALUES, min_size=1, max_size=6), min_size=1, max_size=3
    )
)
@SETTINGS
def test_json_round_trip(tmp_path: Path, works: list[dict[str, object]]) -> None:
    raws = [[(k, encode_value(v)) for k, v in work.items()] for work in works]
    _round_trip(tmp_path, "crossref-json", "json", raws)


NAME = st.text(string.ascii_letters + " '-", min_size=1, max_size=12).map(str.strip).filter(bool)
TITLE_WORD = st.text(string.ascii_letters + string.digits + ":?-'()", min_size=1, max_size=10)


@st.composite
def typed_record(draw: st.DrawFn) -> Record:
    surname, given = draw(NAME), draw(NAME)
    return Record(
        title=" ".join(draw(st.lists(TITLE_WORD, min_size=1, max_size=8))),
        authors=[f"{surname}, {given}"] * draw(st.integers(1, 3)),
        year=draw(st.integers(1900, 2030)),
        doi=f"10.{draw(st.integers(1000, 99999))}/{draw(st.text(string.ascii_lowercase, min_size=1))}",
    )


FORMATS = ["ris", "nbib", "bibtex", "csv", "xlsx", "endnote-xml", "asreview-csv", "wos-txt", "json"]


@given(records=st.lists(typed_record(), min_size=1, max_size=3), fmt=st.sampled_from(FORMATS))
@SETTINGS
def test_records_from_any_format_keep_core_fields(
    tmp_path: Path, records: list[Record], fmt: str
) -> None:
    path = tmp_path / f"typed.{SUFFIX.get(fmt, fmt)}"
    write(records, path, format=fmt)
    again = read(path)
    assert [(r.title, r.authors, r.year, r.doi) for r in again] == [
        (r.title, r.authors, r.year, r.doi) for r in records
    ]

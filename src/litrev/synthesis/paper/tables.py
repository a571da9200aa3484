"""The paper's study tables: one per classification category, with the protocol's columns.

`paper_tables(project)` reads the review (the consensus extraction, or every extractor's under
`[extraction] mode = "single"`, as the report does) and returns what `docx.py` and
`xlsx.py` write. The columns, headings and titles come from `[[report.tables]]`; without it,
each category gets the report's per-category study table (`results.supplementary_table`): the
study label, then every codebook field that is neither in the label nor the classification.

Nothing is left out quietly: a category with no table in `[[report.tables]]` gets one with the
default columns, a category with no study an empty table that says so, and studies with no
category (or one the protocol does not list, or no extracted data) a table of their own; each
is a warning too.

Rows are sorted as reference lists file them (`filing_key`): by first author, then year.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from litrev.extraction.table import Citation
from litrev.protocol import STUDY_COLUMN, Protocol, ReportTable
from litrev.synthesis.labels import label_field_names
from litrev.synthesis.report.results import supplementary_table

if TYPE_CHECKING:
    from litrev.project import Project

NOT_CLASSIFIED = "Not classified"
EMPTY_NOTE = "No included study is in this category."
# A column kind for `@study` (the others are codebook field types).
LABEL_KIND = "label"
_AUTHOR_PART = re.compile(r"^(.*?)(?:[,(]|(?<!\d)\d{4}(?!\d))")
_YEAR = re.compile(r"(?<!\d)\d{4}(?!\d)")
_MC = re.compile(r"^m(?:c|')(?=[a-z])")  # "McColl", "M'Bala": filed as "Mac"


@dataclass(frozen=True)
class PaperTable:
    """One table: what the paper calls it (`label`, may be empty), its title with "(n=N)",
    column headings, each column's kind (a codebook field type, or "label" for the study),
    the rows as text (blank values "—"), the rows' record ids, and a note (an empty table's)."""

    category: str | None
    label: str
    title: str
    headings: list[str]
    kinds: list[str]
    rows: list[list[str]]
    record_ids: list[int]
    note: str = ""

    @property
    def heading(self) -> str:
        """The label and the title, as a document heads the table."""
        return f"{self.label}. {self.title}" if self.label else self.title


@dataclass(frozen=True)
class PaperTables:
    """Every table of a review, in order, and the warnings (what is not where it should be)."""

    review_title: str
    tables: list[PaperTable]
    warnings: list[str] = field(default_factory=list)


def filing_key(name: str) -> str:
    """How a reference list files a name: case, accents, spaces and punctuation ignored, and
    "Mc" / "M'" filed as "Mac" (the library filing rule).

    >>> sorted(["Marks", "McColl-Kennedy", "Macaulay", "de Andrade", "Doherty", "Chisholm"],
    ...        key=filing_key)
    ['Chisholm', 'de Andrade', 'Doherty', 'Macaulay', 'McColl-Kennedy', 'Marks']
    >>> filing_key("Rütten") < filing_key("Sancino")
    True
    """
    folded = unicodedata.normalize("NFKD", name.casefold())
    letters = "".join(c for c in folded if not unicodedata.combining(c))
    letters = _MC.sub("mac", letters.strip())
    return "".join(c for c in letters if c.isalnum())


def _sort_key(record_id: int, citation: Citation | None, label: str) -> tuple[str, int, str, int]:
    # The first author as the table prints it (the label up to its first comma, bracket or
    # year): "de Andrade, 2016" is filed under D, whatever the record's author field holds.
    author = _AUTHOR_PART.match(label)
    printed_year = _YEAR.search(label)
    year = (
        citation.year
        if citation and citation.year
        else int(printed_year.group())
        if printed_year
        else 10_000  # no year: after the years
    )
    return (filing_key(author.group(1) if author else label), year, filing_key(label), record_id)


def sort_studies(
    studies: pd.DataFrame, labels: Mapping[int, str], citations: Mapping[int, Citation]
) -> pd.DataFrame:
    """The studies by first author as their labels print it (`filing_key`), then year (the
    record's, else the label's), then label, then record id (the order they were recorded in,
    for two studies with one label).

    >>> frame = pd.DataFrame({"record_id": [1, 2, 3, 4]})
    >>> cites = {1: Citation(("Smith, J",), 2020, None, None, None)}
    >>> labels = {1: "Smith et al.", 2: "Smith, 2019", 3: "Adams (2001)", 4: "de Vries 1999"}
    >>> sort_studies(frame, labels, cites)["record_id"].tolist()
    [3, 4, 2, 1]
    """
    if not len(studies):
        return studies
    keys = {
        int(r): _sort_key(int(r), citations.get(int(r)), labels.get(int(r), ""))
        for r in studies["record_id"]
    }
    order = sorted(range(len(studies)), key=lambda i: keys[int(studies["record_id"].iloc[i])])
    return studies.iloc[order].reset_index(drop=True)


def _columns(protocol: Protocol, spec: ReportTable | None) -> tuple[list[str], list[str]]:
    """(column names, headings) of a table: the protocol's, else the report's study table's."""
    if spec is None or not spec.columns:
        # The report's study table's columns (`supplementary_table` without `fields`).
        # Appraisal items are summarised by item in the report, not tabled per study.
        from litrev.synthesis.frequencies import appraisal_field_names

        skip = {*label_field_names(protocol), protocol.classification.field}
        skip |= set(appraisal_field_names(protocol))
        names = [STUDY_COLUMN, *[f.name for f in protocol.codebook.fields if f.name not in skip]]
    else:
        names = list(spec.columns)
    headings = list(spec.headings) if spec and spec.columns and spec.headings else []
    return names, headings or [_heading(protocol, n) for n in names]


def _heading(protocol: Protocol, name: str) -> str:
    if name == STUDY_COLUMN:
        return "Study"
    found = protocol.codebook.field(name)
    return (found.label or found.name) if found else name


def _table(
    protocol: Protocol,
    rows: pd.DataFrame,
    labels: Mapping[int, str],
    *,
    category: str | None,
    spec: ReportTable | None,
    label: str,
    title: str,
) -> PaperTable:
    names, headings = _columns(protocol, spec)
    fields = [n for n in names if n != STUDY_COLUMN]
    # The report's per-category table gives the cells: the study label first, then `fields`.
    built = supplementary_table(rows, protocol, category or "", labels, fields=fields)
    cells = []
    for row in built["rows"]:
        by_name = dict(zip([STUDY_COLUMN, *fields], row, strict=True))
        cells.append([by_name[n] for n in names])
    kinds = [
        LABEL_KIND if n == STUDY_COLUMN else protocol.codebook.field(n).type  # type: ignore[union-attr]
        for n in names
    ]
    ids = [int(r) for r in rows["record_id"]] if len(rows) else []
    return PaperTable(
        category=category,
        label=label,
        title=f"{title} (n={len(cells)})",
        headings=headings,
        kinds=kinds,
        rows=cells,
        record_ids=ids,
        note="" if cells else EMPTY_NOTE,
    )


def build_paper_tables(
    protocol: Protocol,
    studies: pd.DataFrame,
    labels: Mapping[int, str],
    citations: Mapping[int, Citation] | None = None,
    included: Sequence[int] = (),
) -> PaperTables:
    """The tables of a review from its extracted `studies` (one row per study: `record_id` and
    a column per codebook field), their `labels` (by record id), their stored citations (for
    the sort) and the `included` record ids (those without extracted data are tabled too).

    >>> from litrev.protocol import parse_protocol
    >>> p = parse_protocol('[review]\\nid="x"\\ntitle="Falls"\\n[[codebook.fields]]\\nname="kind"\\n'
    ...     'type="choice"\\nchoices=["rct","cohort"]\\n[[codebook.fields]]\\nname="place"\\n'
    ...     '[classification]\\nfield="kind"\\n[[classification.categories]]\\nname="rct"\\n'
    ...     '[[classification.categories]]\\nname="cohort"\\nlabel="Cohort studies"')
    >>> frame = pd.DataFrame({"record_id": [1, 2], "kind": ["rct", "rct"], "place": ["UK", "=1"]})
    >>> out = build_paper_tables(p, frame, {1: "Ng, 2001", 2: "Abe, 2003"})
    >>> [(t.title, t.headings, t.rows) for t in out.tables]  # doctest: +NORMALIZE_WHITESPACE
    [('rct (n=2)', ['Study', 'place'], [['Abe, 2003', '=1'], ['Ng, 2001', 'UK']]),
     ('Cohort studies (n=0)', ['Study', 'place'], [])]
    >>> out.warnings
    ["table 'Cohort studies': no included study is in category 'cohort'"]
    """
    citations = citations or {}
    studies = studies.copy() if len(studies) else pd.DataFrame({"record_id": []})
    warnings: list[str] = []
    extracted = {int(r) for r in studies["record_id"]}
    missing = [r for r in included if r not in extracted]
    if missing:
        shown = ", ".join(labels.get(r, f"record {r}") for r in missing[:10])
        more = f" and {len(missing) - 10} more" if len(missing) > 10 else ""
        have = "study has" if len(missing) == 1 else "studies have"
        warnings.append(
            f"{len(missing)} included {have} no extracted data ({shown}{more}): "
            "tabled with blank cells"
        )
        studies = pd.concat([studies, pd.DataFrame({"record_id": missing})], ignore_index=True)
    studies = sort_studies(studies, labels, citations)
    classification = protocol.classification
    field_name = classification.field
    specs = {t.category: t for t in protocol.report.tables}
    tables: list[PaperTable] = []
    every = specs.get("")
    if every is not None or not classification.categories:
        tables.append(
            _table(
                protocol,
                studies,
                labels,
                category=None,
                spec=every,
                label=every.label if every else "",
                title=(every.title if every and every.title else "Included studies"),
            )
        )
    values = (
        studies[field_name].map(lambda v: "" if v is None or v != v else str(v).strip())
        if field_name in studies.columns
        else pd.Series([""] * len(studies), dtype=str)
    )
    for category in classification.categories if classification.categories else []:
        spec = specs.get(category.name)
        if spec is None and every is not None:
            continue  # every study is in the table of all studies
        shown = category.label or category.name
        title = spec.title if spec and spec.title else shown
        if spec is None and protocol.report.tables:
            warnings.append(
                f"category {category.name!r} has no [[report.tables]] entry: its table has the "
                "default columns"
            )
        table = _table(
            protocol,
            studies[values == category.name].reset_index(drop=True),
            labels,
            category=category.name,
            spec=spec,
            label=spec.label if spec else category.table,
            title=title,
        )
        if not table.rows:
            warnings.append(f"table {title!r}: no included study is in category {category.name!r}")
        tables.append(table)
    if classification.categories and every is None:
        known = set(classification.names)
        stray = studies[~values.isin(known)].reset_index(drop=True)
        if len(stray):
            unknown = sorted({v for v in values if v and v not in known})
            why = f"a category the protocol does not list ({', '.join(unknown)})" if unknown else ""
            blank = int((values[~values.isin(known)] == "").sum())
            reasons = [r for r in [f"no category ({blank})" if blank else "", why] if r]
            are = "study is" if len(stray) == 1 else "studies are"
            warnings.append(
                f"{len(stray)} {are} in no category's table: {'; '.join(reasons)}; "
                f"listed under {NOT_CLASSIFIED!r}"
            )
            tables.append(
                _table(
                    protocol,
                    stray,
                    labels,
                    category=None,
                    spec=None,
                    label="",
                    title=NOT_CLASSIFIED,
                )
            )
    return PaperTables(protocol.review.title, tables, warnings)


def paper_tables(project: Project) -> PaperTables:
    """The paper's tables of a review project (see `build_paper_tables`).

    >>> import tempfile
    >>> from litrev.project import Project
    >>> project = Project.init(tempfile.mkdtemp())
    >>> [t.title for t in paper_tables(project).tables]
    ['Included studies (n=0)']
    """
    from litrev.extraction.table import record_citations
    from litrev.synthesis.report.results import compute_results

    results = compute_results(project)
    labels = {int(c["record_id"]): str(c["label"]) for c in results.citations}
    included = [int(c["record_id"]) for c in results.citations]
    found = record_citations(project.store, included)
    return build_paper_tables(project.protocol, results.studies, labels, found, included)

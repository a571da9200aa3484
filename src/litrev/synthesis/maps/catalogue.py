"""The included studies as a catalogue: one row per study with its coded values, filterable by
any coded field of the review's codebook, with counts per value (facets).

The studies are the report's included studies (`included_ids`), their coded values the ones the
report reads (the consensus extraction in dual extraction mode, every reviewer's otherwise).
Nothing in here knows a field by name: the fields are the protocol's codebook, in its order.
Values are grouped and matched under the report's spelling rule (`variant_key`: case, a leading
"The " and spaces around "/" make no new value) and shown in their most frequent spelling.

>>> from litrev.protocol import parse_protocol
>>> p = parse_protocol('[review]\\nid="x"\\ntitle="x"\\n[codebook]\\n[[codebook.fields]]\\n'
...                    'name="country"')
>>> c = Catalogue.from_rows(p, [
...     StudyRow(1, "Ito, 2020", ("Ito",), 2020, None, None, None, {"country": "Japan"}),
...     StudyRow(2, "Lee, 2021", ("Lee",), 2021, None, None, None, {"country": "japan"}),
...     StudyRow(3, "Roy, 2019", ("Roy",), 2019, None, None, None, {"country": "India"})])
>>> [s.record_id for s in c.select(c.parse_filters([("country", "Japan")]))]
[1, 2]
>>> [(v.value, v.count) for v in c.facets(c.parse_filters([]))[0].values]
[('Japan', 2), ('India', 1)]
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from litrev.errors import InputError
from litrev.protocol import CodebookField, Protocol
from litrev.synthesis.tables import NOT_STATED, variant_key

if TYPE_CHECKING:
    from litrev.project import Project

# Always facets: their values are categories by design.
CATEGORY_TYPES = frozenset({"choice", "multi_choice", "year"})
# Never facets: free prose (one value per study, read rather than counted).
PROSE_TYPES = frozenset({"long_text"})
# Other fields are facets unless their values mostly identify a single study (a citation, a
# first author): at most this share of the studies with a value may have distinct values.
DISTINCT_SHARE = 0.75
MIN_FACET_VALUES = 8  # a field with this few distinct values is a facet...
MIN_STATED_SHARE = 0.5  # ...when stated for at least this share of the studies
NUMERIC_TYPES = frozenset({"integer", "number", "year"})  # facet values in numeric order
SORTS = ("year", "-year", "author", "-author")
# Query parameters that are not field filters.
RESERVED = frozenset({"q", "sort", "format", "page", "csrf_token"})
MAX_QUERY_CHARS = 500


@dataclass(frozen=True)
class StudyRow:
    """One included study: its record's citation and its coded values ({field name: text})."""

    record_id: int
    label: str
    authors: tuple[str, ...]
    year: int | None
    title: str | None
    journal: str | None
    doi: str | None
    values: Mapping[str, str | None] = field(default_factory=dict)


@dataclass(frozen=True)
class CatalogueField:
    """A codebook field as the catalogue uses it: `facet` says whether it is offered as a filter
    with counts (any field can be filtered by name)."""

    name: str
    label: str
    type: str
    facet: bool
    in_label: bool = False  # named by the study label templates (shown in the label already)


@dataclass(frozen=True)
class FacetValue:
    value: str
    count: int
    selected: bool


@dataclass(frozen=True)
class Facet:
    field: CatalogueField
    values: tuple[FacetValue, ...]


@dataclass(frozen=True)
class Filters:
    """Selected values per field name (OR within a field, AND across fields), a text query over
    titles, authors and labels, and a sort order."""

    values: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    text: str = ""
    sort: str = "year"

    def query_pairs(self) -> list[tuple[str, str]]:
        """The filters as query parameters (for links: export, remove one value, sort)."""
        pairs = [(name, value) for name, chosen in self.values.items() for value in chosen]
        if self.text:
            pairs.append(("q", self.text))
        if self.sort != "year":
            pairs.append(("sort", self.sort))
        return pairs

    def without(self, name: str, value: str) -> Filters:
        """These filters with one selected value taken away."""
        kept = {
            k: tuple(v for v in chosen if not (k == name and v == value))
            for k, chosen in self.values.items()
        }
        return Filters({k: v for k, v in kept.items() if v}, self.text, self.sort)


def _clean(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    text = str(value).strip()
    # pandas reads an integer column with a blank as floats: 2017.0 is the year 2017
    return text[:-2] if text.endswith(".0") and text[:-2].lstrip("-").isdigit() else text


def _split(field_type: str, value: object) -> tuple[str, ...]:
    from litrev.extraction.codebook import split_multi

    text = _clean(value)
    if not text:
        return ()
    return tuple(split_multi(text)) if field_type == "multi_choice" else (text,)


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return float("inf")  # a value that is not a number sorts after the numbers


def _year_key(study: StudyRow) -> int:
    return study.year if study.year is not None else -1


def _author_key(study: StudyRow) -> str:
    first = study.authors[0] if study.authors else study.label
    return variant_key(first.split(",")[0])


class Catalogue:
    """The included studies of a review with their coded values (see the module)."""

    def __init__(self, fields: Sequence[CatalogueField], studies: Sequence[StudyRow]) -> None:
        self.fields = tuple(fields)
        self.studies = tuple(studies)
        self._by_name = {f.name: f for f in self.fields}
        # {field: {study id: its values' variant keys}}, and each key's shown spelling
        self._keys: dict[str, dict[int, frozenset[str]]] = {}
        self._shown: dict[str, dict[str, str]] = {}
        for f in self.fields:
            counts: Counter[str] = Counter()
            keys: dict[int, frozenset[str]] = {}
            for study in self.studies:
                parts = _split(f.type, study.values.get(f.name))
                counts.update(parts)
                keys[study.record_id] = frozenset(variant_key(p) for p in parts) or frozenset(
                    {variant_key(NOT_STATED)}
                )
            shown: dict[str, str] = {variant_key(NOT_STATED): NOT_STATED}
            for value, _n in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
                shown.setdefault(variant_key(value), value)
            self._keys[f.name] = keys
            self._shown[f.name] = shown

    @classmethod
    def from_rows(cls, protocol: Protocol, studies: Sequence[StudyRow]) -> Catalogue:
        """A catalogue of `studies` over the protocol's codebook fields (facets chosen by the
        fields' types and values, see DISTINCT_SHARE), the classification field first.

        The fields of the review's appraisal tools (`[appraisal] tools`, adopted with `litrev
        appraisal adopt`) are no facets: a catalogue is filtered by what the studies are, not
        by how they were rated. They stay fields: shown, exported and filterable by name.
        """
        from litrev.synthesis.frequencies import appraisal_field_names
        from litrev.synthesis.labels import label_field_names

        in_label = set(label_field_names(protocol))
        appraisal = set(appraisal_field_names(protocol))
        first = protocol.classification.field
        ordered = sorted(protocol.codebook.fields, key=lambda f: f.name != first)
        fields = [
            _catalogue_field(f, studies, f.name in in_label, appraisal=f.name in appraisal)
            for f in ordered
        ]
        return cls(fields, studies)

    def field(self, name: str) -> CatalogueField | None:
        return self._by_name.get(name)

    def shown(self, name: str, value: str) -> str:
        """A value of a field in the spelling the catalogue shows."""
        return self._shown[name].get(variant_key(value), value)

    def values_of(self, study: StudyRow, name: str) -> tuple[str, ...]:
        """A study's values of a field, as shown (empty when not stated)."""
        kind = self._by_name[name].type
        return tuple(self.shown(name, v) for v in _split(kind, study.values.get(name)))

    def parse_filters(self, params: Iterable[tuple[str, str]]) -> Filters:
        """Filters from query parameters: `field=value` (repeatable), `q=text`, `sort=`.

        A parameter naming no codebook field, or an unknown sort, is refused with the names
        that would work (a typo never silently shows every study)."""
        values: dict[str, list[str]] = {}
        text = ""
        sort = "year"
        for name, raw in params:
            value = raw.strip()
            if name == "q":
                text = value[:MAX_QUERY_CHARS]
            elif name == "sort":
                if value and value not in SORTS:
                    raise InputError("sort", f"{value!r}: expected one of {', '.join(SORTS)}")
                sort = value or "year"
            elif name in RESERVED:
                continue
            elif name not in self._by_name:
                raise InputError(
                    name,
                    "not a coded field of this review; filter by one of: "
                    + ", ".join(f.name for f in self.fields),
                )
            elif value:
                chosen = values.setdefault(name, [])
                shown = self.shown(name, value)
                if shown not in chosen:
                    chosen.append(shown)
        return Filters({k: tuple(v) for k, v in values.items()}, text, sort)

    def _matches_text(self, study: StudyRow, words: Sequence[str]) -> bool:
        haystack = variant_key(" ".join([study.label, study.title or "", *study.authors]))
        return all(word in haystack for word in words)

    def _matching(self, filters: Filters, *, skip: str | None = None) -> list[StudyRow]:
        words = [variant_key(w) for w in re.split(r"\s+", filters.text) if w]
        wanted = {
            name: {variant_key(v) for v in chosen}
            for name, chosen in filters.values.items()
            if name != skip and name in self._keys
        }
        out = []
        for study in self.studies:
            if words and not self._matches_text(study, words):
                continue
            if all(self._keys[n][study.record_id] & keys for n, keys in wanted.items()):
                out.append(study)
        return out

    def select(self, filters: Filters) -> list[StudyRow]:
        """The studies the filters keep, in their sort order (ties: record id)."""
        rows = self._matching(filters)
        descending = filters.sort.startswith("-")
        by = filters.sort.lstrip("-")
        if by == "author":
            rows.sort(key=lambda s: (_author_key(s), _year_key(s), s.record_id), reverse=descending)
        else:
            rows.sort(key=lambda s: (_year_key(s), _author_key(s), s.record_id), reverse=descending)
        return rows

    def facets(self, filters: Filters) -> list[Facet]:
        """Counts per value of each facet field, among the studies the OTHER fields' filters
        (and the text query) keep, so that choosing a second value of one field is possible;
        most frequent first, then alphabetical, "(not stated)" last. Selected values are always
        listed, even at count 0."""
        out = []
        for f in self.fields:
            if not f.facet and f.name not in filters.values:
                continue
            rows = self._matching(filters, skip=f.name)
            counts: Counter[str] = Counter()
            for study in rows:
                counts.update(self._keys[f.name][study.record_id])
            typed = {variant_key(v): v for v in filters.values.get(f.name, ())}
            chosen = set(typed)
            for key in chosen:
                counts.setdefault(key, 0)
            blank = variant_key(NOT_STATED)
            # a chosen value no study has is shown as it was typed
            shown = {**typed, **self._shown[f.name]}
            if f.type in NUMERIC_TYPES:
                ordered = sorted(counts.items(), key=lambda i: (i[0] == blank, _number(i[0]), i[0]))
            else:
                ordered = sorted(
                    counts.items(), key=lambda i: (i[0] == blank, -i[1], shown.get(i[0], ""))
                )
            out.append(
                Facet(
                    f,
                    tuple(FacetValue(shown.get(k, k), n, k in chosen) for k, n in ordered),
                )
            )
        return out

    def export_columns(self, studies: Sequence[StudyRow]) -> dict[int, list[tuple[str, str]]]:
        """{record id: [(column, cell)]}: the coded values as table columns `coded_<field>`
        (multi-choice values joined with "; "), for a CSV/XLSX export of these studies."""
        return {
            s.record_id: [
                (f"coded_{f.name}", "; ".join(self.values_of(s, f.name))) for f in self.fields
            ]
            for s in studies
        }


def _catalogue_field(
    f: CodebookField, studies: Sequence[StudyRow], in_label: bool, *, appraisal: bool = False
) -> CatalogueField:
    label = f.label or f.name
    if f.type in PROSE_TYPES or appraisal:
        return CatalogueField(f.name, label, f.type, False, in_label)
    if f.type in CATEGORY_TYPES:
        return CatalogueField(f.name, label, f.type, True, in_label)
    valued = [p for s in studies for p in _split(f.type, s.values.get(f.name))]
    stated = sum(1 for s in studies if _split(f.type, s.values.get(f.name)))
    distinct = {variant_key(v) for v in valued}
    facet = stated >= MIN_STATED_SHARE * len(studies) > 0 and (
        len(distinct) <= MIN_FACET_VALUES or len(distinct) <= DISTINCT_SHARE * len(valued)
    )
    return CatalogueField(f.name, label, f.type, facet, in_label)


def build_catalogue(project: Project) -> Catalogue:
    """The catalogue of a review's included studies, read from its store as the report reads
    them (one pass over the extractions, citations in bounded chunks).

    >>> import tempfile
    >>> from litrev.project import Project
    >>> build_catalogue(Project.init(tempfile.mkdtemp() + "/r")).studies
    ()
    """
    from litrev.extraction.codebook import CONSENSUS
    from litrev.extraction.table import record_citations, studies_frame
    from litrev.synthesis.labels import study_labels
    from litrev.synthesis.report.parts import included_ids

    protocol = project.protocol
    reviewer = CONSENSUS if protocol.extraction.mode == "dual" else None
    frame = studies_frame(project.store, protocol.codebook, reviewer=reviewer)
    included = included_ids(project.store, protocol, frame)
    found = record_citations(project.store, included)
    labels = study_labels(frame, protocol, found, included)
    names = [f.name for f in protocol.codebook.fields]
    coded: dict[int, dict[str, str | None]] = {}
    for row in frame.to_dict("records") if len(frame) else []:
        coded[int(row["record_id"])] = {n: _clean(row.get(n)) or None for n in names}
    studies = []
    for record_id in included:
        cite = found.get(record_id)
        studies.append(
            StudyRow(
                record_id,
                labels.get(record_id, f"record {record_id}"),
                cite.authors if cite else (),
                cite.year if cite else None,
                cite.title if cite else None,
                cite.journal if cite else None,
                cite.doi if cite else None,
                coded.get(record_id, {}),
            )
        )
    return Catalogue.from_rows(protocol, studies)


__all__ = [
    "Catalogue",
    "CatalogueField",
    "Facet",
    "FacetValue",
    "Filters",
    "StudyRow",
    "build_catalogue",
]

"""The evidence-and-gap map: the included studies as a matrix of any two coded fields.

Each cell holds the studies coded with that row value and that column value: its count and its
study list. An optional third field splits each cell by colour (one segment per value, as
EPPI-Mapper draws them). A cell without studies is a gap. A multi-choice field counts a study
once under each of its values, so a cell count is a count of studies, and the cells of a row
can add up to more than the row's studies. A study with no value for an axis field is counted
under "(not stated)", so no included study is left off the map.

The studies and their values come from the catalogue (`litrev.synthesis.maps.catalogue`), so the
map, the catalogue and the report group spelling variants the same way. Nothing here knows a
field by name.

>>> from litrev.protocol import parse_protocol
>>> from litrev.synthesis.maps.catalogue import Catalogue, StudyRow
>>> p = parse_protocol('[review]\\nid="x"\\ntitle="x"\\n[codebook]\\n'
...     '[[codebook.fields]]\\nname="design"\\ntype="choice"\\nchoices=["RCT","cohort","survey"]\\n'
...     '[[codebook.fields]]\\nname="topic"\\ntype="multi_choice"\\nchoices=["diet","sleep"]')
>>> c = Catalogue.from_rows(p, [
...     StudyRow(1, "Ito, 2020", ("Ito",), 2020, None, None, None,
...              {"design": "RCT", "topic": "diet; sleep"}),
...     StudyRow(2, "Lee, 2021", ("Lee",), 2021, None, None, None, {"design": "RCT", "topic": "diet"})])
>>> m = build_gapmap(c, rows="design", cols="topic", choices=choices_of(p))
>>> m.rows, m.cols
(('RCT', 'cohort', 'survey'), ('diet', 'sleep'))
>>> [(cell.row, cell.col, cell.count) for cell in m.cells if not cell.gap]
[('RCT', 'diet', 2), ('RCT', 'sleep', 1)]
>>> len(m.gaps)
4
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from litrev.errors import InputError
from litrev.protocol import Protocol
from litrev.synthesis.maps.catalogue import NUMERIC_TYPES, Catalogue, CatalogueField, StudyRow
from litrev.synthesis.tables import NOT_STATED, variant_key

if TYPE_CHECKING:
    from litrev.project import Project


@dataclass(frozen=True)
class Segment:
    """The studies of one cell that have one value of the colour field."""

    value: str
    study_ids: tuple[int, ...]

    @property
    def count(self) -> int:
        return len(self.study_ids)


@dataclass(frozen=True)
class Cell:
    """One cell of the map: a row value, a column value and the studies coded with both."""

    row: str
    col: str
    study_ids: tuple[int, ...]
    segments: tuple[Segment, ...] = ()  # by colour value, when the map has a colour field

    @property
    def count(self) -> int:
        return len(self.study_ids)

    @property
    def gap(self) -> bool:
        return not self.study_ids


@dataclass(frozen=True)
class GapMap:
    """A map of the catalogue's studies: `rows` by `cols`, cells in row-major order."""

    rows_field: CatalogueField
    cols_field: CatalogueField
    colour_field: CatalogueField | None
    rows: tuple[str, ...]
    cols: tuple[str, ...]
    colours: tuple[str, ...]  # the colour field's values, in legend order (empty without one)
    cells: tuple[Cell, ...]
    studies: tuple[StudyRow, ...]

    def cell(self, row: str, col: str) -> Cell:
        """The cell of a row value and a column value (KeyError when the map has neither)."""
        index = self.rows.index(row) * len(self.cols) + self.cols.index(col)
        return self.cells[index]

    @property
    def gaps(self) -> tuple[Cell, ...]:
        return tuple(c for c in self.cells if c.gap)

    @property
    def max_count(self) -> int:
        return max((c.count for c in self.cells), default=0)


def choices_of(protocol: Protocol) -> dict[str, tuple[str, ...]]:
    """{field name: its declared choices} for the codebook's choice fields: values no study has
    yet still get a row or column, which is what shows them as gaps.

    >>> from litrev.protocol import parse_protocol
    >>> choices_of(parse_protocol('[review]\\nid="x"\\ntitle="x"\\n[codebook]\\n'
    ...     '[[codebook.fields]]\\nname="d"\\ntype="choice"\\nchoices=["a","b"]'))
    {'d': ('a', 'b')}
    """
    return {f.name: tuple(f.choices) for f in protocol.codebook.fields if f.choices}


def _field(catalogue: Catalogue, name: str, option: str) -> CatalogueField:
    found = catalogue.field(name)
    if found is None:
        known = ", ".join(f.name for f in catalogue.fields) or "none (the codebook is empty)"
        raise InputError(
            option, f"{name!r} is not a coded field of this review; known fields: {known}"
        )
    return found


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return float("inf")


def axis_values(catalogue: Catalogue, name: str, declared: Sequence[str] = ()) -> tuple[str, ...]:
    """The values of a field along an axis: its declared choices in the codebook's order, then
    values the studies have beyond those (numbers in numeric order, other text by study count
    then alphabetically), "(not stated)" last and only when a study lacks the field."""
    found: dict[str, str] = {}  # variant key -> shown value
    counts: dict[str, int] = {}
    missing = False
    for study in catalogue.studies:
        values = catalogue.values_of(study, name)
        if not values:
            missing = True
        for value in values:
            key = variant_key(value)
            found.setdefault(key, value)
            counts[key] = counts.get(key, 0) + 1
    out = [catalogue.shown(name, c) for c in declared]
    seen = {variant_key(v) for v in out}
    extra = [k for k in found if k not in seen]
    field = catalogue.field(name)
    if field is not None and field.type in NUMERIC_TYPES:
        extra.sort(key=lambda k: (_number(k), k))
    else:
        extra.sort(key=lambda k: (-counts[k], found[k].casefold()))
    out.extend(found[k] for k in extra)
    if missing:
        out.append(NOT_STATED)
    return tuple(out)


def study_values(catalogue: Catalogue, study: StudyRow, name: str) -> tuple[str, ...]:
    """A study's values of a field as the map places them ("(not stated)" when it has none)."""
    return catalogue.values_of(study, name) or (NOT_STATED,)


def build_gapmap(
    catalogue: Catalogue,
    *,
    rows: str,
    cols: str,
    colour: str | None = None,
    choices: Mapping[str, Sequence[str]] | None = None,
) -> GapMap:
    """The map of the catalogue's studies by two coded fields, optionally split by a third.

    A field the codebook does not have is refused (InputError naming the known fields);
    `choices` ({field: declared values}, see `choices_of`) adds the values no study has yet.
    """
    declared = choices or {}
    rows_field = _field(catalogue, rows, "--rows")
    cols_field = _field(catalogue, cols, "--cols")
    colour_field = _field(catalogue, colour, "--colour") if colour else None
    row_values = axis_values(catalogue, rows, declared.get(rows, ()))
    col_values = axis_values(catalogue, cols, declared.get(cols, ()))
    colour_values = axis_values(catalogue, colour, declared.get(colour, ())) if colour else ()
    row_at = {variant_key(v): i for i, v in enumerate(row_values)}
    col_at = {variant_key(v): i for i, v in enumerate(col_values)}
    colour_at = {variant_key(v): i for i, v in enumerate(colour_values)}
    ids: list[list[list[int]]] = [[[] for _ in col_values] for _ in row_values]
    # [row][col][colour] -> study ids
    split: list[list[list[list[int]]]] = [
        [[[] for _ in colour_values] for _ in col_values] for _ in row_values
    ]
    for study in catalogue.studies:
        shades = (
            {colour_at[variant_key(v)] for v in study_values(catalogue, study, colour)}
            if colour
            else set()
        )
        # a set: a study coded twice with one value is still one study in the cell
        for r in {row_at[variant_key(v)] for v in study_values(catalogue, study, rows)}:
            for c in {col_at[variant_key(v)] for v in study_values(catalogue, study, cols)}:
                ids[r][c].append(study.record_id)
                for k in shades:
                    split[r][c][k].append(study.record_id)
    cells = tuple(
        Cell(
            row,
            col,
            tuple(ids[r][c]),
            tuple(
                Segment(shade, tuple(split[r][c][k]))
                for k, shade in enumerate(colour_values)
                if split[r][c][k]
            ),
        )
        for r, row in enumerate(row_values)
        for c, col in enumerate(col_values)
    )
    return GapMap(
        rows_field,
        cols_field,
        colour_field,
        row_values,
        col_values,
        colour_values,
        cells,
        catalogue.studies,
    )


def project_gapmap(
    project: Project, *, rows: str, cols: str, colour: str | None = None
) -> tuple[GapMap, Catalogue]:
    """The map of a review's included studies (read as the report reads them), and the
    catalogue it was built from (for the filters).

    >>> import tempfile
    >>> from litrev.project import Project
    >>> project_gapmap(Project.init(tempfile.mkdtemp() + "/r"), rows="a", cols="b")
    Traceback (most recent call last):
    ...
    litrev.errors.InputError: --rows: 'a' is not a coded field of this review; known fields: none (the codebook is empty)
    """
    from litrev.synthesis.maps.catalogue import build_catalogue

    catalogue = build_catalogue(project)
    gapmap = build_gapmap(
        catalogue, rows=rows, cols=cols, colour=colour, choices=choices_of(project.protocol)
    )
    return gapmap, catalogue


__all__ = [
    "Cell",
    "GapMap",
    "Segment",
    "axis_values",
    "build_gapmap",
    "choices_of",
    "project_gapmap",
    "study_values",
]

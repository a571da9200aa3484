"""The evidence-and-gap map as ONE self-contained HTML file (`gapmap.html`).

Inline CSS and a small inline script, no network: the file opens offline, from a USB stick or an
e-mail. The studies travel in a `<script type="application/json">` block; `<`, `>` and `&` are
written as JSON `\\u003c` escapes there, so no title (`</script>` included) can end the block, and
the script puts every text on the page with `textContent`, never as markup. Without JavaScript
the page still shows the counts as a table (the text alternative to the bubbles).

>>> from litrev.protocol import parse_protocol
>>> from litrev.synthesis.maps.catalogue import Catalogue, StudyRow
>>> from litrev.synthesis.maps.gapmap import build_gapmap
>>> p = parse_protocol('[review]\\nid="x"\\ntitle="A review"\\n[codebook]\\n'
...     '[[codebook.fields]]\\nname="a"\\n[[codebook.fields]]\\nname="b"')
>>> c = Catalogue.from_rows(p, [StudyRow(1, "Ito, 2020", ("Ito",), 2020, "</script>", None,
...                                      None, {"a": "x", "b": "y"})])
>>> page = render_gapmap(build_gapmap(c, rows="a", cols="b"), c, title="A review")
>>> page.count("</script>")  # the inline script's and the data block's ends, no third
2
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from litrev.synthesis.maps.catalogue import Catalogue
from litrev.synthesis.maps.gapmap import GapMap, project_gapmap, study_values
from litrev.synthesis.tables import NOT_STATED

if TYPE_CHECKING:
    from pathlib import Path

    from litrev.project import Project

# Tableau 10: distinct for the common colour-vision deficiencies and in greyscale print. The
# last is grey, kept for "other values" when a field has more values than colours.
PALETTE = (
    "#4e79a7",
    "#f28e2b",
    "#59a14f",
    "#e15759",
    "#76b7b2",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
)
OTHER_COLOUR = "#8c8c8c"
NOT_STATED_COLOUR = "#d0d0d0"
SINGLE_COLOUR = "#2f6f9f"  # bubbles of a map without a colour field
DOI = re.compile(r"^10\.\d{4,9}/\S+$")
FILE_NAME = "gapmap.html"


def colours(values: tuple[str, ...]) -> dict[str, str]:
    """{value: CSS colour} for a colour field's values: one palette colour each, grey for
    "(not stated)", and one shared "other" grey past the palette's length.

    >>> colours(("a", "(not stated)"))
    {'a': '#4e79a7', '(not stated)': '#d0d0d0'}
    """
    named = [v for v in values if v != NOT_STATED]
    room = len(PALETTE) if len(named) <= len(PALETTE) else len(PALETTE) - 1
    out = {}
    for i, value in enumerate(named):
        out[value] = PALETTE[i] if i < room else OTHER_COLOUR
    if NOT_STATED in values:
        out[NOT_STATED] = NOT_STATED_COLOUR
    return out


def legend(values: tuple[str, ...]) -> list[tuple[str, str]]:
    """[(CSS colour, text)] for the colour key: one entry per palette colour, the values that
    share the "other" grey named together.

    >>> legend(("a", "(not stated)"))
    [('#4e79a7', 'a'), ('#d0d0d0', '(not stated)')]
    """
    shades = colours(values)
    others = [v for v, c in shades.items() if c == OTHER_COLOUR]
    out = [(c, v) for v, c in shades.items() if c != OTHER_COLOUR and v != NOT_STATED]
    if others:
        out.append((OTHER_COLOUR, "other: " + ", ".join(others)))
    if NOT_STATED in shades:
        out.append((NOT_STATED_COLOUR, NOT_STATED))
    return out


def _doi_url(doi: str | None) -> str | None:
    text = (doi or "").strip()
    for prefix in ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "doi:"):
        if text.lower().startswith(prefix):
            text = text[len(prefix) :]
    return f"https://doi.org/{text}" if DOI.match(text) else None


def map_data(gapmap: GapMap, catalogue: Catalogue, *, title: str) -> dict[str, Any]:
    """The document the page's script draws from: axes, colours, filters and the studies with
    the values of every field they are placed or filtered by."""
    facets = [f for f in catalogue.facets(catalogue.parse_filters([])) if f.field.facet]
    # A list, not a set: the page's bytes must not depend on the string hash seed.
    used = [gapmap.rows_field.name, gapmap.cols_field.name]
    if gapmap.colour_field is not None:
        used.append(gapmap.colour_field.name)
    names = list(dict.fromkeys([*used, *(f.field.name for f in facets)]))
    studies = [
        {
            "id": s.record_id,
            "label": s.label,
            "title": s.title or "",
            "year": s.year,
            "journal": s.journal or "",
            "doi": s.doi or "",
            "doi_url": _doi_url(s.doi),
            "values": {n: list(study_values(catalogue, s, n)) for n in names},
        }
        for s in gapmap.studies
    ]

    def axis(field: Any, values: tuple[str, ...]) -> dict[str, Any]:
        return {"name": field.name, "label": field.label, "values": list(values)}

    return {
        "title": title,
        "rows": axis(gapmap.rows_field, gapmap.rows),
        "cols": axis(gapmap.cols_field, gapmap.cols),
        "colour": (
            {**axis(gapmap.colour_field, gapmap.colours), "colours": colours(gapmap.colours)}
            if gapmap.colour_field is not None
            else None
        ),
        "single_colour": SINGLE_COLOUR,
        "filters": [
            {
                "name": f.field.name,
                "label": f.field.label,
                "values": [{"value": v.value, "count": v.count} for v in f.values],
            }
            for f in facets
        ],
        "studies": studies,
    }


def script_json(data: object) -> str:
    """JSON safe inside `<script type="application/json">`: `<`, `>` and `&` as `\\u` escapes
    (so neither `</script>` nor `<!--` can occur), non-ASCII kept.

    >>> script_json({"t": "</script><!--&"})
    '{"t": "\\\\u003c/script\\\\u003e\\\\u003c!--\\\\u0026"}'
    """
    text = json.dumps(data, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def render_gapmap(gapmap: GapMap, catalogue: Catalogue, *, title: str) -> str:
    """The map as one HTML page (see the module)."""
    from litrev.synthesis.report.writer import _environment

    template = _environment().get_template("gapmap.html.j2")
    data = map_data(gapmap, catalogue, title=title)
    return template.render(
        title=title,
        gapmap=gapmap,
        legend=legend(gapmap.colours),
        data_json=script_json(data),
        studies=len(gapmap.studies),
    )


def render(project: Project, *, rows: str, cols: str, colour: str | None = None) -> str:
    """The map page of a review's included studies (for `litrev map` and the workspace).

    A field the codebook lacks is refused with the known fields (InputError).

    >>> import tempfile
    >>> from litrev.project import Project
    >>> render(Project.init(tempfile.mkdtemp() + "/r"), rows="x", cols="y")
    Traceback (most recent call last):
    ...
    litrev.errors.InputError: --rows: 'x' is not a coded field of this review; known fields: none (the codebook is empty)
    """
    gapmap, catalogue = project_gapmap(project, rows=rows, cols=cols, colour=colour)
    return render_gapmap(gapmap, catalogue, title=project.protocol.review.title)


def write_gapmap(
    project: Project, out: Path, *, rows: str, cols: str, colour: str | None = None
) -> tuple[Path, GapMap]:
    """Write the map page to OUT (a file, or an existing folder for OUT/gapmap.html)
    atomically; return the file and the map drawn."""
    from litrev.fileio import atomic_write_text

    gapmap, catalogue = project_gapmap(project, rows=rows, cols=cols, colour=colour)
    page = render_gapmap(gapmap, catalogue, title=project.protocol.review.title)
    target = out / FILE_NAME if out.is_dir() else out
    atomic_write_text(target, page)
    return target, gapmap


__all__ = [
    "FILE_NAME",
    "colours",
    "legend",
    "map_data",
    "render",
    "render_gapmap",
    "script_json",
    "write_gapmap",
]

"""`litrev map`: the interactive evidence-and-gap map of a review's included studies."""

# litrev.synthesis (pandas, jinja2) is imported inside the functions: every `litrev` run imports
# this module.
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from litrev.cli._app import app, console

if TYPE_CHECKING:
    from litrev.project import Project


def write_map(
    project: Project, out: Path, *, rows: str, cols: str, colour: str | None = None
) -> Path:
    """Write the map (`litrev.synthesis.maps.gapmap_html.write_gapmap`) and say where and what."""
    from litrev.synthesis.maps.gapmap_html import write_gapmap

    path, gapmap = write_gapmap(project, out, rows=rows, cols=cols, colour=colour)
    console.print(
        f"Evidence map of {len(gapmap.studies)} studies ({len(gapmap.rows)} × {len(gapmap.cols)} "
        f"cells, {len(gapmap.gaps)} gaps) written to {escape(str(path))}",
        highlight=False,
    )
    return path


@app.command("map")
def map_command(
    rows: Annotated[str, typer.Option("--rows", help="The coded field along the rows.")],
    cols: Annotated[str, typer.Option("--cols", help="The coded field along the columns.")],
    project_dir: Annotated[Path, typer.Option("--project", "-p", help="The review folder.")] = Path(
        "."
    ),
    colour: Annotated[
        str | None, typer.Option("--colour", "--color", help="A coded field to colour bubbles by.")
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", help="The HTML file (default: gapmap.html in the review folder)."
        ),
    ] = None,
) -> None:
    """Write the evidence-and-gap map of the included studies: one self-contained HTML file
    (bubbles by study count, filters, the studies of a bubble on click, gaps marked)."""
    from litrev.project import Project

    project = Project.open(project_dir)
    write_map(
        project, out if out is not None else project.root, rows=rows, cols=cols, colour=colour
    )

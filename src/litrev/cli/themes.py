"""`litrev themes list|init`: the themes of the synthesis, their studies and narratives
(`litrev.synthesis.themes`)."""

# litrev.synthesis (pandas, matplotlib) is imported inside the commands: every `litrev` run
# imports this module.
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from litrev.cli._app import app, console

if TYPE_CHECKING:
    from litrev.project import Project

themes_app = typer.Typer(
    help="Themes of the synthesis: their studies, and the team's narratives (themes/*.md)."
)
app.add_typer(themes_app, name="themes")

ProjectOption = Annotated[Path, typer.Option("--project", "-p", help="The review folder.")]


def _context(project: Project) -> tuple[list[int], dict[int, str], dict[int, list[str]] | None]:
    """Included studies, their labels and theme-field values, as the report has them."""
    from litrev.synthesis.coded import group_rows, needed_groups
    from litrev.synthesis.frequencies import study_values
    from litrev.synthesis.results import compute_results

    results = compute_results(project)
    included = [int(c["record_id"]) for c in results.citations]
    labels = {int(c["record_id"]): str(c["label"]) for c in results.citations}
    protocol = project.protocol
    field = protocol.codebook.field(protocol.report.theme_field)
    if field is None:
        return included, labels, None
    rows = group_rows(project, needed_groups(protocol, [field.name]))
    level = protocol.report.levels.get(field.name)
    return included, labels, study_values(results.studies, field, rows.get(field.group), level)


@themes_app.command("list")
def list_themes(project_dir: ProjectOption = Path(".")) -> None:
    """Each theme: its category, studies and narrative file (written, stub or missing)."""
    from litrev.project import Project
    from litrev.synthesis.themes import build_themes

    project = Project.open(project_dir)
    if not project.protocol.themes:
        console.print("No [[themes]] in the protocol.", highlight=False)
        return
    included, labels, coded = _context(project)
    section = build_themes(project.root, project.protocol, included, labels, coded)
    for theme in section.themes:
        category = f" [{theme.category}]" if theme.category else ""
        console.print(
            escape(
                f"{theme.name}{category}: {len(theme.studies)} studies; {theme.path} ({theme.state})"
            ),
            highlight=False,
        )
    for value, n in section.unmatched.items():
        console.print(
            escape(f"note: theme field value {value!r} ({n} studies) names no theme"),
            highlight=False,
        )


@themes_app.command("init")
def init(project_dir: ProjectOption = Path(".")) -> None:
    """Write a stub narrative (themes/<slug>.md, or the theme's `narrative`) for every theme that
    has none, listing its studies as citations; an existing file is never overwritten."""
    from litrev.project import Project
    from litrev.synthesis.themes import init_stubs

    project = Project.open(project_dir)
    if not project.protocol.themes:
        console.print("No [[themes]] in the protocol: nothing to write.", highlight=False)
        return
    included, labels, coded = _context(project)
    written, kept = init_stubs(project.root, project.protocol, included, labels, coded)
    for path in written:
        console.print(escape(f"wrote {path}"), highlight=False)
    for path in kept:
        console.print(escape(f"kept {path} (exists)"), highlight=False)

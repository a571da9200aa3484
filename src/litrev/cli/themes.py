"""`litrev themes list|init`: the themes of the synthesis, their studies and narratives
(`litrev.synthesis.themes`)."""

# litrev.synthesis (pandas, matplotlib) is imported inside the commands: every `litrev` run
# imports this module.
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from litrev.cli._app import app, say

if TYPE_CHECKING:
    from litrev.project import Project

themes_app = typer.Typer(
    help="Themes of the synthesis: their studies, and the team's narratives (themes/*.md)."
)
app.add_typer(themes_app, name="themes")

ProjectOption = Annotated[Path, typer.Option("--project", "-p", help="The review folder.")]


def _context(project: Project) -> tuple[list[int], dict[int, str], dict[int, list[str]] | None]:
    """Included studies, their labels and theme-field values, as the report has them."""
    from litrev.synthesis.coded import field_values
    from litrev.synthesis.report.results import compute_results

    results = compute_results(project)
    included = [int(c["record_id"]) for c in results.citations]
    labels = {int(c["record_id"]): str(c["label"]) for c in results.citations}
    protocol = project.protocol
    field = protocol.codebook.field(protocol.report.theme_field)
    if field is None:
        return included, labels, None
    # compute_results has read the theme field's group rows already (coded.groups).
    groups = results.coded.groups if results.coded is not None else {}
    return included, labels, field_values(protocol, results.studies, field, groups)


@themes_app.command("list")
def list_themes(project_dir: ProjectOption = Path(".")) -> None:
    """Each theme: its category, studies and narrative file (written, stub or missing)."""
    from litrev.project import Project
    from litrev.synthesis.report.results import compute_results

    project = Project.open(project_dir)
    if not project.protocol.themes:
        say("No [[themes]] in the protocol.")
        return
    coded = compute_results(project).coded
    if coded is None:
        return
    section = coded.themes  # built by compute_results, as the report shows it
    for theme in section.themes:
        category = f" [{theme.category}]" if theme.category else ""
        say(f"{theme.name}{category}: {len(theme.studies)} studies; {theme.path} ({theme.state})")
    for value, n in section.unmatched.items():
        say(f"note: theme field value {value!r} ({n} studies) names no theme")


@themes_app.command("init")
def init(project_dir: ProjectOption = Path(".")) -> None:
    """Write a stub narrative (themes/<slug>.md, or the theme's `narrative`) for every theme that
    has none, listing its studies as citations; an existing file is never overwritten."""
    from litrev.project import Project
    from litrev.synthesis.themes import init_stubs

    project = Project.open(project_dir)
    if not project.protocol.themes:
        say("No [[themes]] in the protocol: nothing to write.")
        return
    included, labels, coded = _context(project)
    written, kept = init_stubs(project.root, project.protocol, included, labels, coded)
    for path in written:
        say(f"wrote {path}")
    for path in kept:
        say(f"kept {path} (exists)")

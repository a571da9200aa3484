"""`litrev init`, `litrev demo` and `litrev report`: review projects and their reports
(`litrev extract` is `litrev.cli.extraction`)."""

# Stage modules (litrev.project, litrev.synthesis) are imported inside the
# commands: they load SQLAlchemy, pandas and matplotlib, and every `litrev` run imports this module.
from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from litrev.cli._app import app, console
from litrev.examples import DEFAULT_EXAMPLE

if TYPE_CHECKING:
    from litrev.project import Project

ProjectDir = Annotated[Path, typer.Argument(help="The review folder.", file_okay=False)]


def _progress() -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("[progress.description]{task.description}"),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )


def _report(project: Project, out: Path | None) -> dict[str, Path]:
    from litrev.synthesis.report.writer import write_report

    with _progress() as progress:
        task = progress.add_task("report", total=4)

        def step(name: str) -> None:
            progress.update(task, description=name, advance=0)
            progress.advance(task)

        files = write_report(project, out, on_step=step)
        progress.update(task, description="report written", completed=4)
    _summary(files["json"])
    return files


def _summary(results_path: Path) -> None:
    from rich.markup import escape  # titles, categories and claims are user text, not markup

    results = json.loads(results_path.read_text(encoding="utf-8"))
    console.print(f"[bold]{escape(results['review']['title'])}[/]")
    table = Table()
    table.add_column("Category")
    table.add_column("n", justify="right")
    table.add_column("%", justify="right")
    for name, value in results["categories"].items():
        table.add_row(escape(name), str(value["n"]), str(value["percent"]))
    table.add_row("[bold]Total", f"[bold]{results['studies']}", "")
    console.print(table)
    audit = results["audit"]
    if audit:
        console.print(f"[bold yellow]Consistency audit: {len(audit)} finding(s)[/]")
        for entry in audit:
            stated = "—" if entry["stated"] is None else entry["stated"]
            console.print(
                f"  [yellow]•[/] [dim]{entry['kind']}[/] {escape(entry['claim'])}: "
                f"stated {stated}, computed {entry['computed']}",
                highlight=False,
            )
    console.print(
        f"Report written to [bold]{escape(str(results_path.parent))}[/]: "
        "report.html, report.md, prisma.svg, results.json (charts beside them: chart-*.svg and 300-dpi chart-*.png)"
    )


@app.command()
def init(directory: ProjectDir = Path(".")) -> None:
    """Create a review project: DIRECTORY/litrev.toml (the protocol) and DIRECTORY/litrev.db.

    An existing litrev.toml is validated and kept; an invalid one is reported and nothing is written.
    """
    from litrev.project import Project

    project = Project.init(directory)
    console.print(
        f"Review project [bold]{project.protocol.review.id}[/] ready in {directory}: "
        f"litrev.toml, litrev.db (schema version {project.store.version()})"
    )


@app.command()
def demo(
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Folder for the built-in review project.")
    ] = Path("coproduction-review"),
    example: Annotated[str, typer.Option(help="Which built-in example review.")] = DEFAULT_EXAMPLE,
) -> None:
    """Build the built-in co-production review in OUT: its report, tables and evidence map."""
    from litrev.examples import build_example

    with console.status(f"building the built-in review '{example}' in {out}"):
        project = build_example(example, out)
    console.print(f"Built review project [bold]{example}[/] in {out}")
    _report(project, out)
    from litrev.cli.tables import FORMATS, write_tables  # the paper's tables, beside the report

    write_tables(project, out, list(FORMATS))
    from litrev.cli.gapmap import write_map  # the evidence map, beside the report

    # the built-in review's map: its studies' disciplines by its classification (model type)
    write_map(project, out, rows="discipline", cols=project.protocol.classification.field)


@app.command()
def report(
    directory: ProjectDir = Path("."),
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Where to write (default: the review folder)."),
    ] = None,
) -> None:
    """Write report.html, report.md, prisma.svg and results.json for a review project."""
    from litrev.project import Project

    _report(Project.open(directory), out)

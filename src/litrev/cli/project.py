"""`litrev init`, `litrev demo`, `litrev report` and `litrev extract`: review projects and their reports."""

# Stage modules (litrev.project, litrev.synthesis, litrev.extraction) are imported inside the
# commands: they load SQLAlchemy, pandas and matplotlib, and every `litrev` run imports this module.
from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text

from litrev.cli._app import app, console
from litrev.examples import DEFAULT_EXAMPLE

if TYPE_CHECKING:
    from litrev.project import Project

extract_app = typer.Typer(
    help="Extraction tables: import the data of included studies, list the imports."
)
app.add_typer(extract_app, name="extract")

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
    from litrev.synthesis.report import write_report

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
        "report.html, report.md, prisma.svg, results.json (charts beside them: chart-*.svg)"
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


@extract_app.command("import")
def extract_import(
    table: Annotated[
        Path, typer.Argument(help="CSV extraction table, one row per included study.")
    ],
    project_dir: Annotated[Path, typer.Option("--project", "-p", help="The review folder.")] = Path(
        "."
    ),
    reviewer: Annotated[
        str,
        typer.Option(
            help="Whose extraction: a reviewer's name, or consensus (the reconciled one)."
        ),
    ] = "consensus",
    no_include: Annotated[
        bool, typer.Option("--no-include", help="Do not record the rows as included.")
    ] = False,
    allow_not_included: Annotated[
        bool,
        typer.Option(
            "--allow-not-included",
            help="Accept rows for records not (yet) included at full text.",
        ),
    ] = False,
    ignore_column: Annotated[
        list[str] | None,
        typer.Option(
            "--ignore-column", help="A column that is no codebook field, to drop (repeatable)."
        ),
    ] = None,
    keep_column: Annotated[
        list[str] | None,
        typer.Option(
            "--keep-column",
            help="Tables without record_id: a column that is no codebook field, kept as a "
            "field of the record (repeatable).",
        ),
    ] = None,
    replace: Annotated[
        bool,
        typer.Option(
            "--replace",
            help="Replace all of this reviewer's earlier values with this file's (atomically).",
        ),
    ] = False,
) -> None:
    """Import an extraction table, checked against the protocol's codebook (all rows or nothing).

    With a record_id column the values attach to records included at full text; without one,
    each row becomes an included study.
    """
    from litrev.extraction import import_table
    from litrev.project import Project
    from litrev.screening import Screening

    project = Project.open(project_dir)
    summary = import_table(
        project.store,
        table,
        project.protocol.codebook,
        reviewer=reviewer,
        record_included=not no_include,
        screening=Screening.from_protocol(project.store, project.protocol),
        allow_not_included=allow_not_included,
        ignore_columns=ignore_column or (),
        keep_columns=keep_column or (),
        replace=replace,
    )
    console.print(
        Text(f"Imported {summary.rows} rows from {table} as reviewer '{reviewer}'."),
        highlight=False,
    )
    if replace:
        console.print(f"Replaced {summary.replaced_values} earlier value(s) by '{reviewer}'.")
    elif summary.updated_records:
        shown = ", ".join(str(r) for r in summary.updated_records[:10])
        more = ", ..." if len(summary.updated_records) > 10 else ""
        console.print(
            f"{len(summary.updated_records)} record(s) already had values by '{reviewer}' "
            f"(records {shown}{more}): the new values win; {reviewer}'s values for records "
            "not in this file stay (--replace replaces them all)."
        )
    if summary.ignored_columns:
        console.print(f"Dropped column(s): {', '.join(summary.ignored_columns)}.")
    if summary.not_included:
        console.print(
            f"{len(summary.not_included)} row(s) are for records not included at full text: "
            + "; ".join(
                f"record {r}: {why}" for r, why in sorted(summary.not_included.items())[:10]
            )
        )


@extract_app.command("list")
def extract_list(
    project_dir: Annotated[Path, typer.Option("--project", "-p", help="The review folder.")] = Path(
        "."
    ),
    reviewer: Annotated[
        str | None, typer.Option(help="Only this reviewer's (or consensus) extraction.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON instead of tables.")] = False,
) -> None:
    """List the extraction imports (file, reviewer, rows, replaced) and each reviewer's values now."""
    from litrev.extraction.history import extraction_counts, extraction_imports
    from litrev.project import Project

    project = Project.open(project_dir)
    imports = extraction_imports(project.store, reviewer)
    counts = extraction_counts(project.store, reviewer)
    if as_json:
        print(
            json.dumps(
                {
                    "imports": [i.as_dict() for i in imports],
                    "reviewers": [c.as_dict() for c in counts],
                },
                indent=2,
                ensure_ascii=False,
            )
        )
        return
    if not imports and not counts:
        who = f" by '{reviewer}'" if reviewer else ""
        console.print(Text(f"No extraction{who} yet (`litrev extract import TABLE.csv`)."))
        return
    logged = Table(title="Extraction imports")
    for heading in ("log id", "when", "reviewer", "rows", "replaced", "file"):
        logged.add_column(heading, justify="right" if heading in ("log id", "rows") else "left")
    for item in imports:
        replaced = f"{item.replaced_values} values" if item.replace else "-"
        logged.add_row(
            *(
                Text(cell)
                for cell in (
                    str(item.id),
                    item.at,
                    item.reviewer,
                    str(item.rows),
                    replaced,
                    Path(item.file).name,
                )
            )
        )
    console.print(logged)
    now = Table(title="Values now, per reviewer")
    for heading in ("reviewer", "records", "values", "latest"):
        now.add_column(heading, justify="right" if heading in ("records", "values") else "left")
    for count in counts:
        now.add_row(
            *(
                Text(c)
                for c in (count.reviewer, str(count.records), str(count.values), count.latest)
            )
        )
    console.print(now)

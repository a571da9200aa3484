"""`litrev db`: the review database's schema version, its migrations, and copying a review
between SQLite and PostgreSQL."""

# litrev.store (SQLAlchemy) is imported inside the commands: every `litrev` run imports this.
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from litrev.cli._app import app, console, err_console
from litrev.errors import LitrevError

if TYPE_CHECKING:
    from litrev.store.copy import CopyReport, OpenedStore

db_app = typer.Typer(
    no_args_is_help=True,
    help="The review database: schema version and row counts, migrations, copying a review "
    "between SQLite and PostgreSQL.",
)
app.add_typer(db_app, name="db")

ProjectOpt = Annotated[Path, typer.Option("--project", "-p", help="The review folder.")]
DatabaseOpt = Annotated[
    str | None,
    typer.Option(
        "--database",
        help="A database URL (postgresql+psycopg://..., sqlite:///...) instead of the "
        "folder's litrev.db (default: LITREV_DATABASE when set).",
    ),
]


def _target(project_dir: Path, database: str | None) -> str | Path:
    from litrev.project import DATABASE_FILE, team_database

    return database or team_database() or project_dir / DATABASE_FILE


def _open(project_dir: Path, database: str | None, *, upgrade: bool) -> OpenedStore:
    from litrev.store.copy import open_store

    target = _target(project_dir, database)
    if isinstance(target, Path) and not target.is_file():
        shown = "the current folder" if str(project_dir) in ("", ".") else str(project_dir)
        raise LitrevError(
            f"no review database in {shown} (no {target.name}); run `litrev init` or pass "
            "--project DIR or --database URL"
        )
    return open_store(target, create=False, upgrade=upgrade)


def _print_upgrade(opened: OpenedStore, *, role: str = "") -> None:
    label = f"{role} " if role else ""
    if not opened.applied:
        console.print(f"{label}{escape(opened.where)}: already at version {opened.version}")
        return
    console.print(
        f"{label}{escape(opened.where)}: schema version {opened.version_before} -> {opened.version}"
    )
    for migration in opened.applied:
        console.print(f"  applied {migration.version}: {escape(migration.description)}")


@db_app.command("upgrade")
def upgrade_command(project_dir: ProjectOpt = Path("."), database: DatabaseOpt = None) -> None:
    """Apply the schema migrations the review database lacks, and report each one.

    Every command migrates on opening; this is the explicit, reported form (run it after
    installing a new litrev on a team's PostgreSQL server).
    """
    opened = _open(project_dir, database, upgrade=True)
    try:
        _print_upgrade(opened)
    finally:
        opened.store.close()


@db_app.command("status")
def status_command(project_dir: ProjectOpt = Path("."), database: DatabaseOpt = None) -> None:
    """The review database's schema version, journal mode and rows per table (changes nothing)."""
    from sqlalchemy import func, inspect, select

    from litrev.store.copy import copied_tables
    from litrev.store.migrations import HEAD

    opened = _open(project_dir, database, upgrade=False)
    store = opened.store
    try:
        version = opened.version_before
        console.print(f"{escape(opened.where)}")
        pending = f" ({HEAD - version} behind; run `litrev db upgrade`)" if version < HEAD else ""
        console.print(f"schema version {version} (this litrev: {HEAD}){pending}")
        if store.engine.dialect.name == "sqlite":
            console.print(f"journal mode: {store.journal_mode()}")
        table = Table("table", "rows")
        table.columns[1].justify = "right"
        with store.connect() as conn:
            present = set(inspect(conn).get_table_names())
            for schema_table in sorted(copied_tables(), key=lambda t: t.name):
                if schema_table.name not in present:
                    table.add_row(schema_table.name, "[dim]not created yet[/]")
                    continue
                rows = conn.execute(select(func.count()).select_from(schema_table)).scalar_one()
                table.add_row(schema_table.name, str(rows))
        console.print(table)
    finally:
        store.close()


@db_app.command("copy")
def copy_command(
    source: Annotated[str, typer.Argument(help="A review folder, SQLite file or database URL.")],
    destination: Annotated[
        str, typer.Argument(help="A review folder, SQLite file or database URL (created if new).")
    ],
    replace: Annotated[
        bool, typer.Option("--replace", help="Delete the destination's rows first.")
    ] = False,
) -> None:
    """Copy a review store to another (SQLite <-> PostgreSQL), every table, checked.

    The destination must be empty unless --replace. Both are migrated to this litrev's schema
    first. The copy is one transaction: row counts and checksums are compared per table before
    it commits, and any difference writes nothing (exit 2).
    """
    from litrev.store.copy import CopyMismatchError, open_store

    src = open_store(source, create=False)
    try:
        dst = open_store(destination, create=True)
    except LitrevError:
        src.store.close()
        raise
    try:
        for opened, role in ((src, "source"), (dst, "destination")):
            if opened.applied:
                _print_upgrade(opened, role=role)
        try:
            report = _copy_with_progress(src, dst, replace)
        except CopyMismatchError as error:
            console.print(_counts_table(error.report))
            raise
        console.print(_counts_table(report))
        replaced = (
            f" ({report.replaced_rows} rows replaced)" if replace and report.replaced_rows else ""
        )
        console.print(
            f"copied {report.total_rows} rows in {len(report.tables)} tables from "
            f"{escape(src.where)} to {escape(dst.where)}{replaced}; counts and checksums match"
        )
    finally:
        src.store.close()
        dst.store.close()


def _copy_with_progress(src: OpenedStore, dst: OpenedStore, replace: bool) -> CopyReport:
    from litrev.store.copy import copy_store

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    ) as bar:
        task = bar.add_task("copying", total=None)

        def step(table: str, done: int, total: int) -> None:
            bar.update(task, description=f"copying {table}", completed=done, total=total)

        return copy_store(src.store, dst.store, replace=replace, progress=step)


def _counts_table(report: CopyReport) -> Table:
    table = Table("table", "source rows", "copied rows", "checksum", title="litrev db copy")
    for column in table.columns[1:3]:
        column.justify = "right"
    for entry in report.tables:
        mark = "ok" if entry.source_sha256 == entry.copied_sha256 else "[red]differs[/]"
        copied = str(entry.copied_rows)
        if entry.copied_rows != entry.source_rows:
            copied = f"[red]{copied}[/]"
        table.add_row(entry.table, str(entry.source_rows), copied, mark)
    return table

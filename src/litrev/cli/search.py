"""`litrev search ...`: translate, lint, run and compare search strategies."""

# Stage modules (litrev.search, litrev.store) are imported inside the commands: they load
# SQLAlchemy, and every `litrev` run imports this module.
from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from litrev.cli._app import app, console
from litrev.errors import InputError, LitrevError

if TYPE_CHECKING:
    from litrev.search.ast import Query
    from litrev.search.text import Hyphen
    from litrev.store import Store

search_app = typer.Typer(help="Search strategies: translate, lint, run over the review, compare.")
app.add_typer(search_app, name="search")

ProjectDir = Annotated[Path, typer.Option("--project", "-p", help="The review folder.")]


def _text(query_or_file: str) -> str:
    """The argument itself, or the content of the file it names."""
    if _is_file(query_or_file):
        return Path(query_or_file).read_text(encoding="utf-8-sig")
    return query_or_file


def _dialect_of(text: str, dialect: str) -> str:
    """`dialect`, or with 'auto' the detected one, printed with the evidence for it."""
    if dialect != "auto":
        return dialect
    from litrev.search import detect

    found = detect(text)
    console.print(
        f"[bold]detected dialect:[/] {found.dialect} (confidence {found.confidence:.2f})",
        highlight=False,
    )
    for reason in found.reasons:
        console.print(f"  - {escape(reason)}", highlight=False)
    return found.dialect


def _is_file(text: str) -> bool:
    try:
        return "\n" not in text and Path(text).is_file()
    except OSError:  # a query longer than a file name may be
        return False


@search_app.command()
def translate(
    query: Annotated[str, typer.Argument(help="The strategy, or a file holding it.")],
    source: Annotated[
        str, typer.Option("--from", "-f", help="Dialect it is written in, or 'auto' to detect it.")
    ],
    target: Annotated[str, typer.Option("--to", "-t", help="Dialect to write, or 'all'.")],
) -> None:
    """Rewrite a strategy for another database, with a warning for anything not kept exactly."""
    from litrev import search

    text = _text(query)
    source = _dialect_of(text, source)
    targets = [d for d in search.DIALECTS if d != source] if target == "all" else [target]
    failed = 0
    for name in targets:
        if len(targets) > 1:
            console.rule(f"[bold]{name}[/]")
        try:
            result = search.translate(text, read=source, write=name)
        except LitrevError as error:
            if len(targets) == 1:
                raise
            failed += 1  # report it and go on with the other dialects
            console.print(f"[red]error:[/] {error}", highlight=False)
            continue
        console.print(result.text, highlight=False, markup=False, soft_wrap=True)
        for warning in result.warnings:
            console.print(f"[yellow]warning:[/] {escape(str(warning))}", highlight=False)
    if failed:
        raise typer.Exit(1)


@search_app.command()
def lint(
    query: Annotated[str, typer.Argument(help="The strategy, or a file holding it.")],
    dialect: Annotated[
        str,
        typer.Option(
            "--dialect", "-d", "--from", help="Dialect it is written in, or 'auto' to detect it."
        ),
    ] = "litrev",
) -> None:
    """Check a strategy; exits 1 if any error is found (warnings alone exit 0)."""
    from litrev import search

    text = _text(query)
    messages = search.lint(text, _dialect_of(text, dialect))
    for m in messages:
        colour = "red" if m.severity == "error" else "yellow"
        console.print(
            f"[{colour}]{m.line}:{m.column} {m.code} {m.severity}:[/] {m.message}", highlight=False
        )
        console.print(m.caret(), highlight=False, markup=False)
    errors = sum(m.severity == "error" for m in messages)
    console.print(f"{len(messages)} message(s), {errors} error(s)")
    if errors:
        raise typer.Exit(1)


@dataclass
class Strategy:
    name: str
    dialect: str
    query: Query
    reported_hits: int | None = None


def _parse(name: str, text: str, dialect: str, limits: Sequence[str] = ()) -> Strategy:
    from litrev import search
    from litrev.search.ast import Limit, Query
    from litrev.search.dialects.limits import parse_limit_item

    query = search.parse(text, dialect)
    extra: tuple[Limit, ...] = tuple(parse_limit_item(item) for item in limits)
    return Strategy(name, dialect, Query(query.root, (*query.limits, *extra)))


def _project_strategies(project_dir: Path) -> list[Strategy]:
    from litrev.project import PROTOCOL_FILE
    from litrev.protocol import load_protocol

    protocol = load_protocol(project_dir / PROTOCOL_FILE)
    out = []
    for i, s in enumerate(protocol.searches, 1):
        if not s.strategy.strip():
            continue
        if not s.dialect:
            raise InputError(
                str(project_dir / PROTOCOL_FILE),
                f"searches[{i}] ({s.database}): no dialect; expected one of pubmed, ovid, ebsco, "
                "proquest, scopus, wos, cochrane, embase, europepmc, openalex, litrev",
            )
        strategy = _parse(s.database, s.strategy, s.dialect, list(s.limits))
        strategy.reported_hits = s.hits
        out.append(strategy)
    return out


def _select(strategies: list[Strategy], name: str) -> Strategy:
    wanted = name.casefold()
    exact = [s for s in strategies if s.name.casefold() == wanted]
    prefix = [s for s in strategies if s.name.casefold().startswith(wanted)]
    chosen = exact or prefix
    if len(chosen) != 1:
        known = "; ".join(s.name for s in strategies) or "none"
        raise LitrevError(f"no single strategy named {name!r} (strategies: {known})")
    return chosen[0]


def _open_store(project_dir: Path, records: list[Path] | None = None) -> Store:
    """The review's store, or (with `records`) a throwaway in-memory store holding those files."""
    from litrev.store import Store

    if not records:
        from litrev.project import team_database

        team = team_database()
        return (
            Store.open(team, create=True)
            if team
            else Store.open(project_dir / "litrev.db", create=False)
        )
    from litrev.records.importer import import_files

    store = Store.open("sqlite://")
    import_files(store, [str(p) for p in records], actor="litrev search", allow_reimport=True)
    return store


RecordFiles = Annotated[
    list[Path] | None,
    typer.Option(
        "--records",
        "-r",
        help="Search these export files (e.g. known relevant studies) instead of the review's "
        "records; repeat for several files.",
    ),
]


def _resolve(spec: str, project_dir: Path, dialect: str | None) -> Strategy:
    """A strategy named in the project, else a file, else the query text itself."""
    if dialect is None and (project_dir / "litrev.toml").is_file():
        try:
            return _select(_project_strategies(project_dir), spec)
        except LitrevError:
            if not Path(spec).is_file() and " " not in spec:
                raise
    return _parse(
        Path(spec).name if Path(spec).is_file() else spec, _text(spec), dialect or "litrev"
    )


@search_app.command()
def run(
    project_dir: ProjectDir = Path("."),
    strategy: Annotated[
        str | None, typer.Option("--strategy", "-s", help="Run only this strategy (database name).")
    ] = None,
    file: Annotated[
        Path | None, typer.Option("--file", help="Run the strategy in this file instead.")
    ] = None,
    dialect: Annotated[str, typer.Option("--dialect", "-d", help="Dialect of --file.")] = "litrev",
    show: Annotated[int, typer.Option(help="Records listed as found by no strategy.")] = 10,
    list_hits: Annotated[
        int, typer.Option("--list-hits", help="List this many hits per strategy, explained.")
    ] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print the results as JSON.")] = False,
    records: RecordFiles = None,
) -> None:
    """Run the review's strategies over its records: hits per strategy, records none finds."""
    from sqlalchemy import select

    from litrev.search.compile import explain_store, search_store
    from litrev.search.limits import unchecked_limits
    from litrev.store import schema

    if file is not None:
        strategies = [_parse(file.name, file.read_text(encoding="utf-8-sig"), dialect)]
    else:
        strategies = _project_strategies(project_dir)
        if strategy:
            strategies = [_select(strategies, strategy)]
    if not strategies:
        raise LitrevError(f"{project_dir / 'litrev.toml'}: no [[searches]] with a strategy to run")
    store = _open_store(project_dir, records)
    with store.connect() as conn:
        rows = conn.execute(select(schema.records.c.id, schema.records.c.title))
        titles = {rid: title or "(no title)" for rid, title in rows}
    found_by: dict[str, list[int]] = {}
    with console.status("running strategies") as status:
        for s in strategies:
            status.update(f"running {s.name} ({s.dialect})")
            found_by[s.name] = search_store(store, s.query, s.dialect)
    found_any = set().union(*found_by.values()) if found_by else set()
    unfound = [rid for rid in sorted(titles) if rid not in found_any]
    notes = {s.name: unchecked_limits(s.query.limits) for s in strategies}
    if as_json:
        payload = {
            "records": len(titles),
            "strategies": [
                {
                    "name": s.name,
                    "dialect": s.dialect,
                    "hits": len(found_by[s.name]),
                    "reported_hits": s.reported_hits,
                    "ids": found_by[s.name],
                    "notes": notes[s.name],
                }
                for s in strategies
            ],
            "found_by_none": unfound,
        }
        console.print_json(json.dumps(payload))
        return
    where = ", ".join(p.name for p in records) if records else str(project_dir)
    table = Table(title=f"Strategies over {len(titles)} records in {where}")
    for col in ("strategy", "dialect", "local hits", "reported hits", "notes"):
        table.add_column(col, justify="right" if "hits" in col else "left")
    for s in strategies:
        reported = "" if s.reported_hits is None else str(s.reported_hits)
        table.add_row(
            s.name, s.dialect, str(len(found_by[s.name])), reported, "; ".join(notes[s.name])
        )
    console.print(table)
    for s in strategies if list_hits else []:
        console.rule(f"{s.name}: first {min(list_hits, len(found_by[s.name]))} hits")
        for hit in explain_store(store, s.query, found_by[s.name][:list_hits], s.dialect):
            console.print(
                f"[bold]#{hit.record_id}[/] {titles[int(hit.record_id or 0)]}", highlight=False
            )
            console.print(
                "  " + hit.explain(markup="rich", context=60).replace("\n", "\n  "), highlight=False
            )
    console.print(f"Records found by no strategy: {len(unfound)} of {len(titles)}")
    for rid in unfound[:show]:
        console.print(f"  #{rid} {titles[rid]}", highlight=False, markup=False)
    if len(unfound) > show:
        console.print(f"  ... and {len(unfound) - show} more (--show N to list more)")


@search_app.command()
def diff(
    a: Annotated[str, typer.Argument(help="Strategy A: a name in litrev.toml, a file or a query.")],
    b: Annotated[str, typer.Argument(help="Strategy B: a name in litrev.toml, a file or a query.")],
    project_dir: ProjectDir = Path("."),
    dialect_a: Annotated[
        str | None, typer.Option(help="Dialect of A if not a named strategy.")
    ] = None,
    dialect_b: Annotated[
        str | None, typer.Option(help="Dialect of B if not a named strategy.")
    ] = None,
    show: Annotated[int, typer.Option(help="Records shown on each side.")] = 20,
    records: RecordFiles = None,
) -> None:
    """Which records two strategies disagree on, each explained by the terms that found it."""
    from litrev.search.compile import explain_store, search_store
    from litrev.search.evaluate import Matcher
    from litrev.search.explain import why_not

    first, second = _resolve(a, project_dir, dialect_a), _resolve(b, project_dir, dialect_b)
    store = _open_store(project_dir, records)
    hits_a = set(search_store(store, first.query, first.dialect))
    hits_b = set(search_store(store, second.query, second.dialect))
    console.print(
        f"A = {first.name} ({first.dialect}): {len(hits_a)} hits; "
        f"B = {second.name} ({second.dialect}): {len(hits_b)} hits; "
        f"both: {len(hits_a & hits_b)}",
        highlight=False,
    )
    for label, finder, missed_by, other, only in (
        ("A", first, "B", second, sorted(hits_a - hits_b)),
        ("B", second, "A", first, sorted(hits_b - hits_a)),
    ):
        console.rule(f"found by {label} ({finder.name}), not by {missed_by}: {len(only)}")
        other_matcher = Matcher(other.query, other.dialect)
        for hit in explain_store(store, finder.query, only[:show], finder.dialect):
            title = hit.record.title or "(no title)"
            console.print(f"[bold]#{hit.record_id}[/] {title}", highlight=False)
            console.print(
                "  " + hit.explain(markup="rich", context=60).replace("\n", "\n  "), highlight=False
            )
            reason = why_not(other_matcher, hit.record)
            console.print(f"  [dim]{missed_by}:[/] {escape(reason)}", highlight=False)
        if len(only) > show:
            console.print(f"  ... and {len(only) - show} more (--show N to list more)")
    if not (hits_a ^ hits_b):
        console.print("The two strategies find the same records.")


@search_app.command()
def index(
    project_dir: ProjectDir = Path("."),
    rebuild: Annotated[
        bool, typer.Option(help="Rebuild even if the records look unchanged.")
    ] = False,
) -> None:
    """Build or refresh the full-text search index of the review (done by `run` on demand)."""
    from litrev.search.compile import ensure_index

    store = _open_store(project_dir)
    hyphens: tuple[Hyphen, ...] = ("split", "char")
    for hyphen in hyphens:
        info = ensure_index(store, hyphen, rebuild=rebuild)
        state = "rebuilt" if info.rebuilt else "up to date"
        console.print(f"{info.table}: {info.records} records, {state} ({info.seconds:.1f} s)")

"""`litrev codebook show|check|history`: the review's extraction form, the stored values that no
longer fit it, and its versions (`litrev.extraction.versions`)."""

# litrev.project and litrev.extraction (SQLAlchemy) are imported inside the commands: every
# `litrev` run imports this module.
from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table
from rich.text import Text

from litrev.cli._app import app, console

if TYPE_CHECKING:
    from litrev.protocol import CodebookField

codebook_app = typer.Typer(
    help="The codebook: its fields, stored values that no longer fit it, and its versions."
)
app.add_typer(codebook_app, name="codebook")

ProjectOption = Annotated[Path, typer.Option("--project", "-p", help="The review folder.")]
JsonOption = Annotated[bool, typer.Option("--json", help="JSON instead of tables.")]


def _type(field: CodebookField) -> str:
    multiple = " (multiple)" if field.multiple and field.type != "multi_choice" else ""
    return field.type + multiple


def _values(field: CodebookField) -> str:
    if field.unit:
        return f"unit: {field.unit}"
    if not field.choices:
        return ""
    shown = "; ".join(field.choices[:8])
    return shown + (f"; ... ({len(field.choices)} in all)" if len(field.choices) > 8 else "")


@codebook_app.command("show")
def show(project_dir: ProjectOption = Path("."), as_json: JsonOption = False) -> None:
    """The codebook's fields (name, type, required, when, group, choices or unit, help) and groups."""
    from litrev.project import Project

    codebook = Project.open(project_dir).protocol.codebook
    if as_json:
        print(json.dumps(codebook.model_dump(mode="json"), indent=2, ensure_ascii=False))
        return
    if not codebook.fields:
        console.print(Text("The codebook has no fields yet ([[codebook.fields]] in litrev.toml)."))
        return
    label = f" (version {codebook.version})" if codebook.version is not None else ""
    table = Table(title=f"Codebook{label}: {len(codebook.fields)} fields", show_lines=True)
    for heading in ("field", "type", "required", "when", "group", "choices / unit", "help"):
        table.add_column(heading)
    for field in codebook.fields:
        name = field.name + (f"\n{field.label}" if field.label else "")
        if field.renamed_from:
            name += f"\n(was {', '.join(field.renamed_from)})"
        table.add_row(
            *(
                Text(cell)
                for cell in (
                    name,
                    _type(field),
                    "yes" if field.required else "",
                    field.when.describe() if field.when else "",
                    field.group,
                    _values(field),
                    field.help,
                )
            )
        )
    console.print(table)
    for group in codebook.groups:
        fields = ", ".join(f.name for f in codebook.fields_of(group.name)) or "no fields"
        rows = f"at least {group.min} row(s)" if group.min else "optional"
        about = f" — {group.help}" if group.help else ""
        console.print(
            Text(f"group {group.name} ({group.label or group.name}; {rows}): {fields}{about}")
        )


@codebook_app.command("check")
def check(
    project_dir: ProjectOption = Path("."),
    strict: Annotated[
        bool, typer.Option("--strict", help="Exit with status 2 when values do not fit.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Record the codebook if it changed (moving values of renamed fields) and list the stored
    values that no longer fit it. They are kept, never dropped: fix the codebook or the values."""
    from litrev.extraction.versions import misfits, sync_codebook
    from litrev.project import Project

    project = Project.open(project_dir)
    codebook = project.protocol.codebook
    synced = sync_codebook(project.store, codebook, actor="litrev")
    found = misfits(project.store, codebook)
    if as_json:
        print(
            json.dumps(
                {
                    "version": synced.version,
                    "changed": synced.changed,
                    "renamed": synced.renamed,
                    "moved_values": synced.moved_values,
                    "regrouped_values": synced.regrouped_values,
                    "misfits": [m.__dict__ for m in found],
                },
                indent=2,
                ensure_ascii=False,
            )
        )
    else:
        state = "new version recorded" if synced.changed else "unchanged"
        console.print(Text(f"Codebook version {synced.version} ({state})."))
        for old, new in synced.renamed.items():
            console.print(Text(f"renamed: {old} -> {new}"))
        if synced.moved_values or synced.regrouped_values:
            console.print(
                Text(
                    f"moved {synced.moved_values} value(s) to renamed fields, "
                    f"{synced.regrouped_values} into or out of groups"
                )
            )
        if not found:
            console.print(Text("Every stored value fits the codebook."))
        else:
            table = Table(title=f"{len(found)} stored value(s) do not fit the codebook (kept)")
            for heading in ("record", "reviewer", "field", "row", "value", "problem"):
                table.add_column(
                    heading, justify="right" if heading in ("record", "row") else "left"
                )
            for m in found:
                table.add_row(
                    *(
                        Text(cell)
                        for cell in (
                            str(m.record_id),
                            m.reviewer,
                            m.field,
                            str(m.instance) if m.instance else "",
                            m.value,
                            m.problem,
                        )
                    )
                )
            console.print(table)
    if found and strict:
        raise typer.Exit(code=2)


@codebook_app.command("history")
def history(project_dir: ProjectOption = Path("."), as_json: JsonOption = False) -> None:
    """The codebook versions the review has used (the current one recorded first), with their
    dates and what changed: fields and groups added, removed, renamed or changed."""
    from litrev.extraction.versions import codebook_history, sync_codebook
    from litrev.project import Project

    project = Project.open(project_dir)
    sync_codebook(project.store, project.protocol.codebook, actor="litrev")
    versions = codebook_history(project.store)
    if as_json:
        print(
            json.dumps(
                [
                    {
                        "version": v.version,
                        "created_at": v.created_at.isoformat(),
                        "label": v.label,
                        "digest": v.digest,
                        "changes": v.changes,
                    }
                    for v in versions
                ],
                indent=2,
                ensure_ascii=False,
            )
        )
        return
    table = Table(title="Codebook versions", show_lines=True)
    for heading in ("version", "recorded", "label", "changes"):
        table.add_column(heading, justify="right" if heading == "version" else "left")
    for v in versions:
        table.add_row(
            Text(str(v.version)),
            Text(v.created_at.strftime("%Y-%m-%d %H:%M")),
            Text("" if v.label is None else str(v.label)),
            Text("\n".join(v.changes)),
        )
    console.print(table)

"""`litrev appraisal list|show|adopt`: the built-in quality appraisal tools (`litrev.appraisal`)."""

# litrev.appraisal is light, but is still imported inside the commands, as every stage is.
from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from litrev.cli._app import app, say

appraisal_app = typer.Typer(
    help="Quality appraisal tools (CASP qualitative, MMAT 2018, JBI checklists), with their "
    "sources; adopt one as codebook fields."
)
app.add_typer(appraisal_app, name="appraisal")


@appraisal_app.command("list")
def list_tools() -> None:
    """The built-in appraisal tools: name, title, items, answers and source."""
    from litrev.appraisal import load_tools

    for found in load_tools():
        answers = " / ".join(found.answers)
        say(f"{found.name}: {found.title} — {len(found.items)} items ({answers})")
        say(f"  source: {found.citation}")


@appraisal_app.command("show")
def show(
    name: Annotated[str, typer.Argument(help="The tool's name (litrev appraisal list).")],
) -> None:
    """A tool's source, wording note, and every item by domain with the codebook field it becomes."""
    from litrev.appraisal import tool

    found = tool(name)
    say(f"{found.name}: {found.title}\nsource: {found.citation}")
    if found.wording_note:
        say(f"note: {found.wording_note}")
    say(f"answers: {' / '.join(found.answers)}")
    if found.selector is not None:
        choices = "; ".join(found.selector.choices)
        say(f"\n{found.selector_field}: {found.selector.label} ({choices})")
    for domain in found.domains:
        applies = f" (applies to: {'; '.join(domain.applies_to)})" if domain.applies_to else ""
        say(f"\n{domain.label}{applies}")
        for item in found.items:
            if item.domain == domain.name:
                extra = f" [{' / '.join(item.answers)}]" if item.answers != found.answers else ""
                say(f"  {found.field_name(item)}: {item.number}. {item.text}{extra}")


@appraisal_app.command("adopt")
def adopt_command(
    name: Annotated[str, typer.Argument(help="The tool's name (litrev appraisal list).")],
    append: Annotated[
        bool,
        typer.Option(
            "--append", help="Add the fields and [appraisal] to the review's litrev.toml."
        ),
    ] = False,
    project_dir: Annotated[
        Path, typer.Option("--project", "-p", help="The review folder (with --append).")
    ] = Path("."),
    double: Annotated[
        bool | None,
        typer.Option(
            "--double/--single",
            help="Two raters per study, reconciled (default for a new [appraisal]), or one.",
        ),
    ] = None,
) -> None:
    """Print the tool as [[codebook.fields]] TOML (a choice field per item, its answers as
    choices), or add it to the protocol: the fields, and its name in [appraisal] tools (checked
    first; atomic)."""
    from litrev.appraisal.adopt import adopt, codebook_toml
    from litrev.appraisal.tools import tool
    from litrev.project import PROTOCOL_FILE

    if not append:
        typer.echo(codebook_toml(tool(name)), nl=False)
        return
    added = adopt(name, project_dir / PROTOCOL_FILE, double_rated=double)
    say(
        f"added {len(added)} codebook fields ({added[0]} ... {added[-1]}) and {name!r} in "
        f"[appraisal] tools to {project_dir / PROTOCOL_FILE}"
    )

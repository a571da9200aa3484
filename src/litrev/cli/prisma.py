"""`litrev prisma`: the PRISMA 2020 flow diagram (SVG, PNG at 300 dpi, PDF) and checklists."""

# litrev.synthesis (matplotlib, python-docx, sqlalchemy) is imported inside the command: every
# `litrev` run imports this module.
from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from litrev.cli._app import app, console, err_console
from litrev.cli._outputs import parse_formats

FORMATS = ("svg", "png", "pdf")


@app.command()
def prisma(
    project_dir: Annotated[Path, typer.Option("--project", "-p", help="The review folder.")] = Path(
        "."
    ),
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Where to write (default: the review folder)."),
    ] = None,
    formats: Annotated[
        str, typer.Option("--format", "-f", help="Which files, comma-separated: svg, png, pdf.")
    ] = ",".join(FORMATS),
    checklists: Annotated[
        bool,
        typer.Option(
            "--checklists/--no-checklists",
            help="Also write the PRISMA 2020 and PRISMA-S checklists (Markdown and DOCX).",
        ),
    ] = True,
) -> None:
    """Write the PRISMA 2020 flow diagram (prisma.svg, prisma.png at 300 dpi, prisma.pdf) in
    the template [flow] template names, and the PRISMA 2020 and PRISMA-S checklists filled
    where litrev knows the answer. Counts set in [flow.overrides] are listed."""
    from litrev.project import Project
    from litrev.synthesis.checklists.checklist import write_checklists
    from litrev.synthesis.prisma.export import write_diagram
    from litrev.synthesis.prisma.flow import compute_flow
    from litrev.synthesis.prisma.flow_data import flow_data
    from litrev.synthesis.prisma.layout import layout

    wanted = parse_formats(formats, FORMATS)
    project = Project.open(project_dir)
    target = out if out is not None else project.root
    flow = compute_flow(project.protocol, flow_data(project.store, project.protocol))
    title = f"PRISMA 2020 flow: {project.protocol.review.title}"
    files = write_diagram(flow, target, wanted, title=title)
    for name, (computed, value) in flow.overrides.items():
        was = "litrev did not compute it" if computed is None else f"litrev counted {computed:,}"
        err_console.print(
            "[yellow]override:[/] " + escape(f"{name} = {value:,} from [flow.overrides] ({was})"),
            highlight=False,
        )
    for kept in layout(flow).kept:
        err_console.print(
            "[yellow]warning:[/] "
            + escape(f"[flow] skip not applied to {kept}: its count is not zero"),
            highlight=False,
        )
    paths = ", ".join(escape(str(p)) for p in files.values())
    console.print(f"PRISMA 2020 flow diagram ({flow.template} review) written to {paths}")
    if checklists:
        written = write_checklists(project.protocol, flow, target)
        listed = ", ".join(escape(str(p)) for p in written.values())
        console.print(f"Checklists written to {listed}")

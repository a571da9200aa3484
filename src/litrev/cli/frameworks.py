"""`litrev frameworks list|show|adopt` and `litrev match`: the co-production frameworks and the
built-in catalogue of models (`litrev.frameworks`)."""

# litrev.frameworks (and scikit-learn, for match) is imported inside the commands: every
# `litrev` run imports this module.
from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from litrev.cli._app import app, err_console, say

frameworks_app = typer.Typer(
    help="Co-production frameworks from the literature, with their sources; adopt one as codebook fields."
)
app.add_typer(frameworks_app, name="frameworks")


@frameworks_app.command("list")
def list_frameworks() -> None:
    """The built-in frameworks: name, title, dimensions and source."""
    from litrev.frameworks import load_frameworks

    for fw in load_frameworks():
        dimensions = ", ".join(f"{d.name} ({'/'.join(d.value_names)})" for d in fw.dimensions)
        say(f"{fw.name}: {fw.title} — {dimensions}\n  source: {fw.citation}")


@frameworks_app.command("show")
def show(
    name: Annotated[str, typer.Argument(help="The framework's name (litrev frameworks list).")],
) -> None:
    """A framework's source, dimensions and values, each with the source's definition and where
    it comes from (a value the source does not define says so)."""
    from litrev.frameworks import framework

    fw = framework(name)
    say(f"{fw.name}: {fw.title}\nsource: {fw.citation}")
    if fw.citation_note:
        say(f"note: {fw.citation_note}")
    for dimension in fw.dimensions:
        kind = "several values" if dimension.multiple else "one value"
        say(f"\n{dimension.name} — {dimension.label} ({kind})")
        if dimension.definition:
            say(f"  “{dimension.definition}” [{dimension.source}]")
        for value in dimension.values:
            said = (
                f"“{value.definition}” [{value.source}]"
                if value.definition
                else "no definition in the source"
            )
            say(f"  - {value.name}: {said}")


@frameworks_app.command("adopt")
def adopt_command(
    name: Annotated[str, typer.Argument(help="The framework's name (litrev frameworks list).")],
    append: Annotated[
        bool, typer.Option("--append", help="Append the fields to the review's litrev.toml.")
    ] = False,
    project_dir: Annotated[
        Path, typer.Option("--project", "-p", help="The review folder (with --append).")
    ] = Path("."),
    prefix: Annotated[
        str | None,
        typer.Option("--prefix", help="Field-name prefix (default: the framework's; '' for none)."),
    ] = None,
) -> None:
    """Print the framework as [[codebook.fields]] TOML (one choice or multi_choice field per
    dimension, definitions as comments), or append it to the protocol (checked first; atomic)."""
    from litrev.frameworks import adopt, codebook_toml, framework
    from litrev.project import PROTOCOL_FILE

    if not append:
        typer.echo(codebook_toml(framework(name), prefix=prefix), nl=False)
        return
    added = adopt(name, project_dir / PROTOCOL_FILE, prefix=prefix)
    say(f"added codebook fields {', '.join(added)} to {project_dir / PROTOCOL_FILE}")


@app.command("match")
def match_command(
    description: Annotated[
        str, typer.Argument(help="Your initiative in words (may be '' with --answers).")
    ],
    answers: Annotated[
        Path | None,
        typer.Option("--answers", help="A TOML file of framework dimension values (and country)."),
    ] = None,
    framework_name: Annotated[
        str | None,
        typer.Option(
            "--framework", help="Read the description and answers against this framework only."
        ),
    ] = None,
    country: Annotated[
        str | None, typer.Option("--country", help="Your initiative's country (e.g. UK).")
    ] = None,
    top: Annotated[int, typer.Option("--top", help="How many models to show.")] = 5,
    as_json: Annotated[bool, typer.Option("--json", help="Print the matches as JSON.")] = False,
) -> None:
    """The models of the built-in catalogue (the built-in review's included studies) that fit
    your initiative, ranked, each with the reasons: which of your attributes match which of the
    study's stated facts."""
    from litrev.frameworks import framework, match, read_answers

    if framework_name:
        framework(framework_name)  # an unknown name is refused before anything is read
    given = read_answers(answers, framework_name=framework_name) if answers else None
    found = match(description, answers=given, framework=framework_name, country=country, top=top)
    if country and not as_json:
        from litrev.frameworks import builtin_catalogue
        from litrev.frameworks.match import country_key

        catalogue = builtin_catalogue()
        known = {country_key(s.facts.get(catalogue.country_field, "")) for s in catalogue.studies}
        if country_key(country) not in known:
            err_console.print(
                f"note: no study in the catalogue has the country {escape(country)!r}; "
                "it cannot be a reason",
                highlight=False,
            )
    if as_json:
        typer.echo(json.dumps([asdict(m) for m in found], ensure_ascii=False, indent=2))
        return
    if not found:
        say("No model in the catalogue matches what you described; try more words or --answers.")
        return
    for rank, found_match in enumerate(found, start=1):
        say(f"{rank}. {found_match.label} (score {found_match.score:.2f})")
        for fact, text in found_match.facts.items():
            say(f"   {fact}: {text}")
        say("   why:")
        for reason in found_match.reasons:
            say(f"   - {reason}")

"""docs/protocol.md describes every key of litrev.toml, and `litrev init`'s template shows every table."""

from __future__ import annotations

import re
import typing
from collections.abc import Iterator
from pathlib import Path

from pydantic import BaseModel

from litrev.project import Project, protocol_template
from litrev.protocol import Protocol, parse_protocol

DOCS = Path(__file__).resolve().parents[2] / "docs" / "protocol.md"


def key_paths(model: type[BaseModel], prefix: str = "") -> Iterator[str]:
    """Every key of the schema as a TOML path: `review.id`, `searches[].hits`, ..."""
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        annotation = info.annotation
        args = typing.get_args(annotation)
        if typing.get_origin(annotation) is list and args and _is_model(args[0]):
            yield f"{path}[]"
            yield from key_paths(args[0], f"{path}[].")
        elif _is_model(annotation):
            yield from key_paths(annotation, f"{path}.")  # type: ignore[arg-type]
        else:
            yield path


def _is_model(annotation: object) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def documented_keys(text: str) -> set[str]:
    return set(re.findall(r"^\| `([a-z_][a-z_.\[\]]*)` \|", text, flags=re.M))


def test_every_schema_key_is_documented_and_no_other() -> None:
    schema = set(key_paths(Protocol))
    documented = documented_keys(DOCS.read_text(encoding="utf-8"))
    assert sorted(schema - documented) == [], "keys missing from docs/protocol.md"
    assert sorted(documented - schema) == [], "docs/protocol.md describes keys that do not exist"


def test_the_documented_example_is_a_valid_protocol() -> None:
    text = DOCS.read_text(encoding="utf-8")
    example = re.findall(r"```toml\n(.*?)```", text, flags=re.S)
    assert example, "docs/protocol.md has no TOML example"
    for block in example:
        parse_protocol(block, path="docs/protocol.md")


def _uncommented(template: str) -> str:
    # "## " lines explain; "# " lines (and a bare "#") are examples to switch on.
    lines = []
    for line in template.splitlines():
        if line.startswith("## "):
            continue
        if line == "#":
            lines.append("")
        elif line.startswith("# "):
            lines.append(line[2:])
        else:
            lines.append(line)
    return "\n".join(lines)


def test_init_template_is_valid_and_its_examples_cover_every_table() -> None:
    template = protocol_template("my-review", 'A "quoted" \\ title')
    assert parse_protocol(template).review.title == 'A "quoted" \\ title'
    full = parse_protocol(_uncommented(template), path="template (examples on)")
    for name in Protocol.model_fields:
        assert name in full.model_fields_set, f"the template has no example of [{name}]"
        value = getattr(full, name)
        if isinstance(value, BaseModel):
            assert value.model_fields_set, f"the template's [{name}] example sets nothing"
        elif isinstance(value, list):
            assert value, f"the template has no [[{name}]] example"
    assert {s.kind for s in full.searches} >= {"database", "other"}
    assert full.eligibility.exclusion_reasons and full.codebook.fields
    assert full.flow.other_methods.model_fields_set


def test_init_writes_the_template(tmp_path: Path) -> None:
    project = Project.init(tmp_path / "Falls review")
    text = (tmp_path / "Falls review" / "litrev.toml").read_text(encoding="utf-8")
    assert "[[searches]]" in text and "[[codebook.fields]]" in text and "[report]" in text
    assert project.protocol.review.id == "falls-review"


def test_toml_errors_give_line_column_and_text() -> None:
    text = '[review]\nid = "r"\ntitle = "t"\n\n[[searches]]\ndatabase = "x"\ndate = 2019-13-45\n'
    try:
        parse_protocol(text, path="litrev.toml")
    except Exception as error:
        message = str(error)
    else:
        raise AssertionError("an invalid date was accepted")
    assert "line 7, column 8" in message
    assert "'2019-13-45' is not a valid date" in message
    assert "date = 2019-13-45" in message


def test_toml_syntax_errors_show_the_offending_line() -> None:
    text = '[review]\nid = "r"\ntitle = "unclosed\n'
    try:
        parse_protocol(text, path="litrev.toml")
    except Exception as error:
        message = str(error)
    else:
        raise AssertionError("invalid TOML was accepted")
    assert "line 3, column" in message and 'title = "unclosed' in message


def test_docs_give_the_flows_rule_for_hits_imported_records_first() -> None:
    # docs/protocol.md said "reported `hits` when given, otherwise the records imported", the
    # opposite of the flow (litrev.synthesis.prisma.flow counts imported records, else the hits).
    text = DOCS.read_text(encoding="utf-8")
    assert "reported `hits` when given" not in text
    row = next(line for line in text.splitlines() if line.startswith("| `searches[].hits`"))
    assert "no records are imported" in row and "audit" in row
    section = text.split("## `[[searches]]`")[1].split("| key |")[0]
    assert "number of records imported" in section and "audit says so" in section


def test_docs_list_the_protocols_dialects() -> None:
    from litrev.protocol import DIALECT_NAMES

    row = next(line for line in DOCS.read_text(encoding="utf-8").splitlines()
               if line.startswith("| `searches[].dialect`"))  # fmt: skip
    assert all(f"`{name}`" in row for name in DIALECT_NAMES)

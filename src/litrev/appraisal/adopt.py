"""Adopting an appraisal tool: its items as `[[codebook.fields]]` and its name in `[appraisal]`.

Each item becomes a `choice` field `PREFIX_ID` (never required: a rater fills what applies)
whose choices are the tool's answers, labelled "CASP 1. Was there ...?", with the item's domain as
its help. A tool with a selector (MMAT) first gets the selector's field, and each item of a
domain that applies to some designs only is conditional on it (`when`), so forms hide it.
The values are extractions like any others: double extraction, agreement and reconciliation
apply unchanged.

>>> text = codebook_toml(tool("mmat-2018"))
>>> 'name = "mmat_design"' in text and 'when = { field = "mmat_design", in = ["Qualitative", "Mixed methods"] }' in text
True
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from litrev.appraisal.tools import Tool, tool
from litrev.errors import ProtocolError

_HEADER = re.compile(r"^\s*\[\s*appraisal\s*\]\s*(#.*)?$")
_TABLE = re.compile(r"^\s*\[")
_TOOLS = re.compile(r"^(\s*tools\s*=\s*)(\[[^\]\n]*\])\s*(#.*)?$")
_DOUBLE = re.compile(r"^\s*double_rated\s*=")


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _list(values: tuple[str, ...] | list[str]) -> str:
    return "[" + ", ".join(_q(v) for v in values) + "]"


def _choice_field(name: str, label: str, choices: tuple[str, ...], help: str) -> list[str]:
    """One optional `choice` field as `[[codebook.fields]]` lines (a blank line first)."""
    return [
        "",
        "[[codebook.fields]]",
        f"name = {_q(name)}",
        f"label = {_q(label)}",
        'type = "choice"',
        "required = false",
        f"choices = {_list(choices)}",
        f"help = {_q(help)}",
    ]


def codebook_toml(found: Tool) -> str:
    """The tool's fields as `[[codebook.fields]]` TOML, with its citation and wording note as
    comments."""
    lines = [
        f"# Appraisal tool {found.name}: {found.title}",
        f"# Source: {found.citation}",
    ]
    if found.wording_note:
        lines.append(f"# {found.wording_note}")
    if found.selector is not None and found.selector_field:
        lines += _choice_field(
            found.selector_field,
            f"{found.short}: {found.selector.label}",
            found.selector.choices,
            f"Decides which {found.short} criteria apply to the study",
        )
    for item in found.items:
        domain = found.domain(item.domain)
        lines += _choice_field(
            found.field_name(item), found.item_label(item), item.answers, domain.label
        )
        if domain.applies_to and found.selector_field:
            lines.append(
                f"when = {{ field = {_q(found.selector_field)}, in = {_list(domain.applies_to)} }}"
            )
    return "\n".join(lines) + "\n"


def _with_tool(text: str, name: str, double_rated: bool | None, path: str) -> str:
    """`text` with `name` added to `[appraisal] tools` (the table appended when there is none)."""
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if _HEADER.match(line)), None)
    if start is None:
        double = "true" if double_rated is None else str(double_rated).lower()
        block = ["", "[appraisal]", f"tools = {_list([name])}", f"double_rated = {double}"]
        return "\n".join([*lines, *block]) + "\n"
    end = next((i for i in range(start + 1, len(lines)) if _TABLE.match(lines[i])), len(lines))
    for i in range(start + 1, end):
        found = _TOOLS.match(lines[i])
        if found:
            current = json.loads(found.group(2))
            lines[i] = f"{found.group(1)}{_list([*current, name])}"
            break
        if lines[i].lstrip().startswith("tools"):
            raise ProtocolError(
                path,
                [f"appraisal.tools (line {i + 1}) spans lines; add {name!r} to it yourself"],
            )
    else:
        lines.insert(start + 1, f"tools = {_list([name])}")
    if double_rated is not None and not any(_DOUBLE.match(line) for line in lines[start:end]):
        lines.insert(start + 1, f"double_rated = {str(double_rated).lower()}")
    return "\n".join(lines) + "\n"


def adopt(name: str, protocol_path: str | Path, *, double_rated: bool | None = None) -> list[str]:
    """Add tool `name` to the protocol at `protocol_path`: its fields appended to the codebook and
    its name to `[appraisal] tools`; return the fields added.

    The protocol is validated with the change before anything is written (atomically): a tool
    already adopted, a field name the codebook already has, or a `double_rated` that differs
    from the protocol's raises `ProtocolError` and leaves the file as it was.
    """
    from litrev.fileio import atomic_write_text
    from litrev.protocol import load_protocol, parse_protocol

    path = Path(protocol_path)
    found = tool(name)
    current = load_protocol(path)
    if name in current.appraisal.tools:
        raise ProtocolError(str(path), [f"appraisal tool {name!r} is already adopted"])
    taken = sorted(set(found.field_names) & {f.name for f in current.codebook.fields})
    if taken:
        raise ProtocolError(
            str(path),
            [f"codebook already has field(s) {taken}; tool {name!r} not added"],
        )
    if (
        double_rated is not None
        and "appraisal" in current.model_fields_set
        and current.appraisal.double_rated != double_rated
    ):
        raise ProtocolError(
            str(path),
            [
                f"appraisal.double_rated is {str(current.appraisal.double_rated).lower()}; "
                "change it in the protocol yourself (it applies to every tool)"
            ],
        )
    old = path.read_text(encoding="utf-8")
    new = old + ("" if old.endswith("\n") or not old else "\n") + "\n" + codebook_toml(found)
    new = _with_tool(new, name, double_rated, str(path))
    parse_protocol(new, path=str(path))
    atomic_write_text(path, new)
    return found.field_names

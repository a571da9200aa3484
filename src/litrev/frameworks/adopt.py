"""Adopting a framework as codebook fields: TOML `[[codebook.fields]]` the protocol accepts.

Each dimension becomes one field, `choice` (or `multi_choice` when a study can take several
values), never required: a paper that does not state a dimension leaves it empty. The source's
definitions go in comments above the field, since the protocol's fields carry no help text.

>>> print(codebook_toml(framework("bovaird-2016")).splitlines()[-5])
name = "bovaird_form"
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from litrev.errors import LitrevError, ProtocolError
from litrev.frameworks.catalogue import Dimension, Framework, framework

# As the protocol's CodebookField.name requires.
_FIELD_NAME = re.compile(r"[a-z_][a-z0-9_]*")


def field_name(fw: Framework, dimension: Dimension, prefix: str | None = None) -> str:
    """The codebook field name of a dimension: `PREFIX_DIMENSION` (the framework's prefix unless
    `prefix` is given; no prefix: the dimension's name).

    >>> fw = framework("nabatchi-2017")
    >>> field_name(fw, fw.dimension("phase")), field_name(fw, fw.dimension("phase"), "np")
    ('nabatchi_phase', 'np_phase')
    """
    chosen = fw.field_prefix if prefix is None else prefix
    name = f"{chosen}_{dimension.name}" if chosen else dimension.name
    if not _FIELD_NAME.fullmatch(name):
        raise LitrevError(
            f"prefix {chosen!r} gives field name {name!r}; a codebook field name is lower-case "
            "letters, digits and '_', starting with a letter or '_'"
        )
    return name


def _comment(text: str) -> str:
    return " ".join(text.split())


def codebook_toml(fw: Framework, *, prefix: str | None = None) -> str:
    """The framework's dimensions as `[[codebook.fields]]` TOML, each with its definitions
    (and their source) as comments.

    >>> text = codebook_toml(framework("nabatchi-2017"))
    >>> 'type = "multi_choice"' in text and '"co-design"' in text
    True
    """
    lines = [
        f"# Framework {fw.name}: {_comment(fw.title)}",
        f"# Source: {_comment(fw.citation)}",
    ]
    if fw.citation_note:
        lines.append(f"# {_comment(fw.citation_note)}")
    for dimension in fw.dimensions:
        lines.append("")
        if dimension.definition:
            lines.append(
                f"# {dimension.name}: {_comment(dimension.definition)} [{dimension.source}]"
            )
        for value in dimension.values:
            said = (
                f"{_comment(value.definition)} [{value.source}]"
                if value.definition
                else "(no definition in the source)"
            )
            lines.append(f"#   {value.name}: {said}")
        choices = ", ".join(json.dumps(v.name, ensure_ascii=False) for v in dimension.values)
        label = f"{dimension.label} ({fw.title})" if dimension.label != fw.title else fw.title
        lines += [
            "[[codebook.fields]]",
            f"name = {json.dumps(field_name(fw, dimension, prefix))}",
            f"label = {json.dumps(label, ensure_ascii=False)}",
            f'type = "{"multi_choice" if dimension.multiple else "choice"}"',
            "required = false",
            f"choices = [{choices}]",
        ]
    return "\n".join(lines) + "\n"


def adopt(name: str, protocol_path: str | Path, *, prefix: str | None = None) -> list[str]:
    """Append framework `name`'s fields to the protocol at `protocol_path`; return their names.

    The protocol is validated with the fields added before anything is written (atomically): a
    field name already in its codebook, or a protocol that cannot take `[[codebook.fields]]`
    after its last line, raises `ProtocolError` naming it and leaves the file as it was.
    """
    from litrev.fileio import atomic_write_text
    from litrev.protocol import load_protocol, parse_protocol

    path = Path(protocol_path)
    fw = framework(name)
    current = load_protocol(path)
    names = [field_name(fw, d, prefix) for d in fw.dimensions]
    taken = sorted(set(names) & {f.name for f in current.codebook.fields})
    if taken:
        raise ProtocolError(
            str(path),
            [
                f"codebook already has field(s) {taken}; framework {name!r} not added again "
                "(give --prefix for a second copy)"
            ],
        )
    old = path.read_text(encoding="utf-8")
    new = (
        old
        + ("" if old.endswith("\n") or not old else "\n")
        + "\n"
        + codebook_toml(fw, prefix=prefix)
    )
    parse_protocol(new, path=str(path))
    atomic_write_text(path, new)
    return names

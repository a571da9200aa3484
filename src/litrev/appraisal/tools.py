"""The built-in quality appraisal tools (data files in `appraisal/data/`), each with its citation.

A tool is a checklist: items grouped in domains (CASP's sections, MMAT's categories of design),
each answered from the tool's answers ("Yes", "No", "Can't tell"; JBI adds "Unclear" and "Not
applicable"). A tool with a `selector` (MMAT) has one more field, the study's category of
design, which decides the domains that apply. Every item becomes a codebook `choice` field named
`PREFIX_ID` (`casp_q1`, `mmat_1_1`), so appraisal values are extractions like any others.

>>> [t.name for t in load_tools()]
['casp-qualitative', 'mmat-2018', 'jbi-qualitative', 'jbi-cross-sectional', 'jbi-text-opinion']
>>> tool("casp-qualitative").field_name(tool("casp-qualitative").items[0])
'casp_q1'
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from litrev.errors import LitrevError

TOOL_FILES = (
    "casp_qualitative.toml",
    "mmat_2018.toml",
    "jbi_qualitative.toml",
    "jbi_cross_sectional.toml",
    "jbi_text_opinion.toml",
)


@dataclass(frozen=True)
class Domain:
    """A group of items; `applies_to` lists the selector's values it applies to (empty: all)."""

    name: str
    label: str
    applies_to: tuple[str, ...] = ()


@dataclass(frozen=True)
class Item:
    """One question; `answers` are its own when it has them (JBI's overall appraisal), else the
    tool's; `screening` marks a screening question, `overall` an overall judgement (tabled, not
    charted with the items)."""

    id: str
    number: str
    domain: str
    text: str
    answers: tuple[str, ...]
    screening: bool = False
    overall: bool = False


@dataclass(frozen=True)
class Selector:
    """The field that says which domains apply to a study (MMAT's category of design)."""

    id: str
    label: str
    choices: tuple[str, ...]


@dataclass(frozen=True)
class Tool:
    name: str
    title: str
    short: str
    citation: str
    wording_note: str
    prefix: str
    answers: tuple[str, ...]
    domains: tuple[Domain, ...]
    items: tuple[Item, ...]
    selector: Selector | None = None

    def field_name(self, item: Item) -> str:
        """The codebook field of an item: `PREFIX_ID`."""
        return f"{self.prefix}_{item.id}"

    @property
    def selector_field(self) -> str | None:
        """The codebook field of the selector (`mmat_design`), if the tool has one."""
        return f"{self.prefix}_{self.selector.id}" if self.selector else None

    @property
    def field_names(self) -> list[str]:
        """Every codebook field the tool needs: the selector's first, then the items'."""
        names = [self.selector_field] if self.selector_field else []
        return [*names, *(self.field_name(i) for i in self.items)]

    def domain(self, name: str) -> Domain:
        return next(d for d in self.domains if d.name == name)

    def item_label(self, item: Item) -> str:
        """'CASP 1. Was there a clear statement ...?' (the field's label)."""
        if item.overall:
            return f"{self.short}: {item.text}"
        return f"{self.short} {item.number}. {item.text}"


def _data_dir() -> Path:
    return Path(str(resources.files("litrev.appraisal").joinpath("data")))


def _strings(data: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    items = data.get(key, [])
    if not isinstance(items, list) or not all(isinstance(i, str) and i for i in items):
        raise LitrevError(f"{where}: {key} must be a list of non-empty strings")
    return tuple(items)


def parse_tool(text: str, *, path: str) -> Tool:
    """A tool from its TOML text; `LitrevError` naming the file and key when it is malformed.

    >>> parse_tool('name = "x"', path="x.toml")
    Traceback (most recent call last):
    ...
    litrev.errors.LitrevError: x.toml: missing key 'title'
    """
    try:
        data = tomllib.loads(text)
        answers = _strings(data, "answers", path)
        domains = tuple(
            Domain(str(d["name"]), str(d["label"]), _strings(d, "applies_to", path))
            for d in data.get("domains", [])
        )
        known = {d.name for d in domains}
        items = []
        for n, raw in enumerate(data.get("items", []), start=1):
            if raw["domain"] not in known:
                raise LitrevError(f"{path}: items[{n}].domain {raw['domain']!r} is not a domain")
            items.append(
                Item(
                    id=str(raw["id"]),
                    number=str(raw["number"]),
                    domain=str(raw["domain"]),
                    text=str(raw["text"]),
                    answers=_strings(raw, "answers", path) or answers,
                    screening=bool(raw.get("screening", False)),
                    overall=bool(raw.get("overall", False)),
                )
            )
        selector = None
        if "selector" in data:
            raw_selector = data["selector"]
            selector = Selector(
                str(raw_selector["id"]),
                str(raw_selector["label"]),
                _strings(raw_selector, "choices", path),
            )
        tool = Tool(
            name=str(data["name"]),
            title=str(data["title"]),
            short=str(data["short"]),
            citation=str(data["citation"]),
            wording_note=str(data.get("wording_note", "")),
            prefix=str(data["prefix"]),
            answers=answers,
            domains=domains,
            items=tuple(items),
            selector=selector,
        )
    except tomllib.TOMLDecodeError as error:
        raise LitrevError(f"{path}: not valid TOML: {error}") from error
    except KeyError as error:
        raise LitrevError(f"{path}: missing key {error.args[0]!r}") from error
    if not tool.items or not tool.answers:
        raise LitrevError(f"{path}: a tool needs items and answers")
    ids = [i.id for i in tool.items]
    if len(set(ids)) != len(ids):
        raise LitrevError(f"{path}: item ids must be unique")
    return tool


@cache
def load_tools() -> tuple[Tool, ...]:
    """The built-in tools, in the order `litrev appraisal list` shows them."""
    folder = _data_dir()
    return tuple(
        parse_tool((folder / name).read_text(encoding="utf-8"), path=name) for name in TOOL_FILES
    )


def tool_names() -> list[str]:
    """The built-in tools' names."""
    return [t.name for t in load_tools()]


def tool(name: str) -> Tool:
    """The built-in tool called `name`; `LitrevError` naming the tools otherwise.

    >>> tool("jbi-text-opinion").answers
    ('Yes', 'No', 'Unclear', 'Not applicable')
    """
    for found in load_tools():
        if found.name == name:
            return found
    raise LitrevError(f"no appraisal tool named {name!r}; tools: {', '.join(tool_names())}")

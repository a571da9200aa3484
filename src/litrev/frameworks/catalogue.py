"""The co-production frameworks (data files in `frameworks/data/`) and the built-in catalogue.

A framework is a cited typology with dimensions (e.g. Nabatchi and colleagues' `level` and
`phase`) and their values. A definition whose `source` starts with "seed:" is quoted verbatim from
the built-in review's paper; the rest say where they come from. The catalogue is the included
studies of a built-in example review, with the facts its extraction table states.

>>> [f.name for f in load_frameworks()][:2]
['seed-model-types', 'nabatchi-2017']
>>> framework("nabatchi-2017").dimension("phase").value_names
['co-commissioning', 'co-design', 'co-delivery', 'co-assessment']
"""

from __future__ import annotations

import csv
import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from litrev.errors import LitrevError

# The order `litrev frameworks list` shows them in: the review's own types first.
FRAMEWORK_FILES = (
    "seed_model_types.toml",
    "nabatchi_2017.toml",
    "strokosch_osborne_2016.toml",
    "brandsen_honingh_2016.toml",
    "bovaird_2016.toml",
)
CATALOGUE_FILE = "catalogue.toml"


@dataclass(frozen=True)
class Value:
    """One value of a dimension: its name (what codebooks store), label, the source's definition
    (empty when the source gives none), where that comes from, other accepted spellings, and the
    words litrev looks for in a text (litrev's, not the source's)."""

    name: str
    label: str
    definition: str = ""
    source: str = ""
    aliases: tuple[str, ...] = ()
    terms: tuple[str, ...] = ()


@dataclass(frozen=True)
class Dimension:
    name: str
    label: str
    multiple: bool
    definition: str
    source: str
    values: tuple[Value, ...]

    @property
    def value_names(self) -> list[str]:
        return [v.name for v in self.values]

    def value(self, text: str) -> Value | None:
        """The value named `text` (its name, label or an alias, case ignored), or None.

        >>> framework("nabatchi-2017").dimension("phase").value("Co-Designing").name
        'co-design'
        """
        wanted = text.strip().casefold()
        for value in self.values:
            if wanted in {value.name.casefold(), value.label.casefold()} | {
                a.casefold() for a in value.aliases
            }:
                return value
        return None


@dataclass(frozen=True)
class Framework:
    name: str
    title: str
    citation: str
    citation_note: str
    field_prefix: str
    dimensions: tuple[Dimension, ...]
    seed_study: str = ""  # the framework's own row in the built-in catalogue, if any

    def dimension(self, name: str) -> Dimension:
        """The dimension called `name`; `LitrevError` naming the choices otherwise."""
        for dimension in self.dimensions:
            if dimension.name == name:
                return dimension
        names = ", ".join(d.name for d in self.dimensions)
        raise LitrevError(f"framework {self.name!r} has no dimension {name!r}; dimensions: {names}")


def _data_dir() -> Path:
    return Path(str(resources.files("litrev.frameworks").joinpath("data")))


def _strings(data: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    items = data.get(key, [])
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        raise LitrevError(f"{where}: {key} must be a list of strings")
    return tuple(items)


def _value(data: dict[str, Any], where: str) -> Value:
    return Value(
        name=str(data["name"]),
        label=str(data.get("label", data["name"])),
        definition=str(data.get("definition", "")),
        source=str(data.get("source", "")),
        aliases=_strings(data, "aliases", where),
        terms=_strings(data, "terms", where),
    )


def parse_framework(text: str, *, path: str) -> Framework:
    """Read one framework data file (TOML); `LitrevError` naming the file when it is malformed.

    >>> parse_framework('name = "x"\\ntitle = "X"\\ncitation = "A (2020)"\\n'
    ...     '[[dimensions]]\\nname = "d"\\n[[dimensions.values]]\\nname = "v"', path="x.toml").dimensions[0].value_names
    ['v']
    """
    try:
        data = tomllib.loads(text)
        dimensions = []
        for d in data["dimensions"]:
            where = f"{path}: dimension {d.get('name')!r}"
            values = tuple(_value(v, where) for v in d["values"])
            dimensions.append(
                Dimension(
                    name=str(d["name"]),
                    label=str(d.get("label", d["name"])),
                    multiple=bool(d.get("multiple", False)),
                    definition=str(d.get("definition", "")),
                    source=str(d.get("source", "")),
                    values=values,
                )
            )
        return Framework(
            name=str(data["name"]),
            title=str(data["title"]),
            citation=str(data["citation"]),
            citation_note=str(data.get("citation_note", "")),
            field_prefix=str(data.get("field_prefix", "")),
            dimensions=tuple(dimensions),
            seed_study=str(data.get("seed_study", "")),
        )
    except (tomllib.TOMLDecodeError, KeyError, TypeError) as error:
        raise LitrevError(
            f"{path}: not a framework file ({type(error).__name__}: {error})"
        ) from None


@cache
def load_frameworks() -> tuple[Framework, ...]:
    """The built-in frameworks, in catalogue order."""
    folder = _data_dir()
    return tuple(
        parse_framework((folder / name).read_text(encoding="utf-8"), path=name)
        for name in FRAMEWORK_FILES
    )


def framework(name: str) -> Framework:
    """The built-in framework called `name`; `LitrevError` naming the choices otherwise.

    >>> framework("bovaird-2016").dimensions[0].value_names
    ['individual', 'collective']
    """
    for candidate in load_frameworks():
        if candidate.name == name:
            return candidate
    names = ", ".join(f.name for f in load_frameworks())
    raise LitrevError(f"no framework named {name!r}; frameworks: {names}")


@dataclass(frozen=True)
class Study:
    """One study of the catalogue: its label, where the paper lists it, its category and the
    facts its row states (column name -> text; empty cells left out)."""

    label: str
    location: str
    category: str
    category_label: str
    category_table: str
    facts: dict[str, str]


@dataclass(frozen=True)
class Catalogue:
    """Studies to match against, and which of their facts are text, country and coded dimensions.

    `text_fields` are compared with the description (TF-IDF); `term_fields` are searched for the
    words of framework values. `coded` maps "framework.dimension" to the fact holding the value the review's authors
    assigned; a dimension not in it is empty for every study.
    """

    name: str
    studies: tuple[Study, ...]
    text_fields: tuple[str, ...]
    country_field: str
    term_fields: tuple[str, ...] = ()
    field_labels: dict[str, str] = field(default_factory=dict)
    coded: dict[str, str] = field(default_factory=dict)


def _label(templates: list[str], row: dict[str, str]) -> str:
    from litrev.protocol import template_fields

    for template in templates:
        names = template_fields(template)
        if all(row.get(n, "").strip() for n in names):
            return template.format(**{n: row[n].strip() for n in names})
    return ""


@cache
def builtin_catalogue() -> Catalogue:
    """The built-in catalogue: the included studies of the example named in `catalogue.toml`.

    >>> study = builtin_catalogue().studies[0]
    >>> study.label, study.facts["country"], study.category
    ('Andreasson, 2017', 'Norway', 'conceptual/theoretical')
    """
    from litrev.examples import STUDIES_FILE, _folder
    from litrev.project import PROTOCOL_FILE
    from litrev.protocol import load_protocol

    config = tomllib.loads((_data_dir() / CATALOGUE_FILE).read_text(encoding="utf-8"))
    folder = _folder(str(config["example"]))
    protocol = load_protocol(folder / PROTOCOL_FILE)
    categories = {c.name: c for c in protocol.classification.categories}
    category_field = protocol.classification.field
    facts = [str(f) for f in config["facts"]]
    location = protocol.report.table_location or []
    studies: list[Study] = []
    with (folder / STUDIES_FILE).open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            category = row.get(category_field, "").strip()
            known = categories.get(category)
            studies.append(
                Study(
                    label=_label(protocol.report.study_labels, row) or f"row {len(studies) + 1}",
                    location=" row ".join(row.get(c, "").strip() for c in location),
                    category=category,
                    category_label=known.label if known else category,
                    category_table=known.table if known else "",
                    facts={f: row[f].strip() for f in facts if row.get(f, "").strip()},
                )
            )
    labels = {f.name: f.label or f.name for f in protocol.codebook.fields}
    return Catalogue(
        name=str(config["example"]),
        studies=tuple(studies),
        text_fields=tuple(str(f) for f in config["text_fields"]),
        country_field=str(config["country_field"]),
        term_fields=tuple(str(f) for f in config["term_fields"]),
        field_labels=labels,
        coded={str(k): str(v) for k, v in config.get("coded", {}).items()},
    )

"""A practitioner's own initiative, as `litrev match` reads it: framework dimension values from
answers (a TOML file or a mapping) and from the words of a description.

An answers file names values of one framework at its top level (`framework = "nabatchi-2017"`,
or `--framework`), or of several in tables named after them, and optionally `country`:

    framework = "nabatchi-2017"
    level = "collective"
    phase = ["co-design", "co-delivery"]     # or "co-design, co-delivery"
    country = "UK"

>>> parse_answers({"level": "collective", "phase": "co-design, co-delivery"}, framework_name="nabatchi-2017").values
(('nabatchi-2017', 'level', 'collective', ''), ('nabatchi-2017', 'phase', 'co-design', ''), ('nabatchi-2017', 'phase', 'co-delivery', ''))
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from litrev.errors import InputError, LitrevError
from litrev.frameworks.catalogue import Dimension, Framework, Value, framework, load_frameworks


@dataclass(frozen=True)
class Initiative:
    """What the practitioner stated: (framework, dimension, value, quote) tuples, the quote being
    the description's words that named the value ('' when it came from the answers), and the
    country as written."""

    values: tuple[tuple[str, str, str, str], ...] = ()
    country: str = ""


def _line_of(text: str, key: str) -> int | None:
    pattern = re.compile(rf"^\s*(?:{re.escape(key)}|\"{re.escape(key)}\")\s*=")
    for number, line in enumerate(text.splitlines(), start=1):
        if pattern.match(line):
            return number
    return None


def _split(raw: Any) -> list[str] | None:
    if isinstance(raw, str):
        return [part.strip() for part in raw.split(",") if part.strip()]
    if isinstance(raw, list) and all(isinstance(item, str) for item in raw):
        return [item.strip() for item in raw if item.strip()]
    return None


def _dimension_values(
    fw: Framework, key: str, raw: Any, *, where: str, text: str
) -> list[tuple[str, str, str, str]]:
    line = _line_of(text, key) if text else None
    try:
        dimension = fw.dimension(key)
    except LitrevError:
        names = ", ".join(d.name for d in fw.dimensions)
        raise InputError(
            where,
            f"unknown key {key!r} for framework {fw.name!r}; its dimensions: {names} "
            "(and 'framework', 'country')",
            line,
        ) from None
    items = _split(raw)
    if items is None or not items:
        raise InputError(where, f"{key}: expected a value or a list of values, got {raw!r}", line)
    if len(items) > 1 and not dimension.multiple:
        raise InputError(where, f"{key} takes one value, got {len(items)}: {items}", line)
    found = []
    for item in items:
        value = dimension.value(item)
        if value is None:
            choices = ", ".join(dimension.value_names)
            raise InputError(
                where, f"{key}: {item!r} is not a value of {fw.name} {key}; values: {choices}", line
            )
        found.append((fw.name, dimension.name, value.name, ""))
    return found


def parse_answers(
    data: Mapping[str, Any],
    *,
    framework_name: str | None = None,
    where: str = "answers",
    text: str = "",
) -> Initiative:
    """Check answers (as read from TOML) against the frameworks; `InputError` naming `where`,
    the key (and its line, given the file's `text`) and the expected values otherwise.

    >>> parse_answers({"mode": "Enhanced"}, framework_name="strokosch-osborne-2016").values
    (('strokosch-osborne-2016', 'mode', 'enhanced', ''),)
    >>> parse_answers({"mode": "heroic"}, framework_name="strokosch-osborne-2016")
    Traceback (most recent call last):
    ...
    litrev.errors.InputError: answers: mode: 'heroic' is not a value of strokosch-osborne-2016 mode; values: consumer, participative, enhanced
    """
    top = dict(data)
    named = top.pop("framework", None)
    if named is not None and not isinstance(named, str):
        raise InputError(
            where, f"framework: expected a name, got {named!r}", _line_of(text, "framework")
        )
    if named and framework_name and named != framework_name:
        raise InputError(
            where,
            f"framework {named!r} differs from --framework {framework_name!r}",
            _line_of(text, "framework"),
        )
    chosen = framework_name or named
    country = top.pop("country", "")
    if not isinstance(country, str):
        raise InputError(
            where, f"country: expected a name, got {country!r}", _line_of(text, "country")
        )
    names = {f.name for f in load_frameworks()}
    values: list[tuple[str, str, str, str]] = []
    for key, raw in top.items():
        if key in names and isinstance(raw, Mapping):
            for sub_key, sub_raw in raw.items():
                if sub_key in ("country", "framework"):
                    raise InputError(
                        where,
                        f"[{key}] {sub_key}: write {sub_key} at the top of the file, before "
                        "any [table]",
                        _line_of(text, sub_key),
                    )
                values += _dimension_values(
                    framework(key), sub_key, sub_raw, where=where, text=text
                )
        elif chosen:
            try:
                fw = framework(chosen)
            except LitrevError as error:
                raise InputError(where, str(error), _line_of(text, "framework")) from None
            values += _dimension_values(fw, key, raw, where=where, text=text)
        else:
            raise InputError(
                where,
                f'{key!r}: name the framework (framework = "..." or --framework) or put it in a '
                f"[framework] table; frameworks: {', '.join(sorted(names))}",
                _line_of(text, key),
            )
    return Initiative(values=tuple(values), country=country.strip())


def read_answers(path: str | Path, *, framework_name: str | None = None) -> Initiative:
    """Read an answers file (TOML; see the module docstring); `InputError` naming the file, line
    and key when it is not valid TOML, names an unknown dimension or value, or is not UTF-8.

    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "answers.toml"
    >>> _ = path.write_text('country = "UK"\\n[bovaird-2016]\\nform = "collective"\\n', encoding="utf-8")
    >>> answers = read_answers(path)
    >>> answers.values, answers.country
    ((('bovaird-2016', 'form', 'collective', ''),), 'UK')
    """
    from litrev.protocol import toml_problem

    where = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError(where, "not UTF-8 text; save the answers file as UTF-8") from None
    except FileNotFoundError:
        raise InputError(where, "file not found") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise InputError(where, toml_problem(text, error)) from None
    if not data:
        raise InputError(
            where, 'no answers: give framework dimension values (e.g. level = "collective")'
        )
    return parse_answers(data, framework_name=framework_name, where=where, text=text)


def term_pattern(term: str) -> re.Pattern[str]:
    """How a value's term is found in a text: whole words from its start, any case, a hyphen
    optional ("co-design" finds "codesign" and "co-designing").

    >>> bool(term_pattern("co-design").search("We Codesigned it"))
    True
    """
    body = re.escape(term).replace(r"\-", "-?").replace(r"\ ", r"\s+")
    return re.compile(rf"\b{body}\w*", re.IGNORECASE)


def find_term(value: Value, text: str) -> re.Match[str] | None:
    """The first (earliest) place one of the value's terms occurs in `text`, or None.

    >>> from litrev.frameworks import framework
    >>> value = framework("nabatchi-2017").dimension("phase").value("co-delivery")
    >>> find_term(value, "improve service delivery and co-delivery").group(0)
    'delivery'
    """
    hits = [m for t in value.terms if (m := term_pattern(t).search(text))]
    return min(hits, key=lambda m: (m.start(), -m.end())) if hits else None


def described_values(
    description: str, frameworks: tuple[Framework, ...]
) -> list[tuple[str, str, str, str]]:
    """The framework values a description names, with the words that named each.

    >>> described_values("we co-design a service", (framework("nabatchi-2017"),))
    [('nabatchi-2017', 'phase', 'co-design', 'co-design')]
    """
    found = []
    for fw in frameworks:
        for dimension in fw.dimensions:
            found += _described(fw, dimension, description)
    return found


def _described(
    fw: Framework, dimension: Dimension, description: str
) -> list[tuple[str, str, str, str]]:
    found = []
    for value in dimension.values:
        hit = find_term(value, description)
        if hit:
            found.append((fw.name, dimension.name, value.name, hit.group(0)))
    return found

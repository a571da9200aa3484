"""How studies are named in tables, the reference list and the audit.

A protocol's `[report] study_label` templates name codebook fields; without them (or when none
applies to a study) the label is computed from the stored record's citation: the first author's
surname and the year, with a, b, c... when several studies share both. No field name is special.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from litrev.extraction.table import Citation
from litrev.protocol import Protocol, template_fields

NO_YEAR = "n.d."
_INITIALS = re.compile(r"^[A-Z](?:[.\-]{0,2}[A-Z]){0,3}\.?$")  # JA, J.A., M-L, J.-P.
# What a template leaves dangling when a field is empty ("Smith, " or ", 2020").
_DANGLING = re.compile(r"^[\s,;:]+|[\s,;:]+$")
_EMPTY_BRACKETS = re.compile(r"\(\s*\)|\[\s*\]")  # "Haddad ()" when the year is empty


def label_field_names(protocol: Protocol) -> list[str]:
    """The codebook fields the study label templates name (the study tables leave them out).

    >>> from litrev.protocol import parse_protocol
    >>> p = parse_protocol('[review]\\nid="x"\\ntitle="x"\\n[codebook]\\n[[codebook.fields]]\\n'
    ...                    'name="lead"\\n[[codebook.fields]]\\nname="y"\\n'
    ...                    '[report]\\nstudy_label=["{lead} {y}", "{lead}"]')
    >>> label_field_names(p)
    ['lead', 'y']
    """
    names: dict[str, None] = {}
    for template in protocol.report.study_labels:
        names.update(dict.fromkeys(template_fields(template)))
    return list(names)


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    text = str(value).strip()
    return text[:-2] if text.endswith(".0") and text[:-2].isdigit() else text  # pandas floats


def render_template(templates: Sequence[str], row: Mapping[str, object]) -> str | None:
    """The first template with a value in any field it names, filled in; None when none applies.

    Empty fields print as nothing; the brackets and separators they leave empty are dropped.

    >>> render_template(["{cite}", "{lead}, {yr}{sfx}"], {"lead": "Smith", "yr": 2020.0})
    'Smith, 2020'
    >>> render_template(["{lead}, {yr}"], {"yr": "2020"})
    '2020'
    >>> render_template(["{lead} ({yr})"], {"lead": "Haddad"})
    'Haddad'
    >>> render_template(["{lead}"], {}) is None
    True
    """
    for template in templates:
        names = template_fields(template)
        values = {name: _text(row.get(name)) for name in names}
        if any(values.values()):
            text = _EMPTY_BRACKETS.sub("", template.format(**values))
            return _DANGLING.sub("", re.sub(r"\s+", " ", text))
    return None


def surname(author: str) -> str:
    """The surname in an author as databases write it: "Smith, J.", "Smith JA", "Jane Smith".

    >>> [surname(a) for a in ["Smith, J.", "Smith JA", "Jane Smith", "van der Berg J", "WHO"]]
    ['Smith', 'Smith', 'Smith', 'van der Berg', 'WHO']
    >>> surname("Dupont J.-P.")
    'Dupont'
    """
    text = re.sub(r"\s+", " ", author).strip()
    if "," in text:
        return text.split(",")[0].strip()
    words = text.split(" ")
    if len(words) > 1 and _INITIALS.match(words[-1]):
        return " ".join(words[:-1])  # "Surname Initials" (MEDLINE's AU)
    return words[-1]


@dataclass(frozen=True)
class _Cited:
    record_id: int
    base: str  # "Smith, 2020"
    key: tuple[str, str]  # what a tie is: surname and year, whatever the case
    order: tuple[str, int]  # ties take a, b, c... by title, then record number


def _cited(record_id: int, citation: Citation | None) -> _Cited:
    if citation is None:
        name = f"record {record_id}"
        return _Cited(record_id, name, (name, ""), ("", record_id))
    year = str(citation.year) if citation.year else NO_YEAR
    first = next((a for a in citation.authors if a.strip(" ,;.")), "")
    who = surname(first) if first else ""
    if not who and citation.title:  # no author: the title's first words, as APA cites it
        words = citation.title.split()
        who = " ".join(words[:6]) + (" …" if len(words) > 6 else "")
    who = who or f"record {record_id}"
    title = (citation.title or "").casefold()
    return _Cited(record_id, f"{who}, {year}", (who.casefold(), year), (title, record_id))


def _suffix(n: int) -> str:
    """a, b, ..., z, aa, ab, ... (the n-th, from 0)."""
    letters = ""
    n += 1
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(ord("a") + rest) + letters
    return letters


def citation_labels(citations: Iterable[tuple[int, Citation | None]]) -> dict[int, str]:
    """{record id: "Surname, year"} from the records' citations, with a/b/c... for ties.

    >>> a = Citation(("Smith, J.",), 2020, "Beta", None, None)
    >>> b = Citation(("Smith JA",), 2020, "Alpha", None, None)
    >>> citation_labels([(1, a), (2, b), (3, None)])
    {1: 'Smith, 2020b', 2: 'Smith, 2020a', 3: 'record 3'}
    """
    cited = [_cited(record_id, citation) for record_id, citation in citations]
    groups: dict[tuple[str, str], list[_Cited]] = {}
    for item in cited:
        groups.setdefault(item.key, []).append(item)
    labels = {}
    for group in groups.values():
        if len(group) == 1:
            labels[group[0].record_id] = group[0].base
            continue
        for n, item in enumerate(sorted(group, key=lambda c: c.order)):
            labels[item.record_id] = f"{item.base}{_suffix(n)}"
    return {item.record_id: labels[item.record_id] for item in cited}


def study_labels(
    studies: pd.DataFrame,
    protocol: Protocol,
    citations: Mapping[int, Citation] | None = None,
    record_ids: Sequence[int] = (),
) -> dict[int, str]:
    """{record id: label} for the extracted studies and any other `record_ids` (e.g. included
    studies without extracted data): the protocol's templates where one applies, else the
    record's citation (`citation_labels`).

    >>> from litrev.protocol import parse_protocol
    >>> p = parse_protocol('[review]\\nid="x"\\ntitle="x"')
    >>> c = Citation(("Okafor, N.",), 2019, "A trial", None, None)
    >>> study_labels(pd.DataFrame({"record_id": [7]}), p, {7: c}, [7, 8])
    {7: 'Okafor, 2019', 8: 'record 8'}
    """
    citations = citations or {}
    templates = protocol.report.study_labels
    labels: dict[int, str] = {}
    for row in studies.to_dict("records") if len(studies) else []:
        record_id = int(row["record_id"])
        shown = (
            render_template(templates, {str(k): v for k, v in row.items()}) if templates else None
        )
        if shown is not None:
            labels[record_id] = shown
    extracted = [int(r) for r in studies["record_id"]] if len(studies) else []
    wanted = list(dict.fromkeys([*extracted, *record_ids]))
    rest = [r for r in wanted if r not in labels]
    labels.update(citation_labels((r, citations.get(r)) for r in rest))
    return {r: labels[r] for r in wanted}


def row_labels(studies: pd.DataFrame, labels: Mapping[int, str]) -> list[str]:
    """The labels of the studies' rows, in row order (a row without a label: its record).

    >>> row_labels(pd.DataFrame({"record_id": [2, 5]}), {2: "Lee, 2001"})
    ['Lee, 2001', 'record 5']
    """
    if not len(studies):
        return []
    return [labels.get(int(r), f"record {int(r)}") for r in studies["record_id"]]

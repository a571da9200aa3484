"""BibTeX (Scopus, Web of Science, Zotero, JabRef): read and write.

Raw pairs are ("ENTRYTYPE", type), ("ID", key), then each field as written, its value without
the outer braces or quotes; LaTeX is only undone in litrev's typed fields, never in `raw`.
@string macros are expanded; @comment and @preamble are skipped.

>>> text = "@article{k1, title={Caf{\\\\'e} {\\\\&} care}, author={Li, W. and Dou, Z.}, year=2020}"
>>> r = parse_bibtex(text).records[0]
>>> r.title, r.authors, r.year, r.raw[:2]
('Café & care', ['Li, W.', 'Dou, Z.'], 2020, [('ENTRYTYPE', 'article'), ('ID', 'k1')])
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import TextIO

from litrev.errors import InputError
from litrev.records.base import (
    MAX_FIELD_CHARS,
    ParsedFile,
    Problems,
    clean_text,
    field_too_long,
    normalise_doi,
    parse_year,
    split_list,
)
from litrev.records.model import Provenance, Record


class _Malformed(Exception):
    def __init__(self, offset: int, message: str) -> None:
        super().__init__(message)
        self.offset = offset


class _TooLarge(_Malformed):
    """A value over a documented limit: rejects the file even with `skip_invalid`."""


_MONTHS = {
    m: m
    for m in ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
}
# Where an entry may start: "@type{" or "@type(" at the start of a line. An entry is read only
# up to the next such line, so a broken entry costs the text up to the next entry, not the
# rest of the file (reading with skip_invalid stays linear in the file's size).
_ENTRY_START = re.compile(r"\n@[\w-]+\s*[{(]")
_BRACES = re.compile(r"[{}]")
_QUOTE_OR_BRACES = re.compile(r'["{}]')


class _Budget:
    """What @string macro expansion may still add to the file (`MAX_FIELD_CHARS` beyond the
    file's own length): chained macros (`@string{b = a # a}`) double at each step."""

    def __init__(self, size: int) -> None:
        self.left = size + MAX_FIELD_CHARS

    def spend(self, chars: int, offset: int) -> None:
        self.left -= chars
        if self.left < 0:
            raise _TooLarge(
                offset,
                f"@string macros expand to more than {MAX_FIELD_CHARS:,} characters beyond "
                "the file's own length; expected macros that do not multiply text",
            )


class _Lines:
    """Line numbers of offsets, counted from the last offset asked: entries are met in order,
    so the file is counted through about once (no table of every line start in memory)."""

    def __init__(self, text: str) -> None:
        self.text, self.offset, self.line = text, 0, 1

    def of(self, offset: int) -> int:
        if offset >= self.offset:
            self.line += self.text.count("\n", self.offset, offset)
        else:
            self.line -= self.text.count("\n", offset, self.offset)
        self.offset = offset
        return self.line


def parse_bibtex(text: str, path: str = "<text>", skip_invalid: bool = False) -> ParsedFile:
    """Read every entry of a BibTeX file; an unclosed entry or bad field raises `InputError`.

    An entry ends at the latest where the next line starting with `@type{` begins. A field
    value may not exceed `MAX_FIELD_CHARS`, and @string macros may add at most that many
    characters beyond the file's own length (both reject the file, whatever `skip_invalid`)."""
    problems = Problems(path, skip_invalid)
    lines = _Lines(text)
    macros: dict[str, str] = dict(_MONTHS)
    budget = _Budget(len(text))
    records: list[Record] = []
    position = 0
    next_start = -1  # offset of the '@' of the next entry start found, -1 for none yet
    i = text.find("@")
    while i != -1:
        if next_start <= i + 1:
            found = _ENTRY_START.search(text, i + 1)
            next_start = found.start() + 1 if found else len(text)
        try:
            entry, end = _parse_entry(text, i, next_start, macros, budget)
        except _TooLarge as error:
            line = lines.of(error.offset)
            message = f"{error} (entry starting at line {lines.of(i)})"
            raise InputError(path, message, line=line) from None
        except _Malformed as error:
            line = lines.of(i)
            problems.report(
                f"entry starting at line {line}: {error} (at line {lines.of(error.offset)})",
                line=line,
                position=position,
            )
            position += 1
            i = text.find("\n@", i + 1)
            i = i + 1 if i != -1 else -1
            continue
        if entry is not None:
            records.append(record_from_bibtex(entry, path, position, lines.of(i)))
            position += 1
        i = text.find("@", end)
    return ParsedFile(records, problems.skipped)


def _skip_ws(text: str, i: int, limit: int) -> int:
    while i < limit and text[i].isspace():
        i += 1
    return i


def _braced(text: str, i: int, limit: int) -> tuple[str, int]:
    """Content of the balanced {...} starting at text[i] == '{', and the offset after it."""
    depth = 0
    for match in _BRACES.finditer(text, i, limit):
        if match.group() == "{":
            depth += 1
        else:
            depth -= 1
            if depth == 0:
                j = match.start()
                return text[i + 1 : j], j + 1
    raise _Malformed(i, "unbalanced braces: expected a '}' closing this value")


def _quoted(text: str, i: int, limit: int) -> tuple[str, int]:
    depth = 0
    for match in _QUOTE_OR_BRACES.finditer(text, i + 1, limit):
        ch = match.group()
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif depth == 0:
            j = match.start()
            return text[i + 1 : j], j + 1
    raise _Malformed(i, "unclosed quoted value: expected a closing '\"'")


def _value(
    text: str, i: int, limit: int, macros: dict[str, str], close: str, budget: _Budget
) -> tuple[str, int]:
    parts = []
    size = 0
    start = i
    while True:
        i = _skip_ws(text, i, limit)
        if i >= limit:
            raise _Malformed(i, "file ends inside a field value")
        ch = text[i]
        if ch == "{":
            part, i = _braced(text, i, limit)
        elif ch == '"':
            part, i = _quoted(text, i, limit)
        else:
            j = i
            while j < limit and text[j] not in ",#" + close and not text[j].isspace():
                j += 1
            if j == i:
                raise _Malformed(
                    i, f'expected a value ({{...}}, "...", a number or a macro), found {text[i]!r}'
                )
            token = text[i:j]
            part = token if token.isdigit() else macros.get(token.lower(), token)
            if part is not token:
                budget.spend(len(part), i)
            i = j
        parts.append(part)
        size += len(part)
        if size > MAX_FIELD_CHARS:
            raise _TooLarge(start, field_too_long("a field value", size))
        i = _skip_ws(text, i, limit)
        if i < limit and text[i] == "#":
            i += 1
            continue
        return "".join(parts), i


def _parse_entry(
    text: str, at: int, limit: int, macros: dict[str, str], budget: _Budget
) -> tuple[dict[str, object] | None, int]:
    i = at + 1
    j = i
    while j < limit and (text[j].isalnum() or text[j] in "_-"):
        j += 1
    entry_type = text[i:j]
    j = _skip_ws(text, j, limit)
    if not entry_type or j >= limit or text[j] not in "{(":
        raise _Malformed(j, "expected '@type{key, ...}' after '@'")
    close = "}" if text[j] == "{" else ")"
    kind = entry_type.lower()
    if kind in ("comment", "preamble"):
        if close == "}":
            return None, _braced(text, j, limit)[1]
        end = text.find(")", j, limit)
        return None, (end + 1 if end != -1 else limit)
    i = _skip_ws(text, j + 1, limit)
    pairs: list[tuple[str, str]] = []
    if kind != "string":
        k = i
        while k < limit and text[k] not in ",\n" + close:
            k += 1
        key = text[i:k].strip()
        if k >= limit:
            raise _Malformed(at, f"entry is not closed: expected '{close}'")
        pairs = [("ENTRYTYPE", entry_type), ("ID", key)]
        i = k + 1 if text[k] == "," else k
    while True:
        i = _skip_ws(text, i, limit)
        if i >= limit:
            raise _Malformed(at, f"entry is not closed: expected '{close}' at its end")
        if text[i] == close:
            end = i + 1
            break
        k = i
        while k < limit and text[k] not in "=,{}\n" + close:
            k += 1
        name = text[i:k].strip()
        if not name or k >= limit or text[k] != "=":
            raise _Malformed(i, f"expected 'field = value', found {text[i : i + 30]!r}")
        value, i = _value(text, k + 1, limit, macros, close, budget)
        if kind == "string":
            macros[name.lower()] = value
        else:
            pairs.append((name, value))
        if i < limit and text[i] == ",":
            i += 1
        elif i < len(text) and text[i] != close:
            # At the next entry's '@' (i == limit) too: "found '@'" says where it went wrong.
            raise _Malformed(
                i, f"expected ',' or '{close}' after the value of '{name}', found {text[i]!r}"
            )
    if kind == "string":
        return None, end
    return {"pairs": pairs}, end


_ACCENTS = {
    "'": "\u0301",
    "`": "\u0300",
    "^": "\u0302",
    '"': "\u0308",
    "~": "\u0303",
    "=": "\u0304",
    ".": "\u0307",
    "u": "\u0306",
    "v": "\u030c",
    "H": "\u030b",
    "c": "\u0327",
    "k": "\u0328",
    "r": "\u030a",
}
_ACCENT = re.compile(
    r"\\([`'^\"~=.])\s*+\{?\s*+(\\?[A-Za-z])\s*+\}?|\\([uvHckr])\s*+\{\s*+(\\?[A-Za-z])\s*+\}"
)
_LETTERS = {
    "\\ss": "ß",
    "\\o": "ø",
    "\\O": "Ø",
    "\\ae": "æ",
    "\\AE": "Æ",
    "\\aa": "å",
    "\\AA": "Å",
    "\\l": "ł",
    "\\L": "Ł",
    "\\oe": "œ",
    "\\OE": "Œ",
    "\\i": "ı",
}
_ESCAPES = re.compile(r"\\([&%$_#{}])")
_LETTER_CMD = re.compile(r"\\(ss|o|O|ae|AE|aa|AA|l|L|oe|OE|i)(?![A-Za-z])\s?")


def delatex(value: str | None) -> str | None:
    """Undo common LaTeX in a BibTeX value: accents, escaped symbols, protective braces."""
    if value is None:
        return None
    text = value
    if "\\" in text:

        def accent(match: re.Match[str]) -> str:
            mark = match.group(1) or match.group(3)
            letter = (match.group(2) or match.group(4)).lstrip("\\")
            letter = "ı" if letter == "i" else letter
            return unicodedata.normalize("NFC", ("i" if letter == "ı" else letter) + _ACCENTS[mark])

        text = _ACCENT.sub(accent, text)
        text = _LETTER_CMD.sub(lambda m: _LETTERS["\\" + m.group(1)], text)
        text = _ESCAPES.sub(r"\1", text)
    # Dashes before braces: "-{}-" is LaTeX for two hyphens, as litrev writes a literal "--".
    text = text.replace("---", "—").replace("--", "–").replace("{", "").replace("}", "")
    return clean_text(text)


def _split_authors(value: str) -> list[str]:
    names, depth, start = [], 0, 0
    lowered = value.lower()
    i = 0
    while i < len(value):
        ch = value[i]
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif depth == 0 and lowered.startswith(" and ", i):
            names.append(value[start:i])
            i += 5
            start = i
            continue
        i += 1
    names.append(value[start:])
    return [n for n in (delatex(" ".join(name.split())) for name in names) if n]


def record_from_bibtex(entry: dict[str, object], path: str, position: int, line: int) -> Record:
    """Read litrev's fields from a parsed BibTeX entry."""
    raw: list[tuple[str, str]] = entry["pairs"]  # type: ignore[assignment]
    fields: dict[str, str] = {}
    for name, value in raw:
        fields.setdefault(name.lower(), value)
    get = fields.get
    keywords = []
    for name in ("keywords", "author_keywords", "keywords-plus", "mesh"):
        if name in fields:
            keywords += split_list(delatex(fields[name]) or "", ";" if ";" in fields[name] else ",")
    pages = get("pages")
    return Record(
        title=delatex(get("title") or get("booktitle")),
        abstract=delatex(get("abstract")),
        authors=_split_authors(get("author", "")),
        year=parse_year(get("year") or get("date")),
        journal=delatex(get("journal") or get("journaltitle") or get("booktitle")),
        volume=delatex(get("volume")),
        issue=delatex(get("number") or get("issue")),
        pages=pages.replace("--", "-").strip() if pages else None,
        doi=normalise_doi(get("doi")),
        pmid=delatex(get("pmid")),
        pmcid=delatex(get("pmcid")),
        issn=delatex(get("issn")),
        keywords=keywords,
        language=delatex(get("language") or get("langid")),
        publication_type=delatex(get("type") or get("document_type") or get("entrytype")),
        url=delatex(get("url")),
        record_id=delatex(get("unique-id") or get("id")),
        raw=raw,
        provenance=Provenance(file=path, position=position, line=line, format="bibtex"),
    )


def bibtex_pairs(record: Record) -> list[tuple[str, str]]:
    """BibTeX pairs: the record's own when read from BibTeX, else litrev's fields."""
    if record.provenance and record.provenance.format == "bibtex" and record.raw:
        return list(record.raw)
    key = record.record_id or f"record{record.provenance.position + 1 if record.provenance else ''}"
    pairs = [("ENTRYTYPE", "article"), ("ID", re.sub(r"[\s,{}()]", "_", key))]
    for name, value in (
        ("title", record.title),
        ("author", " and ".join(record.authors)),
        ("journal", record.journal),
        ("year", str(record.year) if record.year is not None else None),
        ("volume", record.volume),
        ("number", record.issue),
        ("pages", record.pages),
        ("doi", record.doi),
        ("pmid", record.pmid),
        ("issn", record.issn),
        ("keywords", "; ".join(record.keywords)),
        ("language", record.language),
        ("url", record.url),
        ("abstract", record.abstract),
    ):
        if value:
            # Hyphens in a row are dashes to BibTeX; "-{}-" keeps them hyphens (not pages: "1--5").
            pairs.append((name, value if name == "pages" else _HYPHENS.sub("-{}", value)))
    return pairs


_HYPHENS = re.compile(r"-(?=-)")


def _protect(value: str) -> str:
    depth = 0
    for ch in value:
        depth += 1 if ch == "{" else -1 if ch == "}" else 0
        if depth < 0:
            break
    if depth == 0:
        return value
    return value.replace("{", "\\{").replace("}", "\\}")  # unbalanced text from another format


def write_bibtex(records: Iterable[Record], out: TextIO) -> None:
    """Write BibTeX entries; values in braces (bare when all digits)."""
    for index, record in enumerate(records):
        pairs = bibtex_pairs(record)
        entry_type = next((v for t, v in pairs if t == "ENTRYTYPE"), "misc")
        key = next((v for t, v in pairs if t == "ID"), f"record{index + 1}")
        out.write(f"@{entry_type}{{{key},\n")
        # The first ENTRYTYPE and ID pairs are the entry's type and key; a later pair of either
        # name is a field the source really had (`ID = {...}`), and is written as one.
        heads = {"ENTRYTYPE": True, "ID": True}
        for name, value in pairs:
            if heads.get(name):
                heads[name] = False
                continue
            shown = value if value.isdigit() else "{" + _protect(value) + "}"
            out.write(f"  {name} = {shown},\n")
        out.write("}\n\n")

"""Mutations of real export files: what a truncated download, a hand edit or an attacker makes.

`mutate(data, rnd, others)` applies one to four of them, chosen by `rnd` (a `random.Random`
that hypothesis controls, so a failing input shrinks and replays). Byte and line edits,
truncation, splicing two files, nesting bombs, huge numbers, long runs of a line, prefixes
(BOM, blank lines, header block), re-encoding, and for JSON type swaps of one field.

>>> import random
>>> out = mutate(b"TY  - JOUR\\nTI  - A\\nER  - \\n", random.Random(3), [])
>>> isinstance(out, bytes)
True
"""

from __future__ import annotations

import io
import json
import random
import zipfile
from collections.abc import Callable
from typing import Any

# Bytes that mean something to one reader or another.
TOKENS = [
    b"\n", b"\r", b"\r\n", b"\x00", b"\t", b" ", b"   ", b"      ", b"{", b"}", b"[", b"]",
    b"(", b")", b"<", b">", b"/", b'"', b"'", b",", b";", b"#", b"=", b"@", b"&", b"&amp;",
    b"\\", b"\\'", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\xc3", b"\x80", b"\xff",
    b"TY  - ", b"ER  - ", b"TY  - JOUR\n", b"\nER  - \n", b"PMID- ", b"AU  - ", b"PT J\n",
    b"\nER\n", b"FN ", b"EF\n", b"@article{", b"@string{", b"@comment{", b"<record>",
    b"</record>", b"<records>", b"<style>", b"<?xml", b"<!DOCTYPE x [", b"<!ENTITY",
    b'{"results": [', b'"title": ', b"null", b"true", b"1e999", b"-0", b"NaN", b"1.", b"<1>",
    b"Record #1 of 2\n", b"\"\"", b",,,,", b"=HYPERLINK(", b"\xe2\x80\xa8",
]  # fmt: skip
NESTING = [b"[", b"{", b'{"a":', b"<a>", b"<style>", b"{{", b"(", b'["', b"<record><a>"]


def _position(data: bytes, rnd: random.Random) -> int:
    return rnd.randint(0, len(data))


def _flip(data: bytes, rnd: random.Random, others: list[bytes]) -> bytes:
    if not data:
        return bytes([rnd.randrange(256)])
    buf = bytearray(data)
    for _ in range(rnd.randint(1, 8)):
        buf[rnd.randrange(len(buf))] = rnd.randrange(256)
    return bytes(buf)


def _insert_token(data: bytes, rnd: random.Random, others: list[bytes]) -> bytes:
    at = _position(data, rnd)
    token = rnd.choice(TOKENS) * rnd.choice([1, 1, 1, 2, 3, 10])
    return data[:at] + token + data[at:]


def _delete(data: bytes, rnd: random.Random, others: list[bytes]) -> bytes:
    if not data:
        return data
    start = rnd.randrange(len(data))
    return (
        data[:start] + data[start + rnd.randint(1, max(1, len(data) // rnd.choice([2, 10, 100]))) :]
    )


def _truncate(data: bytes, rnd: random.Random, others: list[bytes]) -> bytes:
    return data[: _position(data, rnd)]


def _repeat(data: bytes, rnd: random.Random, others: list[bytes]) -> bytes:
    """A slice repeated many times: long records, many records, long continuation runs."""
    if not data:
        return data
    start = rnd.randrange(len(data))
    piece = data[start : start + rnd.randint(1, 200)]
    times = rnd.choice([2, 10, 100, 1000, 5000])
    return data[:start] + piece * times + data[start:]


def _splice(data: bytes, rnd: random.Random, others: list[bytes]) -> bytes:
    if not others:
        return data
    other = rnd.choice(others)
    start = rnd.randrange(len(other) + 1)
    piece = other[start : start + rnd.randint(1, 4000)]
    at = _position(data, rnd)
    return data[:at] + piece + data[at:]


def _lines(data: bytes, rnd: random.Random, others: list[bytes]) -> bytes:
    lines = data.split(b"\n")
    if len(lines) < 2:
        return data
    i, j = rnd.randrange(len(lines)), rnd.randrange(len(lines))
    action = rnd.randrange(7)
    if action == 0:
        del lines[i]
    elif action == 1:
        lines.insert(i, lines[j])
    elif action == 2:
        lines[i], lines[j] = lines[j], lines[i]
    elif action == 3:
        lines[i] = b"   " + lines[i]
    elif action == 4:
        lines[i] = lines[i].strip()
    elif action == 5:
        lines[i] = lines[i][: rnd.randint(0, len(lines[i]))]
    else:  # a run of continuation-like lines, of at most 4 MB
        line = lines[j] or b"x"
        lines[i:i] = [line] * min(rnd.choice([10, 1000, 20000]), 4_000_000 // len(line) + 1)
    return b"\n".join(lines)


def _nest(data: bytes, rnd: random.Random, others: list[bytes]) -> bytes:
    opener = rnd.choice(NESTING)
    depth = rnd.choice([100, 1000, 5000, 50000])
    closer = opener[::-1].replace(b"[", b"]").replace(b"{", b"}").replace(b"(", b")")
    closer = closer.replace(b">a<", b">a/<").replace(b">elyts<", b">elyts/<")
    at = _position(data, rnd)
    tail = closer * depth if rnd.random() < 0.5 else b""
    return data[:at] + opener * depth + tail + data[at:]


def _number(data: bytes, rnd: random.Random, others: list[bytes]) -> bytes:
    digits = rnd.choice([b"9", b"1", b"0"]) * rnd.choice([5, 20, 400, 4400, 10000])
    number = rnd.choice([b"", b"-", b"1e", b"0."]) + digits
    at = _position(data, rnd)
    return data[:at] + number + data[at:]


def _prefix(data: bytes, rnd: random.Random, others: list[bytes]) -> bytes:
    head = rnd.choice(
        [b"\xef\xbb\xbf", b"\n\n", b"Search results\nDatabase: X\n\n", b"1.\n", b"\r\n", b" "]
    )
    return head + data


def _encode(data: bytes, rnd: random.Random, others: list[bytes]) -> bytes:
    text = data.decode("utf-8", errors="replace")
    codec = rnd.choice(["utf-16", "utf-16-le", "utf-16-be", "utf-32", "cp1252", "latin-1"])
    return text.encode(codec, errors="replace")


def _json_value(rnd: random.Random) -> Any:
    return rnd.choice(
        [None, True, 0, -1, 10**30, 1e308, "", "x", "2020", [], [None], ["a", 1], {}, {"a": 1},
         [[1]], {"date-parts": "x"}, [{"family": 1}], "10.1/x"]
    )  # fmt: skip


def _json_type_swap(data: bytes, rnd: random.Random, others: list[bytes]) -> bytes:
    """Replace one value somewhere in a JSON document by a value of another type."""
    try:
        document = json.loads(data)
    except (ValueError, RecursionError):
        return _insert_token(data, rnd, others)
    holders: list[tuple[Any, Any]] = []
    stack = [document]
    while stack and len(holders) < 5000:
        node = stack.pop()
        keys: Any = node.keys() if isinstance(node, dict) else range(len(node))
        for key in keys:
            holders.append((node, key))
            if isinstance(node[key], dict | list):
                stack.append(node[key])
    if not holders:
        return data
    for _ in range(rnd.randint(1, 3)):
        node, key = rnd.choice(holders)
        node[key] = _json_value(rnd)
    return json.dumps(document).encode()


def _xlsx_part(data: bytes, rnd: random.Random, others: list[bytes]) -> bytes:
    """Mutate one XML part inside a workbook and zip it back (a zip's CRC stops byte edits)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as source:
            parts = [(info.filename, source.read(info.filename)) for info in source.infolist()]
    except (zipfile.BadZipFile, ValueError, OSError, EOFError, KeyError):
        return _flip(data, rnd, others)
    if not parts:
        return data
    index = rnd.randrange(len(parts))
    name, content = parts[index]
    op = rnd.choice([_flip, _insert_token, _delete, _truncate, _repeat, _nest, _number, _lines])
    if rnd.random() < 0.1:
        parts.pop(index)
    else:
        parts[index] = (name, op(content, rnd, []))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for part_name, part in parts:
            target.writestr(part_name, part)
    return out.getvalue()


Mutation = Callable[[bytes, random.Random, list[bytes]], bytes]
MUTATIONS: list[Mutation] = [
    _flip, _insert_token, _insert_token, _delete, _truncate, _repeat, _splice, _lines, _lines,
    _nest, _number, _prefix, _encode,
]  # fmt: skip


def mutate(
    data: bytes, rnd: random.Random, others: list[bytes], max_size: int = 4_000_000
) -> bytes:
    """One to four mutations of `data`; `others` are files to splice from."""
    if data.startswith(b"PK\x03\x04"):
        return _xlsx_part(data, rnd, others)
    for _ in range(rnd.randint(1, 4)):
        if data[:1] in (b"{", b"[") and rnd.random() < 0.3:
            op: Mutation = _json_type_swap
        else:
            op = rnd.choice(MUTATIONS)
        data = op(data, rnd, others)
        if len(data) > max_size:
            data = data[:max_size]
    return data

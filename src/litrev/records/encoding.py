"""Turning an export file's bytes into text: byte-order marks, UTF-16, legacy code pages, newlines.

Databases disagree on encodings: Web of Science writes UTF-16 with a BOM, EndNote and Embase
UTF-8 with a BOM, old EBSCOhost and ProQuest exports cp1252. Every reader goes through
`decode_bytes`, so they all accept every encoding.

>>> decode_bytes("TY  - JOUR\\r\\nER  - \\r\\n".encode("utf-16")).text
'TY  - JOUR\\nER  - \\n'
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import Path

from litrev.errors import InputError


@dataclass(frozen=True)
class DecodedText:
    text: str  # BOM removed, every line ending (CRLF, CR, LF) turned into "\n"
    encoding: str  # the codec that decoded the bytes, e.g. "utf-8-sig", "utf-16", "cp1252"


_BOMS = [
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]


def _guess_bomless_utf16(data: bytes) -> str | None:
    # UTF-16 text of Latin script has a NUL in every other byte; plain 8-bit text has none.
    sample = data[:4000]
    if len(sample) < 4 or b"\x00" not in sample:
        return None
    even_nuls = sample[0::2].count(0)
    odd_nuls = sample[1::2].count(0)
    half = len(sample) // 2
    if odd_nuls > half * 0.4 and even_nuls < half * 0.1:
        return "utf-16-le"
    if even_nuls > half * 0.4 and odd_nuls < half * 0.1:
        return "utf-16-be"
    return None


def normalise_newlines(text: str) -> str:
    """CRLF and lone CR become LF (Web of Science RIS mixes them within one record); a byte-order
    mark at the start of a line is dropped (exports concatenated with `cat` carry one each)."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\n\ufeff" in text:
        text = text.replace("\n\ufeff", "\n")
    return text


def decode_bytes(data: bytes, path: str = "<bytes>") -> DecodedText:
    """Decode an export: BOM first, then UTF-16 without BOM, UTF-8, cp1252, Latin-1."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError as error:
                raise InputError(
                    path,
                    f"file starts with a {codec} byte-order mark but is not valid {codec}: "
                    f"{error.reason} at byte {error.start}",
                ) from error
            return DecodedText(normalise_newlines(text.lstrip("\ufeff")), codec)
    utf16 = _guess_bomless_utf16(data)
    if utf16 is not None:
        try:
            return DecodedText(normalise_newlines(data.decode(utf16)), utf16)
        except UnicodeDecodeError:
            pass
    try:
        return DecodedText(normalise_newlines(data.decode("utf-8")), "utf-8")
    except UnicodeDecodeError:
        pass
    try:
        # cp1252 before Latin-1: Windows exports use its curly quotes and dashes (0x80-0x9f).
        return DecodedText(normalise_newlines(data.decode("cp1252")), "cp1252")
    except UnicodeDecodeError:
        return DecodedText(normalise_newlines(data.decode("latin-1")), "latin-1")


def read_text(path: str | Path) -> DecodedText:
    """Read and decode a file, raising `InputError` when it cannot be read.

    >>> import tempfile, os
    >>> f = tempfile.NamedTemporaryFile(delete=False, suffix=".ris")
    >>> _ = f.write("TI  - Caf\\xe9".encode("cp1252")); f.close()
    >>> read_text(f.name).text, read_text(f.name).encoding
    ('TI  - Café', 'cp1252')
    >>> os.unlink(f.name)
    """
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        raise InputError(str(path), f"cannot read file: {error.strerror or error}") from error
    return decode_bytes(data, str(path))

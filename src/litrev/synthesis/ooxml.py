"""Office Open XML files (DOCX, XLSX) written reproducibly and safely.

A DOCX or XLSX file is a ZIP archive whose members carry the time they were written, and whose
core properties say when the document was created and modified. `document_time()` is the
`SOURCE_DATE_EPOCH` of the reproducible-builds convention when set (as the report's date is),
else now; `stable_zip` rewrites an archive with that time on every member, so the same input and
epoch give byte-identical files. `xml_text` replaces the characters XML 1.0 cannot hold (control
characters), which python-docx and openpyxl would otherwise refuse with a traceback.

>>> xml_text("a\\x07b\\tc")
'a\\ufffdb\\tc'
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import zipfile
from collections.abc import Mapping
from pathlib import Path

from litrev.errors import InputError
from litrev.fileio import atomic_output

# XML 1.0 allows tab, LF, CR and everything from U+0020 except surrogates, U+FFFE and U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_ZIP_EPOCH = dt.datetime(1980, 1, 1, tzinfo=dt.UTC)  # the earliest time a ZIP member can carry


def xml_text(text: str) -> str:
    """`text` with each character XML cannot store replaced by U+FFFD (shown, not dropped)."""
    return _NOT_XML.sub("\ufffd", text)


def document_time(environ: Mapping[str, str] | None = None) -> dt.datetime:
    """When a document is made: `SOURCE_DATE_EPOCH` (seconds since 1970, UTC) in `environ`
    (default: the process's environment) when set, else now; to the second, in UTC.

    >>> document_time({"SOURCE_DATE_EPOCH": "1700000000"}).isoformat()
    '2023-11-14T22:13:20+00:00'
    >>> document_time({"SOURCE_DATE_EPOCH": "soon"})
    Traceback (most recent call last):
    ...
    litrev.errors.InputError: SOURCE_DATE_EPOCH: 'soon' is not a whole number of seconds since 1970
    """
    epoch = (os.environ if environ is None else environ).get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch:
        return dt.datetime.now(dt.UTC).replace(microsecond=0)
    if not epoch.isdigit():
        raise InputError(
            "SOURCE_DATE_EPOCH", f"{epoch!r} is not a whole number of seconds since 1970"
        )
    return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC)


def stable_zip(data: bytes, when: dt.datetime) -> bytes:
    """The ZIP archive `data` with every member dated `when` (at least 1980, ZIP's first year),
    in the same order and compressed the same way.

    >>> buffer = io.BytesIO()
    >>> with zipfile.ZipFile(buffer, "w") as archive:
    ...     archive.writestr("a.xml", "<a/>")
    >>> when = dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.UTC)
    >>> again = stable_zip(buffer.getvalue(), when)
    >>> zipfile.ZipFile(io.BytesIO(again)).infolist()[0].date_time
    (2024, 5, 1, 12, 0, 0)
    """
    stamp = max(when, _ZIP_EPOCH).astimezone(dt.UTC)
    date_time = (stamp.year, stamp.month, stamp.day, stamp.hour, stamp.minute, stamp.second)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=date_time)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o644 << 16
            target.writestr(member, source.read(info.filename))
    return out.getvalue()


def write_package(path: str | Path, data: bytes, when: dt.datetime) -> Path:
    """Write the archive `data` to `path` atomically, its members dated `when`."""
    target = Path(path)
    with atomic_output(target) as temporary:
        temporary.write_bytes(stable_zip(data, when))
    return target

"""Turning the operating system's errors into one sentence that names the path and what to do.

The CLI is the only place that does this: the stage packages raise `OSError` and SQLAlchemy's
errors as they are, and library callers get them unchanged.

>>> describe(FileNotFoundError(2, "No such file or directory", "out/report.csv"))
'out/report.csv: no such file or folder; check the path (to write there, create its folder first)'
>>> describe(ValueError("not an OS error")) is None
True
"""

from __future__ import annotations

import errno
import os

_ADVICE = {
    errno.ENOENT: "no such file or folder; check the path (to write there, create its folder first)",
    errno.EACCES: "permission denied; check the file's and its folder's permissions",
    errno.EPERM: "operation not permitted; check the file's and its folder's permissions",
    errno.EISDIR: "is a folder, but a file was expected; give a file name",
    errno.ENOTDIR: "a part of this path is a file, but a folder was expected",
    errno.EROFS: "the file system is read-only; write somewhere else",
    errno.ENOSPC: "no space left on the device; free some space and run again",
    errno.EEXIST: "already exists; remove it or choose another name",
    errno.ENAMETOOLONG: "the file name is too long",
    errno.EMFILE: "too many open files; close other programs and run again",
}


def _sqlalchemy_message(error: BaseException) -> str | None:
    # SQLAlchemy is not imported here: `litrev --help` must stay light. Its errors are known by module.
    if not type(error).__module__.startswith("sqlalchemy"):
        return None
    original = getattr(error, "orig", None)
    text = str(original if original is not None else error).strip().splitlines()[0]
    lowered = text.lower()
    if "readonly" in lowered or "read-only" in lowered:
        return (
            "the review database is read-only: check the permissions of litrev.db and its folder "
            f"(the database said: {text})"
        )
    if "locked" in lowered or "busy" in lowered:
        return (
            "the review database is busy (another litrev is writing to it); "
            f"wait and run again (the database said: {text})"
        )
    if "unable to open" in lowered:
        return f"cannot open the review database: check that its folder exists and is writable ({text})"
    if "disk" in lowered and ("full" in lowered or "i/o" in lowered):
        return f"the review database cannot be written: {text}"
    return f"database error: {text}"


def describe(error: BaseException) -> str | None:
    """One sentence for an OS, database or number-size error, or None for anything else."""
    if isinstance(error, OSError):
        path = error.filename
        if error.filename2:
            path = f"{path} -> {error.filename2}"
        advice = _ADVICE.get(error.errno or 0) or (error.strerror or str(error))
        return f"{os.fsdecode(path)}: {advice}" if path is not None else f"{advice} ({error})"
    if isinstance(error, OverflowError):
        return f"a number is too large ({error}); litrev's ids and counts fit in 64 bits"
    if isinstance(error, UnicodeDecodeError):
        return (
            f"a file is not in a text encoding litrev reads ({error.reason} at byte {error.start}); "
            "save it as UTF-8"
        )
    return _sqlalchemy_message(error)

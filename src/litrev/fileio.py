"""Writing files so that a reader sees the old content or the new, never half of it.

Files are created with the user's umask (0644 under the usual 022), as `open()` would: a
temporary file from `tempfile.mkstemp` is private (0600), which would hide a report from the
teammates who share the review folder.

>>> import tempfile
>>> folder = Path(tempfile.mkdtemp())
>>> atomic_write_text(folder / "a.txt", "hello")
>>> (folder / "a.txt").read_text()
'hello'
>>> with atomic_output(folder / "b.bin") as temporary:
...     _ = temporary.write_bytes(b"data")
>>> (folder / "b.bin").read_bytes()
b'data'
"""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def _umask() -> int:
    # os.umask can only be read by setting it; set it back at once.
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextmanager
def atomic_output(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside `path`; on success it replaces `path` in one rename.

    On any error the temporary file is removed and `path` is left as it was. The parent folder
    must exist: a missing folder is the caller's mistake to report, not to paper over.
    """
    target = Path(path)
    # Name the user's path in any error, never the temporary file's.
    if target.is_dir():
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(target))
    if not target.parent.is_dir():
        raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), str(target.parent))
    try:
        handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as error:
        raise type(error)(error.errno, error.strerror, str(target)) from error
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def atomic_write_text(path: str | Path, text: str) -> None:
    """Write `text` as UTF-8 with LF line ends, atomically (see `atomic_output`).

    >>> import tempfile
    >>> target = Path(tempfile.mkdtemp()) / "notes.md"
    >>> atomic_write_text(target, "# Notes\\n")
    >>> oct(target.stat().st_mode & 0o777) == oct(0o666 & ~_umask())
    True
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    with (
        atomic_output(target) as temporary,
        open(temporary, "w", encoding="utf-8", newline="\n") as stream,
    ):
        stream.write(text)

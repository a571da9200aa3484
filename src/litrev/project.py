"""A review project on disk: a folder with `litrev.toml` (the protocol) and `litrev.db` (the data).

>>> import tempfile
>>> folder = Path(tempfile.mkdtemp()) / "my-review"
>>> project = Project.init(folder)
>>> sorted(p.name for p in folder.iterdir())
['litrev.db', 'litrev.toml']
>>> project.protocol.review.id
'my-review'
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from litrev.errors import LitrevError, ProtocolError
from litrev.fileio import atomic_write_text
from litrev.protocol import Protocol, load_protocol, parse_protocol
from litrev.store import Store

PROTOCOL_FILE = "litrev.toml"
DATABASE_FILE = "litrev.db"


def protocol_template(review_id: str, title: str) -> str:
    """The `litrev.toml` that `litrev init` writes: every table, its examples commented out.

    >>> text = protocol_template("my-review", "My review")
    >>> parse_protocol(text).review.title
    'My review'
    """
    template = (Path(__file__).parent / "protocol_template.toml").read_text(encoding="utf-8")
    # TOML basic strings: escape what would end or break them.
    safe_title = title.replace("\\", "\\\\").replace('"', '\\"')
    return template.replace("__ID__", review_id).replace("__TITLE__", safe_title)


DATABASE_ENV = "LITREV_DATABASE"


def team_database() -> str | None:
    """The database URL set in `LITREV_DATABASE`, if any: every command then uses that store.

    It lets a team point the command line at a PostgreSQL server without a flag on every
    command, and keeps the password out of `litrev.toml` (which is shared and versioned).

    >>> import os
    >>> os.environ.pop(DATABASE_ENV, None) and None
    >>> team_database() is None
    True
    """
    return os.environ.get(DATABASE_ENV) or None


def _slug(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return slug or "review"


@dataclass
class Project:
    root: Path
    protocol: Protocol
    store: Store

    @property
    def protocol_path(self) -> Path:
        return self.root / PROTOCOL_FILE

    @classmethod
    def open(cls, root: str | Path, *, database: str | None = None) -> Project:
        """Open an existing review folder; the protocol is validated before the database is touched.

        `database` may name another store (e.g. a PostgreSQL URL for a team server).
        """
        root = Path(root)
        if not (root / PROTOCOL_FILE).exists():
            # Not a broken review file but no review at all: say how to make or find one.
            shown = "the current folder" if str(root) in ("", ".") else str(root)
            raise LitrevError(
                f"no review here (no {PROTOCOL_FILE} in {shown}); run `litrev init {root}` "
                "or pass --project DIR"
            )
        protocol = load_protocol(root / PROTOCOL_FILE)
        database = database or team_database()
        store = Store.open(database or root / DATABASE_FILE, create=database is not None)
        return cls(root=root, protocol=protocol, store=store)

    @classmethod
    def init(
        cls,
        root: str | Path,
        *,
        protocol_text: str | None = None,
        database: str | None = None,
    ) -> Project:
        """Create a review folder (or complete one that has a `litrev.toml` but no database).

        The protocol is validated first: an invalid one raises `ProtocolError` and writes nothing.
        """
        root = Path(root)
        protocol_path = root / PROTOCOL_FILE
        if protocol_text is None:
            if protocol_path.exists():
                protocol_text = _protocol_text(protocol_path)
            else:
                name = root.resolve().name
                protocol_text = protocol_template(_slug(name), name)
        elif protocol_path.exists() and _protocol_text(protocol_path) != protocol_text:
            raise ProtocolError(
                str(protocol_path), ["a different litrev.toml is already there; not overwritten"]
            )
        protocol = parse_protocol(protocol_text, path=str(protocol_path))
        root.mkdir(parents=True, exist_ok=True)
        if not protocol_path.exists():
            atomic_write_text(protocol_path, protocol_text)
        store = Store.open(database or team_database() or root / DATABASE_FILE)
        return cls(root=root, protocol=protocol, store=store)


def _protocol_text(path: Path) -> str:
    """An existing litrev.toml's text; a non-UTF-8 file is named like `load_protocol` names it."""
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise ProtocolError(str(path), [f"not UTF-8 text: {error}"]) from None

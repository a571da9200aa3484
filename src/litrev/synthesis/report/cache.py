"""The review's report built once per state of its store, for readers that ask often (the web
workspace): `cached_report(project, folder)` rebuilds it only when something the report shows
changed since the last build.

The state is a digest of what the report reads: the protocol, `claims.toml`, litrev's version,
and the latest audit-log entry that can change the report (decisions, extractions, imports,
deduplication, settings: everything but accounts, exports, notes, tags, full-text files and
work allocation), with the latest decision, extraction and record ids in case a row was
written without its audit entry.

>>> import tempfile
>>> from litrev.project import Project
>>> root = tempfile.mkdtemp()
>>> project = Project.init(root + "/r")
>>> first = cached_report(project, root + "/cache")
>>> first.built, (first.folder / "report.html").exists()
(True, True)
>>> cached_report(project, root + "/cache").built
False
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from litrev import __version__
from litrev.store import schema

if TYPE_CHECKING:
    from litrev.project import Project

# Audit actions that never change the report (prefixes end with ".").
UNREPORTED = (
    "accounts.",
    "export",
    "note",
    "screening.note",
    "screening.remove_note",
    "screening.tag",
    "screening.untag",
    "screening.fulltext_",
    "screening.assign",
    "screening.unassign",
    "screening.allocate",
    "screening.open_stage",
    "screening.close_stage",
)
STATE_FILE = "state.txt"
_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


@dataclass(frozen=True)
class CachedReport:
    """Where the report's files are, the state they were built from, when, and whether this
    call built them."""

    folder: Path
    state: str
    built_at: datetime
    built: bool


def _unreported(action: str) -> bool:
    return any(action == p or (p.endswith(("_", ".")) and action.startswith(p)) for p in UNREPORTED)


def report_state(project: Project) -> str:
    """A digest that changes whenever something the report shows may have changed."""
    audit = schema.audit_log
    with project.store.connect() as conn:
        # Distinct actions are few; the newest entry of each is one grouped query.
        latest = conn.execute(
            select(audit.c.action, func.max(audit.c.id)).group_by(audit.c.action)
        ).all()
        ids = [
            conn.execute(select(func.max(t.c.id))).scalar_one()
            for t in (schema.decisions, schema.extractions, schema.records)
        ]
    relevant = max((int(i) for action, i in latest if not _unreported(action)), default=0)
    claims = project.root / "claims.toml"
    parts = {
        "version": __version__,
        "protocol": project.protocol.model_dump_json(),
        "claims": hashlib.sha256(claims.read_bytes()).hexdigest() if claims.exists() else "",
        "audit": relevant,
        "ids": [int(i or 0) for i in ids],
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()[:32]


def _lock(folder: Path) -> threading.Lock:
    with _locks_guard:
        return _locks.setdefault(str(folder.resolve()), threading.Lock())


def cached_report(project: Project, cache: str | Path, *, rebuild: bool = False) -> CachedReport:
    """The report of `project` in a folder under `cache`, built by `write_report` when missing,
    stale (see `report_state`) or `rebuild` is asked for.

    A build writes into a new folder and then takes its place, so a reader never sees half a
    report; one build at a time per cache folder (others wait, then use it).
    """
    root = Path(cache)
    with _lock(root):
        return _ensure(project, root, rebuild)


def report_file(project: Project, cache: str | Path, name: str) -> tuple[bytes, CachedReport]:
    """One file of the cached report (built first if stale) and the build it comes from, read
    while no build can replace the folder. A name that is not a report file: FileNotFoundError.

    >>> import tempfile
    >>> from litrev.project import Project
    >>> root = tempfile.mkdtemp()
    >>> data, built = report_file(Project.init(root + "/r"), root + "/cache", "results.json")
    >>> data[:1]
    b'{'
    """
    root = Path(cache)
    if name == STATE_FILE or "/" in name or "\\" in name or name.startswith("."):
        raise FileNotFoundError(name)
    with _lock(root):
        found = _ensure(project, root, False)
        return (found.folder / name).read_bytes(), found


def _ensure(project: Project, root: Path, rebuild: bool) -> CachedReport:
    from litrev.synthesis.report.writer import write_report

    current = root / "current"
    state = report_state(project)
    marker = current / STATE_FILE
    if not rebuild and marker.exists():
        kept, _, stamp = marker.read_text(encoding="utf-8").partition("\n")
        if kept == state:
            return CachedReport(current, state, datetime.fromisoformat(stamp.strip()), False)
    root.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix="build-", dir=root))
    try:
        write_report(project, building)
        built_at = datetime.now(UTC).replace(microsecond=0)
        (building / STATE_FILE).write_text(f"{state}\n{built_at.isoformat()}", encoding="utf-8")
        old = root / f"old-{building.name}"
        if current.exists():
            current.rename(old)
        building.rename(current)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    shutil.rmtree(old, ignore_errors=True)
    return CachedReport(current, state, built_at, True)


__all__ = ["CachedReport", "cached_report", "report_file", "report_state"]

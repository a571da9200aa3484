"""Opening a review for the `litrev extract ...` commands (`litrev.cli.extraction` and
`litrev.cli.extraction_reconcile` share it)."""

# The stage modules are imported inside the function: every `litrev` run imports this module.
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from litrev.project import Project


def open_for_extraction(project_dir: Path) -> Project:
    """The review in `project_dir`, with its protocol's codebook recorded as the current version
    (values of renamed or retyped fields migrated) before any extraction command reads values.

    >>> import tempfile
    >>> from litrev.project import Project
    >>> root = Path(tempfile.mkdtemp()) / "review"
    >>> _ = Project.init(root)
    >>> open_for_extraction(root).root == root
    True
    """
    from litrev.extraction.versions import sync_codebook
    from litrev.project import Project

    project = Project.open(project_dir)
    sync_codebook(project.store, project.protocol.codebook, actor="litrev")
    return project

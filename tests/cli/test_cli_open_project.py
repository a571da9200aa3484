"""The review opener the `litrev extract` command modules share (litrev.cli._open_project), and
that no command module reaches into another's private names for a shared helper."""

from __future__ import annotations

import ast
from pathlib import Path

import litrev.cli
from litrev.cli._open_project import open_for_extraction
from litrev.project import Project

PROTOCOL = """
[review]
id = "night-care"
title = "Night-time care at home"

[[codebook.fields]]
name = "visits_per_night"
type = "integer"
"""


def test_open_project_examples_hold(docstring_examples) -> None:
    docstring_examples("litrev.cli._open_project")


def test_opening_records_the_codebook_version_once(tmp_path: Path) -> None:
    from litrev.extraction.versions import sync_codebook

    Project.init(tmp_path / "r", protocol_text=PROTOCOL)
    project = open_for_extraction(tmp_path / "r")
    again = sync_codebook(project.store, project.protocol.codebook, actor="test")
    assert again.changed is False  # the opener recorded it already
    assert open_for_extraction(tmp_path / "r").protocol.review.id == "night-care"


def test_extraction_command_modules_share_helpers_by_public_names() -> None:
    # A helper two command modules need lives in a shared module under a public name;
    # `from litrev.cli.extraction import _open` tied one command module to another's internals.
    folder = Path(litrev.cli.__file__).parent
    borrowed = []
    for path in sorted(folder.glob("extraction*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("litrev.cli."):
                private = [a.name for a in node.names if a.name.startswith("_")]
                borrowed += [f"{path.name}: {node.module}.{name}" for name in private]
    assert borrowed == []

"""Built-in example reviews, shipped as data and built into review projects on demand.

Each example is a folder here holding `litrev.toml`, `studies.csv` (the extraction table of the
included studies) and, optionally, `claims.toml` (the numbers its paper states).

>>> names()
['coproduction-models']
"""

from __future__ import annotations

import shutil
import tempfile
import tomllib
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from litrev.errors import LitrevError

# The CLI reads DEFAULT_EXAMPLE at start-up, so this module stays light: litrev.project (SQLAlchemy),
# litrev.extraction (pandas) and litrev.synthesis (matplotlib) load only when an example is built.
if TYPE_CHECKING:
    from litrev.project import Project

STUDIES_FILE = "studies.csv"
DEFAULT_EXAMPLE = "coproduction-models"


def _folder(name: str) -> Path:
    from litrev.project import PROTOCOL_FILE

    root = resources.files("litrev.examples")
    folder = Path(str(root.joinpath(name.replace("-", "_"))))
    if not (folder / PROTOCOL_FILE).is_file():
        raise LitrevError(f"no built-in example named {name!r}; examples: {', '.join(names())}")
    return folder


def _review_id_of(text: str) -> str | None:
    try:
        return str(tomllib.loads(text).get("review", {}).get("id"))
    except tomllib.TOMLDecodeError:
        return None


def names() -> list[str]:
    """Names of the built-in examples."""
    from litrev.project import PROTOCOL_FILE

    root = Path(str(resources.files("litrev.examples")))
    return sorted(p.name.replace("_", "-") for p in root.iterdir() if (p / PROTOCOL_FILE).is_file())


def build_example(name: str, out_dir: str | Path) -> Project:
    """Build the review project of a built-in example in `out_dir`.

    The project is built in a temporary folder beside `out_dir` and moved into place only when
    complete, so a failure leaves `out_dir` as it was. An existing project in `out_dir` is replaced
    only if it is the same example (a demo run again, perhaps by a newer litrev); anything else
    there is refused.
    """
    from litrev.extraction import import_table
    from litrev.project import DATABASE_FILE, PROTOCOL_FILE, Project
    from litrev.synthesis.report.claims import CLAIMS_FILE, load_claims

    source = _folder(name)
    out = Path(out_dir)
    protocol_text = (source / PROTOCOL_FILE).read_text(encoding="utf-8")
    existing = out / PROTOCOL_FILE
    if existing.exists() and _review_id_of(existing.read_text(encoding="utf-8")) != _review_id_of(
        protocol_text
    ):
        raise LitrevError(
            f"{out}: holds another review's litrev.toml; choose an empty folder with --out"
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        project = Project.init(staging, protocol_text=protocol_text)
        if (source / CLAIMS_FILE).exists():
            shutil.copyfile(source / CLAIMS_FILE, staging / CLAIMS_FILE)
            load_claims(staging)  # validate before anything is moved into place
        shutil.copyfile(source / STUDIES_FILE, staging / STUDIES_FILE)
        import_table(
            project.store, staging / STUDIES_FILE, project.protocol.codebook, actor="litrev demo"
        )
        project.store.close()
        out.mkdir(parents=True, exist_ok=True)
        for item in (PROTOCOL_FILE, CLAIMS_FILE, STUDIES_FILE, DATABASE_FILE):
            if (staging / item).exists():
                (staging / item).replace(out / item)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return Project.open(out)

"""The `litrev` command starts without loading the heavy libraries of the stages.

Every `litrev` run imports `litrev.cli`, so a stage module imported at the top of a CLI module
costs every command (help, and each of a benchmark's many `litrev simulate` runs) seconds of
start-up. These checks are on what is imported, not on time, so they are deterministic.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

HEAVY = ("pandas", "matplotlib", "sklearn", "sqlalchemy", "scipy")
COMMANDS = ("init", "demo", "report", "extract", "import", "export", "dedupe", "screen")
COMMANDS += ("decide", "conflicts", "agreement", "screening", "search", "simulate")


def _loaded_after(statement: str) -> list[str]:
    code = (
        f"import json, sys\n{statement}\n"
        f"print(json.dumps([m for m in {list(HEAVY)!r} if m in sys.modules]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    loaded: list[str] = json.loads(done.stdout)
    return loaded


def test_importing_the_cli_loads_no_heavy_library() -> None:
    assert _loaded_after("import litrev.cli") == []


def test_litrev_package_and_examples_stay_light() -> None:
    # litrev.examples gives the CLI its DEFAULT_EXAMPLE; litrev and litrev.errors are everywhere.
    assert _loaded_after("import litrev, litrev.errors, litrev.examples") == []


def test_litrev_help_lists_every_command() -> None:
    script = Path(sys.executable).with_name("litrev")
    # The installed script when there is one (it is what users run), else the same entry point.
    main = "from litrev.cli import main; main()"
    command = [str(script)] if script.exists() else [sys.executable, "-c", main]
    done = subprocess.run(
        [*command, "--help"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "COLUMNS": "120"},
    )
    assert done.returncode == 0, done.stderr
    listed = {line.strip("│ ").split(" ")[0] for line in done.stdout.splitlines()}
    missing = [name for name in COMMANDS if name not in listed]
    assert not missing, f"not listed by `litrev --help`: {missing}\n{done.stdout}"

"""The accounts core loads no adapter (CLI, web, terminal UI) and no web framework."""

from __future__ import annotations

import json
import subprocess
import sys


def test_accounts_core_imports_no_adapter() -> None:
    code = (
        "import json, sys\nimport litrev.accounts\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.split('.')[:2] in "
        "(['litrev', 'cli'], ['litrev', 'web'], ['litrev', 'tui']) "
        "or m.split('.')[0] in ('fastapi', 'starlette', 'typer', 'textual'))))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert json.loads(done.stdout) == []

"""The screening core holds no UI code: it and every module in it load without Textual."""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys

import litrev.screening

CHECK = """
import importlib, json, sys
mods = {mods}
loaded = {{}}
for name in mods:
    importlib.import_module(name)
    loaded[name] = sorted(m for m in sys.modules if m == "textual" or m.startswith("textual."))
print(json.dumps(loaded))
"""


def _screening_modules() -> list[str]:
    names = ["litrev.screening"]
    for info in pkgutil.iter_modules(litrev.screening.__path__):
        names.append(f"litrev.screening.{info.name}")
    return names


def test_screening_modules_are_found() -> None:
    names = _screening_modules()
    # decisions and model are the core; if discovery breaks, the check below would pass vacuously
    assert "litrev.screening.decisions" in names and "litrev.screening.queue" in names
    assert not any(n.endswith(".tui") or n.endswith("resolve_tui") for n in names)


def test_screening_core_imports_no_textual() -> None:
    names = _screening_modules()
    # one fresh interpreter, checked after each import: the first module with textual loaded is
    # the one that pulled it in (its predecessors were checked clean before it loaded)
    out = subprocess.run(
        [sys.executable, "-c", CHECK.format(mods=json.dumps(names))],
        capture_output=True,
        text=True,
        check=True,
    )
    loaded = json.loads(out.stdout)
    assert list(loaded) == names
    first = next((name for name in names if loaded[name]), None)
    assert first is None, f"{first} loads {loaded[first][:3]}"


def test_tui_package_does_load_textual() -> None:
    # the check above can detect textual: the TUI itself must trip it
    out = subprocess.run(
        [sys.executable, "-c", CHECK.format(mods=json.dumps(["litrev.tui.screen"]))],
        capture_output=True,
        text=True,
        check=True,
    )
    assert json.loads(out.stdout)["litrev.tui.screen"] != []

#!/usr/bin/env bash
# Create the peer tool's own venv (never litrev's .venv): bib-dedupe from PyPI, pinned.
set -euo pipefail
VENV="${BIBDEDUPE_VENV:-/work/venvs/bibdedupe}"
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c "import bib_dedupe" 2>/dev/null; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --upgrade pip
  "$VENV/bin/pip" install -q "bib-dedupe==0.11.0"
fi
"$VENV/bin/python" -c "import bib_dedupe, importlib.metadata as m; print('bib-dedupe', m.version('bib-dedupe'))"

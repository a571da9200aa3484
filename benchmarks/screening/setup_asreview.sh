#!/usr/bin/env bash
# Create the peer-tool venv for the screening benchmark (never inside litrev's .venv).
# Usage: bash benchmarks/screening/setup_asreview.sh [VENV_DIR]   (default /work/venvs/asreview)
set -euo pipefail
VENV="${1:-/work/venvs/asreview}"
ASREVIEW_VERSION="${ASREVIEW_VERSION:-3.0.8}"
if [ -x "$VENV/bin/asreview" ]; then
  echo "asreview venv present: $VENV ($("$VENV/bin/python" -c 'import asreview; print(asreview.__version__)'))"
  exit 0
fi
mkdir -p "$(dirname "$VENV")"
python3 -m venv "$VENV"
"$VENV/bin/pip" install --quiet --upgrade pip
"$VENV/bin/pip" install --quiet "asreview==${ASREVIEW_VERSION}"
"$VENV/bin/python" -c 'import asreview; print("installed asreview", asreview.__version__)'

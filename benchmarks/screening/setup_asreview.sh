#!/usr/bin/env bash
# Create the peer-tool venv for the screening benchmark (never inside litrev's .venv).
# Usage: bash benchmarks/screening/setup_asreview.sh [VENV_DIR]   (default /work/venvs/asreview)
# Installs exactly asreview==$ASREVIEW_VERSION (default 3.0.8, whose default model is ELAS u4).
# Do not add asreview-insights to this venv: it pins asreview<3 and silently downgrades it.
set -euo pipefail
VENV="${1:-/work/venvs/asreview}"
ASREVIEW_VERSION="${ASREVIEW_VERSION:-3.0.8}"
if [ -x "$VENV/bin/asreview" ]; then
  have="$("$VENV/bin/python" -c 'import asreview; print(asreview.__version__)')"
  if [ "$have" = "$ASREVIEW_VERSION" ]; then
    echo "asreview venv present: $VENV (asreview $have)"
    exit 0
  fi
  echo "asreview $have found in $VENV; installing $ASREVIEW_VERSION"
else
  mkdir -p "$(dirname "$VENV")"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --upgrade pip
fi
"$VENV/bin/pip" install --quiet "asreview==${ASREVIEW_VERSION}"
"$VENV/bin/python" -c 'import asreview; print("installed asreview", asreview.__version__)'

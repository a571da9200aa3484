#!/usr/bin/env bash
# Installs litrev with its test extras into .venv and runs the whole test suite, lint and type check.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/pip install -q --upgrade pip
.venv/bin/pip install -q -e ".[test]"
.venv/bin/ruff check src tests
.venv/bin/mypy
.venv/bin/pytest -n 2 -q

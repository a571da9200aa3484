"""Routes of the workspace: outputs (see litrev.web.routes)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()

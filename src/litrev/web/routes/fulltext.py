"""Routes of the workspace: fulltext (see litrev.web.routes)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()

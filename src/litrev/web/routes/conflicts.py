"""Routes of the workspace: conflicts (see litrev.web.routes)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()

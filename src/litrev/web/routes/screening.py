"""Routes of the workspace: screening (see litrev.web.routes)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()

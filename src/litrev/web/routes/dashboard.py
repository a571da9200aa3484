"""Routes of the workspace: dashboard (see litrev.web.routes)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()

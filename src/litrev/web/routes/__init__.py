"""The workspace's routes, one module per area; each defines `router`.

Pages live at `/r/{key}/...` (key = the review's id), the JSON API at `/api/r/{key}/...`.
"""

from __future__ import annotations

from fastapi import APIRouter

from litrev.web.routes import (
    account,
    api,
    api_review,
    auth,
    conflicts,
    dashboard,
    extraction,
    extraction_reconcile,
    fulltext,
    fulltext_upload,
    outputs,
    projects,
    screening,
    screening_record,
    synthesis_pages,
)

ROUTERS: tuple[APIRouter, ...] = (
    auth.router,
    projects.router,
    screening.router,
    screening_record.router,
    conflicts.router,
    dashboard.router,
    fulltext.router,
    fulltext_upload.router,
    outputs.router,
    api.router,
    api_review.router,
    account.router,
    extraction.router,
    extraction_reconcile.router,
    synthesis_pages.router,
)

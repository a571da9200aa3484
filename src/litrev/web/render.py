"""Server-rendered pages: one Jinja2 environment, autoescaped, shared by every route."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from litrev.web.security import current_visitor

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"

# autoescape for every template: record text is untrusted and never trusted as markup.
templates = Jinja2Templates(
    env=jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True, undefined=jinja2.Undefined
    )
)


def page(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render `template` with the visitor, their CSRF token and the served reviews.

    Fragments (htmx requests, `HX-Request` header) use the same call with a fragment template.
    """
    visitor = current_visitor(request)
    context.setdefault("visitor", visitor)
    context.setdefault("csrf_token", visitor.session.csrf_token if visitor else "")
    context.setdefault("workspace", request.app.state.workspace)
    return templates.TemplateResponse(request, template, context, status_code=status_code)


def is_fragment(request: Request) -> bool:
    """True for an htmx request, answered with a fragment rather than a whole page."""
    return request.headers.get("hx-request") == "true"

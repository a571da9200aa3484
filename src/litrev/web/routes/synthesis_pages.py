"""Synthesis in the browser: the evidence-and-gap map and the framework match.

`GET /r/{key}/map?rows=&cols=&colour=` chooses any two coded fields (and a colour field) and
shows the map `litrev map` writes (`litrev.synthesis.maps.gapmap_html`), served by
`GET /r/{key}/map/frame` into a sandboxed frame: that page carries its own inline script, which
the frame's Content-Security-Policy allows by its SHA-256 hash alone, and the sandbox gives it
no access to the workspace's cookies or pages. `GET /r/{key}/match` lets anyone of the
review (viewers too: nothing is written, hence a GET form) describe an initiative and get the catalogue's models
from `litrev.frameworks.match`, with the reason for each. No review logic here.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from functools import cache
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response

from litrev.errors import LitrevError
from litrev.web.render import page
from litrev.web.security import Member, viewer

router = APIRouter()

_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)
_ANY_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.DOTALL | re.IGNORECASE)
_HANDLER = re.compile(r'\son[a-z]+="([^"]*)"')
NONE = "'none'"


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def frame_csp(html: str) -> str:
    """The map frame's policy: its inline styles, and only the inline scripts and event
    handlers it holds now (by hash; `'unsafe-hashes'` admits exactly those handlers); no
    network, no forms, framed only by the workspace itself. Handlers are read outside the
    script blocks only: the data block's text is JSON, where every quote is escaped.

    >>> frame_csp("<script>go()</script>").split("script-src ")[1].split(";")[0]
    "'sha256-5KYv+PUboo5h+0+YAtGRPbwv5d/QxzHslP4YGnUaxRw='"
    >>> "'unsafe-hashes'" in frame_csp('<form onsubmit="return false"></form>')
    True
    """
    sources = [_sha256(body) for body in _INLINE_SCRIPT.findall(html)]
    markup = _ANY_SCRIPT.sub("", html)
    handlers = sorted(set(_HANDLER.findall(markup)))
    if handlers:
        sources += ["'unsafe-hashes'", *(_sha256(code) for code in handlers)]
    return (
        f"default-src 'none'; style-src 'unsafe-inline'; script-src {' '.join(sources) or NONE}; "
        "img-src data:; frame-ancestors 'self'; base-uri 'none'; form-action 'none'"
    )


@dataclass(frozen=True)
class MapChoice:
    """The fields a map is drawn by, as chosen on the page (defaults: the first two fields)."""

    rows: str
    cols: str
    colour: str

    def query(self) -> str:
        pairs = [("rows", self.rows), ("cols", self.cols)]
        if self.colour:
            pairs.append(("colour", self.colour))
        return urlencode(pairs)


def _fields(member: Member) -> list[tuple[str, str]]:
    """(name, label) of every codebook field a map can be drawn by, in codebook order."""
    return [(f.name, f.label or f.name) for f in member.review.project.protocol.codebook.fields]


def _choice(member: Member, rows: str, cols: str, colour: str) -> MapChoice:
    names = [n for n, _ in _fields(member)]
    rows = rows.strip() or (names[0] if names else "")
    cols = cols.strip() or next((n for n in names if n != rows), "")
    return MapChoice(rows, cols, colour.strip())


@router.get("/r/{key}/map")
def gap_map(
    request: Request,
    member: Annotated[Member, Depends(viewer)],
    rows: str = "",
    cols: str = "",
    colour: str = "",
) -> Response:
    """The map page: field choosers, the map in a frame, a link to download it."""
    from litrev.synthesis.maps.gapmap import project_gapmap

    fields = _fields(member)
    choice = _choice(member, rows, cols, colour)
    error = None
    gapmap = None
    if len(fields) < 2:
        error = (
            "the codebook has fewer than two fields: a map needs two coded fields "
            "([[codebook.fields]] in litrev.toml)"
        )
    else:
        try:
            gapmap, _ = project_gapmap(
                member.review.project,
                rows=choice.rows,
                cols=choice.cols,
                colour=choice.colour or None,
            )
        except LitrevError as refused:
            error = str(refused)
    return page(
        request,
        "gapmap_page.html",
        status_code=200 if error is None or len(fields) < 2 else 400,
        review=member.review,
        member=member,
        fields=fields,
        choice=choice,
        error=error,
        gapmap=gapmap,
        frame_url=f"/r/{member.review.key}/map/frame?{choice.query()}",
    )


@router.get("/r/{key}/map/frame")
def gap_map_frame(
    member: Annotated[Member, Depends(viewer)],
    rows: str = "",
    cols: str = "",
    colour: str = "",
    download: bool = False,
) -> Response:
    """The self-contained map page (`litrev map`'s gapmap.html), framed by the map page or
    downloaded (`download=1`) to open offline."""
    from litrev.synthesis.maps.gapmap_html import FILE_NAME, render

    choice = _choice(member, rows, cols, colour)
    try:
        html = render(
            member.review.project, rows=choice.rows, cols=choice.cols, colour=choice.colour or None
        )
    except LitrevError as refused:
        raise HTTPException(400, str(refused)) from None
    headers = {"Content-Security-Policy": frame_csp(html)}
    if download:
        headers["Content-Disposition"] = f'attachment; filename="{FILE_NAME}"'
    return Response(html, media_type="text/html; charset=utf-8", headers=headers)


# ----- match -----


@cache
def _frameworks() -> tuple[Any, ...]:
    from litrev.frameworks.catalogue import load_frameworks

    return load_frameworks()


def _answers(form: Any) -> dict[str, dict[str, list[str]]]:
    """{framework: {dimension: [values]}} from the form's `FRAMEWORK.DIMENSION` fields, as
    `litrev.frameworks.answers.parse_answers` reads tables named after frameworks."""
    answers: dict[str, dict[str, list[str]]] = {}
    for fw in _frameworks():
        for dimension in fw.dimensions:
            chosen = [
                v.strip()
                for v in form.getlist(f"{fw.name}.{dimension.name}")
                if isinstance(v, str) and v.strip()
            ]
            if chosen:
                answers.setdefault(fw.name, {})[dimension.name] = chosen
    return answers


def _match_page(
    request: Request,
    member: Member,
    *,
    given: dict[str, Any],
    matches: list[Any] | None = None,
    error: str | None = None,
    status_code: int = 200,
) -> Response:
    return page(
        request,
        "match.html",
        status_code=status_code,
        review=member.review,
        member=member,
        frameworks=_frameworks(),
        given=given,
        matches=matches,
        error=error,
    )


@router.get("/r/{key}/match")
def match_page(request: Request, member: Annotated[Member, Depends(viewer)]) -> Response:
    """The form (a description, a framework or any, its dimensions, a country) and, once
    submitted, the ranked models. A GET: nothing is written, so viewers may use it and the
    answer can be bookmarked; a plain `def`, so the TF-IDF work runs in the thread pool."""
    from litrev.frameworks.match import match

    params = request.query_params

    def text(name: str, limit: int) -> str:
        return (params.get(name) or "").strip()[:limit]

    description = text("description", 10_000)
    framework = text("framework", 100)
    country = text("country", 100)
    try:
        top = max(1, min(20, int(text("top", 4) or "5")))
    except ValueError:
        top = 5
    answers = _answers(params)
    given = {
        "description": description,
        "framework": framework,
        "country": country,
        "top": top,
        "answers": answers,
    }
    if "description" not in params and not answers:  # the empty form, nothing asked yet
        return _match_page(request, member, given=given)
    known = {fw.name for fw in _frameworks()}
    if framework and framework not in known:
        return _match_page(
            request,
            member,
            given=given,
            error=f"framework {framework!r}: not a built-in framework ({', '.join(sorted(known))})",
            status_code=422,
        )
    try:
        found = match(
            description,
            answers=answers or None,
            framework=framework or None,
            country=country or None,
            top=top,
        )
    except LitrevError as refused:
        return _match_page(request, member, given=given, error=str(refused), status_code=422)
    return _match_page(request, member, given=given, matches=found)

"""The review's outputs in the browser: the report `litrev report` writes, the included studies
as a filterable catalogue, exports of any filtered set, and the optional public catalogue link.

The report is built by `litrev.synthesis.report.cache` (once per state of the store) and the
catalogue by `litrev.synthesis.maps.catalogue`; these handlers only render and serve.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from litrev.web.render import page
from litrev.web.security import Member, current_visitor, lead, viewer, workspace_of
from litrev.web.workspace import Review

router = APIRouter()

# The report is litrev's own HTML with inline styles and inline SVG charts: styles may be
# inline, scripts may not run at all.
REPORT_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data: 'self'; "
    "frame-ancestors 'self'; base-uri 'none'; form-action 'none'"
)
REPORT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".md": "text/markdown; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
}
REPORT_FILE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,120}\.(html|md|json|svg|png)$")
EXPORTS = {
    "ris": ("application/x-research-info-systems", "ris"),
    "csv": ("text/csv; charset=utf-8", "csv"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
}
CACHE_DIR = ".litrev-web"


def report_cache(review: Review) -> Path:
    """The folder the review's report is built in for the workspace."""
    return review.project.root / CACHE_DIR / "report"


@dataclass(frozen=True)
class ReportLink:
    """A file of the report on the report page; `png_url` is the 300-dpi PNG written beside an
    SVG chart (for a journal), when there is one."""

    name: str
    url: str
    png_name: str | None = None
    png_url: str | None = None


def report_links(key: str, folder: Path) -> list[ReportLink]:
    """The report's files to list for review `key`: the reports, the PRISMA diagram, then each
    chart's SVG with its PNG beside it. Names are quoted in the URLs (the page escapes the text).

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> for name in ("chart-year.svg", "chart-year.png", "chart-kind.svg"):
    ...     _ = (folder / name).write_text("x")
    >>> [(link.name, link.png_url) for link in report_links("r1", folder)][4:]
    [('chart-kind.svg', None), ('chart-year.svg', '/r/r1/report/files/chart-year.png')]
    """
    base = f"/r/{quote(key, safe='')}/report/files/"
    names = ["report.html", "report.md", "results.json", "prisma.svg"]
    links = [ReportLink(name, base + quote(name, safe="")) for name in names]
    for svg in sorted(folder.glob("chart-*.svg")):
        png = svg.with_suffix(".png")
        png_name = png.name if png.is_file() else None
        png_url = base + quote(png.name, safe="") if png_name else None
        links.append(ReportLink(svg.name, base + quote(svg.name, safe=""), png_name, png_url))
    return links


@router.get("/r/{key}/report")
def report(request: Request, member: Annotated[Member, Depends(viewer)]) -> Response:
    # A plain `def`: a build runs in the thread pool, not on the event loop.
    from litrev.synthesis.report.cache import cached_report

    built = cached_report(member.review.project, report_cache(member.review))
    return page(
        request,
        "report.html",
        member=member,
        review=member.review,
        built=built,
        links=report_links(member.review.key, built.folder),
    )


@router.post("/r/{key}/report/rebuild")
def rebuild_report(member: Annotated[Member, Depends(lead)]) -> Response:
    from litrev.synthesis.report.cache import cached_report

    cached_report(member.review.project, report_cache(member.review), rebuild=True)
    return RedirectResponse(f"/r/{member.review.key}/report", status_code=303)


@router.get("/r/{key}/report/files/{name}")
def report_file(name: str, member: Annotated[Member, Depends(viewer)]) -> Response:
    from litrev.synthesis.report.cache import report_file as read

    if not REPORT_FILE.match(name):
        raise HTTPException(404, f"{name}: not a file of the report")
    try:
        data, _built = read(member.review.project, report_cache(member.review), name)
    except FileNotFoundError:
        raise HTTPException(404, f"{name}: not a file of the report") from None
    suffix = Path(name).suffix
    disposition = "inline" if suffix in (".html", ".svg") else "attachment"
    return Response(
        data,
        media_type=REPORT_TYPES[suffix],
        headers={
            "Content-Security-Policy": REPORT_CSP,
            "Content-Disposition": f'{disposition}; filename="{name}"',
        },
    )


# ----- the catalogue -----


def _public_review(request: Request, key: str) -> Review:
    workspace = workspace_of(request)
    review = workspace.review(key)
    if review is None or key not in workspace.public:
        raise HTTPException(404, "no such public catalogue")
    return review


def _catalogue_page(
    request: Request, review: Review, member: Member | None, *, public: bool
) -> Response:
    from litrev.synthesis.maps.catalogue import build_catalogue

    catalogue = build_catalogue(review.project)
    filters = catalogue.parse_filters(request.query_params.multi_items())
    studies = catalogue.select(filters)
    base = f"/p/{review.key}/catalogue" if public else f"/r/{review.key}/catalogue"
    query = filters.query_pairs()

    def link(pairs: list[tuple[str, str]]) -> str:
        return f"{base}?{urlencode(pairs)}" if pairs else base

    chips = [
        (catalogue.field(name), value, link(filters.without(name, value).query_pairs()))
        for name, chosen in filters.values.items()
        for value in chosen
    ]
    exports = [
        (fmt.upper(), f"{base}/export?{urlencode([*query, ('format', fmt)])}") for fmt in EXPORTS
    ]
    return page(
        request,
        "catalogue.html",
        member=member,
        review=None if public else review,
        shown_review=review,
        public=public,
        catalogue=catalogue,
        filters=filters,
        facets=catalogue.facets(filters),
        studies=studies,
        chips=chips,
        exports=exports,
        base=base,
        clear=link([("sort", filters.sort)] if filters.sort != "year" else []),
        doi_url=lambda doi: "https://doi.org/" + quote(doi.strip(), safe="/:;()._-"),
    )


def _export(request: Request, review: Review, actor: str) -> Response:
    from litrev.records.export import export_records
    from litrev.synthesis.maps.catalogue import build_catalogue

    fmt = request.query_params.get("format", "")
    if fmt not in EXPORTS:
        raise HTTPException(400, f"format {fmt!r}: expected one of {', '.join(EXPORTS)}")
    catalogue = build_catalogue(review.project)
    filters = catalogue.parse_filters(request.query_params.multi_items())
    studies = catalogue.select(filters)
    media_type, suffix = EXPORTS[fmt]
    with tempfile.TemporaryDirectory(prefix="litrev-export-") as folder:
        path = Path(folder) / f"catalogue.{suffix}"
        export_records(
            review.store,
            path,
            fmt,
            record_ids=[s.record_id for s in studies],
            actor=actor,
            screening=review.screening,
            stages=review.project.protocol.screening.stages,
            extra_columns=catalogue.export_columns(studies) if fmt != "ris" else None,
        )
        data = path.read_bytes()
    # Only letters, digits, '-', '_' and '.' in the name: nothing to break the header.
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "-", review.key).strip("-.") or "review"
    return Response(
        data,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{stem}-catalogue.{suffix}"'},
    )


@router.get("/r/{key}/catalogue")
def catalogue(request: Request, member: Annotated[Member, Depends(viewer)]) -> Response:
    return _catalogue_page(request, member.review, member, public=False)


@router.get("/r/{key}/catalogue/export")
def catalogue_export(request: Request, member: Annotated[Member, Depends(viewer)]) -> Response:
    return _export(request, member.review, member.username)


# Deliberately public: the read-only catalogue a team chose to publish (`litrev serve
# --public KEY`). It shows the included studies and their coded values only: no decisions,
# notes, members or other pages; any other key answers 404.
@router.get("/p/{key}/catalogue")
def public_catalogue(request: Request, key: str) -> Response:
    return _catalogue_page(request, _public_review(request, key), None, public=True)


@router.get("/p/{key}/catalogue/export")
def public_catalogue_export(request: Request, key: str) -> Response:
    review = _public_review(request, key)
    visitor = current_visitor(request)
    return _export(request, review, visitor.username if visitor else "public-link")

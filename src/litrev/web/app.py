"""The FastAPI application of the team workspace."""

from __future__ import annotations

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from litrev import __version__
from litrev.errors import LitrevError
from litrev.web.render import STATIC, page
from litrev.web.security import LoginRequired, SecurityHeaders
from litrev.web.workspace import Workspace


def create_app(workspace: Workspace) -> FastAPI:
    """The workspace's web application (pages, fragments and the JSON API under /api/).

    >>> import tempfile
    >>> from litrev.project import Project
    >>> root = tempfile.mkdtemp()
    >>> _ = Project.init(root + "/a")
    >>> app = create_app(Workspace.open([root + "/a"]))
    >>> app.title
    'litrev workspace'
    """
    from litrev.web.routes import ROUTERS

    app = FastAPI(
        title="litrev workspace",
        version=__version__,
        description="The team workspace of litrev: screening, conflicts, progress and outputs "
        "of evidence reviews. Every operation of the pages is also here, under /api/, for a "
        "signed-in session or a per-user API token (`Authorization: Bearer lrv_...`).",
        docs_url=None,  # Swagger UI would load scripts from a CDN; the schema is at /openapi.json
        redoc_url=None,
    )
    app.state.workspace = workspace
    app.add_middleware(SecurityHeaders)
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    for router in ROUTERS:
        app.include_router(router)
    _add_error_pages(app)
    return app


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _add_error_pages(app: FastAPI) -> None:
    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, error: LoginRequired) -> Response:
        if request.headers.get("hx-request") == "true":
            # htmx follows this header with a full page load of the login page.
            return Response(status_code=401, headers={"HX-Redirect": "/login"})
        return RedirectResponse(f"/login?next={error.next_url}", status_code=303)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, error: HTTPException) -> Response:
        if _wants_json(request):
            return JSONResponse(
                {"detail": error.detail}, status_code=error.status_code, headers=error.headers
            )
        return page(
            request,
            "error.html",
            status_code=error.status_code,
            status=error.status_code,
            message=str(error.detail),
        )

    @app.exception_handler(LitrevError)
    async def refused(request: Request, error: LitrevError) -> Response:
        # Bad input a person typed or uploaded: said plainly, nothing written.
        if _wants_json(request):
            return JSONResponse({"detail": str(error)}, status_code=400)
        return page(request, "error.html", status_code=400, status=400, message=str(error))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError) -> Response:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg', '')}"
            for e in error.errors()
        )
        if _wants_json(request):
            return JSONResponse({"detail": problems}, status_code=422)
        return page(request, "error.html", status_code=422, status=422, message=problems)

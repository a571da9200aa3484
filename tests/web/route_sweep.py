"""What the security tests share: every route of the app, filled with real ids, and a small PDF.

The routes are read from `app.routes`, so a route added by any helper is covered by the
security sweeps without anyone listing it. A path parameter nobody has seen before fails the
sweep with its name, so that the sweep is taught a real value rather than skipping the route.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from fastapi.routing import APIRoute

# The declared exceptions to "signed-in only": the sign-in page itself, joining by invitation,
# the static files, the OpenAPI schema (it says what exists, never what is stored), and the
# read-only public catalogue (served only for keys the team chose to publish).
PUBLIC_PREFIXES = ("/login", "/invite/", "/static", "/openapi.json", "/p/")
SAFE = frozenset({"GET", "HEAD", "OPTIONS"})
# Parameter names that would let a caller say who acts: no non-lead route may take one.
ACTOR_NAMES = frozenset(
    {"reviewer", "reviewers", "username", "user", "actor", "by", "author", "who", "as_user"}
)


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # the template, e.g. /r/{key}/records/{rid}
    dependant: Any  # FastAPI's Dependant: the route's parameters and dependencies

    @property
    def public(self) -> bool:
        return self.path.startswith(PUBLIC_PREFIXES)

    @property
    def api(self) -> bool:
        return self.path.startswith("/api/")

    @property
    def in_review(self) -> bool:
        return "{key}" in self.path

    @property
    def writes(self) -> bool:
        return self.method not in SAFE

    def _all(self) -> list[Any]:
        """The route's dependant and every sub-dependant, depth first."""
        found, todo = [], [self.dependant]
        while todo:
            dependant = todo.pop()
            found.append(dependant)
            todo.extend(dependant.dependencies)
        return found

    def dependency_calls(self) -> set[Any]:
        return {d.call for d in self._all()}

    def needs_lead(self) -> bool:
        from litrev.web import security

        return bool({security.lead, security.api_lead} & self.dependency_calls())

    def request_fields(self) -> set[str]:
        """The names of every query, form and JSON body field the route reads."""
        from pydantic import BaseModel

        names: set[str] = set()
        for dependant in self._all():
            names |= {p.alias for p in dependant.query_params}
            names |= {p.alias for p in dependant.header_params}
        for field in (f for d in self._all() for f in d.body_params):
            names.add(field.alias)
            annotation = getattr(field.field_info, "annotation", None)
            if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                names |= set(annotation.model_fields)
                names |= {f.alias for f in annotation.model_fields.values() if f.alias}
        return names

    def query_names(self) -> set[str]:
        return {p.alias for d in self._all() for p in d.query_params}


def _api_routes(app: Any) -> Iterator[tuple[APIRoute, Any]]:
    """The app's API routes with their include context (FastAPI >= 0.16x keeps included
    routers lazily; the context holds the effective path, methods and dependant)."""
    try:
        from fastapi.routing import _iter_routes_with_context
    except ImportError:  # older FastAPI: included routes are copied into app.routes
        for route in app.routes:
            if isinstance(route, APIRoute):
                yield route, None
        return
    for route, context in _iter_routes_with_context(app.routes):
        if isinstance(route, APIRoute):
            yield route, context


def routes(app: Any) -> list[Route]:
    """Every (method, path) the app answers, HEAD aside."""
    found = []
    for route, context in _api_routes(app):
        path = getattr(context, "path", "") or route.path
        methods = getattr(context, "methods", None) or route.methods
        dependant = getattr(context, "dependant", None) or route.dependant
        for method in sorted(set(methods) - {"HEAD"}):
            found.append(Route(method, path, dependant))
    assert found, "the app has no routes"
    return found


PARAM = re.compile(r"{([^}:]+)(?::[^}]*)?}")


def fill(path: str, values: dict[str, str]) -> str:
    """`path` with each {param} replaced by its value; an unknown param fails, naming it."""

    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        assert name in values, (
            f"route {path}: path parameter {{{name}}} is new to the security sweep; add a real "
            "value for it in tests/web/route_sweep.py seed()"
        )
        return values[name]

    return PARAM.sub(one, path)


def seed(web_review: Any, *, record_id: int = 1) -> dict[str, str]:
    """Real values for every path parameter the workspace's routes use: a note and a tag by
    rui, a PDF attached to `record_id`, an invitation and an API token."""
    from litrev.screening import fulltext, notes

    review = web_review.workspace.reviews[web_review.key]
    store = review.store
    note = notes.add_note(store, record_id, "title_abstract", "rui", "a note by rui")
    notes.add_tag(store, record_id, "title_abstract", "rui", "rui-tag")
    attached = fulltext.attach(
        review.screening, record_id, "study.pdf", pdf_bytes("doi:10.5555/telehf.0001"), by="lena"
    )
    accounts = web_review.workspace.accounts
    invite = accounts.invite(web_review.key, "reviewer", actor="lena")
    accounts.create_token("rui", "sweep")
    token_id = accounts.tokens("rui")[0][0]
    values = {
        "key": web_review.key,
        "stage": "title_abstract",
        "token": invite,
        "tag": "rui-tag",
        "format": "csv",
        "token_id": str(token_id),
        "tid": str(token_id),
        "name": "report.html",  # a file of the built report
    }
    for name in ("rid", "record_id"):
        values[name] = str(record_id)
    for name in ("fid", "fulltext_id", "file_id"):
        values[name] = str(attached.id)
    for name in ("nid", "note_id"):
        values[name] = str(note.id)
    return values


def query_variants(route: Route) -> Iterator[dict[str, str]]:
    """The query strings worth fetching a GET route with: each stage, each export format."""
    names = route.query_names()
    stages = ["title_abstract", "full_text"] if "stage" in names else [None]
    # exports may read `format` from the query string without declaring it
    exports = "format" in names or route.path.endswith("/export")
    formats = ["ris", "csv", "xlsx"] if exports and "{format}" not in route.path else [None]
    for stage in stages:
        for fmt in formats:
            query = {}
            if stage:
                query["stage"] = stage
            if fmt:
                query["format"] = fmt
            yield query


def audit_count(web_review: Any) -> int:
    """Rows in the audit log of the review's store (every write adds one)."""
    from sqlalchemy import func, select

    from litrev.store import schema

    store = web_review.workspace.reviews[web_review.key].store
    with store.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(schema.audit_log)).scalar_one())


def pdf_bytes(text: str) -> bytes:
    """A small valid one-page PDF whose page shows `text` (pypdf extracts it)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def shared_review(request: Any, tmp_path_factory: Any, **options: Any) -> Iterator[Any]:
    """Body of a module-scoped `web_review` for sweeps that write nothing (or only what they
    check themselves): one review per backend for the whole module, with `.values` from
    `seed`, instead of one per test (each costs the team's argon2 hashing and an import)."""
    import os
    import uuid

    import pytest
    from sqlalchemy import create_engine, text

    from .conftest import make_review

    url = None
    admin = None
    if request.param == "postgres":
        server = os.environ.get("LITREV_TEST_POSTGRES_URL")
        if not server:
            if os.environ.get("CI"):
                pytest.fail("CI must provide LITREV_TEST_POSTGRES_URL (see .ci/run)")
            pytest.skip("no PostgreSQL server: set LITREV_TEST_POSTGRES_URL")
        name = f"t_{uuid.uuid4().hex[:12]}"
        admin = create_engine(server)
        with admin.begin() as conn:
            conn.execute(text(f"CREATE SCHEMA {name}"))
        url = f"{server}?options=-csearch_path%3D{name}"
    made = make_review(tmp_path_factory.mktemp("review") / "review", url or "sqlite", **options)
    try:
        yield made
    finally:
        made.workspace.close()
        if admin is not None:
            with admin.begin() as conn:
                conn.execute(text(f"DROP SCHEMA {name} CASCADE"))
            admin.dispose()

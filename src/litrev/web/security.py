"""Who is asking, and may they: sessions, CSRF, roles and the security headers of every response.

Every route states what it needs through one of the dependencies here (`signed_in`, `member`,
`api_user`), so authorisation is checked by the route itself, never by hiding a link.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from fastapi import HTTPException, Request, Response
from starlette.concurrency import run_in_threadpool
from starlette.middleware.base import BaseHTTPMiddleware

from litrev.accounts import Accounts, User, WebSession
from litrev.web.workspace import Review, Workspace

SESSION_COOKIE = "litrev_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

# Scripts and styles only from the app's own static files; nothing inline, nothing remote.
# PDFs are shown in a same-origin frame, hence frame-src/object-src 'self'.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; frame-src 'self'; object-src 'self'; "
    "form-action 'self'; frame-ancestors 'self'; base-uri 'none'"
)


class LoginRequired(Exception):
    """Raised by page dependencies when nobody is signed in: answered with the login page."""

    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next_url = next_url


@dataclass(frozen=True)
class Visitor:
    """The signed-in person and their browser session."""

    user: User
    session: WebSession
    token: str

    @property
    def username(self) -> str:
        return self.user.username


@dataclass(frozen=True)
class Member:
    """A signed-in person acting in one review, with their role in it."""

    visitor: Visitor | None  # None for API-token callers (no browser session)
    user: User
    role: str
    review: Review

    @property
    def username(self) -> str:
        return self.user.username

    @property
    def is_lead(self) -> bool:
        return self.role == "lead"

    @property
    def csrf_token(self) -> str:
        return self.visitor.session.csrf_token if self.visitor else ""


def workspace_of(request: Request) -> Workspace:
    workspace: Workspace = request.app.state.workspace
    return workspace


def accounts_of(request: Request) -> Accounts:
    return workspace_of(request).accounts


def current_visitor(request: Request) -> Visitor | None:
    """The visitor of this request's session cookie, or None (no, unknown or expired session)."""
    if hasattr(request.state, "visitor"):
        cached: Visitor | None = request.state.visitor
        return cached
    token = request.cookies.get(SESSION_COOKIE)
    visitor = None
    if token:
        accounts = accounts_of(request)
        session = accounts.session(token)
        user = accounts.user(session.username) if session else None
        if session and user and not user.disabled:
            visitor = Visitor(user, session, token)
    request.state.visitor = visitor
    return visitor


async def check_csrf(request: Request, visitor: Visitor) -> None:
    """Refuse a state-changing request that does not carry this session's CSRF token
    (in the `X-CSRF-Token` header, as htmx sends it, or in a form field)."""
    if request.method in SAFE_METHODS:
        return
    sent = request.headers.get(CSRF_HEADER)
    if not sent:
        content_type = request.headers.get("content-type", "")
        if "form" in content_type:
            form = await request.form()
            value = form.get(CSRF_FIELD)
            sent = value if isinstance(value, str) else None
    if not sent or not hmac.compare_digest(sent, visitor.session.csrf_token):
        raise HTTPException(403, "missing or wrong CSRF token: reload the page and try again")


async def signed_in(request: Request) -> Visitor:
    """Dependency of every page: the signed-in visitor (CSRF-checked), else the login page."""
    # Store reads run in the thread pool: on the event loop they would stall every request.
    visitor = await run_in_threadpool(current_visitor, request)
    if visitor is None:
        raise LoginRequired(str(request.url.path))
    await check_csrf(request, visitor)
    return visitor


async def _member_of(
    workspace: Workspace, key: str, visitor: Visitor | None, user: User, needed: str
) -> Member:
    """The role check shared by page and API dependencies: 404 for a review `user` is not a
    member of (as if it did not exist), 403 below `needed`."""
    review = workspace.review(key)
    role = (
        await run_in_threadpool(workspace.accounts.role_of, key, user.username) if review else None
    )
    if review is None or role is None:
        raise HTTPException(404, "no such review")
    if not Accounts.at_least(role, needed):
        raise HTTPException(403, f"this needs the {needed} role in {key}; you are {role}")
    return Member(visitor, user, role, review)


def role_needed(needed: str) -> Callable[[Request, str], Awaitable[Member]]:
    """Dependency factory: the visitor as a member of review `key` with at least `needed`.

    A review the visitor is not a member of answers 404, as if it did not exist; a member
    without the role gets 403."""

    async def dependency(request: Request, key: str) -> Member:
        visitor = await signed_in(request)
        return await _member_of(workspace_of(request), key, visitor, visitor.user, needed)

    return dependency


viewer = role_needed("viewer")
reviewer = role_needed("reviewer")
lead = role_needed("lead")


def api_role_needed(needed: str) -> Callable[[Request, str], Awaitable[Member]]:
    """The JSON API's form of `role_needed`: a `Bearer` API token, or a browser session
    (CSRF-checked); 401 JSON when neither."""

    async def dependency(request: Request, key: str) -> Member:
        workspace = workspace_of(request)
        header = request.headers.get("authorization", "")
        visitor: Visitor | None = None
        if header.lower().startswith("bearer "):
            user = await run_in_threadpool(workspace.accounts.token_user, header[7:].strip())
        else:
            visitor = await run_in_threadpool(current_visitor, request)
            user = visitor.user if visitor else None
            if visitor is not None:
                await check_csrf(request, visitor)
        if user is None:
            raise HTTPException(401, "sign in or send an API token (Authorization: Bearer ...)")
        return await _member_of(workspace, key, visitor, user, needed)

    return dependency


api_viewer = api_role_needed("viewer")
api_reviewer = api_role_needed("reviewer")
api_lead = api_role_needed("lead")


def set_session_cookie(request: Request, response: Response, token: str, max_age: int) -> None:
    workspace = workspace_of(request)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=workspace.secure_cookies or request.url.scheme == "https",
        path="/",
    )


class SecurityHeaders(BaseHTTPMiddleware):
    """Adds the Content-Security-Policy and the other hardening headers to every response."""

    async def dispatch(self, request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
        response.headers.setdefault("Cache-Control", "no-store")
        return response

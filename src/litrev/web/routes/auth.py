"""Signing in and out, and joining a review by invitation."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from litrev.accounts import AccountError, LoginThrottled
from litrev.web.render import page
from litrev.web.security import (
    SESSION_COOKIE,
    Visitor,
    accounts_of,
    current_visitor,
    set_session_cookie,
    signed_in,
)

router = APIRouter()


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never redirect a login to another host."""
    # Browsers read a backslash like a slash ("/\\host" is "//host"), and drop tabs and
    # newlines: a target holding either is refused.
    if not target or not target.startswith("/") or target.startswith("//"):
        return "/"
    if "\\" in target or any(ord(c) < 32 for c in target):
        return "/"
    parts = urlsplit(target)
    return parts.path + (f"?{parts.query}" if parts.query else "") if not parts.netloc else "/"


def _same_origin(request: Request) -> bool:
    # The login form has no session yet, so no CSRF token: check the browser's Origin instead.
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return origin is None
    return urlsplit(origin).netloc == request.headers.get("host")


# Deliberately public, as the way in (the sign-in POST checks the Origin: it has no session
# and so no CSRF token yet).
@router.get("/login")
def login_form(request: Request, next: str = "/") -> Response:
    if current_visitor(request):
        return RedirectResponse(_safe_next(next), status_code=303)
    return page(request, "login.html", next=_safe_next(next), error=None)


@router.post("/login")
def login(
    request: Request,
    username: Annotated[str, Form(max_length=128)],
    password: Annotated[str, Form(max_length=1024)],
    next: Annotated[str, Form(max_length=2048)] = "/",
) -> Response:
    if not _same_origin(request):
        raise HTTPException(403, "cross-site sign-in refused")
    accounts = accounts_of(request)
    remote = request.client.host if request.client else "-"
    try:
        user = accounts.verify(username, password, remote=remote)
    except LoginThrottled as error:
        return page(
            request,
            "login.html",
            status_code=429,
            next=_safe_next(next),
            error=f"Too many failed sign-ins. Try again in {int(error.retry_after) + 1} s.",
        )
    if user is None:
        return page(
            request,
            "login.html",
            status_code=401,
            next=_safe_next(next),
            error="Wrong user name or password.",
        )
    token, _session = accounts.start_session(user.username)
    response = RedirectResponse(_safe_next(next), status_code=303)
    set_session_cookie(request, response, token, int(accounts.session_hours * 3600))
    return response


@router.post("/logout")
def logout(request: Request, visitor: Annotated[Visitor, Depends(signed_in)]) -> Response:
    accounts_of(request).end_session(visitor.token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


# Deliberately public: the person invited has no account yet. The page names the review and
# the role offered, nothing of its content.
@router.get("/invite/{token}")
def invitation(request: Request, token: str) -> Response:
    accounts = accounts_of(request)
    invite = accounts.invitation(token)
    expired = invite is not None and invite.expires_at <= accounts.now()
    if invite is None:
        status = 404
    elif invite.used_by or expired:
        status = 410  # Gone: the link worked once, or its time is up
    else:
        status = 200
    return page(
        request,
        "invite.html",
        invite=invite,
        expired=expired,
        token=token,
        error=None,
        status_code=status,
    )


@router.post("/invite/{token}")
def accept(
    request: Request,
    token: str,
    username: Annotated[str, Form(max_length=128)],
    password: Annotated[str, Form(max_length=1024)],
    display_name: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    if not _same_origin(request):
        raise HTTPException(403, "cross-site request refused")
    accounts = accounts_of(request)
    invite = accounts.invitation(token)
    try:
        user = accounts.accept_invite(
            token, username=username, password=password, display_name=display_name or None
        )
    except AccountError as error:
        expired = invite is not None and invite.expires_at <= accounts.now()
        return page(
            request,
            "invite.html",
            status_code=400,
            invite=invite,
            expired=expired,
            token=token,
            error=str(error),
        )
    if invite is not None:
        review = request.app.state.workspace.review(invite.project)
        if review is not None and invite.role in ("lead", "reviewer"):
            review.screening.add_reviewer(user.username)
    session_token, _session = accounts.start_session(user.username)
    target = f"/r/{invite.project}/" if invite else "/"
    response = RedirectResponse(target, status_code=303)
    set_session_cookie(request, response, session_token, int(accounts.session_hours * 3600))
    return response

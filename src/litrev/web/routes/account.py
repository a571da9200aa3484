"""A signed-in person's own API tokens: list, create (shown once), revoke."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import RedirectResponse, Response

from litrev.web.render import page
from litrev.web.security import Visitor, accounts_of, signed_in

router = APIRouter()


def _tokens_page(
    request: Request, visitor: Visitor, *, new: str | None = None, status_code: int = 200
) -> Response:
    tokens = accounts_of(request).tokens(visitor.username)
    return page(
        request,
        "account_tokens.html",
        status_code=status_code,
        tokens=tokens,
        new_token=new,
        api_base=str(request.base_url).rstrip("/") + "/api",
    )


@router.get("/account/tokens")
def tokens(request: Request, visitor: Annotated[Visitor, Depends(signed_in)]) -> Response:
    return _tokens_page(request, visitor)


@router.post("/account/tokens")
def create_token(
    request: Request,
    visitor: Annotated[Visitor, Depends(signed_in)],
    label: Annotated[str, Form(max_length=200)],
) -> Response:
    # The token is shown on this one response and never again (only its hash is kept).
    token = accounts_of(request).create_token(visitor.username, label)
    return _tokens_page(request, visitor, new=token, status_code=201)


@router.post("/account/tokens/{token_id}/revoke")
def revoke_token(
    request: Request,
    visitor: Annotated[Visitor, Depends(signed_in)],
    token_id: Annotated[int, Path(ge=1, le=2_147_483_647)],
) -> Response:
    accounts_of(request).revoke_token(visitor.username, token_id)
    return RedirectResponse("/account/tokens", status_code=303)

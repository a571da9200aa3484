"""The project list, a review's home page, and its members (invitations, roles)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from litrev.accounts import ROLES
from litrev.web.render import page
from litrev.web.security import Member, Visitor, lead, signed_in, viewer, workspace_of

router = APIRouter()


@router.get("/")
async def project_list(
    request: Request, visitor: Annotated[Visitor, Depends(signed_in)]
) -> Response:
    workspace = workspace_of(request)
    mine = dict(workspace.accounts.projects_of(visitor.username))
    rows = [(review, mine[key]) for key, review in workspace.reviews.items() if key in mine]
    return page(request, "projects.html", rows=rows)


@router.get("/r/{key}/")
async def review_home(request: Request, member: Annotated[Member, Depends(viewer)]) -> Response:
    screening = member.review.screening
    stages = [(stage, screening.status(stage)) for stage in ("title_abstract", "full_text")]
    return page(request, "review.html", member=member, review=member.review, stages=stages)


@router.get("/r/{key}/members")
async def members(request: Request, member: Annotated[Member, Depends(lead)]) -> Response:
    accounts = workspace_of(request).accounts
    return page(
        request,
        "members.html",
        member=member,
        review=member.review,
        members=accounts.members(member.review.key),
        roles=ROLES,
        link=None,
    )


@router.post("/r/{key}/members/invite")
async def invite(
    request: Request,
    member: Annotated[Member, Depends(lead)],
    role: Annotated[str, Form()],
    hours: Annotated[float, Form(gt=0, le=24 * 30)] = 72.0,
) -> Response:
    accounts = workspace_of(request).accounts
    token = accounts.invite(member.review.key, role, actor=member.username, hours=hours)
    link = str(request.base_url).rstrip("/") + f"/invite/{token}"
    return page(
        request,
        "members.html",
        member=member,
        review=member.review,
        members=accounts.members(member.review.key),
        roles=ROLES,
        link=link,
    )


@router.post("/r/{key}/members/role")
async def change_role(
    request: Request,
    member: Annotated[Member, Depends(lead)],
    username: Annotated[str, Form(max_length=128)],
    role: Annotated[str, Form()],
) -> Response:
    accounts = workspace_of(request).accounts
    key = member.review.key
    if accounts.role_of(key, username) is None:
        raise HTTPException(404, f"{username} is not a member of {key}")
    if role == "remove":
        if username == member.username:
            raise HTTPException(400, "a lead cannot remove themselves; ask another lead")
        accounts.revoke(key, username, actor=member.username)
    else:
        accounts.grant(key, username, role, actor=member.username)
        if role in ("lead", "reviewer"):
            member.review.screening.add_reviewer(username)
    return RedirectResponse(f"/r/{key}/members", status_code=303)

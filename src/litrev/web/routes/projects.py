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
def project_list(request: Request, visitor: Annotated[Visitor, Depends(signed_in)]) -> Response:
    workspace = workspace_of(request)
    mine = dict(workspace.accounts.projects_of(visitor.username))
    # Each card says where the review stands: title/abstract progress and open conflicts.
    rows = [
        (review, mine[key], review.screening.status("title_abstract"))
        for key, review in workspace.reviews.items()
        if key in mine
    ]
    return page(request, "projects.html", rows=rows)


@router.get("/r/{key}/")
def review_home(request: Request, member: Annotated[Member, Depends(viewer)]) -> Response:
    from litrev.screening.allocation import progress
    from litrev.screening.gates import gate

    screening = member.review.screening
    stages = []
    for stage in ("title_abstract", "full_text"):
        mine = next((p for p in progress(screening, stage) if p.reviewer == member.username), None)
        stages.append((stage, screening.status(stage), gate(screening, stage), mine))
    members = workspace_of(request).accounts.members(member.review.key)
    return page(
        request,
        "review.html",
        member=member,
        review=member.review,
        stages=stages,
        team=len(members),
        question=str(member.review.project.protocol.review.question or ""),
    )


@router.get("/r/{key}/members")
def members(request: Request, member: Annotated[Member, Depends(lead)]) -> Response:
    return _team_page(request, member, link=None)


def _team_page(request: Request, member: Member, *, link: str | None) -> Response:
    accounts = workspace_of(request).accounts
    rows = []
    for username, role in accounts.members(member.review.key):
        user = accounts.user(username)
        rows.append((username, role, user.display_name if user else None))
    return page(
        request,
        "members.html",
        member=member,
        review=member.review,
        members=rows,
        roles=ROLES,
        link=link,
    )


@router.post("/r/{key}/members/invite")
def invite(
    request: Request,
    member: Annotated[Member, Depends(lead)],
    role: Annotated[str, Form()],
    hours: Annotated[float, Form(gt=0, le=24 * 30)] = 72.0,
) -> Response:
    accounts = workspace_of(request).accounts
    token = accounts.invite(member.review.key, role, actor=member.username, hours=hours)
    link = str(request.base_url).rstrip("/") + f"/invite/{token}"
    return _team_page(request, member, link=link)


@router.post("/r/{key}/members/role")
def change_role(
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

"""Extraction in the browser: each extractor's records, the form generated from the codebook
(autosaved field by field), completion, and the lead's assignment of records to extractors.

`GET /r/{key}/extract` lists the member's records (the lead: every included record, and the
assign form); `GET /r/{key}/extract/{rid}` is the form; `POST .../save` saves one field (htmx,
`_key=FIELD:INSTANCE`) or the whole form (a plain post); `POST .../complete` saves and runs the
completeness check; `POST .../remove-row` deletes one row of a repeating group. Every rule
(inclusion, assignment, value checks, blinding) is the core's: `litrev.extraction.values`,
`.assign` and `.codebook`; a refusal is shown as the core words it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from litrev.web.render import is_fragment, page
from litrev.web.routes.extraction_view import (
    ValueKey,
    assignments_of,
    build_form,
    form_values,
    included_records,
    my_records,
    parse_key,
    states_of,
    titles_of,
)
from litrev.web.security import Member, lead, reviewer, viewer

router = APIRouter()

STATE_LABELS = {"complete": "Complete", "in_progress": "In progress", None: "Not started"}


@dataclass(frozen=True)
class ListRow:
    record_id: int
    title: str
    state: str | None  # the member's own state
    extractors: list[tuple[str, str | None]]  # (name, state) for the lead


@router.get("/r/{key}/extract")
def extract_list(request: Request, member: Annotated[Member, Depends(viewer)]) -> Response:
    """The member's records with their progress; the lead sees every included record, its
    extractors and the assign form; a viewer reads the progress only."""
    review = member.review
    everyone = member.is_lead or member.role == "viewer"
    ids = (
        included_records(review) if everyone else my_records(review, member.username, is_lead=False)
    )
    titles = titles_of(review, ids)
    states = states_of(review)
    assignments = assignments_of(review)
    rows = []
    for rid in ids:
        names = list(assignments.get(rid, []))
        names += sorted({who for (r, who) in states if r == rid and who not in names})
        rows.append(
            ListRow(
                rid,
                titles.get(rid, f"record {rid}"),
                states.get((rid, member.username)),
                [(who, states.get((rid, who))) for who in names],
            )
        )
    protocol = review.project.protocol
    extractors = list(protocol.extraction.extractors) or review.screening.reviewers()
    done = sum(1 for r in rows if r.state == "complete")
    return page(
        request,
        "extract_list.html",
        review=review,
        member=member,
        rows=rows,
        done=done,
        everyone=everyone,
        assigned=bool(assignments),
        extractors=extractors,
        per_record=1 if protocol.extraction.mode == "single" else 2,
        mode=protocol.extraction.mode,
        state_labels=STATE_LABELS,
        message=request.query_params.get("message", "")[:300],
        codebook_empty=not protocol.codebook.fields,
    )


@router.post("/r/{key}/extract/assign")
async def extract_assign(request: Request, member: Annotated[Member, Depends(lead)]) -> Response:
    """Assign the included records to the chosen extractors (the lead; keeps earlier ones)."""
    from litrev.extraction.assign import assign_extractors

    form = await request.form()
    chosen = [v for v in form.getlist("extractors") if isinstance(v, str) and v.strip()]
    raw = form.get("per_record")
    try:
        per_record = int(raw) if isinstance(raw, str) else 0
    except ValueError:
        per_record = 0
    review = member.review
    if per_record < 1:
        raise HTTPException(
            422, "per_record: expected a number of extractors per record, 1 or more"
        )

    def run() -> int:
        ids = included_records(review)
        assign_extractors(
            review.store, ids, chosen, per_record, by=member.username, screening=review.screening
        )
        return len(ids)

    count = await run_in_threadpool(run)
    message = f"{count} included records assigned to {', '.join(chosen)} ({per_record} each)"
    return RedirectResponse(
        f"/r/{review.key}/extract?{urlencode({'message': message})}", status_code=303
    )


# ----- the form -----


def _check_may_extract(member: Member, record_id: int) -> None:
    """403 unless the record is the member's to extract (the core's rule, read before any
    value is shown, so nothing is learnt about another's record)."""
    from litrev.extraction.values import ExtractionError, check_reviewer_may_extract

    review = member.review
    with review.store.connect() as conn:
        try:
            check_reviewer_may_extract(
                conn,
                review.store,
                record_id,
                member.username,
                is_lead=member.is_lead,
                screening=review.screening,
            )
        except ExtractionError as refused:
            raise HTTPException(403, str(refused)) from None


def _stored(member: Member, record_id: int) -> tuple[dict[ValueKey, str], dict[ValueKey, str]]:
    from litrev.extraction.values import read_values

    stored = read_values(member.review.store, record_id, member.username)
    values = {k: v.value for k, v in stored.items()}
    locations = {k: v.location or "" for k, v in stored.items() if v.location}
    return values, locations


def _next_record(
    member: Member, record_id: int, states: dict[tuple[int, str], str] | None = None
) -> int | None:
    """The member's next record after this one that they have not completed (wrapping);
    `states` is the member's `states_of`, when the caller has read it already."""
    ids = my_records(member.review, member.username, is_lead=member.is_lead)
    if states is None:
        states = states_of(member.review, member.username)
    todo = [r for r in ids if states.get((r, member.username)) != "complete" and r != record_id]
    later = [r for r in todo if r > record_id]
    found = later or todo
    return found[0] if found else None


def _form_page(
    request: Request,
    member: Member,
    record_id: int,
    *,
    values: dict[ValueKey, str],
    locations: dict[ValueKey, str],
    problems: dict[ValueKey, str] | None = None,
    extra_rows: dict[str, int] | None = None,
    status_code: int = 200,
    notice: str | None = None,
) -> Response:
    from litrev.extraction.countries import country_names

    review = member.review
    codebook = review.project.protocol.codebook
    form = build_form(codebook, values, locations, problems, extra_rows=extra_rows)
    titles = titles_of(review, [record_id])
    if record_id not in titles:
        raise HTTPException(404, f"record {record_id}: no such record in this review")
    uses_country = any(str(f.type) == "country" for f in codebook.fields)
    states = states_of(review, member.username)  # read once: the state and the next record
    return page(
        request,
        "extract_form.html",
        status_code=status_code,
        review=review,
        member=member,
        record_id=record_id,
        title=titles[record_id],
        form=form,
        problems=problems or {},
        state=states.get((record_id, member.username)),
        state_labels=STATE_LABELS,
        next_record=_next_record(member, record_id, states),
        countries=country_names() if uses_country else [],
        notice=notice,
    )


@router.get("/r/{key}/extract/{rid}")
def extract_form(
    request: Request, rid: int, member: Annotated[Member, Depends(reviewer)], add: str = ""
) -> Response:
    """The form of the member's own extraction of one record (never another's values)."""
    _check_may_extract(member, rid)
    values, locations = _stored(member, rid)
    codebook = member.review.project.protocol.codebook
    extra = {add: 1} if add and codebook.group(add) is not None else None
    return _form_page(request, member, rid, values=values, locations=locations, extra_rows=extra)


def _applies_map(member: Member, values: dict[ValueKey, str]) -> dict[str, bool]:
    """{"FIELD:INSTANCE": applies} for the conditional fields, from the record's stored
    `values` (the form shows and hides them by this after each save)."""
    from litrev.extraction.codebook import applies

    codebook = member.review.project.protocol.codebook
    instances: dict[str, set[int]] = {}
    for name, instance in values:
        instances.setdefault(name, set()).add(instance)
    out: dict[str, bool] = {}
    for target in codebook.fields:
        if target.when is None:
            continue
        if not target.group:
            rows = {0}
        else:
            rows = {i for f in codebook.fields_of(target.group) for i in instances.get(f.name, ())}
        for instance in sorted(rows):
            out[f"{target.name}:{instance}"] = applies(codebook, target, values, instance)
    return out


def _save(
    member: Member,
    record_id: int,
    values: dict[ValueKey, str],
    locations: dict[ValueKey, str],
    *,
    complete: bool = False,
) -> Any:
    """Save the member's values; 403 when the record is not theirs to extract (save_values
    checks that inside its transaction, so the routes that only save need no check first)."""
    from litrev.extraction.values import ExtractionError, save_values

    review = member.review
    try:
        return save_values(
            review.store,
            review.project.protocol.codebook,
            record_id,
            member.username,
            values,
            locations,
            actor=member.username,
            complete=complete,
            is_lead=member.is_lead,
            screening=review.screening,
        )
    except ExtractionError as refused:
        raise HTTPException(403, str(refused)) from None


def _status_fragment(problem: str | None, state: str) -> str:
    from markupsafe import escape

    if problem:
        return f'<span class="xproblem" role="alert">{escape(problem)}</span>'
    return f'<span class="xsaved" data-state="{escape(state)}">Saved</span>'


async def _refused_form(
    request: Request,
    member: Member,
    rid: int,
    values: dict[ValueKey, str],
    locations: dict[ValueKey, str],
    refused: dict[ValueKey, str],
    problems: dict[ValueKey, str],
    notice: str | None = None,
) -> Response:
    # The form again (422): the stored values, except the `refused` ones the reviewer typed,
    # which are shown as typed beside their problem so they can be corrected, not retyped.
    stored, stored_locations = await run_in_threadpool(_stored, member, rid)
    return _form_page(
        request,
        member,
        rid,
        values={**stored, **{k: v for k, v in values.items() if k in refused}},
        locations={**stored_locations, **locations},
        problems=problems,
        status_code=422,
        notice=notice,
    )


@router.post("/r/{key}/extract/{rid}/save")
async def extract_save(
    request: Request, rid: int, member: Annotated[Member, Depends(reviewer)]
) -> Response:
    """Autosave one field (htmx: `_key=FIELD:INSTANCE`, answered with its status), or save the
    whole form (a plain post, e.g. without JavaScript; then back to the form)."""
    form = await request.form()
    values, locations = form_values(form)
    raw_key = form.get("_key")
    one = parse_key(f"f:{raw_key}", "f") if isinstance(raw_key, str) else None
    if one is not None:
        values = {one: values.get(one, "")}
        locations = {one: locations[one]} if one in locations else {}
    result = await run_in_threadpool(_save, member, rid, values, locations)
    if one is not None and is_fragment(request):
        applies_now = _applies_map(member, result.values)  # no read: the save returns them
        body = _status_fragment(result.problems.get(one), result.state)
        trigger = {"litrev-applies": applies_now, "litrev-state": {"state": result.state}}
        return HTMLResponse(body, headers={"HX-Trigger": json.dumps(trigger)})
    add = form.get("add_row")
    if result.problems:
        return await _refused_form(
            request, member, rid, values, locations, result.problems, result.problems
        )
    query = f"?{urlencode({'add': add})}" if isinstance(add, str) and add else ""
    return RedirectResponse(f"/r/{member.review.key}/extract/{rid}{query}", status_code=303)


@router.post("/r/{key}/extract/{rid}/complete")
async def extract_complete(
    request: Request, rid: int, member: Annotated[Member, Depends(reviewer)]
) -> Response:
    """Save the whole form and mark the extraction complete, or show every problem beside
    its field (nothing is marked complete while one remains)."""
    form = await request.form()
    values, locations = form_values(form)
    result = await run_in_threadpool(_save, member, rid, values, locations, complete=True)
    problems = {**result.missing, **result.problems}
    if result.state == "complete" and not problems:
        following = await run_in_threadpool(_next_record, member, rid)
        target = (
            f"/r/{member.review.key}/extract/{following}"
            if following is not None
            else f"/r/{member.review.key}/extract"
        )
        message = f"record {rid} complete"
        return RedirectResponse(f"{target}?{urlencode({'done': message})}", status_code=303)
    return await _refused_form(
        request,
        member,
        rid,
        values,
        locations,
        result.problems,
        problems,
        notice=f"Not complete: {len(problems)} problem{'s' if len(problems) != 1 else ''} "
        "to fix (marked beside each field).",
    )


@router.post("/r/{key}/extract/{rid}/remove-row")
async def extract_remove_row(
    request: Request,
    rid: int,
    member: Annotated[Member, Depends(reviewer)],
    remove: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Save the form, then delete one row (`remove=GROUP:INSTANCE`) of a repeating group; the
    rows after it move up (the core renumbers them)."""
    from litrev.extraction.values import remove_instance

    form = await request.form()
    values, locations = form_values(form)
    group, _, instance = remove.partition(":")
    codebook = member.review.project.protocol.codebook
    if codebook.group(group) is None or not instance.isdigit() or int(instance) < 1:
        raise HTTPException(422, f"remove: expected GROUP:ROW of a repeating group, got {remove!r}")
    await run_in_threadpool(_check_may_extract, member, rid)
    # Values of the row being removed are not saved first: they are going.
    names = {f.name for f in codebook.fields_of(group)}
    keep = {k: v for k, v in values.items() if not (k[0] in names and k[1] == int(instance))}
    await run_in_threadpool(_save, member, rid, keep, locations)
    await run_in_threadpool(
        lambda: remove_instance(
            member.review.store,
            rid,
            member.username,
            group,
            int(instance),
            actor=member.username,
            codebook=codebook,
        )
    )
    return RedirectResponse(f"/r/{member.review.key}/extract/{rid}", status_code=303)


__all__ = ["router"]

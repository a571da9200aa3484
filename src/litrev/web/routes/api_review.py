"""The JSON API's review-wide routes: conflicts and their resolution, progress, agreement and
the PRISMA counts (see `litrev.web.routes.api` for the rules every API route keeps)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path

from litrev.web import schemas as s
from litrev.web.routes.api import (
    ERRORS,
    KeyHeader,
    RecordPath,
    Reviewer,
    StageQuery,
    Viewer,
    bearer,
    decision_out,
)
from litrev.web.security import Member, api_lead

router = APIRouter(prefix="/api", tags=["api"], responses=ERRORS, dependencies=[Depends(bearer)])


@router.get(
    "/r/{key}/conflicts",
    response_model=list[s.ConflictOut],
    summary="Unresolved disagreements (and maybes) you may see",
)
def conflicts(member: Viewer, stage: StageQuery = "title_abstract") -> list[s.ConflictOut]:
    from litrev.screening.blinding import blind_records
    from litrev.screening.texts import record_texts

    screening = member.review.screening
    found = screening.conflicts(stage)
    # A conflict names every vote: records still blind to the caller are left out entirely
    # (that the others disagree is itself their decision).
    hidden = blind_records(screening, stage, member.username, role=member.role) if found else set()
    shown = [o for o in found if o.record_id not in hidden]
    titles = record_texts(member.review.store, [o.record_id for o in shown])
    return [
        s.ConflictOut(
            record_id=o.record_id,
            title=titles[o.record_id].title if o.record_id in titles else None,
            state=o.state.value,
            votes=[decision_out(v) for v in o.votes],
        )
        for o in shown
    ]


@router.post(
    "/r/{key}/conflicts/{rid}/resolve",
    response_model=s.DecisionOut,
    status_code=201,
    summary="Settle a conflict (the lead; or the record's reviewers together, by consensus)",
)
def resolve(
    member: Reviewer, rid: RecordPath, body: s.ResolveIn, idempotency_key: KeyHeader = None
) -> s.DecisionOut:
    from litrev.screening.conflict_list import NotAllowed, resolve_conflict

    # Who may resolve, and how, is the core's one rule (`conflict_list.resolution_methods`),
    # the same as the conflicts page's: a third reviewer's resolution is the lead's.
    try:
        event = resolve_conflict(
            member.review.screening,
            rid,
            stage=body.stage,
            decision=body.decision,
            by=member.username,
            role=member.role,
            reason=body.reason,
            method=body.method,
            note=body.note,
            idempotency_key=idempotency_key,
        )
    except NotAllowed as refused:
        raise HTTPException(403, str(refused)) from None
    return decision_out(event)


@router.get(
    "/r/{key}/progress",
    response_model=list[s.ProgressOut],
    summary="Each reviewer's progress at a stage",
)
def progress(member: Viewer, stage: StageQuery = "title_abstract") -> list[s.ProgressOut]:
    from litrev.screening.allocation import progress as stage_progress

    return [s.ProgressOut(**vars(p)) for p in stage_progress(member.review.screening, stage)]


@router.get(
    "/r/{key}/agreement",
    response_model=s.AgreementOut,
    summary="Agreement per reviewer pair (percent, Cohen's kappa with its 95% CI)",
)
def agreement(member: Viewer, stage: StageQuery = "title_abstract") -> s.AgreementOut:
    from litrev.screening.agreement_report import agreement_report

    # Counts only: the per-record disagreements stay on the conflicts route, blind-filtered.
    data = agreement_report(member.review.screening, stage).as_dict()
    pairs = [
        s.PairOut(
            reviewers=tuple(p["reviewers"]),
            n=p["n"],
            percent_agreement=p["percent_agreement"],
            kappa=s.KappaOut(
                kappa=p["cohen_kappa"],
                se=p["cohen_kappa_se"],
                ci95=tuple(p["cohen_kappa_ci95"]),
                clipped=bool(p["cohen_kappa_ci95_clipped"]),
            ),
            pabak=_finite(p["pabak"]),
            gwet_ac1=p["gwet_ac1"],
        )
        for p in data["pairs"]
    ]
    return s.AgreementOut(
        stage=stage,
        reviewers=data["reviewers"],
        pairs=pairs,
        fleiss_kappa=data["fleiss_kappa"],
        fleiss_n=data["fleiss_n"],
    )


def _finite(value: Any) -> float | None:
    return None if value is None or value != value else float(value)


@router.get("/r/{key}/flow", response_model=s.FlowOut, summary="The PRISMA 2020 flow counts")
def flow(member: Viewer) -> s.FlowOut:
    from litrev.synthesis.prisma.flow import compute_flow
    from litrev.synthesis.prisma.flow_data import flow_data

    project = member.review.project
    counts = compute_flow(project.protocol, flow_data(project.store, project.protocol)).as_dict()
    return s.FlowOut(
        databases=counts["databases"],
        identified=counts["identified"],
        duplicates_removed=counts["duplicates_removed"],
        records_screened=counts["records_screened"],
        title_abstract_excluded=counts["title_abstract_excluded"],
        reports_sought=counts["reports_sought"],
        reports_not_retrieved=counts["reports_not_retrieved"],
        full_text_assessed=counts["full_text_assessed"],
        full_text_excluded=counts["full_text_excluded"],
        full_text_excluded_reasons=counts["full_text_excluded_reasons"],
        included=counts["included"],
        pending=counts["progress"],
    )


@router.post(
    "/r/{key}/stages/{stage}/open",
    response_model=s.GateOut,
    summary="Open a stage (the lead; refused while the stage before has open work, unless force)",
)
def open_stage(
    member: Annotated[Member, Depends(api_lead)],
    stage: Annotated[s.StageName, Path()],
    body: s.StageOpenIn,
) -> s.GateOut:
    from litrev.screening.gates import open_stage as open_gate

    found = open_gate(member.review.screening, stage, by=member.username, force=body.force)
    return s.GateOut(**vars(found))


__all__ = ["RecordPath", "router"]

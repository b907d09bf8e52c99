"""REST routes for committees, plans, domains, goals, measures and targets: reads for any role; import for admins."""

from typing import Annotated

from fastapi import APIRouter, File, Form, Header, Query, Response, UploadFile

from app.auth.deps import AdminOnly, AnyRole
from app.core.pagination import Page, PageDep
from app.core.routing import segment_except
from app.db import SessionDep
from app.models.enums import AssignmentRole, Part, PlanKind, TargetOp
from app.plans import curation, service
from app.plans.importing import ImportReport, ImportRequest, import_plan, import_plan_file
from app.plans.schemas import (
    CommitteeRead,
    DomainRead,
    GoalRead,
    MeasureRead,
    ParseRequest,
    ParseResult,
    PlanDetail,
    PlanRead,
    TargetPatch,
    TargetRead,
    TargetVersionRead,
)

router = APIRouter(prefix="/api/v1")

Search = Annotated[str | None, Query(min_length=1, max_length=100, description="Text the item contains.")]
DomainCode = Annotated[str | None, Query(max_length=10, description="Only this domain, e.g. W1.")]

# `/plans/import` is a route of its own, so `/plans/{plan_code}` must not take "import" as a plan code.
segment_except("plan_code", "import")


@router.get("/committees", tags=["plans"], summary="List committees")
async def list_committees(session: SessionDep, _: AnyRole, page: PageDep) -> Page[CommitteeRead]:
    items, total = await service.list_committees(session, page)
    return Page(items=items, total=total)


@router.get("/committees/{committee_code}", tags=["plans"], summary="Get a committee")
async def get_committee(committee_code: str, session: SessionDep, _: AnyRole) -> CommitteeRead:
    return await service.get_committee(session, committee_code)


@router.get("/plans", tags=["plans"], summary="List plans")
async def list_plans(
    session: SessionDep, _: AnyRole, page: PageDep,
    committee: Annotated[str | None, Query(description="Committee (division) code, e.g. 110105.")] = None,
    kind: Annotated[PlanKind | None, Query(description="women, children or combined.")] = None,
    year: Annotated[int | None, Query(ge=1949, le=2100, description="Plans in force in this year.")] = None,
    q: Search = None,
) -> Page[PlanRead]:
    filters = service.PlanFilter(committee=committee, kind=kind.value if kind else None, year=year, q=q)
    items, total = await service.list_plans(session, filters, page)
    return Page(items=items, total=total)


@router.get("/plans/{plan_code:plan_code}", tags=["plans"], summary="Get a plan with its domains and counts")
async def get_plan(plan_code: str, session: SessionDep, _: AnyRole) -> PlanDetail:
    return await service.get_plan(session, plan_code)


@router.get("/plans/{plan_code}/domains", tags=["plans"], summary="List a plan's domains in order")
async def list_domains(plan_code: str, session: SessionDep, _: AnyRole) -> Page[DomainRead]:
    items = await service.list_domains(session, plan_code)
    return Page(items=items, total=len(items))


@router.get("/plans/{plan_code}/domains/{domain_code}", tags=["plans"], summary="Get a domain")
async def get_domain(plan_code: str, domain_code: str, session: SessionDep, _: AnyRole) -> DomainRead:
    return await service.get_domain(session, plan_code, domain_code)


@router.get("/plans/{plan_code}/goals", tags=["plans"], summary="List goals with their targets")
async def list_goals(
    plan_code: str, session: SessionDep, actor: AnyRole, page: PageDep,
    domain: DomainCode = None,
    part: Annotated[Part | None, Query(description="W (women) or C (children).")] = None,
    unit: Annotated[str | None, Query(description="Only goals assigned to this unit code.")] = None,
    role: Annotated[AssignmentRole | None, Query(description="With `unit`: only as lead or support.")] = None,
    has_targets: Annotated[bool | None, Query(description="Only goals with (true) or without (false) targets.")] = None,
    q: Search = None,
) -> Page[GoalRead]:
    filters = service.ItemFilter(domain=domain, part=part.value if part else None, unit=unit,
                                 role=role.value if role else None, q=q, has_targets=has_targets)
    items, total = await service.list_goals(session, actor, plan_code, filters, page)
    return Page(items=items, total=total)


@router.get("/plans/{plan_code}/goals/{goal_code}", tags=["plans"], summary="Get a goal with its targets")
async def get_goal(plan_code: str, goal_code: str, session: SessionDep, _: AnyRole) -> GoalRead:
    return await service.get_goal(session, plan_code, goal_code)


@router.get("/plans/{plan_code}/measures", tags=["plans"], summary="List measures")
async def list_measures(
    plan_code: str, session: SessionDep, actor: AnyRole, page: PageDep,
    domain: DomainCode = None,
    part: Annotated[Part | None, Query(description="W (women) or C (children).")] = None,
    unit: Annotated[str | None, Query(description="Only measures assigned to this unit code.")] = None,
    role: Annotated[AssignmentRole | None, Query(description="With `unit`: only as lead or support.")] = None,
    q: Search = None,
) -> Page[MeasureRead]:
    filters = service.ItemFilter(domain=domain, part=part.value if part else None, unit=unit,
                                 role=role.value if role else None, q=q)
    items, total = await service.list_measures(session, actor, plan_code, filters, page)
    return Page(items=items, total=total)


@router.get("/plans/{plan_code}/measures/{measure_code}", tags=["plans"], summary="Get a measure")
async def get_measure(plan_code: str, measure_code: str, session: SessionDep, _: AnyRole) -> MeasureRead:
    return await service.get_measure(session, plan_code, measure_code)


@router.get("/plans/{plan_code}/targets", tags=["plans"], summary="List a plan's targets")
async def list_targets(
    plan_code: str, session: SessionDep, _: AnyRole, page: PageDep,
    domain: DomainCode = None,
    op: Annotated[TargetOp | None, Query(description="Only targets with this operator.")] = None,
    review: Annotated[bool | None, Query(description="Only targets flagged (true) or not (false) for review.")] = None,
    q: Annotated[str | None, Query(min_length=1, max_length=100, description="Text the metric contains.")] = None,
) -> Page[TargetRead]:
    filters = service.TargetFilter(domain=domain, op=op.value if op else None, review=review, q=q)
    items, total = await service.list_targets(session, plan_code, filters, page)
    return Page(items=items, total=total)


TARGET_ETAG = {"ETag": {"description": "Version of the target; send it as If-Match when curating it",
                        "schema": {"type": "string"}}}


def _with_etag(target: TargetRead, response: Response) -> TargetRead:
    response.headers["ETag"] = target.etag
    return target


@router.get("/plans/{plan_code}/targets/{target_code}", tags=["plans"], summary="Get a target",
            responses={200: {"headers": TARGET_ETAG}})
async def get_target(plan_code: str, target_code: str, session: SessionDep, _: AnyRole,
                     response: Response) -> TargetRead:
    return _with_etag(await service.get_target(session, plan_code, target_code), response)


@router.patch("/plans/{plan_code}/targets/{target_code}", tags=["plans"],
              summary="Curate a target: correct what the parser read, set a baseline, resolve a review (admin)",
              description="Only the fields given change (null clears a nullable one); the resulting target is "
              "checked as a whole and every problem is reported at once, with nothing saved. Each change is a "
              "new version (see `/versions`; version 1 is what the parser read) and republishes the plan's "
              "statuses. The target code never changes. If-Match is optional; a stale one is refused.",
              responses={200: {"headers": TARGET_ETAG},
                         409: {"description": "Stale If-Match: the target was curated since you read it"}})
async def curate_target(plan_code: str, target_code: str, data: TargetPatch, session: SessionDep,
                        actor: AdminOnly, response: Response,
                        if_match: Annotated[str | None, Header(description="ETag of the target as you last "
                                                                           "read it")] = None) -> TargetRead:
    result = await curation.curate_target(session, actor, plan_code, target_code, data, if_match)
    return _with_etag(result, response)


@router.get("/plans/{plan_code}/targets/{target_code}/versions", tags=["plans"],
            summary="A target's versions: what the parser read and each curation by the office")
async def list_target_versions(plan_code: str, target_code: str, session: SessionDep,
                               _: AnyRole) -> Page[TargetVersionRead]:
    items = await curation.list_target_versions(session, plan_code, target_code)
    return Page(items=items, total=len(items))


@router.post("/targets/parse", tags=["plans"], summary="Parse the targets of a goal sentence (any role)")
async def parse_targets(data: ParseRequest, _: AnyRole) -> ParseResult:
    return service.parse_target_text(data.text)


@router.post("/plans/import", tags=["plans"], summary="Import a plan text; dry run by default (admin)",
             responses={409: {"description": "Units have reported values for targets whose indicator the text "
                                             "would change; nothing was loaded"}})
async def import_plan_text(data: ImportRequest, session: SessionDep, actor: AdminOnly) -> ImportReport:
    return await import_plan(session, actor, data)


@router.post("/plans/import/file", tags=["plans"],
             summary="Import a plan file: UTF-8 text or Word .docx; dry run by default (admin)",
             description="The same import as `/plans/import`, from a file as committees publish it. A Word "
                         "document's page furniture (hard line breaks inside paragraphs, page-number lines) is "
                         "dropped; any other format is refused (422, `errors[0].code` `unreadable_document`) and "
                         "nothing changes.")
async def import_plan_document(session: SessionDep, actor: AdminOnly,
                               file: Annotated[UploadFile, File(description="The plan: .txt (UTF-8) or .docx")],
                               dry_run: Annotated[bool, Form(description="true: report only")] = True) -> ImportReport:
    return await import_plan_file(session, actor, file.filename or "", await file.read(), dry_run)

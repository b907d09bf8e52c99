"""REST routes for self-assessments: units write their own, the office reviews, readers read."""

from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response, status
from fastapi.responses import JSONResponse

from app.auth.deps import AdminOnly, AdminOrUnit, AnyRole
from app.core.clock import today
from app.core.idempotency import request_fingerprint, run_once
from app.core.pagination import MAX_INT, Page, PageDep, RowId
from app.db import SessionDep
from app.models.enums import CycleKind, SubmissionStatus
from app.submissions import service
from app.submissions.schemas import (
    ReviewIn,
    RevisionDiff,
    RevisionRead,
    SubmissionCreate,
    SubmissionRead,
    SubmissionSummary,
    SubmissionUpdate,
)

router = APIRouter(prefix="/api/v1", tags=["submissions"])

IfMatch = Annotated[str | None, Header(description="ETag of the submission as you last read it")]
IdempotencyKey = Annotated[str | None, Header(
    min_length=1, max_length=200,
    description="Retry-safe key: a repeated POST with the same key and body returns the first response")]


ETAG = {"ETag": {"description": "Version of the submission; send it as If-Match when changing it",
                 "schema": {"type": "string"}}}
LIFECYCLE = """Lifecycle: `draft` (the unit edits freely) → `submitted` (awaiting review) → `accepted` or `returned`
(with the office's comment; the unit revises and submits again). An accepted submission can be changed only after
the office returns it; until a new revision is accepted, the accepted one is what the status rules use. Every save
is a new revision; earlier revisions stay readable under `/revisions`."""


def _with_etag(submission: SubmissionRead, status_code: int = status.HTTP_200_OK) -> Response:
    """The submission as JSON, with its ETag: serialised once, straight from the model (as a return value FastAPI
    would dump it, validate the dump and serialise that: three passes over what may be thousands of values)."""
    return Response(submission.model_dump_json(), status_code=status_code, media_type="application/json",
                    headers={"ETag": submission.etag})


@router.post("/plans/{plan_code}/submissions", status_code=status.HTTP_201_CREATED, response_model=SubmissionRead,
             summary="Create a self-assessment (a unit for itself, or an admin on behalf of a unit)",
             description=LIFECYCLE + "\n\nWith `submit: true` it is sent for review at once. A retried POST with "
             "the same `Idempotency-Key` and body gets the first response (header `Idempotent-Replayed: true`); the "
             "same key with another body is refused (422). Everything is validated first: on any error nothing "
             "is saved and `errors` lists every problem.",
             responses={201: {"headers": {**ETAG, "Idempotent-Replayed": {
                 "description": "true when this is the stored response to an earlier request with the same key",
                 "schema": {"type": "string"}}}},
                 409: {"description": "The cycle is closed or not open yet, or the unit already has this "
                                      "submission (revise it with PUT)"},
                 413: {"description": "Payload too large"}})
async def create_submission(plan_code: str, data: SubmissionCreate, request: Request, session: SessionDep,
                            actor: AdminOrUnit, idempotency_key: IdempotencyKey = None) -> Response:
    if idempotency_key is None:  # the response is serialised straight to JSON (no dict of it in between)
        return _with_etag(await service.create_submission(session, actor, plan_code, data, today()),
                          status.HTTP_201_CREATED)

    async def work() -> tuple[int, dict[str, object]]:
        created = await service.create_submission(session, actor, plan_code, data, today())
        return status.HTTP_201_CREATED, created.model_dump(mode="json")

    # Hashing the body costs as much as a small write: only when a key makes it needed.
    fingerprint = request_fingerprint("POST", request.url.path, data.model_dump(mode="json"))
    outcome = await run_once(session, actor, idempotency_key, fingerprint, work)
    headers = {"ETag": str(outcome.body["etag"])}
    if outcome.replayed:
        headers["Idempotent-Replayed"] = "true"
    return JSONResponse(outcome.body, status_code=outcome.status_code, headers=headers)


@router.get("/plans/{plan_code}/submissions", summary="List submissions (a unit sees its own; readers no drafts)")
async def list_submissions(
    plan_code: str, session: SessionDep, actor: AnyRole, page: PageDep,
    year: Annotated[int | None, Query(ge=1949, le=2100)] = None,
    kind: Annotated[CycleKind | None, Query()] = None,
    unit: Annotated[str | None, Query(description="Unit code.")] = None,
    status_: Annotated[SubmissionStatus | None, Query(alias="status")] = None,
) -> Page[SubmissionSummary]:
    filters = service.SubmissionFilter(year=year, kind=kind.value if kind else None, unit=unit,
                                       status=status_.value if status_ else None)
    items, total = await service.list_submissions(session, actor, plan_code, filters, page)
    return Page(items=items, total=total)


@router.get("/submissions/{submission_id}", summary="Get a submission with its current revision",
            response_model=SubmissionRead, responses={200: {"headers": ETAG}})
async def get_submission(submission_id: RowId, session: SessionDep, actor: AnyRole) -> Response:
    return _with_etag(await service.get_submission(session, actor, submission_id))


@router.put("/submissions/{submission_id}", summary="Revise a submission: a new revision (needs If-Match)",
            description="Replaces the whole content — values, tasks and narrative — with what you send: send "
            "everything the submission should contain, not only what changed (an omitted list or narrative field "
            "becomes empty). The earlier content stays readable as a revision.\n\n" + LIFECYCLE,
            response_model=SubmissionRead,
            responses={200: {"headers": ETAG},
                       409: {"description": "Stale If-Match (someone changed it since you read it), the "
                                            "submission was accepted, or the cycle is closed"},
                       428: {"description": "If-Match missing, or not an ETag of this service"}})
async def update_submission(submission_id: RowId, data: SubmissionUpdate, session: SessionDep, actor: AdminOrUnit,
                            if_match: IfMatch = None) -> Response:
    return _with_etag(await service.update_submission(session, actor, submission_id, data, if_match, today()))


@router.post("/submissions/{submission_id}/submit", summary="Send the current revision for review",
             description="If-Match is optional here; when sent, a stale one is refused.\n\n" + LIFECYCLE,
             response_model=SubmissionRead,
             responses={200: {"headers": ETAG},
                        409: {"description": "Not a draft or returned submission, stale If-Match, or the cycle "
                                             "is closed"},
                        428: {"description": "If-Match sent but not an ETag of this service (send the one you "
                                             "read, or none)"}})
async def submit_submission(submission_id: RowId, session: SessionDep, actor: AdminOrUnit,
                            if_match: IfMatch = None) -> Response:
    return _with_etag(await service.submit_submission(session, actor, submission_id, if_match, today()))


@router.post("/submissions/{submission_id}/review", summary="Accept or return a submitted self-assessment (admin)",
             description="`accept` makes the current revision the one the status rules use; `return` (with a "
             "`comment` saying what to correct) sends it back to the unit, also after it was accepted.\n\n"
             + LIFECYCLE,
             response_model=SubmissionRead,
             responses={200: {"headers": ETAG},
                        409: {"description": "Nothing to review in this state, or stale If-Match"},
                        428: {"description": "If-Match sent but not an ETag of this service (send the one you "
                                             "read, or none)"}})
async def review_submission(submission_id: RowId, data: ReviewIn, session: SessionDep, actor: AdminOnly,
                            if_match: IfMatch = None) -> Response:
    return _with_etag(await service.review_submission(session, actor, submission_id, data, if_match))


@router.get("/submissions/{submission_id}/revisions", summary="Every revision of a submission, oldest first")
async def list_revisions(submission_id: RowId, session: SessionDep, actor: AnyRole) -> Page[RevisionRead]:
    items = await service.list_revisions(session, actor, submission_id)
    return Page(items=items, total=len(items))


@router.get("/submissions/{submission_id}/revisions/{revision}", summary="One revision of a submission")
async def get_revision(submission_id: RowId, revision: RowId, session: SessionDep, actor: AnyRole) -> RevisionRead:
    return await service.get_revision(session, actor, submission_id, revision)


@router.get("/submissions/{submission_id}/diff", summary="What changed between two revisions")
async def diff_revisions(
    submission_id: RowId, session: SessionDep, actor: AnyRole,
    from_: Annotated[int, Query(alias="from", ge=1, le=MAX_INT, description="Older revision")],
    to: Annotated[int, Query(ge=1, le=MAX_INT, description="Newer revision")],
) -> RevisionDiff:
    return await service.diff_revisions(session, actor, submission_id, from_, to)

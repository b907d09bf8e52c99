"""Root mutations: each checks the caller's role as the REST route does and calls the same service function.

A request is all or nothing: if one mutation fails, the request's transaction is rolled back, so mutations
that ran before it in the same document are not kept either, and later ones are not run.
"""

from collections.abc import Awaitable, Callable
from typing import Any

import strawberry
from strawberry.extensions import FieldExtension

from app.assignments import service as assignments_service
from app.assignments.schemas import AssignmentBulk, AssignmentCreate, AssignmentUpdate
from app.core.clock import today
from app.core.i18n import t
from app.core.idempotency import request_fingerprint, run_once
from app.cycles import service as cycles_service
from app.cycles.schemas import CycleCreate
from app.errors import Conflict
from app.graphql.context import ADMIN_ONLY, ADMIN_OR_UNIT, Context
from app.graphql.enums import AssignmentRole, CycleKind
from app.graphql.errors import ERROR_CODES
from app.graphql.imports import ImportRowInput, ImportSummary
from app.graphql.indicators import Indicator
from app.graphql.inputs import (
    AssignmentInput,
    CycleInput,
    IndicatorUpdateInput,
    ReviewInput,
    SubmissionContentInput,
    SubmissionCreateInput,
    TargetPatchInput,
    plain,
    to_model,
)
from app.graphql.types import Assignment, Cycle, Info, Page, Submission, Target
from app.graphql.webhooks import (
    ReplayInput,
    ReplayResult,
    Webhook,
    WebhookCreated,
    WebhookDelivery,
    WebhookInput,
    WebhookPatchInput,
)
from app.imports import service as imports_service
from app.imports.schemas import ImportSummary as ImportSummaryRead
from app.indicators import service as indicators_service
from app.indicators.schemas import IndicatorUpdate, MergeRequest, SplitRequest
from app.plans import curation
from app.plans.schemas import TargetPatch
from app.submissions import service as submissions_service
from app.submissions.schemas import ReviewIn, SubmissionCreate, SubmissionRead, SubmissionUpdate
from app.webhooks import service as webhooks_service
from app.webhooks.schemas import ReplayRequest, WebhookCreate, WebhookUpdate


class AllOrNothing(FieldExtension):
    """Marks the request failed when a mutation raises; the transaction is then rolled back (context.py)."""

    async def resolve_async(self, next_: Callable[..., Awaitable[Any]], source: Any, info: Info,
                            **kwargs: Any) -> Any:
        context: Context = info.context
        if context.tx.failed:
            raise Conflict(t("Not run: an earlier mutation of this request failed, so none of its changes are kept."))
        try:
            return await next_(source, info, **kwargs)
        except BaseException:
            context.tx.failed = True
            await context.tx.run(context.session.rollback)  # at once: a failed flush leaves the session unusable
            raise


def mutation(description: str) -> Any:
    return strawberry.mutation(description=description, extensions=[AllOrNothing()])


@strawberry.type(description="Writes, with the same rules as REST; a failed mutation keeps nothing of the "
                              "request. " + ERROR_CODES)
class Mutation:
    @mutation("Create a self-assessment: a draft, or with submit: true sent for review at once. A unit "
              "writes for itself, an admin on behalf of a unit (input.unit). A retry with the same "
              "idempotencyKey returns the first result instead of a second submission.")
    async def create_submission(self, info: Info, plan: str, input: SubmissionCreateInput,
                                idempotency_key: str | None = None) -> Submission:
        actor = await info.context.require(*ADMIN_OR_UNIT)
        data = to_model(SubmissionCreate, input)

        async def work() -> tuple[int, dict[str, object]]:
            created = await submissions_service.create_submission(info.context.session, actor, plan, data, today())
            return 201, created.model_dump(mode="json")

        fingerprint = (request_fingerprint("GRAPHQL", f"createSubmission/{plan}", data.model_dump(mode="json"))
                       if idempotency_key is not None else "")
        outcome = await info.context.tx.run(
            lambda: run_once(info.context.session, actor, idempotency_key, fingerprint, work))
        return Submission.from_read(SubmissionRead.model_validate(outcome.body))

    @mutation("Replace a submission's content: a new revision (a draft, or sent for review with submit: true). "
              "ifMatch is the etag you last read; a stale one is a CONFLICT.")
    async def revise_submission(self, info: Info, id: int, input: SubmissionContentInput,
                                if_match: str) -> Submission:
        actor = await info.context.require(*ADMIN_OR_UNIT)
        data = to_model(SubmissionUpdate, input)
        return Submission.from_read(await info.context.call(
            submissions_service.update_submission, actor, id, data, if_match, today()))

    @mutation("Import observations in bulk, with the rules of REST's POST /plans/{plan}/observations/import: a dry "
              "run unless dryRun is false; any refused row refuses the import (VALIDATION, each refused row in "
              "extensions.errors with its `row` index). An admin's import lands accepted, a unit's (own rows only) "
              "submitted for review.")
    async def import_observations(self, info: Info, plan: str, rows: list[ImportRowInput], dry_run: bool = True,
                                  idempotency_key: str | None = None) -> ImportSummary:
        actor = await info.context.require(*ADMIN_OR_UNIT)
        received = imports_service.json_rows(plain(rows))

        async def work() -> tuple[int, dict[str, object]]:
            summary = await imports_service.import_observations(info.context.session, actor, plan, received,
                                                                dry_run=dry_run, today=today())
            return 200, summary.model_dump(mode="json")

        fingerprint = (request_fingerprint("GRAPHQL", f"importObservations/{plan}", {
            "dry_run": dry_run, "rows": received.items}) if idempotency_key is not None else "")
        outcome = await info.context.tx.run(
            lambda: run_once(info.context.session, actor, idempotency_key, fingerprint, work))
        return ImportSummary.from_pydantic(ImportSummaryRead.model_validate(outcome.body))

    @mutation("Send the current revision for review")
    async def submit_submission(self, info: Info, id: int, if_match: str | None = None) -> Submission:
        actor = await info.context.require(*ADMIN_OR_UNIT)
        return Submission.from_read(await info.context.call(
            submissions_service.submit_submission, actor, id, if_match, today()))

    @mutation("Accept a submitted self-assessment, or return it with a comment (admin)")
    async def review_submission(self, info: Info, id: int, input: ReviewInput,
                                if_match: str | None = None) -> Submission:
        actor = await info.context.require(*ADMIN_ONLY)
        data = to_model(ReviewIn, input)
        return Submission.from_read(await info.context.call(
            submissions_service.review_submission, actor, id, data, if_match))

    @mutation("Replace a plan's whole task decomposition; every row is checked before anything changes (admin)")
    async def replace_assignments(self, info: Info, plan: str, assignments: list[AssignmentInput]) -> Page[Assignment]:
        actor = await info.context.require(*ADMIN_ONLY)
        data = to_model(AssignmentBulk, {"assignments": assignments})
        items = await info.context.call(assignments_service.replace_assignments, actor, plan, data)
        return Page(items=[Assignment.from_read(a) for a in items], total=len(items))

    @mutation("Assign one goal or measure to a unit (admin)")
    async def create_assignment(self, info: Info, plan: str, input: AssignmentInput) -> Assignment:
        actor = await info.context.require(*ADMIN_ONLY)
        data = to_model(AssignmentCreate, input)
        return Assignment.from_read(await info.context.call(assignments_service.create_assignment, actor, plan, data))

    @mutation("Change an assignment's role (admin)")
    async def update_assignment(self, info: Info, plan: str, id: int, role: AssignmentRole) -> Assignment:
        actor = await info.context.require(*ADMIN_ONLY)
        data = to_model(AssignmentUpdate, {"role": role})
        return Assignment.from_read(await info.context.call(
            assignments_service.update_assignment, actor, plan, id, data))

    @mutation("Remove an assignment (admin); returns its id")
    async def delete_assignment(self, info: Info, plan: str, id: int) -> int:
        actor = await info.context.require(*ADMIN_ONLY)
        await info.context.call(assignments_service.delete_assignment, actor, plan, id)
        return id

    @mutation("Open a reporting cycle for a plan and year (admin)")
    async def create_cycle(self, info: Info, plan: str, input: CycleInput) -> Cycle:
        actor = await info.context.require(*ADMIN_ONLY)
        data = to_model(CycleCreate, input)
        return Cycle.from_read(await info.context.call(cycles_service.create_cycle, actor, plan, data, today()))

    @mutation("Close a cycle: it refuses new data (admin)")
    async def close_cycle(self, info: Info, plan: str, year: int, kind: CycleKind = CycleKind.annual) -> Cycle:
        actor = await info.context.require(*ADMIN_ONLY)
        return Cycle.from_read(await info.context.call(cycles_service.close_cycle, actor, plan, year, kind, today()))

    @mutation("Reopen a closed cycle for everyone, or for one unit when `unit` is given (admin)")
    async def reopen_cycle(self, info: Info, plan: str, year: int, kind: CycleKind = CycleKind.annual,
                           unit: str | None = None) -> Cycle:
        actor = await info.context.require(*ADMIN_ONLY)
        return Cycle.from_read(await info.context.call(
            cycles_service.reopen_cycle, actor, plan, year, kind, unit, today()))

    @mutation("Curate a target (admin): correct what the parser read, set a baseline or resolve a review; only the "
              "fields given change, every problem is reported at once and each change is a new version. etag is "
              "the one you last read; a stale one is a CONFLICT.")
    async def curate_target(self, info: Info, plan: str, code: str, input: TargetPatchInput,
                            etag: str | None = None) -> Target:
        actor = await info.context.require(*ADMIN_ONLY)
        data = to_model(TargetPatch, input, keep_null=True)
        return Target.from_read(await info.context.call(curation.curate_target, actor, plan, code, data, etag), plan)
    @mutation("Correct an indicator: fields left out are kept, null clears one; its unit is not editable. "
              "Statuses of every plan measuring it are republished (admin)")
    async def update_indicator(self, info: Info, plan: str, code: str, input: IndicatorUpdateInput) -> Indicator:
        actor = await info.context.require(*ADMIN_ONLY)
        data = to_model(IndicatorUpdate, input, keep_null=True)  # explicit nulls clear fields
        return Indicator.from_read(await info.context.call(
            indicators_service.update_indicator, actor, plan, code, data, today()), plan)

    @mutation("Merge an indicator into another: its targets and observations move to `into` (admin); returns `into`")
    async def merge_indicator(self, info: Info, plan: str, code: str, into: str) -> Indicator:
        actor = await info.context.require(*ADMIN_ONLY)
        data = to_model(MergeRequest, {"into": into})
        return Indicator.from_read(await info.context.call(
            indicators_service.merge_indicator, actor, plan, code, data, today()), plan)

    @mutation("Split some of this plan's targets off an indicator into a new one, with the observations reported "
              "under them (admin); returns the new indicator")
    async def split_indicator(self, info: Info, plan: str, code: str, targets: list[str], name: str) -> Indicator:
        actor = await info.context.require(*ADMIN_ONLY)
        data = to_model(SplitRequest, {"targets": targets, "name": name})
        return Indicator.from_read(await info.context.call(
            indicators_service.split_indicator, actor, plan, code, data, today()), plan)

    @mutation("Subscribe a URL to events (admin); the answer carries the signing secret, shown only here")
    async def create_webhook(self, info: Info, input: WebhookInput) -> WebhookCreated:
        actor = await info.context.require(*ADMIN_ONLY)
        created = await info.context.call(webhooks_service.create_webhook, actor, to_model(WebhookCreate, input))
        return WebhookCreated(webhook=Webhook.from_read(created), secret=created.secret)

    @mutation("Change a subscription's URL, event types or plans, disable it, or re-enable it (admin)")
    async def update_webhook(self, info: Info, id: int, input: WebhookPatchInput) -> Webhook:
        actor = await info.context.require(*ADMIN_ONLY)
        return Webhook.from_read(await info.context.call(
            webhooks_service.update_webhook, actor, id, to_model(WebhookUpdate, input)))

    @mutation("Delete a subscription and its delivery log (admin); returns its id")
    async def delete_webhook(self, info: Info, id: int) -> int:
        actor = await info.context.require(*ADMIN_ONLY)
        await info.context.call(webhooks_service.delete_webhook, actor, id)
        return id

    @mutation("Send a range of past events again, with their webhook-id (admin)")
    async def replay_webhook(self, info: Info, id: int, input: ReplayInput) -> ReplayResult:
        actor = await info.context.require(*ADMIN_ONLY)
        result = await info.context.call(webhooks_service.replay, actor, id, to_model(ReplayRequest, input))
        return ReplayResult(scheduled=result.scheduled)

    @mutation("Queue a signed ping to a subscription (admin); its delivery shows the receiver's answer")
    async def test_webhook(self, info: Info, id: int) -> WebhookDelivery:
        actor = await info.context.require(*ADMIN_ONLY)
        return WebhookDelivery.from_read(await info.context.call(webhooks_service.ping, actor, id))

"""Who may see what, decided here once; REST routes, GraphQL resolvers and loaders all call these functions.

- admin (the committee office): everything.
- unit (one member unit): its own unit's submissions (drafts included), revisions and assignments, and lists
  scoped to its own unit; never another unit's, and never data not yet accepted (provisional statuses).
- reader (downstream systems): what has been sent for review; never a draft, neither a draft submission nor a
  draft revision of a submission sent later. Readers and the office see cycle completeness.
The status and evaluation reports (every unit's completeness and narratives): the office and readers.
Plans, goals, targets (with their versions), indicators, statuses (which name each goal's lead unit) and the
change feed are for every token; correcting a target (curation) is the office's alone.
An indicator's observations (its time series): the office all of them, submitted ones too; readers accepted ones;
a unit its own unit's, accepted and, when it asks, its own submitted ones.
"""

from sqlalchemy import ColumnElement, true
from sqlmodel import col

from app.auth.actor import Actor
from app.core.i18n import N_, t
from app.errors import Forbidden
from app.models import Submission, SubmissionRevision
from app.models.enums import Role, SubmissionStatus

OTHER_UNIT = N_("This token belongs to another member unit.")


def require_own_unit(actor: Actor, unit_id: int | None = None, *, unit_code: str | None = None) -> None:
    """A unit token may only address its own unit (by id or code); other roles any unit."""
    if actor.role is not Role.unit:
        return
    if (unit_id is not None and unit_id != actor.unit_id) or (unit_code is not None and unit_code != actor.unit_code):
        raise Forbidden(t(OTHER_UNIT))


def unit_scope(actor: Actor, requested: str | None) -> str | None:
    """The unit a list is narrowed to: a unit token always its own (asking for another is 403); others as asked."""
    if actor.role is Role.unit:
        require_own_unit(actor, unit_code=requested)
        return actor.unit_code
    return requested


def visible_submissions(actor: Actor) -> ColumnElement[bool]:
    """SQL condition on Submission rows the actor may list."""
    if actor.role is Role.unit:
        return col(Submission.unit_id) == actor.unit_id
    if actor.role is Role.reader:
        return col(Submission.status) != SubmissionStatus.draft.value
    return true()


def require_submission(actor: Actor, submission: Submission) -> None:
    require_own_unit(actor, submission.unit_id)
    if actor.role is Role.reader and submission.status == SubmissionStatus.draft.value:
        raise Forbidden(t("Drafts are visible only to their unit and the committee office."))


def visible_revisions(actor: Actor) -> ColumnElement[bool]:
    """SQL condition on SubmissionRevision rows of a visible submission that the actor may read."""
    if actor.role is Role.reader:
        return col(SubmissionRevision.status) != SubmissionStatus.draft.value
    return true()


def require_revision(actor: Actor, revision: SubmissionRevision) -> None:
    if actor.role is Role.reader and revision.status == SubmissionStatus.draft.value:
        raise Forbidden(t("Draft revisions are visible only to their unit and the committee office."))


def require_provisional(actor: Actor) -> None:
    """Provisional statuses use submitted values not yet accepted, other units' included."""
    if actor.role is Role.unit:
        raise Forbidden(t("include=provisional is for the committee office and readers; a unit sees accepted data."))


def require_completeness(actor: Actor) -> None:
    """Which units have reported is the office's and downstream systems' view, not one unit's."""
    if actor.role is Role.unit:
        raise Forbidden(t("Completeness across units is for the committee office and readers."))


def require_reports(actor: Actor) -> None:
    """The status and evaluation reports list every unit's completeness and narratives: the office's and
    downstream systems' documents, not one unit's (a unit reads its statuses through the status API)."""
    if actor.role is Role.unit:
        raise Forbidden(t("The status and evaluation reports are for the committee office and readers."))


def require_curator(actor: Actor) -> None:
    """Only the committee office corrects what the parser read from a plan."""
    if actor.role is not Role.admin:
        raise Forbidden(t("Only the committee office may curate targets."))
def observation_scope(actor: Actor, unit_code: str | None, include_provisional: bool) -> str | None:
    """The unit an indicator's time series is narrowed to (a unit token: its own; another is 403).

    Submitted values not yet accepted are for the office, and for a unit its own; readers see accepted values.
    """
    if include_provisional and actor.role is Role.reader:
        raise Forbidden(t("include=provisional is for the committee office and member units (their own values); "
                          "readers see accepted values."))
    return unit_scope(actor, unit_code)

"""Names of the API's enumerated values as people read them (in the request's language).

The values themselves (`annual`, `admin`, `draft` …) stay English in the API; messages name them with these.
"""

from collections.abc import Iterable

from app.core.i18n import N_, t

_KINDS = {"baseline": N_("base-year report"), "annual": N_("annual self-assessment"),
          "midterm": N_("mid-term evaluation"), "final": N_("final evaluation")}
_ROLES = {"admin": N_("admin (committee office)"), "unit": N_("unit (member unit)"),
          "reader": N_("reader (downstream system)")}
_SUBMISSION_STATUSES = {"draft": N_("draft"), "submitted": N_("submitted"), "accepted": N_("accepted"),
                        "returned": N_("returned")}
_ASSIGNMENT_ROLES = {"lead": N_("lead unit"), "support": N_("supporting unit")}


def _label(table: dict[str, str], value: object) -> str:
    key = str(getattr(value, "value", value))
    return t(table[key]) if key in table else key


def kind_label(kind: object) -> str:
    """annual → 年度自评 / annual self-assessment; midterm, final likewise."""
    return _label(_KINDS, kind)


def role_label(role: object) -> str:
    return _label(_ROLES, role)


def roles_label(roles: Iterable[object]) -> str:
    return t(", ").join(role_label(role) for role in roles)


def submission_status_label(status: object) -> str:
    return _label(_SUBMISSION_STATUSES, status)


def assignment_role_label(role: object) -> str:
    return _label(_ASSIGNMENT_ROLES, role)

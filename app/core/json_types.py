"""Field types for request bodies: a JSON number is a number and a JSON boolean a boolean, nothing coerced.

Pydantic's default (lax) mode would take `"1.5"` as 1.5, `true` as 1.0 and `"yes"` as true. A data-submission API
must refuse those, so every scalar of a request body uses these types; query parameters stay lax (they are text).
FastAPI validates the decoded body in Python mode, where model-wide strict mode would also refuse ISO date strings
and enum values, hence strictness per field.
"""

from datetime import date
from typing import Annotated, Any

from pydantic import AwareDatetime, BeforeValidator, Strict

from app.core.i18n import t

JsonInt = Annotated[int, Strict()]
JsonFloat = Annotated[float, Strict()]  # an integer is a number too; booleans and strings are not
JsonBool = Annotated[bool, Strict()]


def _date_text(value: Any) -> Any:
    if isinstance(value, int | float):  # lax mode reads a number as a Unix timestamp
        raise ValueError(t("must be a date written as YYYY-MM-DD"))
    return value


JsonDate = Annotated[date, BeforeValidator(_date_text)]


def _datetime_text(value: Any) -> Any:
    if isinstance(value, int | float):
        raise ValueError(t("must be a date and time written as ISO 8601 with its offset, e.g. "
                           "2026-12-01T08:00:00+08:00"))
    return value


JsonDateTime = Annotated[AwareDatetime, BeforeValidator(_datetime_text)]  # a time without offset is ambiguous

"""`limit`/`offset` paging and the `{"items", "total"}` list envelope."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Path, Query
from pydantic import BaseModel
from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

T = TypeVar("T")
MAX_LIMIT = 500
MAX_INT = 2**31 - 1  # the database's INTEGER: larger ids and offsets are refused up front, not by the driver

# Path parameters every router shares: a bad number is a 422 naming the parameter.
RowId = Annotated[int, Path(ge=1, le=MAX_INT, description="Numeric id.")]
YearPath = Annotated[int, Path(ge=1949, le=2100, description="Calendar year.")]


@dataclass(frozen=True)
class PageParams:
    limit: int = 50
    offset: int = 0


def page_params(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page.")] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_INT, description="Items to skip.")] = 0,
) -> PageParams:
    return PageParams(limit=limit, offset=offset)


PageDep = Annotated[PageParams, Depends(page_params)]


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int


async def paginate(session: AsyncSession, stmt: Select[*tuple[Any, ...]],
                   page: PageParams) -> tuple[Sequence[Any], int]:
    """Run one page of `stmt` (which must have a deterministic ORDER BY) and count all its rows."""
    total = (await session.execute(select(func.count()).select_from(stmt.order_by(None).subquery()))).scalar_one()
    rows = (await session.execute(stmt.limit(page.limit).offset(page.offset))).all()
    return rows, int(total)

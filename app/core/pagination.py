"""`limit`/`offset` paging and the `{"items", "total"}` list envelope."""

from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Path, Query
from pydantic import BaseModel
from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)
MAX_LIMIT = 500
MAX_INT = 2**31 - 1  # the database's INTEGER: larger ids and offsets are refused up front, not by the driver

# Path parameters every router shares: a bad number is a 422 naming the parameter.
RowId = Annotated[int, Path(ge=1, le=MAX_INT, description="Numeric id.")]
YearPath = Annotated[int, Path(ge=1949, le=2100, description="Calendar year.")]


@dataclass(frozen=True)
class PageParams:
    limit: int = 50
    offset: int = 0


def page_params(limit: int = 50, offset: int = 0) -> PageParams:
    return PageParams(limit=limit, offset=offset)


async def _page_query(  # async: FastAPI runs a plain def dependency in a worker thread, a hop per list request
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Items per page.")] = 50,
    offset: Annotated[int, Query(ge=0, le=MAX_INT, description="Items to skip.")] = 0,
) -> PageParams:
    return page_params(limit, offset)


PageDep = Annotated[PageParams, Depends(_page_query)]


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int


async def paginate(session: AsyncSession, stmt: Select[*tuple[Any, ...]],
                   page: PageParams) -> tuple[Sequence[Any], int]:
    """Run one page of `stmt` (which must have a deterministic ORDER BY) and count all its rows."""
    total = (await session.execute(select(func.count()).select_from(stmt.order_by(None).subquery()))).scalar_one()
    rows = (await session.execute(stmt.limit(page.limit).offset(page.offset))).all()
    return rows, int(total)


# --- a page of each parent's children in one query (GraphQL's loaders, batch readers) ------------------------

def ranked_within(stmt: Any, id_column: Any, parent_column: Any, order_by: Sequence[Any]) -> Any:
    """The ids of `stmt`'s rows (its joins and conditions kept), each with its parent, its position within the
    parent in `order_by` (rn) and the parent's number of rows (total): a subquery."""
    return stmt.with_only_columns(
        id_column.label("id"), parent_column.label("parent"),
        func.row_number().over(partition_by=parent_column, order_by=list(order_by)).label("rn"),
        func.count().over(partition_by=parent_column).label("total")).order_by(None).subquery()


def page_of_each(stmt: Any, ranked: Any, page: PageParams) -> Any:
    """`stmt` (which joins `ranked` and selects its rn and total) cut to the page of every parent, in order.

    The first row of every parent comes along even outside the page, to carry its total."""
    return stmt.where((ranked.c.rn.between(page.offset + 1, page.offset + page.limit)) | (ranked.c.rn == 1)) \
        .order_by(ranked.c.parent, ranked.c.rn)


def in_page(rn: int, page: PageParams) -> bool:
    """Whether the rn-th row of its parent (1-based) is on the page."""
    return page.offset < rn <= page.offset + page.limit


def pages_by_parent(parents: Sequence[K], page: PageParams,
                    rows: Iterable[tuple[K, int, int, Callable[[], T]]]) -> list[tuple[list[T], int]]:
    """(items, total) for each parent, from rows of (parent, rn, total, shape) where shape() builds the item."""
    items: dict[K, list[T]] = {}
    totals: dict[K, int] = {}
    for parent, rn, total, shape in rows:
        totals[parent] = int(total)
        if in_page(rn, page):
            items.setdefault(parent, []).append(shape())
    return [(items.get(parent, []), totals.get(parent, 0)) for parent in parents]

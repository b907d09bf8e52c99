"""`any_of` and `among_many`: a list parameter that is one array on PostgreSQL (one statement whatever its length)
and an expanding IN on SQLite, with the same rows on both."""

import pytest
from sqlalchemy import Integer, String, select
from sqlmodel import col

from app.db import among_many, any_of, in_select
from app.models import Plan
from tests.factories import counting

BY_CODE = select(col(Plan.code)).where(any_of(col(Plan.code), "codes", String())).order_by(col(Plan.code))
AMONG_CODES = select(col(Plan.code)).where(among_many(col(Plan.code), "codes", String())).order_by(col(Plan.code))
MATCHERS = pytest.mark.parametrize("matcher", [any_of, among_many])


@MATCHERS
@pytest.mark.parametrize("wanted", [[], ["chaoyang-2021-2025"], ["chaoyang-2021-2025", "no-such-plan"]])
async def test_it_selects_the_rows_an_in_list_selects(db, matcher, wanted) -> None:  # type: ignore[no-untyped-def]
    expected = (await db.execute(select(col(Plan.code)).where(col(Plan.code).in_(wanted))
                                 .order_by(col(Plan.code)))).scalars().all()
    statement = select(col(Plan.code)).where(matcher(col(Plan.code), "codes", String())).order_by(col(Plan.code))
    assert (await db.execute(statement, {"codes": wanted})).scalars().all() == expected
    assert bool(expected) == ("chaoyang-2021-2025" in wanted)  # a seed plan: the lists do select something


@MATCHERS
async def test_it_combines_with_other_lists_and_integers(db, matcher) -> None:  # type: ignore[no-untyped-def]
    plans = (await db.execute(select(col(Plan.id), col(Plan.code)))).all()
    ids = [plan_id for plan_id, _ in plans[:2]]
    statement = select(col(Plan.code)).where(matcher(col(Plan.id), "ids", Integer()),
                                             any_of(col(Plan.code), "codes", String()))
    rows = (await db.execute(statement, {"ids": ids, "codes": [code for _, code in plans]})).scalars().all()
    assert sorted(rows) == sorted(code for plan_id, code in plans if plan_id in ids)


@pytest.mark.parametrize(("statement", "on_postgresql"), [(BY_CODE, "= ANY("), (AMONG_CODES, "IN (SELECT unnest(")])
async def test_on_postgresql_the_statement_does_not_depend_on_the_length(db, connection, statement,  # type: ignore[no-untyped-def]
                                                                         on_postgresql) -> None:
    """The server prepares a statement once per text: with an IN list, once per length of the list. `among_many`
    is a semi-join on the unnested array there, hashed by the server rather than compared item by item."""
    with counting(connection) as statements:
        for codes in (["a"], ["a", "b", "c"]):
            await db.execute(statement, {"codes": codes})
    if connection.dialect.name == "postgresql":
        assert statements[0] == statements[1] and on_postgresql in statements[0]
    else:
        assert statements[0] != statements[1] and " IN (" in statements[0]


async def test_in_select_selects_the_rows_of_in_a_subquery(db, connection) -> None:  # type: ignore[no-untyped-def]
    """On PostgreSQL `= ANY(ARRAY(select))`: the select runs once, whatever the planner estimates of the tables."""
    chosen = select(col(Plan.id)).where(col(Plan.code).like("%2021-2025"))
    expected = (await db.execute(select(col(Plan.code)).where(col(Plan.id).in_(chosen))
                                 .order_by(col(Plan.code)))).scalars().all()
    with counting(connection) as statements:
        rows = (await db.execute(select(col(Plan.code)).where(in_select(col(Plan.id), chosen))
                                 .order_by(col(Plan.code)))).scalars().all()
    assert rows == expected and len(expected) >= 2
    assert ("= ANY(ARRAY(" in statements[0].upper()) == (connection.dialect.name == "postgresql")

"""The command line a committee office uses: migrate, seed (idempotent), tokens."""

import asyncio

import pytest
from sqlalchemy import func, select

from app.cli import in_transaction, main
from app.models import Committee, Domain, Goal, Measure, Plan, Target
from app.settings import get_settings
from tests.conftest import SEED_PLANS


@pytest.fixture
def fresh_db(databases, monkeypatch):  # type: ignore[no-untyped-def]
    url = databases.create()
    monkeypatch.setenv("DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    get_settings.cache_clear()


def row_counts(url: str) -> dict[str, int]:
    async def count(session) -> dict[str, int]:  # type: ignore[no-untyped-def]
        return {model.__tablename__: (await session.execute(select(func.count()).select_from(model))).scalar_one()
                for model in (Committee, Plan, Domain, Goal, Measure, Target)}

    return asyncio.run(in_transaction(url, count))


def test_migrate_then_seed_twice_changes_nothing(fresh_db, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["migrate"]) == 0
    assert main(["seed"]) == 0
    first = row_counts(fresh_db)
    assert first["plan"] == len(SEED_PLANS) == 6
    assert first["goal"] == sum(len(d["goals"]) for doc in SEED_PLANS for d in doc["domains"])
    capsys.readouterr()

    assert main(["seed"]) == 0
    out = capsys.readouterr().out
    assert "created 0, updated 0," in out
    assert row_counts(fresh_db) == first


def test_token_lifecycle(fresh_db, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["migrate"]) == 0
    assert main(["tokens", "create", "--role", "reader", "--name", "统计平台"]) == 0
    captured = capsys.readouterr()
    token = captured.out.strip()
    assert token.startswith("fep_") and len(token) > 40
    assert "shown only this once" in captured.err

    assert main(["tokens", "list"]) == 0
    listing = capsys.readouterr().out
    assert "统计平台" in listing and "active" in listing and token not in listing

    assert main(["tokens", "revoke", "1"]) == 0
    assert main(["tokens", "list"]) == 0
    assert "revoked" in capsys.readouterr().out


def test_unit_token_needs_an_existing_unit(fresh_db, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["migrate"]) == 0
    assert main(["tokens", "create", "--role", "unit", "--name", "x"]) == 2
    assert "unit" in capsys.readouterr().err
    assert main(["tokens", "create", "--role", "unit", "--unit", "nope", "--name", "x"]) == 2
    assert "does not exist" in capsys.readouterr().err

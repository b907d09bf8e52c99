"""The in-process setup the read benchmarks share: the seed plans, a reader token, the app on its own engine with a
SQL statement counter, and the command line (a temporary SQLite database unless --database-url)."""

import argparse
import asyncio
import sys
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.auth.actor import CLI_ACTOR  # noqa: E402
from app.auth.service import create_token  # noqa: E402
from app.cli import in_transaction, migrate  # noqa: E402
from app.db import create_engine, make_sessionmaker  # noqa: E402
from app.main import create_app  # noqa: E402
from app.models.enums import Role  # noqa: E402
from app.plans.seeding import load_plans, read_plan_files  # noqa: E402
from app.settings import PROJECT_ROOT, Settings  # noqa: E402


@dataclass
class Seeded:
    """The app to send requests to, a reader's headers, and the SQL statements counted since the last reset."""

    app: Any
    engine: Any
    headers: dict[str, str]
    statements: int = field(default=0)

    def count(self, *_args: object) -> None:
        self.statements += 1


async def seeded(url: str) -> Seeded:
    await in_transaction(url, lambda session: load_plans(session, read_plan_files(PROJECT_ROOT / "seeds" / "plans")))
    token, _ = await in_transaction(url, lambda s: create_token(s, CLI_ACTOR, role=Role.reader, name="bench"))
    app = create_app(Settings(database_url=url, log_level="WARNING"))
    engine = create_engine(url)
    app.state.sessionmaker = make_sessionmaker(engine)
    result = Seeded(app, engine, {"Authorization": f"Bearer {token}"})
    event.listen(engine.sync_engine, "before_cursor_execute", result.count)
    return result


def main(description: str, requests: int, run: Callable[[str, int], Awaitable[None]]) -> None:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--requests", type=int, default=requests)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = Settings(database_url=args.database_url or f"sqlite:///{tmp}/bench.db").database_url
        migrate(url)
        asyncio.run(run(url, args.requests))

"""Read-API benchmark: latency and throughput of the main read paths, in process.

    .venv/bin/python bench/read_api.py [--requests 300] [--database-url URL]

Without --database-url a temporary SQLite database is created, migrated and seeded. With a PostgreSQL URL
the database must be empty or already seeded. Prints one line per endpoint: p50, p95, requests/s and SQL
statements per request.
"""

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
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

PATHS = [
    "/api/v1/plans",
    "/api/v1/plans/chaoyang-2021-2025",
    "/api/v1/plans/chaoyang-2021-2025/goals?limit=200",
    "/api/v1/plans/xicheng-2021-2025/goals?q=%E7%8E%87",
    "/api/v1/plans/changping-2021-2025/measures?domain=C1",
    "/api/v1/plans/zengdu-children-2021-2030/targets?limit=200",
]


async def run(url: str, requests: int) -> None:
    documents = read_plan_files(PROJECT_ROOT / "seeds" / "plans")
    await in_transaction(url, lambda session: load_plans(session, documents))
    token, _ = await in_transaction(url, lambda s: create_token(s, CLI_ACTOR, role=Role.reader, name="bench"))
    app = create_app(Settings(database_url=url, log_level="WARNING"))
    engine = create_engine(url)
    app.state.sessionmaker = make_sessionmaker(engine)
    statements = 0

    def count(*_args: object) -> None:
        nonlocal statements
        statements += 1

    event.listen(engine.sync_engine, "before_cursor_execute", count)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench") as client:
        print(f"{'endpoint':62} {'p50 ms':>8} {'p95 ms':>8} {'req/s':>8} {'SQL/req':>8}")
        for path in PATHS:
            await client.get(path, headers=headers)  # warm up
            statements = 0
            timings = []
            started = time.perf_counter()
            for _ in range(requests):
                t0 = time.perf_counter()
                response = await client.get(path, headers=headers)
                timings.append((time.perf_counter() - t0) * 1000)
                assert response.status_code == 200, response.text
            elapsed = time.perf_counter() - started
            p95 = statistics.quantiles(timings, n=20)[-1]
            print(f"{path:62} {statistics.median(timings):8.2f} {p95:8.2f} {requests / elapsed:8.0f} "
                  f"{statements / requests:8.1f}")
    await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = Settings(database_url=args.database_url or f"sqlite:///{tmp}/bench.db").database_url
        migrate(url)
        asyncio.run(run(url, args.requests))


if __name__ == "__main__":
    main()

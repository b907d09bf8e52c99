"""GraphQL dashboard against the same data read through REST, in process.

    .venv/bin/python bench/graphql_dashboard.py [--requests 100] [--database-url URL]

The dashboard is a plan with its goals, their targets and the statuses of both for a year: one GraphQL document,
or three REST calls (the plan, its goals page, its status). Each plan's REST time is the floor measured in the
same run; the line shows the GraphQL time as a ratio of it (the goal: at most 1.5×) and the SQL statements of
each side. A last line asks every plan's dashboard in one document, to show its statements do not grow with
the number of plans. Without --database-url a temporary SQLite database is created, migrated and seeded; with a
PostgreSQL URL the database must be empty or already seeded.
"""

import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from seeded import main, seeded  # noqa: E402

PLANS = ["zengdu-children-2021-2030", "chaoyang-2021-2025", "xicheng-2021-2025"]
YEAR = 2025
STATUS = "status label flags rule explanation"
DASHBOARD = """query($code: String!, $year: Int) { plan(code: $code) {
  code title kind startYear endYear publicationStatus counts { domains goals measures targets }
  status(year: $year) { year asOf targetCounts { achieved onTrack atRisk noData } goalCounts { atRisk noData } }
  goals(limit: 500) { total items { code domainCode number text status(year: $year) { STATUS leadUnit }
    targets { code metric op value unit dueYear status(year: $year) { STATUS projected } } } } } }""".replace(
    "STATUS", STATUS)
EVERY_PLAN = """query($year: Int) { plans(limit: 50) { items { code
  status(year: $year) { year targetCounts { noData } }
  goals(limit: 500) { items { code status(year: $year) { status } targets { code status(year: $year) { status } } } }
} } }"""


async def timed(requests: int, *calls: Callable[[], Awaitable[None]]) -> list[float]:
    """Median milliseconds of each call (after one warm-up), the calls taking turns so that a busy machine slows
    them alike."""
    for call in calls:
        await call()
    timings: list[list[float]] = [[] for _ in calls]
    for _ in range(requests):
        for call, times in zip(calls, timings, strict=True):
            started = time.perf_counter()
            await call()
            times.append((time.perf_counter() - started) * 1000)
    return [statistics.median(times) for times in timings]


async def run(url: str, requests: int) -> None:
    bench = await seeded(url)
    headers = bench.headers
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=bench.app), base_url="http://bench") as client:

        async def graphql(query: str, variables: dict[str, object]) -> None:
            response = await client.post("/graphql", json={"query": query, "variables": variables}, headers=headers)
            assert response.status_code == 200 and "errors" not in response.json(), response.text

        async def rest(code: str) -> None:
            for path in (f"/api/v1/plans/{code}", f"/api/v1/plans/{code}/goals?limit=500",
                         f"/api/v1/plans/{code}/status?year={YEAR}"):
                response = await client.get(path, headers=headers)
                assert response.status_code == 200, response.text

        async def sql_of(call: Callable[[], Awaitable[None]]) -> int:
            bench.statements = 0
            await call()
            return bench.statements

        print(f"{'dashboard':32} {'REST ms':>8} {'GraphQL ms':>11} {'ratio':>6} {'REST SQL':>9} {'GraphQL SQL':>12}")
        for code in PLANS:
            floor, measured = await timed(requests, lambda code=code: rest(code),  # type: ignore[misc]
                                          lambda code=code: graphql(DASHBOARD, {"code": code, "year": YEAR}))  # type: ignore[misc]
            rest_sql = await sql_of(lambda code=code: rest(code))  # type: ignore[misc]
            graph_sql = await sql_of(lambda code=code: graphql(DASHBOARD, {"code": code, "year": YEAR}))  # type: ignore[misc]
            print(f"{code:32} {floor:8.2f} {measured:11.2f} {measured / floor:5.2f}× {rest_sql:9} {graph_sql:12}")
        [every] = await timed(max(requests // 10, 3), lambda: graphql(EVERY_PLAN, {"year": YEAR}))
        every_sql = await sql_of(lambda: graphql(EVERY_PLAN, {"year": YEAR}))
        print(f"{'every plan, one document':32} {'':8} {every:11.2f} {'':6} {'':9} {every_sql:12}")
    await bench.engine.dispose()


if __name__ == "__main__":
    main(__doc__.splitlines()[0], 100, run)

"""Read-API benchmark: latency and throughput of the main read paths, in process.

    .venv/bin/python bench/read_api.py [--requests 300] [--database-url URL]

Without --database-url a temporary SQLite database is created, migrated and seeded. With a PostgreSQL URL
the database must be empty or already seeded. Prints one line per endpoint: p50, p95, requests/s and SQL
statements per request.
"""

import statistics
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from seeded import main, seeded  # noqa: E402

PATHS = [
    "/api/v1/plans",
    "/api/v1/plans/chaoyang-2021-2025",
    "/api/v1/plans/chaoyang-2021-2025/goals?limit=200",
    "/api/v1/plans/xicheng-2021-2025/goals?q=%E7%8E%87",
    "/api/v1/plans/changping-2021-2025/measures?domain=C1",
    "/api/v1/plans/zengdu-children-2021-2030/targets?limit=200",
]


async def run(url: str, requests: int) -> None:
    bench = await seeded(url)
    headers = bench.headers
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=bench.app), base_url="http://bench") as client:
        print(f"{'endpoint':62} {'p50 ms':>8} {'p95 ms':>8} {'req/s':>8} {'SQL/req':>8}")
        for path in PATHS:
            await client.get(path, headers=headers)  # warm up
            bench.statements = 0
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
                  f"{bench.statements / requests:8.1f}")
    await bench.engine.dispose()


if __name__ == "__main__":
    main(__doc__.splitlines()[0], 300, run)

"""Template tests share the submission world (units, assignments, cycles, tokens) with REST's tests."""

from io import BytesIO
from typing import Any

import httpx
from openpyxl import load_workbook

from tests.submissions.conftest import PLAN, world  # noqa: F401  (the fixture)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def template_path(unit: str, year: int = 2024, kind: str = "annual") -> str:
    return f"/api/v1/plans/{PLAN}/cycles/{year}/{kind}/units/{unit}/template.xlsx"


async def download(client: httpx.AsyncClient, headers: dict[str, str], unit: str, year: int = 2024,
                   kind: str = "annual") -> Any:
    response = await client.get(template_path(unit, year, kind), headers=headers)
    assert response.status_code == 200, response.text
    return load_workbook(BytesIO(response.content))


def saved(workbook: Any) -> bytes:
    out = BytesIO()
    workbook.save(out)
    return out.getvalue()


async def upload(client: httpx.AsyncClient, headers: dict[str, str], unit: str, content: bytes, *,
                 year: int = 2024, kind: str = "annual", **params: str) -> httpx.Response:
    return await client.post(template_path(unit, year, kind), headers=headers, params=params,
                             files={"file": ("模板.xlsx", content, XLSX)})

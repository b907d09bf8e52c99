"""The Excel submission template: what it holds (indicators, validation, locked cells), the round trip into
the same submission as the JSON path, refused uploads addressed by cell, unit isolation, the cycle's ZIP."""

import zipfile
from io import BytesIO
from typing import Any
from urllib.parse import unquote

from openpyxl import load_workbook
from sqlalchemy import func, select, update
from sqlmodel import col

from app.assignments.schemas import AssignmentCreate
from app.assignments.service import create_assignment
from app.auth.actor import CLI_ACTOR
from app.models import AuditEvent, Indicator, Observation, OutboxEvent, Submission, SubmissionRevision
from app.models.enums import AssignmentRole
from tests.factories import counting, make_unit
from tests.submissions.conftest import EDUCATION, HEALTH, PLAN, open_cycles, report
from tests.workbooks.conftest import XLSX, download, saved, template_path, upload

FIRST = 4  # the first data row of each sheet (title, hint, headings above)


def indicator_rows(workbook: Any) -> list[tuple[Any, ...]]:
    rows = []
    for row in workbook["指标"].iter_rows(min_row=FIRST, values_only=True):
        if row[0] is None:
            break
        rows.append(row)
    return rows


def fill(workbook: Any) -> dict[str, Any]:
    """Fill every indicator row, every task and the narrative; returns the equivalent JSON content."""
    values, tasks = [], []
    sheet = workbook["指标"]
    for offset, row in enumerate(indicator_rows(workbook)):
        number = FIRST + offset
        value = round(0.5 + offset * 0.25, 2)
        sheet[f"K{number}"] = value
        sheet[f"L{number}"] = "妇幼卫生年报"
        values.append({"indicator": row[0], "value": value, "source": "妇幼卫生年报"})
    progress = {"已完成": "completed", "按计划推进": "on_schedule"}
    tasks_sheet = workbook["任务进展"]
    for offset, row in enumerate(tasks_sheet.iter_rows(min_row=FIRST, values_only=True)):
        if row[0] is None:
            break
        label = list(progress)[offset % 2]
        tasks_sheet[f"E{FIRST + offset}"] = label
        tasks_sheet[f"F{FIRST + offset}"] = f"第{offset + 1}项进展"
        tasks.append({"task": row[0], "progress": progress[label], "description": f"第{offset + 1}项进展"})
    narrative = {"achievements": "孕产妇死亡率持续下降\n婴儿死亡率创新低", "problems": "基层人员不足",
                 "next_steps": "加强培训"}
    for row, text in zip((FIRST, FIRST + 1, FIRST + 2), narrative.values(), strict=True):
        workbook["工作总结"][f"B{row}"] = text
    return {"values": values, "tasks": tasks, "narrative": narrative}


async def count(db, model) -> int:  # type: ignore[no-untyped-def]
    return int((await db.execute(select(func.count()).select_from(model))).scalar_one())


async def test_the_template_holds_the_units_indicators_validation_and_locked_cells(client, world) -> None:  # type: ignore[no-untyped-def]
    response = await client.get(template_path(HEALTH), headers=world.health)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == XLSX
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment; filename=") and "filename*=UTF-8''" in disposition
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == "区卫生健康委_2024年度自评填报模板.xlsx"
    workbook = load_workbook(BytesIO(response.content))
    assert [s.title for s in workbook.worksheets if s.sheet_state == "visible"] == ["填报说明", "指标", "任务进展",
                                                                                 "工作总结"]
    assert workbook["_meta"].sheet_state == "veryHidden"
    meta = {row[0]: row[1] for row in workbook["_meta"].iter_rows(values_only=True)}
    assert (meta["plan"], meta["year"], meta["kind"], meta["unit"]) == (PLAN, 2024, "annual", HEALTH)

    # Every indicator the completeness check expects of the unit (it leads), and those of the goals it supports:
    # once each, no breakdowns being declared. (The round trip shows the JSON path accepts every one.)
    completeness = (await client.get(f"/api/v1/plans/{PLAN}/cycles/2024/annual/completeness",
                                     headers=world.admin)).json()
    expected = next(u for u in completeness["units"] if u["unit"] == HEALTH)["indicators_expected"]
    rows = indicator_rows(workbook)
    codes = [row[0] for row in rows]
    assert set(expected) < set(codes) and len(codes) == len(set(codes))
    maternal = next(row for row in rows if row[1] == "孕产妇死亡率")
    assert maternal[2] == "1/10万" and maternal[3].startswith("W1.2a：孕产妇死亡率 ≤ 7/10万")
    assert maternal[7:10] == ("合计", "全部", "全部")

    sheet = workbook["指标"]
    assert sheet.protection.sheet and workbook["任务进展"].protection.sheet and workbook["工作总结"].protection.sheet
    assert workbook.security.lockStructure
    assert sheet["A4"].protection.locked and sheet["D4"].protection.locked and sheet["A3"].protection.locked
    assert not sheet["K4"].protection.locked and not sheet["N4"].protection.locked
    validations = {v.type: v for v in sheet.data_validations.dataValidation if v.type == "decimal"}
    assert f"K{FIRST}" in str(validations["decimal"].sqref)
    lists = [v.formula1 for v in sheet.data_validations.dataValidation if v.type == "list"]
    assert '"合计,女,男"' in lists and '"全部,城镇,农村"' in lists
    progress = [v for v in workbook["任务进展"].data_validations.dataValidation if v.type == "list"]
    assert progress[0].formula1 == '"已完成,按计划推进,进度滞后,尚未启动"'
    assert not workbook["任务进展"]["E4"].protection.locked and workbook["任务进展"]["A4"].protection.locked
    assignments = (await client.get(f"/api/v1/plans/{PLAN}/assignments", params={"unit": HEALTH},
                                    headers=world.health)).json()["items"]
    task_codes = [row[0] for row in workbook["任务进展"].iter_rows(min_row=FIRST, values_only=True) if row[0]]
    assert sorted(task_codes) == sorted(a["task"] for a in assignments)
    assert [workbook["工作总结"].cell(r, 1).value for r in (4, 5, 6)] == ["工作成效", "存在问题", "下一步计划"]


async def test_a_round_trip_creates_the_same_submission_as_the_json_path(client, world, db) -> None:  # type: ignore[no-untyped-def]
    workbook = await download(client, world.health, HEALTH)
    content = fill(workbook)
    file = saved(workbook)

    before = (await count(db, Submission), await count(db, Observation))
    dry = await upload(client, world.health, HEALTH, file)
    assert dry.status_code == 200, dry.text
    assert dry.json()["dry_run"] is True and dry.json()["action"] == "create" and dry.json()["submission"] is None
    assert dry.json()["values"] == len(content["values"]) and dry.json()["tasks"] == len(content["tasks"])
    assert (await count(db, Submission), await count(db, Observation)) == before

    written = await upload(client, world.health, HEALTH, file, dry_run="false")
    assert written.status_code == 200, written.text
    submission = written.json()["submission"]
    assert submission["status"] == "draft" and written.headers["etag"] == submission["etag"]
    assert written.json()["preview"] == submission["current"]

    # The same content through the JSON path, as a revision of the same submission: nothing differs.
    revised = await client.put(f"/api/v1/submissions/{submission['id']}", headers={
        **world.health, "If-Match": submission["etag"]}, json=content)
    assert revised.status_code == 200, revised.text
    diff = (await client.get(f"/api/v1/submissions/{submission['id']}/diff", params={"from": 1, "to": 2},
                             headers=world.health)).json()
    assert (diff["values"], diff["tasks"], diff["narrative"]) == ([], [], [])
    current = revised.json()["current"]
    assert [(v["indicator"], v["value"], v["source"]) for v in current["values"]] == [
        (v["indicator"], v["value"], v["source"]) for v in content["values"]]
    assert current["narrative"] == content["narrative"]


async def test_a_prefilled_template_revises_and_can_be_submitted(client, world) -> None:  # type: ignore[no-untyped-def]
    workbook = await download(client, world.health, HEALTH)
    fill(workbook)
    first = await upload(client, world.health, HEALTH, saved(workbook), dry_run="false")
    assert first.status_code == 200, first.text

    again = await download(client, world.health, HEALTH)  # now pre-filled with the saved draft
    rows = indicator_rows(again)
    saved_values = {v["indicator"]: v["value"] for v in first.json()["submission"]["current"]["values"]}
    assert {row[0]: row[10] for row in rows} == saved_values
    assert again["工作总结"]["B5"].value == "基层人员不足"
    again["指标"]["K4"] = 9.5
    second = await upload(client, world.health, HEALTH, saved(again), dry_run="false", submit="true")
    assert second.status_code == 200, second.text
    body = second.json()
    assert body["action"] == "revise" and body["submission"]["revision"] == 2
    assert body["submission"]["status"] == "submitted"
    changed = next(v for v in body["submission"]["current"]["values"] if v["indicator"] == rows[0][0])
    assert changed["value"] == 9.5


async def test_extra_rows_carry_breakdowns_and_warnings_with_their_justification(client, world) -> None:  # type: ignore[no-untyped-def]
    workbook = await download(client, world.health, HEALTH)
    rows = indicator_rows(workbook)
    sheet = workbook["指标"]
    code = next(row[0] for row in rows if row[2] == "%")
    total_row = FIRST + [row[0] for row in rows].index(code)
    extra = FIRST + len(rows)
    sheet[f"K{total_row}"] = 50
    sheet[f"A{extra}"], sheet[f"H{extra}"], sheet[f"K{extra}"] = code, "女", 60
    sheet[f"N{extra}"] = "口径不同：女童按户籍统计"
    sheet[f"A{extra + 1}"], sheet[f"H{extra + 1}"], sheet[f"K{extra + 1}"] = code, "male", 70  # a code reads too
    response = await upload(client, world.health, HEALTH, saved(workbook))
    assert response.status_code == 200, response.text
    values = response.json()["preview"]["values"]
    female = next(v for v in values if v["indicator"] == code and v["sex"] == "female")
    assert female["justification"] == "口径不同：女童按户籍统计"
    assert "total_outside_parts" in {w["code"] for v in values for w in v["warnings"]}
    assert response.json()["warnings"] >= 1


async def support_a_goal(db, unit: str) -> None:  # type: ignore[no-untyped-def]
    """Give a new unit a supporting role on a goal, so it is one of the cycle's units."""
    await create_assignment(db, CLI_ACTOR, PLAN, AssignmentCreate(task="C1.8", unit=unit, role=AssignmentRole.support))


def problems(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    return list(response.json()["errors"])


async def test_text_in_a_number_cell_is_refused_by_sheet_row_and_column(client, world, db) -> None:  # type: ignore[no-untyped-def]
    workbook = await download(client, world.health, HEALTH)
    fill(workbook)
    workbook["指标"]["K5"] = "约7"
    errors = problems(await upload(client, world.health, HEALTH, saved(workbook), dry_run="false"))
    assert errors == [{"field": "指标!K5", "code": "not_a_number", "reason": "指标 第5行 K列：应为数字",
                       "sheet": "指标", "row": 5, "column": "K"}]
    assert await count(db, Submission) == 0


async def test_the_submissions_own_checks_are_addressed_to_the_cell(client, world) -> None:  # type: ignore[no-untyped-def]
    workbook = await download(client, world.health, HEALTH)
    rows = indicator_rows(workbook)
    percent = FIRST + [row[2] for row in rows].index("%")
    workbook["指标"][f"K{percent}"] = 150  # a percentage above 100: the JSON path refuses it as out_of_range
    errors = problems(await upload(client, world.health, HEALTH, saved(workbook)))
    assert len(errors) == 1
    assert errors[0]["code"] == "out_of_range" and errors[0]["field"] == "values[0].value"
    assert (errors[0]["sheet"], errors[0]["row"], errors[0]["column"]) == ("指标", percent, "K")
    assert errors[0]["reason"].startswith(f"指标 第{percent}行 K列：")


async def test_a_template_of_another_unit_or_cycle_is_refused(client, world) -> None:  # type: ignore[no-untyped-def]
    education = saved(await download(client, world.admin, EDUCATION))
    errors = problems(await upload(client, world.admin, HEALTH, education))
    assert [e["code"] for e in errors] == ["wrong_unit"]
    health = saved(await download(client, world.health, HEALTH))
    errors = problems(await upload(client, world.health, HEALTH, health, year=2023, kind="midterm"))
    assert [e["code"] for e in errors] == ["wrong_cycle"]


async def test_a_file_that_is_not_an_intact_template_is_refused(client, world) -> None:  # type: ignore[no-untyped-def]
    assert [e["code"] for e in problems(await upload(client, world.health, HEALTH, b"not a workbook"))] == [
        "not_xlsx"]
    workbook = await download(client, world.health, HEALTH)
    workbook["指标"]["A4"] = "I999"  # a locked structure cell changed
    assert [e["code"] for e in problems(await upload(client, world.health, HEALTH, saved(workbook)))] == [
        "template_modified"]
    workbook = await download(client, world.health, HEALTH)
    workbook["指标"]["K3"] = "数值"  # a heading changed
    errors = problems(await upload(client, world.health, HEALTH, saved(workbook)))
    assert errors[0]["code"] == "template_modified" and (errors[0]["row"], errors[0]["column"]) == (3, "K")
    workbook = await download(client, world.health, HEALTH)
    del workbook["任务进展"]
    assert [e["code"] for e in problems(await upload(client, world.health, HEALTH, saved(workbook)))] == [
        "not_a_template"]


async def test_a_unit_reaches_only_its_own_template(client, world) -> None:  # type: ignore[no-untyped-def]
    assert (await client.get(template_path(EDUCATION), headers=world.health)).status_code == 403
    own = saved(await download(client, world.health, HEALTH))
    assert (await upload(client, world.health, EDUCATION, own)).status_code == 403
    zipped = f"/api/v1/plans/{PLAN}/cycles/2024/annual/templates.zip"
    assert (await client.get(zipped, headers=world.health)).status_code == 403
    assert (await client.get(template_path(HEALTH), headers=world.reader)).status_code == 403
    assert (await client.get(template_path(HEALTH, 2022), headers=world.admin)).status_code == 404


async def test_an_upload_with_an_idempotency_key_is_written_once(client, world, db) -> None:  # type: ignore[no-untyped-def]
    workbook = await download(client, world.health, HEALTH)
    fill(workbook)
    file = saved(workbook)
    headers = {**world.health, "Idempotency-Key": "tpl-1"}
    first = await upload(client, headers, HEALTH, file, dry_run="false")
    second = await upload(client, headers, HEALTH, file, dry_run="false")
    assert first.status_code == second.status_code == 200
    assert second.headers["idempotent-replayed"] == "true" and second.json() == first.json()
    assert await count(db, SubmissionRevision) == 1
    workbook["指标"]["K4"] = 3.3
    assert (await upload(client, headers, HEALTH, saved(workbook), dry_run="false")).status_code == 422


async def test_the_office_downloads_every_units_template_in_one_zip(client, world) -> None:  # type: ignore[no-untyped-def]
    response = await client.get(f"/api/v1/plans/{PLAN}/cycles/2024/annual/templates.zip", headers=world.admin)
    assert response.status_code == 200 and response.headers["content-type"] == "application/zip"
    assert unquote(response.headers["content-disposition"].split("filename*=UTF-8''")[1]).endswith(
        "2024年度自评填报模板.zip")
    with zipfile.ZipFile(BytesIO(response.content)) as archive:
        names = archive.namelist()
        assert "区卫生健康委_2024年度自评填报模板.xlsx" in names and "区教委_2024年度自评填报模板.xlsx" in names
        units = set()
        for name in names:
            meta = load_workbook(BytesIO(archive.read(name)))["_meta"]
            units.add({row[0]: row[1] for row in meta.iter_rows(values_only=True)}["unit"])
    assert {HEALTH, EDUCATION} <= units and len(units) == len(names)


async def test_graphql_links_a_cycle_to_its_templates(client, world) -> None:  # type: ignore[no-untyped-def]
    query = """query($plan: String!, $unit: String!) {
      plan(code: $plan) { cycles { year kind templateUrl(unit: $unit) templatesZipUrl } } }"""
    response = await client.post("/graphql", headers=world.health, json={
        "query": query, "variables": {"plan": PLAN, "unit": HEALTH}})
    assert response.status_code == 200 and "errors" not in response.json(), response.text
    cycle = next(c for c in response.json()["data"]["plan"]["cycles"] if c["year"] == 2024)
    downloaded = await client.get(cycle["templateUrl"], headers=world.health)
    assert downloaded.status_code == 200 and downloaded.headers["content-type"] == XLSX
    assert cycle["templatesZipUrl"] == f"/api/v1/plans/{PLAN}/cycles/2024/annual/templates.zip"


async def test_the_template_shows_the_last_three_accepted_values(client, world) -> None:  # type: ignore[no-untyped-def]
    await open_cycles(client, world, 2021, 2022, 2023)
    for year, value, accept in ((2021, 8.0, True), (2022, 7.5, True), (2023, 7.0, False)):
        await report(client, world, world.health, year, [{"target": "W1.2a", "value": value}], accept=accept)
    workbook = await download(client, world.health, HEALTH)
    assert [workbook["指标"].cell(3, c).value for c in (5, 6, 7)] == ["2021年已审核值", "2022年已审核值",
                                                                     "2023年已审核值"]
    maternal = next(row for row in indicator_rows(workbook) if row[1] == "孕产妇死亡率")
    assert maternal[4:7] == (8.0, 7.5, None)  # 2023 is not accepted yet


async def test_an_expected_breakdown_gets_a_row_per_part(client, world, db) -> None:  # type: ignore[no-untyped-def]
    workbook = await download(client, world.health, HEALTH)
    code = next(row[0] for row in indicator_rows(workbook) if row[1] == "孕产妇死亡率")
    await db.execute(update(Indicator).where(col(Indicator.code) == code).values(breakdowns=["area"]))
    await db.commit()
    rows = [row for row in indicator_rows(await download(client, world.health, HEALTH)) if row[0] == code]
    assert [row[9] for row in rows] == ["全部", "城镇", "农村"]
    filled = await download(client, world.health, HEALTH)
    first = FIRST + [row[0] for row in indicator_rows(filled)].index(code)
    for offset, value in enumerate((6.0, 5.0, 8.0)):
        filled["指标"][f"K{first + offset}"] = value
    response = await upload(client, world.health, HEALTH, saved(filled))
    assert response.status_code == 200, response.text
    assert sorted((v["area"], v["value"]) for v in response.json()["preview"]["values"]) == [
        ("all", 6.0), ("rural", 8.0), ("urban", 5.0)]


async def test_the_zip_costs_the_same_statements_whatever_the_number_of_units(  # type: ignore[no-untyped-def]
        client, world, db, connection) -> None:
    path = f"/api/v1/plans/{PLAN}/cycles/2024/annual/templates.zip"
    with counting(connection) as few:
        assert (await client.get(path, headers=world.admin)).status_code == 200
    for index in range(3):
        code = f"110105-t{index}"
        await make_unit(db, code, f"测试单位{index}")
        await support_a_goal(db, code)
    await db.commit()
    with counting(connection) as many:
        response = await client.get(path, headers=world.admin)
    assert len(zipfile.ZipFile(BytesIO(response.content)).namelist()) == 5
    assert len(many) == len(few)


async def test_a_dry_run_writes_no_event_and_no_audit(client, world, db) -> None:  # type: ignore[no-untyped-def]
    workbook = await download(client, world.health, HEALTH)
    fill(workbook)
    before = (await count(db, OutboxEvent), await count(db, AuditEvent), await count(db, SubmissionRevision))
    response = await upload(client, world.health, HEALTH, saved(workbook), submit="true")
    assert response.status_code == 200 and response.json()["preview"]["status"] == "submitted"
    assert (await count(db, OutboxEvent), await count(db, AuditEvent), await count(db, SubmissionRevision)) == before


async def test_a_value_typed_as_a_percentage_is_read_as_it_shows(client, world) -> None:  # type: ignore[no-untyped-def]
    workbook = await download(client, world.health, HEALTH)
    rows = indicator_rows(workbook)
    percent = FIRST + [row[2] for row in rows].index("%")
    permille = FIRST + [row[2] for row in rows].index("‰")
    for number in (percent, permille):  # what Excel stores when a clerk types 85.2% or 0.15%
        workbook["指标"][f"K{number}"].number_format = "0.0%"
    workbook["指标"][f"K{percent}"] = 0.852
    workbook["指标"][f"K{permille}"] = 0.0015
    workbook["指标"][f"K{permille + 1}"] = "1.6"  # a number typed as text is a number
    response = await upload(client, world.health, HEALTH, saved(workbook))
    assert response.status_code == 200, response.text
    values = {v["indicator"]: v for v in response.json()["preview"]["values"]}
    assert values[rows[percent - FIRST][0]]["value"] == 85.2
    assert values[rows[permille - FIRST][0]]["value"] == 1.5  # 0.15 % is 1.5 ‰
    assert values[rows[permille - FIRST][0]]["reported_unit"] == "%"
    assert values[rows[permille + 1 - FIRST][0]]["value"] == 1.6


async def test_a_narrative_too_long_is_addressed_to_its_cell(client, world) -> None:  # type: ignore[no-untyped-def]
    workbook = await download(client, world.health, HEALTH)
    workbook["工作总结"]["B5"] = "问" * 20_001
    errors = problems(await upload(client, world.health, HEALTH, saved(workbook)))
    assert [(e["sheet"], e["row"], e["column"], e["code"]) for e in errors] == [("工作总结", 5, "B", "string_too_long")]
    assert errors[0]["reason"] == "工作总结 第5行 B列：最多 20000 个字符"

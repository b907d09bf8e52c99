"""Messages in Chinese by default, English with Accept-Language: en; a stable `code` on every problem."""

import string
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from app.core.i18n import DEFAULT_LOCALE, catalogue_path, negotiate_locale, t, use_locale
from app.errors import pydantic_reason
from app.models.enums import Role
from app.settings import PROJECT_ROOT
from tests.factories import bearer, make_token

EN = {"Accept-Language": "en"}


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def _extracted() -> dict[str, str]:
    """Every t("…") / N_("…") text in app/, as `make messages` extracts it, with where it is."""
    found: dict[str, str] = {}
    for filename, lineno, message, _, _ in extract_from_dir(
            PROJECT_ROOT / "app", method_map=[("**.py", "python")], keywords={"t": None, "N_": None}):
        assert isinstance(message, str), f"app/{filename}:{lineno}: one literal text per t() call"
        found.setdefault(message, f"app/{filename}:{lineno}")
    return found


def test_every_text_in_the_code_has_a_chinese_translation_with_the_same_placeholders() -> None:
    with catalogue_path("zh").open("rb") as po:
        catalogue = {m.id: m for m in read_po(po, locale="zh") if m.id}
    extracted = _extracted()
    assert len(extracted) > 100
    missing = [f"{where}: {msgid!r}" for msgid, where in extracted.items()
               if msgid not in catalogue or not catalogue[msgid].string or catalogue[msgid].fuzzy]
    assert not missing, "run `make messages` and write the Chinese of:\n" + "\n".join(missing)
    different = [f"{msgid!r} → {catalogue[msgid].string!r}" for msgid in extracted
                 if _placeholders(msgid) != _placeholders(str(catalogue[msgid].string))]
    assert not different, "placeholders differ between msgid and msgstr:\n" + "\n".join(different)
    stale = sorted(set(catalogue) - set(extracted))
    assert not stale, f"texts no longer in the code (run `make messages`): {stale}"


def test_the_catalogue_is_a_source_file_not_a_build_product() -> None:
    assert catalogue_path("zh").is_relative_to(PROJECT_ROOT / "app")
    assert not list(Path(PROJECT_ROOT / "app" / "locale").rglob("*.mo"))


@pytest.mark.parametrize(("header", "locale"), [
    (None, "zh"), ("", "zh"), ("en", "en"), ("en-US", "en"), ("EN-gb", "en"), ("zh-CN,zh;q=0.9,en;q=0.8", "zh"),
    ("en-US,en;q=0.9,zh-CN;q=0.8", "en"), ("fr, en;q=0.5", "en"), ("de", "zh"), ("*", "zh"), ("en;q=0", "zh"),
    ("zh;q=0.4, en;q=0.6", "en"), ("garbage;;;", "zh"), ("en;q=abc", "zh"),
])
def test_negotiate_locale(header: str | None, locale: str) -> None:
    assert negotiate_locale(header) == locale


def test_t_translates_and_fills_placeholders() -> None:
    assert DEFAULT_LOCALE == "zh"
    assert t("Plan {code} does not exist.", code="x") == "规划 x 不存在。"
    with use_locale("en"):
        assert t("Plan {code} does not exist.", code="x") == "Plan x does not exist."
    assert t("a text the catalogue does not know") == "a text the catalogue does not know"


@pytest.mark.parametrize(("error", "zh", "en"), [
    ({"type": "missing"}, "必填字段", "required field"),
    ({"type": "int_type"}, "应为整数", "must be an integer"),
    ({"type": "int_parsing"}, "应为整数", "must be an integer"),
    ({"type": "float_type"}, "应为数字", "must be a number"),
    ({"type": "bool_type"}, "应为布尔值（true 或 false）", "must be a boolean (true or false)"),
    ({"type": "string_type"}, "应为字符串", "must be a string"),
    ({"type": "model_type", "ctx": {"class_name": "Narrative"}}, "应为对象", "must be an object"),
    ({"type": "dict_type"}, "应为对象", "must be an object"),
    ({"type": "list_type"}, "应为列表", "must be a list"),
    ({"type": "string_too_short", "ctx": {"min_length": 1}}, "至少 1 个字符", "must be at least 1 characters"),
    ({"type": "string_too_long", "ctx": {"max_length": 200}}, "最多 200 个字符", "must be at most 200 characters"),
    ({"type": "greater_than_equal", "ctx": {"ge": 0}}, "不能小于 0", "must not be less than 0"),
    ({"type": "less_than_equal", "ctx": {"le": 500}}, "不能大于 500", "must not be greater than 500"),
    ({"type": "enum", "ctx": {"expected": "'annual', 'midterm' or 'final'"}},
     "应为以下之一：'annual', 'midterm', 'final'", "must be one of: 'annual', 'midterm', 'final'"),
    ({"type": "literal_error", "ctx": {"expected": "'accept' or 'return'"}},
     "应为以下之一：'accept', 'return'", "must be one of: 'accept', 'return'"),
    ({"type": "extra_forbidden"}, "不允许的字段", "field not allowed"),
    ({"type": "something_new"}, "无效的值（something_new）", "invalid value (something_new)"),
    ({"type": "string_too_long"}, "无效的值（string_too_long）", "invalid value (string_too_long)"),  # no ctx
])
def test_pydantic_errors_are_said_by_type(error: dict[str, object], zh: str, en: str) -> None:
    assert pydantic_reason(error) == zh
    with use_locale("en"):
        assert pydantic_reason(error) == en


# --- over HTTP --------------------------------------------------------------------------------------------

async def test_not_found_in_chinese_by_default_and_in_english_on_request(client, db) -> None:  # type: ignore[no-untyped-def]
    headers = bearer(await make_token(db, Role.reader))
    zh = await client.get("/api/v1/plans/nowhere", headers=headers)
    assert zh.status_code == 404
    assert zh.headers["content-language"] == "zh"
    assert "accept-language" in zh.headers["vary"].lower()
    assert zh.json()["code"] == "NOT_FOUND"
    assert zh.json()["title"] == "未找到"
    assert zh.json()["detail"] == "规划 nowhere 不存在。"
    en = await client.get("/api/v1/plans/nowhere", headers={**headers, **EN})
    assert en.headers["content-language"] == "en"
    assert en.json()["code"] == "NOT_FOUND"
    assert en.json()["title"] == "Not found"
    assert en.json()["detail"] == "Plan nowhere does not exist."


async def test_successful_responses_say_their_language_too(client) -> None:  # type: ignore[no-untyped-def]
    assert (await client.get("/healthz")).headers["content-language"] == "zh"
    assert (await client.get("/healthz", headers={"Accept-Language": "en-US,en;q=0.9"})).headers[
        "content-language"] == "en"


async def test_service_field_error_is_translated(client, db) -> None:  # type: ignore[no-untyped-def]
    headers = bearer(await make_token(db, Role.admin))
    url = "/api/v1/plans/chaoyang-2021-2025/status?year=2024&domain=ZZ"
    zh = (await client.get(url, headers=headers)).json()
    assert zh["code"] == "VALIDATION" and zh["title"] == "校验失败"
    assert zh["errors"] == [{"field": "domain", "reason": "规划 chaoyang-2021-2025 中没有领域 ZZ"}]
    en = (await client.get(url, headers={**headers, **EN})).json()
    assert en["errors"] == [{"field": "domain", "reason": "no domain ZZ in plan chaoyang-2021-2025"}]
    assert en["title"] == "Validation failed"


async def test_request_validation_is_translated_with_the_error_type_as_code(client, db) -> None:  # type: ignore[no-untyped-def]
    headers = bearer(await make_token(db, Role.admin))
    body = {"code": "x" * 300, "committee_code": "110105", "colour": "red"}
    zh = await client.post("/api/v1/units", json=body, headers=headers)
    assert zh.status_code == 422 and zh.json()["code"] == "VALIDATION"
    errors = {e["field"]: e for e in zh.json()["errors"]}
    assert errors["name"] == {"field": "name", "reason": "必填字段", "code": "missing"}
    assert errors["colour"]["reason"] == "不允许的字段" and errors["colour"]["code"] == "extra_forbidden"
    assert errors["code"]["code"] == "string_too_long" and "个字符" in errors["code"]["reason"]
    assert "name: 必填字段" in zh.json()["detail"]
    en = await client.post("/api/v1/units", json=body, headers={**headers, **EN})
    errors = {e["field"]: e for e in en.json()["errors"]}
    assert errors["name"] == {"field": "name", "reason": "required field", "code": "missing"}
    assert errors["code"]["reason"].startswith("must be at most ")


async def test_query_parameter_type_errors_are_translated(client, db) -> None:  # type: ignore[no-untyped-def]
    headers = bearer(await make_token(db, Role.reader))
    zh = (await client.get("/api/v1/plans?limit=many", headers=headers)).json()
    assert zh["errors"] == [{"field": "limit", "reason": "应为整数", "code": "int_parsing"}]


async def test_malformed_json_is_named_in_either_language(client, db) -> None:  # type: ignore[no-untyped-def]
    headers = {**bearer(await make_token(db, Role.admin)), "Content-Type": "application/json"}
    zh = (await client.post("/api/v1/units", content=b"{not json", headers=headers)).json()
    assert zh["errors"][0]["field"] == "body" and zh["errors"][0]["code"] == "json_invalid"
    assert zh["errors"][0]["reason"].startswith("不是有效的 JSON")
    en = (await client.post("/api/v1/units", content=b"{not json", headers={**headers, **EN})).json()
    assert en["errors"][0]["reason"].startswith("not valid JSON")


@pytest.mark.parametrize(("method", "path", "auth", "status", "code"), [
    ("GET", "/api/v1/plans", False, 401, "UNAUTHENTICATED"),
    ("GET", "/api/v1/nothing-here", False, 404, "NOT_FOUND"),
    ("DELETE", "/api/v1/plans", True, 405, "METHOD_NOT_ALLOWED"),
    ("POST", "/api/v1/units", True, 403, "FORBIDDEN"),
    ("GET", "/api/v1/plans?limit=0", True, 422, "VALIDATION"),
])
async def test_every_problem_has_a_code_and_a_translated_title(client, db, method, path, auth, status,  # type: ignore[no-untyped-def]
                                                               code) -> None:
    headers = bearer(await make_token(db, Role.reader)) if auth else {}
    zh = await client.request(method, path, headers=headers)
    assert zh.status_code == status and zh.headers["content-type"] == "application/problem+json"
    assert zh.json()["code"] == code and zh.headers["content-language"] == "zh"
    en = await client.request(method, path, headers={**headers, **EN})
    assert en.json()["code"] == code
    assert en.json()["title"] != zh.json()["title"] and en.json()["detail"] != zh.json()["detail"]
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in en.json()["title"] + en.json()["detail"])


async def test_oversized_body_is_translated_with_a_code(client, db) -> None:  # type: ignore[no-untyped-def]
    headers = bearer(await make_token(db, Role.admin))
    payload = {"code": "x1", "committee_code": "110105", "name": "名" * 150_000}
    zh = await client.post("/api/v1/units", json=payload, headers=headers)
    assert zh.status_code == 413 and zh.json()["code"] == "PAYLOAD_TOO_LARGE"
    assert zh.json()["title"] == "请求体过大" and zh.headers["content-language"] == "zh"
    en = await client.post("/api/v1/units", json=payload, headers={**headers, **EN})
    assert en.json()["title"] == "Payload too large" and "bytes" in en.json()["detail"]


async def test_unexpected_error_is_translated_too(app, client) -> None:  # type: ignore[no-untyped-def]
    from fastapi import APIRouter

    boom = APIRouter()

    @boom.get("/boom-i18n")
    async def explode() -> None:
        raise RuntimeError("secret internals")

    app.include_router(boom)
    zh = await client.get("/boom-i18n")
    assert zh.status_code == 500 and zh.json()["code"] == "INTERNAL"
    assert zh.json()["title"] == "服务器内部错误" and zh.headers["content-language"] == "zh"
    en = await client.get("/boom-i18n", headers=EN)
    assert en.json()["title"] == "Internal server error" and en.headers["content-language"] == "en"


async def test_graphql_errors_are_translated(client, db) -> None:  # type: ignore[no-untyped-def]
    headers = bearer(await make_token(db, Role.reader))
    query = {"query": '{ plan(code: "nowhere") { code } }'}
    zh = (await client.post("/graphql", json=query, headers=headers)).json()
    assert zh["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert zh["errors"][0]["message"] == "规划 nowhere 不存在。"
    en = (await client.post("/graphql", json=query, headers={**headers, **EN})).json()
    assert en["errors"][0]["message"] == "Plan nowhere does not exist."


async def test_graphql_input_validation_is_translated_with_codes(client, db) -> None:  # type: ignore[no-untyped-def]
    headers = bearer(await make_token(db, Role.admin))
    mutation = {"query": 'mutation { reviewSubmission(id: 999999, input: {decision: return, comment: "%s"}) '
                         '{ id } }' % ("x" * 5001)}
    zh = (await client.post("/graphql", json=mutation, headers=headers)).json()
    error = zh["errors"][0]
    assert error["extensions"]["code"] == "VALIDATION"
    assert error["extensions"]["errors"][0]["code"] == "string_too_long"
    assert "个字符" in error["extensions"]["errors"][0]["reason"]
    en = (await client.post("/graphql", json=mutation, headers={**headers, **EN})).json()
    assert en["errors"][0]["extensions"]["errors"][0]["reason"].startswith("must be at most")

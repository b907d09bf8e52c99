"""The exported OpenAPI document in schemas/ must match the app; regenerate with `make schemas`."""

from app.cli import openapi_document
from app.main import create_app
from app.settings import PROJECT_ROOT


def test_exported_openapi_is_current() -> None:
    exported = (PROJECT_ROOT / "schemas" / "openapi.json").read_text(encoding="utf-8")
    assert exported == openapi_document(create_app()), "schemas/openapi.json is stale: run `make schemas`"


def test_every_operation_is_documented_and_declares_auth() -> None:
    spec = create_app().openapi()
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            assert operation.get("summary"), f"{method} {path} has no summary"
            public = path in ("/healthz", "/readyz")
            assert public or operation.get("security"), f"{method} {path} declares no auth"


def test_every_error_response_is_a_documented_problem() -> None:
    spec = create_app().openapi()
    assert set(spec["components"]["schemas"]["Problem"]["properties"]) >= {"title", "status", "detail", "errors"}
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            for code, response in operation["responses"].items():
                if int(code) >= 400:
                    assert list(response["content"]) == ["application/problem+json"], (method, path, code)
                    schema = response["content"]["application/problem+json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/Problem"}, (method, path, code)
    # The request guard's answers (unstorable text, oversized body) are declared even on the health probe.
    assert set(spec["paths"]["/healthz"]["get"]["responses"]) == {"200", "413", "422"}
    assert "409" in spec["paths"]["/api/v1/submissions/{submission_id}/submit"]["post"]["responses"]
    assert "ETag" in spec["paths"]["/api/v1/submissions/{submission_id}"]["put"]["responses"]["200"]["headers"]
    assert "replaces the whole content" in spec["paths"]["/api/v1/submissions/{submission_id}"]["put"][
        "description"].lower()

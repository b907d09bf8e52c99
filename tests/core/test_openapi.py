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

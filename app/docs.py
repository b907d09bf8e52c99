"""Swagger UI at /docs and ReDoc at /redoc from assets the service serves itself, under /static.

Government intranets have no internet access, so nothing may come from a CDN. Swagger UI and ReDoc come from
the `fastapi-offline` package's static folder, our own files (start-up scripts, GraphiQL) from `app/static/`;
both are served under one `/static` mount (see app/static/README.md). The pages carry no inline script, so
the Content-Security-Policy (app/middleware.py) allows scripts from 'self' only.
"""

from html import escape
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

STATIC_DIR = Path(__file__).resolve().parent / "static"
STATIC_PATH = "/static"

SWAGGER_HTML = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} - Swagger UI</title>
<link rel="icon" type="image/png" href="{static}/favicon.png">
<link rel="stylesheet" href="{static}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui" data-openapi-url="{openapi_url}"></div>
<script src="{static}/swagger-ui-bundle.js"></script>
<script src="{static}/swagger-init.js"></script>
</body>
</html>
"""

REDOC_HTML = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} - ReDoc</title>
<link rel="icon" type="image/png" href="{static}/favicon.png">
<link rel="stylesheet" href="{static}/docs.css">
</head>
<body>
<redoc spec-url="{openapi_url}"></redoc>
<script src="{static}/redoc.standalone.js"></script>
</body>
</html>
"""


def static_prefix(request: Request) -> str:
    """Where /static is for this request (behind a proxy that mounts the service under a root path)."""
    return f"{request.scope.get('root_path', '')}{STATIC_PATH}"


def install_docs(app: FastAPI, docs_url: str = "/docs", redoc_url: str = "/redoc") -> None:
    """Mount /static and add the two documentation pages; create the app with docs_url=None, redoc_url=None."""
    app.mount(STATIC_PATH, StaticFiles(directory=STATIC_DIR, packages=[("fastapi_offline", "static")]),
              name="static")

    def page(template: str, request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return HTMLResponse(template.format(title=escape(app.title), static=escape(static_prefix(request)),
                                            openapi_url=escape(f"{root}{app.openapi_url}")))

    @app.get(docs_url, include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        return page(SWAGGER_HTML, request)

    @app.get(redoc_url, include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        return page(REDOC_HTML, request)

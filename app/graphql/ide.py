"""GraphiQL at GET /graphql from the service's own assets (app/static/graphiql/), never from a CDN.

strawberry's page loads React and GraphiQL from unpkg and starts them with an inline script; on an intranet it
stays blank. This page loads the same files (same versions, same SRI digests) from /static and starts GraphiQL
with app/static/graphiql-init.js, so the Content-Security-Policy needs no inline scripts.
"""

from html import escape

from fastapi import Request
from fastapi.responses import HTMLResponse
from strawberry.fastapi import GraphQLRouter

from app.docs import static_prefix

# The digests strawberry's graphiql.html gives for these files; the browser refuses a file that differs.
ASSETS = {
    "react": ("graphiql/react.production.min.js",
              "sha384-tMH8h3BGESGckSAVGZ82T9n90ztNXxvdwvdM6UoR56cYcf+0iGXBliJ29D+wZ/x8"),
    "react_dom": ("graphiql/react-dom.production.min.js",
                  "sha384-bm7MnzvK++ykSwVJ2tynSE5TRdN+xL418osEVF2DE/L/gfWHj91J2Sphe582B1Bh"),
    "graphiql_css": ("graphiql/graphiql.min.css",
                     "sha384-Mq3vbRBY71jfjQAt/DcjxUIYY33ksal4cgdRt9U/hNPvHBCaT2JfJ/PTRiPKf0aM"),
    "explorer_css": ("graphiql/plugin-explorer.css",
                     "sha384-5DFJlDPW2tSATRbM8kzoP1j194jexLswuNmClWoRr2Q0x7R68JIQzPHZ02Faktwi"),
    "graphiql": ("graphiql/graphiql.min.js",
                 "sha384-HbRVEFG0JGJZeAHCJ9Xm2+tpknBQ7QZmNlO/DgZtkZ0aJSypT96YYGRNod99l9Ie"),
    "explorer": ("graphiql/plugin-explorer.umd.js",
                 "sha384-2oonKe47vfHIZnmB6ZZ10vl7T0Y+qrHQF2cmNTaFDuPshpKqpUMGMc9jgj9MLDZ9"),
}

GRAPHIQL_HTML = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>妇儿规划监测 GraphiQL</title>
<link rel="icon" type="image/png" href="{static}/favicon.png">
<link rel="stylesheet" href="{static}/graphiql-page.css">
<link rel="stylesheet" href="{graphiql_css}" integrity="{graphiql_css_sri}">
<link rel="stylesheet" href="{explorer_css}" integrity="{explorer_css_sri}">
<script src="{react}" integrity="{react_sri}"></script>
<script src="{react_dom}" integrity="{react_dom_sri}"></script>
</head>
<body>
<div id="graphiql" class="graphiql-container">Loading…</div>
<script src="{graphiql}" integrity="{graphiql_sri}"></script>
<script src="{explorer}" integrity="{explorer_sri}"></script>
<script src="{static}/graphiql-init.js"></script>
</body>
</html>
"""


def graphiql_html(static: str) -> str:
    """The page, with asset URLs under `static` (the /static prefix, including any root path)."""
    values = {"static": escape(static)}
    for key, (path, digest) in ASSETS.items():
        values[key] = escape(f"{static}/{path}")
        values[f"{key}_sri"] = digest
    return GRAPHIQL_HTML.format(**values)


class OfflineGraphQLRouter(GraphQLRouter):
    """strawberry's router with GraphiQL served from local assets."""

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        return HTMLResponse(graphiql_html(static_prefix(request)))

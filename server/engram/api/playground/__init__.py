"""The GraphQL playground (GraphiQL with the explorer plugin) served from the service's own pinned copies of
its assets, under a Content-Security-Policy that allows nothing but the service's own origin."""

from __future__ import annotations

from pathlib import Path

from starlette.responses import HTMLResponse
from starlette.staticfiles import StaticFiles

STATIC_DIR = Path(__file__).with_name("static")
ASSETS_PATH = "/playground"

# Nothing inline, nothing from elsewhere: a page that holds API keys runs only the service's own files.
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self'", "font-src 'self'",
    "connect-src 'self'", "object-src 'none'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
])
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}

_STYLES = ["graphiql.min.css", "plugin-explorer.css", "playground.css"]
_SCRIPTS = ["react.production.min.js", "react-dom.production.min.js", "graphiql.min.js", "plugin-explorer.umd.js",
            "playground.js"]


def page_html() -> str:
    styles = "\n".join(f'  <link rel="stylesheet" href="{ASSETS_PATH}/{name}">' for name in _STYLES)
    scripts = "\n".join(f'  <script src="{ASSETS_PATH}/{name}"></script>' for name in _SCRIPTS)
    return f"""<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Engram GraphQL playground</title>
{styles}
</head>
<body>
  <div id="graphiql" class="graphiql-container">Loading…</div>
{scripts}
</body>
</html>
"""


def playground_response() -> HTMLResponse:
    return HTMLResponse(page_html(), headers=SECURITY_HEADERS)


def assets_app() -> StaticFiles:
    return StaticFiles(directory=STATIC_DIR)

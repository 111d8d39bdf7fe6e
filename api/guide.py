"""The Neo4j Browser guide of `cypher/guide/*.cypher`, as HTML for `:play http://localhost:8000/guide`.

Each query file becomes a slide: its header comment as text, and one runnable block holding its
`:param` lines and the query (Browser's multi-statement editor runs them in order). Browser fetches
guides from `localhost` by default (`browser.remote_content_hostname_allowlist`), cross-origin, so the
route answers with `Access-Control-Allow-Origin: *`.
"""

from __future__ import annotations

import html
from functools import cache

from starlette.requests import Request
from starlette.responses import HTMLResponse

from graphstore.cypher_files import CYPHER_DIR

PARAM_PREFIX = "// :param "


def _slide(number: int, text: str) -> str:
    comments = [line[3:] for line in text.splitlines() if line.startswith("// ") and not line.startswith(PARAM_PREFIX)]
    params = [line[3:] for line in text.splitlines() if line.startswith(PARAM_PREFIX)]
    query = "\n".join(line for line in text.splitlines() if line.strip() and not line.startswith("//"))
    title, *rest = comments or ["(untitled)"]
    runnable = "\n".join([*params, query])
    return (f'<slide class="row-fluid"><div class="col-sm-12"><h3>{number}. {html.escape(title)}</h3>'
            f"<p>{html.escape(' '.join(rest))}</p>"
            f'<pre mode="cypher" class="runnable">{html.escape(runnable)}</pre></div></slide>')


@cache
def render_guide() -> str:
    """The guide's HTML (one slide per query file, in file-name order)."""
    files = sorted((CYPHER_DIR / "guide").glob("*.cypher"))
    slides = "\n".join(_slide(n, path.read_text()) for n, path in enumerate(files, start=1))
    return f'<article class="guide"><carousel class="deck container-fluid">\n{slides}\n</carousel></article>\n'


async def guide(request: Request) -> HTMLResponse:
    return HTMLResponse(render_guide(), headers={"Access-Control-Allow-Origin": "*"})

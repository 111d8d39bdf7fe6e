"""The ASGI app: GraphQL (and GraphiQL) at /graphql, /healthz, /readyz, /metrics, and the Neo4j Browser
guide at /guide (`:play http://localhost:8000/guide`).

`create_app(settings)` builds it; the Neo4j driver is opened in the lifespan (one per process), which then warms
up (`api.warmup`) before the worker serves; each request gets one session, closed when the response is ready.
"""

from __future__ import annotations

import asyncio
import functools
import gc
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import orjson
from graphql import GraphQLError, OperationDefinitionNode, parse
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.types import ExecutionResult

from api.context import RequestContext, Services
from api.errors import shaped
from api.guide import guide
from api.metrics import Metrics
from api.recommend import Recommender
from api.schema import build_schema
from api.settings import ApiSettings
from api.warmup import warm_up
from graphstore import reads
from graphstore.provision import Credentials, resolve_server
from graphstore.reads import GraphReader
from kgrec.settings import Settings, get_settings

log = logging.getLogger(__name__)
ROUTES = ("/graphql", "/healthz", "/readyz", "/metrics", "/guide")


@functools.lru_cache(maxsize=256)
def _operations(query: str, max_tokens: int) -> int:
    """How many operations a document defines (0 when it does not parse: strawberry reports that)."""
    try:
        return sum(isinstance(d, OperationDefinitionNode) for d in parse(query, max_tokens=max_tokens).definitions)
    except GraphQLError:
        return 0


class GraphQLView(GraphQL):
    """strawberry's ASGI view with kgrec's context, a deadline per operation, session cleanup, and orjson."""

    async def get_context(self, request: Request, response: Response) -> RequestContext:  # type: ignore[override]
        context = RequestContext(request.app.state.services, request, response)
        request.state.kgrec_context = context
        return context

    async def execute_single(self, *args: Any, **kwargs: Any) -> ExecutionResult:  # type: ignore[override]
        context: RequestContext = kwargs["context"]
        request = kwargs["request_data"]
        if request.operation_name is None and _operations(request.query or "", context.settings.max_tokens) > 1:
            # strawberry would run the first one; the GraphQL spec makes this a request error
            error = GraphQLError("the document has several operations: say which to run with operationName",
                                 extensions={"code": "GRAPHQL_VALIDATION_FAILED"})
            return ExecutionResult(data=None, errors=[error])
        try:
            async with asyncio.timeout(context.settings.request_timeout_s):
                return await super().execute_single(*args, **kwargs)
        except TimeoutError:
            error = GraphQLError(f"the request took longer than {context.settings.request_timeout_s:g} s",
                                 extensions={"code": "TIMEOUT"})
            return ExecutionResult(data=None, errors=[error])

    def encode_json(self, data: object) -> bytes:
        """orjson instead of `json.dumps`: ~0.1 ms of the ~0.14 ms a benchmark response took, 0.8 of 0.9 ms for one
        with every path field (it writes numpy scalars too)."""
        return orjson.dumps(data, option=orjson.OPT_SERIALIZE_NUMPY)

    async def process_result(self, request: Request, result: ExecutionResult) -> Any:  # type: ignore[override]
        """Count errors by code; shape the few that bypass the schema's extensions (e.g. cached-parser errors)."""
        if result.errors:
            result.errors = [e if (e.extensions or {}).get("code") else shaped(e) for e in result.errors]
            metrics: Metrics = request.app.state.services.metrics
            for error in result.errors:
                metrics.errors.labels(error.extensions["code"]).inc()
        return await super().process_result(request, result)

    async def run(self, request: Any, context: Any = None, root_value: Any = None) -> Any:  # type: ignore[override]
        try:
            return await super().run(request)
        finally:
            ctx = getattr(request.state, "kgrec_context", None)
            if ctx is not None:
                await ctx.close()


class GuardMiddleware:
    """Counts and times every request (by route), and refuses bodies over the configured size."""

    def __init__(self, app: ASGIApp, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        metrics: Metrics = scope["app"].state.services.metrics
        route = scope["path"] if scope["path"] in ROUTES else "other"
        status = {"code": 500}
        started = time.perf_counter()

        async def send_status(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        try:
            length = dict(scope["headers"]).get(b"content-length")
            if length is not None and (not length.isdigit() or int(length) > self.max_body_bytes):
                response = PlainTextResponse(f"request body over {self.max_body_bytes} bytes", status_code=413)
                await response(scope, receive, send_status)
                return
            await self.app(scope, self._limited(receive), send_status)
        finally:
            metrics.requests.labels(scope["method"], route, str(status["code"])).inc()
            metrics.latency.labels(route).observe(time.perf_counter() - started)

    def _limited(self, receive: Receive) -> Receive:
        """A receive that stops a chunked body once it passes the limit."""
        seen = 0

        async def wrapped() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body_bytes:
                    raise _BodyTooLarge
            return message

        return wrapped


class _BodyTooLarge(Exception):
    pass


async def _body_too_large(request: Request, exc: Exception) -> Response:
    return PlainTextResponse("request body too large", status_code=413)


async def healthz(request: Request) -> Response:
    """Liveness: the process answers."""
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    """Readiness: Neo4j answers and the default dataset (or any, without one) has an active model version."""
    services: Services = request.app.state.services
    if not await services.reader.ping():
        return JSONResponse({"status": "unavailable", "reason": "Neo4j does not answer"}, status_code=503)
    session = services.reader.session(services.settings.request_timeout_s)
    try:
        active = await reads.active_models(session, services.settings.default_dataset)
    finally:
        await session.close()
    if not active:
        which = services.settings.default_dataset or "any dataset"
        return JSONResponse({"status": "unavailable", "reason": f"no active model version for {which}"},
                            status_code=503)
    return JSONResponse({"status": "ready", "activeModels": active})


async def metrics_endpoint(request: Request) -> Response:
    body, content_type = request.app.state.services.metrics.render()
    return Response(body, media_type=content_type)


def create_app(settings: ApiSettings | None = None, credentials: Credentials | None = None,
               neo4j_settings: Settings | None = None) -> Starlette:
    """The service. Credentials default to the server `kgrec neo4j start` manages (or NEO4J_URI)."""
    settings = settings or ApiSettings()
    neo4j_settings = neo4j_settings or get_settings()
    metrics = Metrics()
    view = GraphQLView(build_schema(settings), graphql_ide="graphiql" if settings.graphiql else None,
                       allow_queries_via_get=True)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        creds = credentials or resolve_server(neo4j_settings).credentials()
        reader = GraphReader(creds, neo4j_settings.neo4j_database, observe=metrics.observe_query,
                             retry_s=min(2.0, settings.request_timeout_s / 4))
        app.state.services = Services(settings, reader, Recommender(settings.popularity_ttl_s), metrics)
        log.info("kgrec API: Neo4j at %s, default dataset %s", creds.uri, settings.default_dataset)
        if settings.warm_up:
            await warm_up(app.state.services)  # before serving: /readyz answers only after it
        gc.collect()
        gc.freeze()  # what start-up made lives on: keep it out of full collections (one took ~100 ms, a tail spike)
        try:
            yield
        finally:
            await reader.close()

    middleware = [Middleware(GuardMiddleware, max_body_bytes=settings.max_body_bytes)]
    if settings.cors_origins:
        middleware.insert(0, Middleware(CORSMiddleware, allow_origins=settings.cors_origins,
                                        allow_methods=["GET", "POST"], allow_headers=["Content-Type", "X-API-Key"],
                                        max_age=600))
    return Starlette(
        routes=[Route("/graphql", view, methods=["GET", "POST"]), Route("/healthz", healthz),
                Route("/readyz", readyz), Route("/metrics", metrics_endpoint), Route("/guide", guide)],
        middleware=middleware,
        exception_handlers={_BodyTooLarge: _body_too_large},
        lifespan=lifespan,
    )


@asynccontextmanager
async def local_client(app: Starlette, timeout: float) -> AsyncIterator[httpx.AsyncClient]:
    """The app started (its lifespan: driver, warm-up when enabled) and an HTTP client that calls its ASGI
    interface in this process, no sockets: the whole request path (limits, auth, masking) without a server."""
    async with (app.router.lifespan_context(app),
                httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://kgrec.local",
                                  timeout=timeout) as client):
        yield client


def create_app_from_env() -> Starlette:
    """Factory for `uvicorn --factory` (used by `kgrec serve` with several workers)."""
    return create_app(ApiSettings())

"""The OpenAPI document says what the API does: every status a route or a guard can answer, one error shape.

Routes declare their own answers (``responses=``); what every route of a
kind can answer comes from here, in one place: 401 for those behind
sign-in, 400/413 for those with a body, 403 for the state-changing ones
(the origin rule of guards.py), and 405 with an ``Allow`` header that lists
every method of the path (Starlette names only the first route it finds).
Who may read the document is a setting (``api.openapi``): ``public``,
``staff`` (the default: signed-in staff only) or ``off``.
"""

from __future__ import annotations

from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from hub.http.deps import require_staff
from hub.http.errors import ErrorOut

ERROR_REF = {"$ref": "#/components/schemas/ErrorOut"}
_GENERIC = {
    "400": "the body is not what the Content-Type says (not JSON, not UTF-8)",
    "401": "no valid session: sign in with POST /api/session",
    "403": "refused: another site's request (Origin/Referer), or a role this account lacks",
    "413": "the request body is over the hub's limit (api.max_body_bytes)",
    "422": "a parameter or the body fails validation; the answer names each field",
    "431": "the request headers (cookies included) are over the hub's limit (api.max_header_bytes)",
}
_UNSAFE = {"post", "put", "patch", "delete"}


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": ERROR_REF}}}


def complete(document: dict[str, Any]) -> dict[str, Any]:
    """Add the answers every route of a kind can give, and point every error at :class:`ErrorOut`."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    for path_item in document.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in _UNSAFE | {"get"}:
                continue
            answers = operation.setdefault("responses", {})
            wanted = {"431"}
            if operation.get("security"):
                wanted.add("401")
            if "requestBody" in operation:
                wanted |= {"400", "413"}
            if method in _UNSAFE:
                wanted.add("403")
            if operation.get("parameters") or "requestBody" in operation:
                wanted.add("422")
            for status in wanted:
                answers.setdefault(status, _error(_GENERIC[status]))
            for status, answer in answers.items():
                if status[0] in "45":
                    answer["content"] = {"application/json": {"schema": ERROR_REF}}
    return document


def _methods_of(app: FastAPI, request: Request) -> list[str]:
    methods: set[str] = set()
    for route in app.router.routes:
        if isinstance(route, APIRoute) and route.matches(request.scope)[0] != Match.NONE:
            methods |= route.methods or set()
    if "GET" in methods:
        methods.add("HEAD")
    return sorted(methods)


async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = ", ".join(_methods_of(request.app, request))
    return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=headers)


def install(app: FastAPI, visibility: str) -> None:
    """The document, with the answers of :func:`complete`, served as ``visibility`` says."""

    def document() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = complete(get_openapi(
                title=app.title, version=app.version, description=app.description, routes=app.routes))
            schema = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
            defs = schema.pop("$defs", {})
            app.openapi_schema["components"]["schemas"].update({**defs, "ErrorOut": schema})
        return app.openapi_schema

    app.openapi = document  # type: ignore[method-assign]
    app.add_exception_handler(StarletteHTTPException, _http_error)  # type: ignore[arg-type]
    if visibility == "off":
        return
    guard = [] if visibility == "public" else [Depends(require_staff)]

    @app.get("/openapi.json", include_in_schema=False, dependencies=guard)
    async def openapi_json() -> JSONResponse:
        return JSONResponse(jsonable_encoder(document()))

    @app.get("/docs", include_in_schema=False, dependencies=guard)
    async def swagger() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url="/openapi.json", title=f"{app.title}: API")

    del openapi_json, swagger


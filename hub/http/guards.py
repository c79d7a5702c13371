"""Request guards in front of every route: a body size limit and the origin rule for state-changing requests.

Both are plain ASGI middleware, so they act before FastAPI reads a body or
resolves a session, and they answer with the same JSON shape as the routes
(``{"detail": "..."}``).

The origin rule (docs/api.md): a POST, PUT, PATCH or DELETE whose ``Origin``
(or, without it, ``Referer``) names another site is refused with 403. One
that carries neither is refused only if it carries the session cookie: a
browser always sends ``Origin`` on such requests, so a cookie without one is
not a page of this hub, while a script with a bearer token (or nothing) is
not something a hostile page can make a browser send.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hub.http.deps import SESSION_COOKIE

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


async def _refuse(send: Send, status: int, detail: str, headers: Iterable[tuple[bytes, bytes]] = ()) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            *headers]})
    await send({"type": "http.response.body", "body": body})


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")
    return None


def origin_of(url: str) -> str | None:
    """``scheme://host[:port]`` of a URL, lower-case; None when it has no host (``null``, a path, junk)."""
    try:
        parts = urlsplit(url.strip())
        if not parts.scheme or not parts.hostname:
            return None
        default = {"http": 80, "https": 443}.get(parts.scheme.lower())
        port = parts.port
    except ValueError:
        return None
    netloc = parts.hostname.lower() + (f":{port}" if port and port != default else "")
    return f"{parts.scheme.lower()}://{netloc}"


def _has_session_cookie(scope: Scope) -> bool:
    cookie = _header(scope, b"cookie") or ""
    return any(part.strip().startswith(SESSION_COOKIE + "=") for part in cookie.split(";"))


class OriginGuard:
    """403 for a state-changing request from another site (the rule is in the module's docstring)."""

    def __init__(self, app: ASGIApp, trusted: Iterable[str] = ()) -> None:
        self.app = app
        self.trusted = {o for o in (origin_of(t) for t in trusted) if o}

    def own_origins(self, scope: Scope) -> set[str]:
        host = _header(scope, b"host")
        own = set(self.trusted)
        if host:
            found = origin_of(f"{scope.get('scheme', 'http')}://{host}")
            if found:
                own.add(found)
        return own

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in UNSAFE_METHODS:
            await self.app(scope, receive, send)
            return
        origin, referer = _header(scope, b"origin"), _header(scope, b"referer")
        claimed, which = (origin, "Origin") if origin is not None else (referer, "Referer")
        if claimed is not None:
            if origin_of(claimed) not in self.own_origins(scope):
                await _refuse(send, 403, f"cross-site request refused: {which} {claimed[:100]!r} is not this hub")
                return
        elif _has_session_cookie(scope):
            await _refuse(send, 403, "a request signed in by cookie must carry an Origin or Referer header "
                                     "(scripts: send the token as 'Authorization: Bearer' instead)")
            return
        await self.app(scope, receive, send)


class BodyLimit:
    """413 for a request body over ``limit`` bytes, by its Content-Length or as it streams in; 431 for headers
    (cookies included) over ``header_limit`` bytes in all, which the web server alone would let through."""

    def __init__(self, app: ASGIApp, limit: int, header_limit: int) -> None:
        self.app = app
        self.limit = limit
        self.header_limit = header_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if sum(len(k) + len(v) for k, v in scope.get("headers", ())) > self.header_limit:
            await _refuse(send, 431, f"request headers over {self.header_limit} bytes")
            return
        too_big = f"request body over {self.limit} bytes"
        declared = _header(scope, b"content-length")
        if declared is not None:
            if not declared.strip().isdigit():
                await _refuse(send, 400, "Content-Length: not a number")
                return
            if int(declared) > self.limit:
                await _refuse(send, 413, too_big)
                return
        seen = 0
        started = refused = False

        async def counted() -> Message:
            # the 413 goes out as soon as the body passes the limit; whatever the app answers after is dropped
            nonlocal seen, refused
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit and not refused:
                    refused = True
                    if not started:
                        await _refuse(send, 413, too_big)
                    raise _TooLarge
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            if refused:
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        with contextlib.suppress(_TooLarge):
            await self.app(scope, counted, watched)


class _TooLarge(Exception):
    pass


def install(app: Any, body_limit: int, header_limit: int, trusted_origins: Iterable[str]) -> None:
    """Outermost first: the size limits, then the origin rule."""
    app.add_middleware(OriginGuard, trusted=list(trusted_origins))
    app.add_middleware(BodyLimit, limit=body_limit, header_limit=header_limit)

"""Request limits and the optional API key, as one small ASGI middleware.

Why a middleware (not per-route checks): the limits must hold before any route reads
a body or parses a query string, for every route present and future, and a refused
request must not be buffered first.

- Query strings over ``max_query_chars`` (default 64 KiB; ``settings["max_query_chars"]``
  or ``IMPC_KG_MAX_QUERY_CHARS``) -> 414. Longer SPARQL goes in a POST body.
- Bodies over ``max_body_bytes`` (default 32 MiB; ``settings["max_body_bytes"]`` or
  ``IMPC_KG_MAX_BODY_BYTES``) -> 413: at once when ``Content-Length`` says so, otherwise
  as soon as the streamed body passes the limit. Routes may set lower limits of their
  own (``/mappings/validate`` refuses uploads over 20 MiB).
- When an API key is configured (``settings["api_key"]`` or ``IMPC_KG_API_KEY``), the
  query endpoints (``/sparql``, ``/queries``, ``/cypher``) need the header
  ``X-API-Key: <key>``; otherwise 401. The key is compared in constant time and is
  never logged or echoed. Other endpoints stay open (they are bounded lookups).

>>> Limits.from_settings({"max_body_bytes": 10}, env={}).max_body_bytes
10
>>> Limits.from_settings({}, env={"IMPC_KG_API_KEY": "s3cret"}).api_key
's3cret'
"""

from __future__ import annotations

import hmac
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

MAX_BODY_BYTES = 32 * 1024 * 1024
MAX_QUERY_CHARS = 64 * 1024
PROTECTED_PREFIXES = ("/sparql", "/queries", "/cypher")
API_KEY_HEADER = b"x-api-key"


@dataclass(frozen=True)
class Limits:
    max_body_bytes: int = MAX_BODY_BYTES
    max_query_chars: int = MAX_QUERY_CHARS
    api_key: str | None = None

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any] | None = None,
                      env: Mapping[str, str] | None = None) -> "Limits":
        """App settings win over the environment, then the defaults."""
        settings = settings or {}
        env = os.environ if env is None else env

        def pick(key: str, var: str, default):
            raw = settings.get(key)
            if raw is None:
                raw = env.get(var) or None
            if raw is None:
                return default
            try:
                return type(default)(raw) if default is not None else str(raw)
            except ValueError:
                raise ValueError(f"setting {key} / {var}: expected a number, got {raw!r}") from None

        return cls(max_body_bytes=pick("max_body_bytes", "IMPC_KG_MAX_BODY_BYTES", MAX_BODY_BYTES),
                   max_query_chars=pick("max_query_chars", "IMPC_KG_MAX_QUERY_CHARS", MAX_QUERY_CHARS),
                   api_key=pick("api_key", "IMPC_KG_API_KEY", None))


class _TooLarge(Exception):
    pass


async def _send_error(send, status: int, detail: str, headers: list | None = None) -> None:
    body = json.dumps({"detail": detail}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()), *(headers or [])]})
    await send({"type": "http.response.body", "body": body})


def protected(path: str) -> bool:
    """Whether a path is one of the query endpoints the API key guards.

    >>> protected("/sparql"), protected("/queries/x"), protected("/sparqlx"), protected("/entities/MP:1")
    (True, True, False, False)
    """
    return any(path == p or path.startswith(p + "/") for p in PROTECTED_PREFIXES)


class LimitsMiddleware:
    """ASGI middleware enforcing :class:`Limits` on every HTTP request."""

    def __init__(self, app, limits: Limits | None = None, settings: Mapping[str, Any] | None = None):
        self.app = app
        self.limits = limits or Limits.from_settings(settings)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        lim = self.limits
        if len(scope.get("query_string", b"")) > lim.max_query_chars:
            return await _send_error(send, 414, f"query string over {lim.max_query_chars} characters; "
                                                f"send long queries in a POST body")
        if lim.api_key and protected(scope.get("path", "")):
            given = dict(scope.get("headers") or ()).get(API_KEY_HEADER, b"")
            if not hmac.compare_digest(given, lim.api_key.encode()):
                return await _send_error(send, 401, "this endpoint needs a valid X-API-Key header",
                                         [(b"www-authenticate", b'ApiKey header="X-API-Key"')])
        declared = dict(scope.get("headers") or ()).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > lim.max_body_bytes:
            return await _send_error(send, 413, f"request body of {int(declared)} bytes is over the "
                                                f"limit of {lim.max_body_bytes} bytes")
        seen = 0
        started = False

        async def limited_receive():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > lim.max_body_bytes:
                    raise _TooLarge
            return message

        async def tracking_send(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _TooLarge:
            if not started:
                await _send_error(send, 413, f"request body over the limit of {lim.max_body_bytes} bytes")

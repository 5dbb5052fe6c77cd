"""Two plain-ASGI middlewares under every request: the request context and the body-size cap.

`RequestContext` gives each request an ID (a sane incoming `X-Request-ID` is kept), safety headers, one JSON log
line and HTTP metrics; `BodyLimit` caps bodies while they stream. They are plain ASGI so they never buffer an
upload. Nothing here logs a header, so an API key cannot reach the logs.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from typing import Any

from starlette.datastructures import MutableHeaders

from .. import metrics
from ..config import Settings
from ..logs import REQUEST_ID
from .errors import BodyTooLarge, error_response

log = logging.getLogger("evidence_svc.api")
_REQUEST_ID_OK = re.compile(r"^[A-Za-z0-9._-]{1,64}$")

# --- middleware (plain ASGI: they must not buffer streamed bodies) -------------------------------------------------

_CSP = ("default-src 'self'; img-src 'self' blob: data:; style-src 'self'; script-src 'self'; connect-src 'self'; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")


class RequestContext:
    """Request ID, security headers, access log line and HTTP metrics for every request."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        incoming = dict(scope.get("headers") or []).get(b"x-request-id", b"").decode("latin-1")
        rid = incoming if _REQUEST_ID_OK.match(incoming) else uuid.uuid4().hex
        token = REQUEST_ID.set(rid)
        scope.setdefault("state", {})["request_id"] = rid
        started = time.perf_counter()
        status = {"code": 500}
        docs = scope["path"] in ("/docs", "/redoc") or scope["path"].startswith("/static-offline-docs")

        async def send_with_headers(message: dict) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                headers = MutableHeaders(scope=message)
                headers["X-Request-ID"] = rid
                headers["X-Content-Type-Options"] = "nosniff"
                headers["Referrer-Policy"] = "no-referrer"
                headers["X-Frame-Options"] = "DENY"
                if not docs:  # Swagger UI needs its inline script
                    headers["Content-Security-Policy"] = _CSP
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            elapsed = time.perf_counter() - started
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            metrics.HTTP.labels(scope["method"], route, str(status["code"])).inc()
            metrics.LATENCY.labels(scope["method"], route).observe(elapsed)
            log.info("request", extra={"method": scope["method"], "path": scope["path"], "status": status["code"],
                                       "ms": round(elapsed * 1000, 1), "tenant": scope["state"].get("tenant")})
            REQUEST_ID.reset(token)


class BodyLimit:
    """Caps request bodies: file uploads at `max_upload_bytes`, anything else at `max_json_bytes`."""

    def __init__(self, app: Any, settings: Settings) -> None:
        self.app, self.settings = app, settings

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers") or [])
        multipart = headers.get(b"content-type", b"").lower().startswith(b"multipart/")
        limit = self.settings.max_upload_bytes if multipart else self.settings.max_json_bytes
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            response = error_response(413, "request-too-large",
                                      f"the request body ({int(declared)} bytes) is larger than the limit of "
                                      f"{limit} bytes", f"请求体超过了 {limit} 字节的上限",
                                      {"limit_bytes": limit})
            return await response(scope, receive, send)
        seen = 0

        async def limited() -> dict:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge(limit)
            return message

        await self.app(scope, limited, send)

"""The HTTP plumbing under api.py: the error body, JSON logs with request IDs, and two ASGI middlewares.

Every refusal becomes one JSON shape (`ErrorBody`: a stable code, English and Chinese texts, the request ID);
every request gets an ID (a sane incoming `X-Request-ID` is kept), safety headers, one JSON log line and HTTP
metrics; bodies are capped while they stream. The middlewares are plain ASGI so they never buffer an upload.
Nothing here logs a header, so an API key cannot reach the logs.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from contextvars import ContextVar
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException

from . import metrics
from .api_models import ErrorBody
from .config import Settings
from .uploads import UploadError

log = logging.getLogger("evidence_svc.api")
REQUEST_ID: ContextVar[str | None] = ContextVar("request_id", default=None)
_REQUEST_ID_OK = re.compile(r"^[A-Za-z0-9._-]{1,64}$")

# --- errors ------------------------------------------------------------------------------------------------------


class ApiError(Exception):
    """Any refusal; rendered as ErrorBody with a stable `code` and texts in English and Chinese."""

    def __init__(self, status: int, code: str, message: str, message_zh: str | None = None,
                 details: Any = None, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.message_zh = status, code, message, message_zh
        self.details, self.headers = details, headers


def not_found(what: str, what_zh: str) -> ApiError:
    return ApiError(404, "not-found", f"{what} not found", f"找不到{what_zh}")


class BodyTooLarge(StarletteHTTPException):
    """Raised from the body-size guard while a body is read; an HTTPException so FastAPI passes it through."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is larger than the limit of {limit} bytes")
        self.limit = limit


def error_response(status: int, code: str, message: str, message_zh: str | None = None, details: Any = None,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    body = {"error": {"code": code, "message": message, "message_zh": message_zh, "details": details},
            "request_id": REQUEST_ID.get()}
    return JSONResponse(body, status_code=status, headers=headers)


_STATUS_CODES = {400: "bad-request", 401: "unauthorized", 404: "not-found", 405: "method-not-allowed",
                 413: "request-too-large", 415: "unsupported-media-type"}


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.code, exc.message, exc.message_zh, exc.details, exc.headers)

    @app.exception_handler(UploadError)
    async def _upload_error(request: Request, exc: UploadError) -> JSONResponse:
        return error_response(exc.status, exc.code, exc.message, exc.message_zh, exc.details or None)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _STATUS_CODES.get(exc.status_code, "http-error")
        message = exc.detail if isinstance(exc.detail, str) else code
        return error_response(exc.status_code, code, message, headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"loc": list(e.get("loc", ())), "msg": e.get("msg"), "type": e.get("type")} for e in exc.errors()]
        first = errors[0] if errors else {"loc": [], "msg": "invalid request"}
        where = ".".join(str(p) for p in first["loc"])
        return error_response(422, "invalid-request", f"{where}: {first['msg']}" if where else str(first["msg"]),
                              f"请求无效：{where}", jsonable_encoder(errors))

    @app.exception_handler(Exception)
    async def _internal(request: Request, exc: Exception) -> JSONResponse:
        log.error("unhandled error", exc_info=exc)
        return error_response(500, "internal-error", "internal error; the service log has the details under "
                              "this request ID", "服务内部错误；请凭此请求 ID 查看服务日志")


def error_docs(*statuses: int) -> dict[int | str, dict[str, Any]]:
    texts = {400: "Malformed request (bad multipart)", 401: "Missing or unknown API key", 404: "Not found (or "
             "not this tenant's)", 413: "Too large (file or body)", 415: "Not multipart/form-data",
             422: "Invalid input (the message names the field)", 503: "Unavailable"}
    return {s: {"model": ErrorBody, "description": texts[s]} for s in statuses}


# --- logging -----------------------------------------------------------------------------------------------------

_STD_ATTRS = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "taskName"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request_id, plus whatever `extra=` carried."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S") + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(), "logger": record.name, "msg": record.getMessage(),
        }
        rid = getattr(record, "request_id", None) or REQUEST_ID.get()
        if rid:
            out["request_id"] = rid
        out.update({k: v for k, v in vars(record).items() if k not in _STD_ATTRS and k != "request_id"})
        if record.exc_info:
            out["exc"] = self.formatException(record.exc_info)
        return json.dumps(out, default=str, ensure_ascii=False)


JsonFormatter.converter = time.gmtime  # type: ignore[assignment]


def configure_logging(settings: Settings, level: int = logging.INFO) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if settings.log_json else logging.Formatter(
        "%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    logging.getLogger("alembic").setLevel(logging.WARNING)  # one line per migration step is noise at every start


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

"""The HTTP face of errors: every refusal becomes one JSON shape, `ErrorBody` (a stable code, English and Chinese
texts, the request ID).

Any `errors.EvidenceError` (an `ApiError` raised by a router, an `UploadError` from the multipart reader, ...) is
rendered from the status, code and texts it carries; Starlette's and pydantic's own refusals are mapped to the
same shape. Nothing here logs a header, so an API key cannot reach the logs.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..errors import EvidenceError
from ..logs import REQUEST_ID
from .models import ErrorBody

log = logging.getLogger("evidence_svc.api")


class ApiError(EvidenceError):
    """Any refusal by a router; rendered as ErrorBody with a stable `code` and texts in English and Chinese."""

    def __init__(self, status: int, code: str, message: str, message_zh: str | None = None,
                 details: Any = None, headers: dict[str, str] | None = None) -> None:
        super().__init__(message, message_zh, code=code, status=status, details=details, headers=headers)


def not_found(what: str, what_zh: str) -> ApiError:
    return ApiError(404, "not-found", f"{what} not found", f"找不到{what_zh}")


class BodyTooLarge(StarletteHTTPException):
    """Raised from the body-size guard while a body is read; an HTTPException so FastAPI passes it through."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is larger than the limit of {limit} bytes")
        self.limit = limit


def error_response(status: int, code: str, message: str, message_zh: str | None = None, details: Any = None,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    message_zh = message_zh or f"请求失败（HTTP {status}）：{message}"  # never absent, even from a new caller
    body = {"error": {"code": code, "message": message, "message_zh": message_zh, "details": details},
            "request_id": REQUEST_ID.get()}
    return JSONResponse(body, status_code=status, headers=headers)


_STATUS_CODES = {400: "bad-request", 401: "unauthorized", 404: "not-found", 405: "method-not-allowed",
                 413: "request-too-large", 415: "unsupported-media-type"}
# Starlette's own refusals (no route, wrong method, ...) in words a person reads, in English and Chinese.
_STATUS_TEXTS = {
    400: ("the request is malformed", "请求格式不正确"),
    401: ("missing or unknown API key", "缺少 API 密钥或密钥无效"),
    404: ("there is nothing at this address; see /docs for the API's paths", "此地址没有内容；API 路径见 /docs"),
    405: ("this address does not accept this method; see /docs for what it accepts",
          "此地址不接受该请求方法；可用的方法见 /docs"),
    413: ("the request body is too large", "请求体太大"),
    415: ("this content type is not accepted here", "此处不接受这种内容类型"),
}


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(EvidenceError)
    async def _evidence_error(request: Request, exc: EvidenceError) -> JSONResponse:
        return error_response(exc.status, exc.code, exc.message, exc.message_zh, exc.details or None, exc.headers)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _STATUS_CODES.get(exc.status_code, "http-error")
        en, zh = _STATUS_TEXTS.get(exc.status_code, (None, f"请求失败（HTTP {exc.status_code}）"))
        generic = not isinstance(exc.detail, str) or exc.detail in ("Not Found", "Method Not Allowed")
        message = (en or code) if generic else exc.detail
        return error_response(exc.status_code, code, message, zh, headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"loc": list(e.get("loc", ())), "msg": e.get("msg"), "type": e.get("type")} for e in exc.errors()]
        first = errors[0] if errors else {"loc": [], "msg": "invalid request"}
        where = ".".join(str(p) for p in first["loc"])
        # A rule with its own Chinese text (the order-ID rule) says it in both languages.
        zh = (next(iter(exc.errors()), {}).get("ctx") or {}).get("message_zh")
        message_zh = (f"{where}：{zh}" if where else zh) if zh else (
            f"请求中的 {where} 无效，请按 API 文档（/docs）修正后重试" if where else "请求无效，请按 API 文档（/docs）修正后重试")
        return error_response(422, "invalid-request", f"{where}: {first['msg']}" if where else str(first["msg"]),
                              message_zh, jsonable_encoder(errors))

    @app.exception_handler(Exception)
    async def _internal(request: Request, exc: Exception) -> JSONResponse:
        log.error("unhandled error", exc_info=exc)
        return error_response(500, "internal-error", "internal error; the service log has the details under "
                              "this request ID", "服务内部错误；请凭此请求 ID 查看服务日志")


def error_docs(*statuses: int) -> dict[int | str, dict[str, Any]]:
    texts = {400: "Malformed request (bad multipart)", 401: "Missing or unknown API key",
             403: "Refused by policy (a webhook URL that is not a public http(s) address)", 404: "Not found (or "
             "not this tenant's)", 409: "Conflict (an Idempotency-Key reused for another request, or still running; "
             "the webhook limit reached)",
             413: "Too large (file or body)", 415: "Not multipart/form-data",
             422: "Invalid input (the message names the field)", 503: "Unavailable"}
    return {s: {"model": ErrorBody, "description": texts[s]} for s in statuses}

"""`Idempotency-Key` for the POSTs that create something (a claim, files, a check): a retried request gets the first
answer instead of a second claim, upload or job.

The same key with the same request within 24 hours answers with the first status and body (header
`Idempotent-Replayed: true`); the same key with a different request is 409, as is a key whose first request is
still running. "The same request" is its method, path and meaning (the parsed JSON body, or the uploaded files'
names and sha256), so a client that re-encodes a multipart body still matches. Keys are per tenant and stored in
the database (store/idempotency.py). Only answers are remembered: a refused request frees its key.
"""

from __future__ import annotations

import json
from typing import Any, Callable

from fastapi import Header
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from ..hashing import sha256_json
from ..store import Store
from .errors import ApiError

IdempotencyKey = Header(
    default=None, alias="Idempotency-Key", min_length=1, max_length=255, pattern=r"^[\x21-\x7e]+$",
    description="Any unique string (a UUID): a retry with the same key and body within 24 h gets the first answer "
                "instead of doing the work twice; the same key with another body is 409")

Answer = tuple[int, Any, str | None]  # status, response model, Location


def fingerprint(method: str, path: str, meaning: Any) -> str:
    return sha256_json({"method": method, "path": path, "request": jsonable_encoder(meaning)})


def _response(status: int, body: Any, location: str | None, replayed: bool) -> JSONResponse:
    headers = {"Location": location} if location else {}
    if replayed:
        headers["Idempotent-Replayed"] = "true"
    return JSONResponse(body, status_code=status, headers=headers)


def answer_once(store: Store, tenant: str, key: str | None, fp: str, make: Callable[[], Answer]) -> JSONResponse:
    """Run `make` once per (tenant, key); replay its answer to a retry. Call from a worker thread (it blocks)."""
    if key is None:
        status, model, location = make()
        return _response(status, jsonable_encoder(model), location, False)
    first = store.reserve_key(tenant, key, fp)
    if first is not None:
        if first.fingerprint != fp:
            raise ApiError(409, "idempotency-key-reused",
                           "this Idempotency-Key was already used for a different request; use a new key",
                           "此 Idempotency-Key 已用于另一个不同的请求；请换一个新的键")
        if first.status is None:
            raise ApiError(409, "idempotency-key-in-use",
                           "a request with this Idempotency-Key is still running; retry in a moment",
                           "使用此 Idempotency-Key 的请求仍在处理中；请稍后重试")
        return _response(first.status, json.loads(first.body or "null"), first.location, True)
    try:
        status, model, location = make()
    except BaseException:
        store.release_key(tenant, key)
        raise
    body = jsonable_encoder(model)
    store.save_answer(tenant, key, status, json.dumps(body, ensure_ascii=False), location)
    return _response(status, body, location, False)

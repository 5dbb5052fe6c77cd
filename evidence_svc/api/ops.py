"""Operations and the web page: `/healthz`, `/metrics` (no key needed), `/` and `/static`.

Health says whether the database answers; metrics are Prometheus text with the queue gauges read from the store.
The web page is static files from `evidence_svc/web`, talking to the same /v1 API with the user's key.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Response
from fastapi.responses import FileResponse, JSONResponse, PlainTextResponse
from fastapi.staticfiles import StaticFiles

from .. import __version__, metrics
from ..store import Store
from .deps import get_store
from .errors import error_docs
from .models import Health

log = logging.getLogger("evidence_svc.api")
WEB_DIR = Path(__file__).parent.parent / "web"

router = APIRouter(tags=["operations"])


@router.get("/healthz", response_model=Health, responses=error_docs(503))
def healthz(store: Store = Depends(get_store)) -> Any:
    """Liveness and database reachability (no key needed)."""
    try:
        store.ping()
    except Exception:
        log.warning("health check: database unreachable", exc_info=True)
        return JSONResponse(Health(status="degraded", database="error", version=__version__).model_dump(),
                            status_code=503)
    return Health(status="ok", database="ok", version=__version__)


@router.get("/metrics", response_class=PlainTextResponse, responses={200: {
    "description": "Prometheus text format", "content": {"text/plain": {"schema": {"type": "string"}}}}})
def prometheus_metrics(store: Store = Depends(get_store)) -> Response:
    """Files processed, OCR seconds, queue depth, errors by finding code, HTTP requests (no key needed)."""
    body, content_type = metrics.render(store.job_counts)
    return Response(body, media_type=content_type)


def _index() -> FileResponse:
    return FileResponse(WEB_DIR / "index.html", media_type="text/html", headers={"Cache-Control": "no-cache"})


def mount_web(app: FastAPI) -> None:
    """The web page at `/` and its files under `/static` (not in the API schema)."""
    app.add_api_route("/", _index, include_in_schema=False)
    app.mount("/static", StaticFiles(directory=WEB_DIR), name="web")

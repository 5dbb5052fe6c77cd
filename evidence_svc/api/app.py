"""The app factory: `create_app(settings)` wires the store, the job backend, the routers and the middlewares;
`serve` runs it with uvicorn (`evidence serve`).

The job backend is the in-process pool (jobs.LocalPool) unless a broker is configured, then Celery workers
(tasks.BrokerBackend). CORS is off unless `cors_origins` lists origins. Nothing here handles a request itself.
"""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from typing import AsyncIterator

from fastapi import FastAPI
from fastapi_offline import FastAPIOffline

from .. import __version__
from ..config import Settings
from ..data_dir import tighten_data_dir
from ..jobs import Backend, LocalPool
from ..logs import configure_logging
from ..pools import shutdown_all
from ..store import open_store
from ..webhooks.delivery import WithOutbox
from . import checks, claims, files, ops, reply_drafts, reports, webhooks
from .errors import install_error_handlers
from .middleware import BodyLimit, RequestContext
from .page_labels import mount_labels

log = logging.getLogger("evidence_svc.api")

# Every router, in the order its operations appear in the schema.
ROUTERS = (claims.router, claims.export, files.router, checks.router, reports.router, reply_drafts.router,
           checks.jobs, checks.lint, webhooks.router, ops.router)


def make_backend(settings: Settings) -> Backend:
    """The in-process pool by default; Celery workers (tasks.py) when a broker is configured."""
    if settings.broker_url:
        from ..tasks import BrokerBackend  # imported here: only a brokered service needs Celery loaded

        return BrokerBackend(settings)
    return LocalPool(settings)


def create_app(settings: Settings) -> FastAPI:
    """The service for one data directory (or database URL): API, job runner, web page."""
    store = open_store(settings)
    backend = WithOutbox(make_backend(settings), settings)  # jobs, plus the webhook outbox (webhooks/delivery.py)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        backend.start()
        log.info("service started", extra={"version": __version__, "database": store.engine.dialect.name})
        try:
            yield
        finally:
            backend.stop()
            shutdown_all(wait=True)  # uvicorn re-raises SIGTERM once shut down: atexit would never stop the pools

    app = FastAPIOffline(
        title="evidence-svc", version=__version__, lifespan=lifespan,
        description="Checks and bundles the evidence for A-to-z Guarantee claims. Authenticate with "
                    "`Authorization: Bearer <key>` (`evidence keys create --tenant NAME`). Reports follow the "
                    "`evidence-report/1` contract.",
    )
    app.state.settings, app.state.store, app.state.backend = settings, store, backend
    install_error_handlers(app)
    for router in ROUTERS:
        app.include_router(router)
    ops.mount_web(app)
    mount_labels(app)  # /labels.json: the label catalogue the web page reads
    app.add_middleware(BodyLimit, settings=settings)
    if settings.cors_origins:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["*"],
                           allow_headers=["Authorization", "Content-Type", "X-Request-ID"])
    app.add_middleware(RequestContext)
    return app


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Run the service with uvicorn until interrupted (`evidence serve`)."""
    import uvicorn

    configure_logging(settings)
    if said := tighten_data_dir(settings.data_dir):  # made loose by an older version
        log.warning("%s / %s", *said)
    uvicorn.run(create_app(settings), host=host, port=port, log_config=None, access_log=False, server_header=False,
                timeout_graceful_shutdown=10, timeout_keep_alive=15)

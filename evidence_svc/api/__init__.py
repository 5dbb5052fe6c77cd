"""The HTTP service: `create_app(settings)` builds the FastAPI app (API under /v1, web page at /), `serve` runs it.

An adapter like the CLI: it turns requests into store calls and jobs, and never checks a file itself except for
`POST /v1/lint`, which calls the pipeline synchronously and stores nothing. Every /v1 request carries an API key
(`Authorization: Bearer evk_...`, the `deps.current_tenant` dependency); a tenant sees only its own claims, files
and jobs, and another tenant's IDs answer 404. Uploads are streamed into the blob store, never held in memory;
checks run off the request path (jobs.py). Every response carries an `X-Request-ID`; logs are JSON lines with
that ID and never contain a key.

    app.py        the factory: store, job backend, routers, middlewares; `serve`
    claims.py     /v1/claims: open, list, read, edit, delete, reply; /v1/claims.csv (the claim log)
    files.py      /v1/claims/{id}/files                      reports.py  a claim's report and bundle
    checks.py     check a claim, /v1/jobs, /v1/lint          webhooks.py  /v1/webhooks and their delivery logs
    ops.py        /healthz, /metrics, the web page           deps.py     store, settings, tenant (auth)
    models.py     request and response shapes                mapping.py  store rows -> response shapes
    errors.py     one error body for every refusal           middleware.py  request IDs, logs, body limits
    receive.py    streaming an upload off the request        idempotency.py  `Idempotency-Key` replays
"""

from __future__ import annotations

from .app import ROUTERS, create_app, make_backend, serve

__all__ = ["ROUTERS", "create_app", "make_backend", "serve"]

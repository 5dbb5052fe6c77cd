"""The label catalogue for the web page: `GET /labels.json`, every language of `data/labels.toml` as the page reads it.

The page (evidence_svc/web) takes every word it shows from here, so the CLI, the bundle's cover and the page say
the same thing. Each language is English overlaid with that language (labels.labels_for), so a missing text reads
in English. The labels are public and the same for everyone: no key, not in the API schema (like the page itself).
This module only serves the catalogue; it holds no text of its own.
"""

from __future__ import annotations

import json
from functools import lru_cache

from fastapi import FastAPI, Response

from ..labels import LANGS, labels_for


@lru_cache(maxsize=1)
def _body() -> bytes:
    return json.dumps({lang: labels_for(lang) for lang in LANGS}, ensure_ascii=False).encode("utf-8")


def labels_json() -> Response:
    """Every language's labels: {"en": {"terms": {...}, "web": {...}, ...}, "zh": {...}, ...}."""
    return Response(_body(), media_type="application/json", headers={"Cache-Control": "no-cache"})


def mount_labels(app: FastAPI) -> None:
    """`GET /labels.json` (not in the API schema, no key needed)."""
    app.add_api_route("/labels.json", labels_json, methods=["GET"], include_in_schema=False)

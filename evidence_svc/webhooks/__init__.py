"""Webhooks: telling a tenant's own systems when something happened (a check finished, a deadline is near).

    signing.py   `Evidence-Signature: t=<unix>,v1=<hex>` (HMAC-SHA256 over "t.body"): make and verify
    guard.py     which URLs may receive events: http(s) only, no user info, global addresses only (every
                 resolved address, at registration and again when sending)
    delivery.py  one attempt at one outbox row, exponential backoff, and the loop that sends what is due (in
                 the server process, a few webhooks at once and each in order, or handing rows to Celery workers
                 when a broker is configured) and prunes the delivery log

Events are written to the outbox by the store, in the transaction of the change they announce
(store/webhooks.py). Nothing here decides what an event says or when one happens.
"""

from __future__ import annotations

from .guard import UnsafeUrl, check_url
from .signing import SIGNATURE_HEADER, sign, verify

__all__ = ["SIGNATURE_HEADER", "UnsafeUrl", "check_url", "sign", "verify"]

"""Test-session setup: an OCR and page cache of the session's own, so no run is faster for what an earlier run
(or the user's own `evidence lint`) left in ~/.cache, and the user's cache is never touched by tests; and the
shared fixtures and helpers of `tests/support/`, registered as plugins (asserts in them are rewritten too)."""

import os
import tempfile

os.environ.setdefault("EVIDENCE_CACHE_DIR", tempfile.mkdtemp(prefix="evidence-test-cache-"))

pytest_plugins = ["support.services", "support.live_server", "support.browser_scenes", "support.browser"]

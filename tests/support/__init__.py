"""The test suite's own support package: shared fixtures and helpers, registered as pytest plugins by
tests/conftest.py (`pytest_plugins`), so a test asks for a fixture by name and imports helpers from here.

`paths` names every file the tests read from the repository (the vendored corpus, the courier specs); `services`
holds the Redis and PostgreSQL fixtures; `live_server` starts a real `evidence serve`; `browser` is the headless
Chromium the web-page tests drive; `browser_scenes` renders
pages with a real Chromium. Nothing here is a test (no module is named `test_*`) and nothing here is shipped.
"""

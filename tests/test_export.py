"""The claim log as CSV, from `GET /v1/claims.csv` and from `evidence export`: the columns a seller keeps, the
90-day window, the same text from both, and no cell a spreadsheet would run as a formula.
"""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from support.paths import REPO

from evidence_svc.api import create_app
from evidence_svc.config import Settings
from evidence_svc.export import COLUMNS, safe_cell
from evidence_svc.store import ClaimFields, create_key, dispose_engines, open_store, utcnow

ORDER = "112-1234567-1234567"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    yield Settings(data_dir=tmp_path / "data", cache_dir=tmp_path / "cache", workers=1)
    dispose_engines()


@pytest.fixture
def client(settings: Settings):
    key = create_key(settings, "acme")
    with TestClient(create_app(settings)) as c:
        c.headers["Authorization"] = f"Bearer {key}"
        yield c


@pytest.mark.parametrize(("value", "cell"), [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"), ("+1", "'+1"), ("-2+3", "'-2+3"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1", "'\t=1"), ("112-1234567-1234567", "112-1234567-1234567"), (None, ""), (3, "3"),
])
def test_cells_that_would_run_as_formulas_get_an_apostrophe(value, cell) -> None:
    assert safe_cell(value) == cell


def test_the_log_has_one_line_per_recent_claim_and_the_cli_writes_the_same(client: TestClient,
                                                                          settings: Settings) -> None:
    now = utcnow()
    recent = client.post("/v1/claims", json={"order_id": ORDER, "reason": "damaged",
                                              "opened_at": (now - timedelta(days=3)).isoformat()}).json()
    client.post("/v1/claims", json={"order_id": "113-0000000-0000001",
                                    "opened_at": (now - timedelta(days=120)).isoformat()})  # outside 90 days
    store = open_store(settings)
    tenant = store.tenant_by_name("acme")
    assert tenant is not None
    # what no API input can hold, but a row written by another tool could: it must not become a formula
    store.create_claim(tenant.id, ClaimFields(order_id="=cmd|' /C calc'!A0", reason="not_received", marketplace="US",
                                              tracking=[], opened_at=None, respond_by=None, order_total=None,
                                              reply=None))
    r = client.get("/v1/claims.csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(r.text)))
    assert tuple(lines[0]) == COLUMNS
    by_order = {line[0]: dict(zip(COLUMNS, line)) for line in lines[1:]}
    assert set(by_order) == {ORDER, "'=cmd|' /C calc'!A0"}
    row = by_order[ORDER]
    assert (row["reason"], row["status"], row["respond_by"]) == ("damaged", "draft", recent["respond_by"].replace(
        "Z", "+00:00"))
    assert row["errors"] == row["warnings"] == row["evidence_ready"] == ""  # not checked yet
    assert len(list(csv.reader(io.StringIO(client.get("/v1/claims.csv", params={"days": 200}).text)))) == 4
    assert client.get("/v1/claims.csv", params={"days": 0}).status_code == 422

    out = subprocess.run([sys.executable, "-m", "evidence_svc", "export", "--tenant", "acme", "--data-dir",
                          str(settings.data_dir)], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.replace("\r\n", "\n") == r.text.replace("\r\n", "\n")
    missing = subprocess.run([sys.executable, "-m", "evidence_svc", "export", "--tenant", "nobody", "--data-dir",
                              str(settings.data_dir)], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert missing.returncode == 2 and "nobody" in missing.stderr

"""The live OpenAPI schema, fuzzed by schemathesis against a real server: no 5xx, and every response matches it.

Each operation gets a bounded number of generated requests (valid and invalid inputs, random IDs, odd headers and
multipart bodies), sent with a real API key to `evidence serve` on a loopback port. The server is shared by all
operations so the whole module stays well under two minutes.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.live_server import LiveServer, create_key, sample_claims, wait_for_job

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory):
    data = tmp_path_factory.mktemp("fuzz") / "data"
    key = create_key(data, "fuzz")
    # small limits keep generated uploads cheap; one check and one lint at a time keep the machine responsive
    server = LiveServer(data, EVIDENCE_MAX_FILE_BYTES="300000", EVIDENCE_LINT_CONCURRENCY="1",
                        EVIDENCE_JOB_WORKERS="1").start()
    yield server, key
    server.stop()


@pytest.fixture(scope="module")
def real_ids(live, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A claim with a file and a finished check, so generated requests also reach existing resources."""
    server, key = live
    image = sample_claims(tmp_path_factory.getbasetemp()) / "us_not_received" / "order_details.png"
    with server.client(key) as c:
        claim = c.post("/v1/claims", json={"order_id": "112-6518054-2727530", "opened_at": "2026-11-24T09:00:00Z",
                                           "reply": "We refunded the order in full on 25 November."}).json()
        files = c.post(f"/v1/claims/{claim['id']}/files", files={"file": (image.name, image.read_bytes())}).json()
        job = c.post(f"/v1/claims/{claim['id']}/check").json()
        assert wait_for_job(c, job["id"])["state"] == "done"
    return {"claim_id": claim["id"], "file_id": files["files"][0]["id"], "job_id": job["id"]}


def _operations() -> list[tuple[str, str]]:
    """Every documented operation, from the routers themselves (no server needed to collect the tests)."""
    from fastapi.openapi.utils import get_openapi

    from evidence_svc import api

    doc = get_openapi(title="x", version="0", routes=[r for router in api.ROUTERS for r in router.routes])
    return [(method.upper(), path) for path, ops in doc["paths"].items() for method in ops]


@pytest.fixture(scope="module")
def api_schema(live):
    server, _ = live
    return schemathesis.openapi.from_url(f"{server.url}/openapi.json")


@pytest.mark.parametrize(("method", "path"), _operations(), ids=lambda v: v)
def test_api_conforms_to_its_schema(method: str, path: str, api_schema, live, real_ids) -> None:
    server, key = live
    operation = api_schema[path][method]

    @given(case=operation.as_strategy(), existing=st.booleans())
    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def run(case, existing: bool) -> None:
        if existing and case.path_parameters:  # half the time, IDs that exist instead of random ones
            case.path_parameters.update({k: v for k, v in real_ids.items() if k in case.path_parameters})
        case.call_and_validate(headers={"Authorization": f"Bearer {key}"}, timeout=60)

    run()


def test_fuzzing_left_no_temp_files(live) -> None:
    server, _ = live
    tmp = Path(server.data_dir) / "blobs" / "tmp"
    assert not tmp.exists() or not [p for p in tmp.iterdir() if p.is_file()]

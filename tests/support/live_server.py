"""A real `evidence serve` process on a loopback port, for the tests that must not stop at the in-process client.

Used by test_api_live.py, test_schemathesis.py and test_web.py. The server runs in its own process group (so a
kill -9 takes its OCR worker processes with it, like a container dying), logs to a file the test can read, and is
started through the real CLI, exactly as a user starts it. Keys are made with `evidence keys create`.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from support.paths import REPO as ROOT


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def create_key(data_dir: Path, tenant: str) -> str:
    out = subprocess.run([sys.executable, "-m", "evidence_svc", "keys", "create", "--tenant", tenant,
                          "--data-dir", str(data_dir)], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


class LiveServer:
    def __init__(self, data_dir: Path, **env: str) -> None:
        self.data_dir = Path(data_dir)
        # its own OCR cache: what the test sees is real OCR, not another test's cached words
        self.env = {**os.environ, "EVIDENCE_WORKERS": "2", "EVIDENCE_CACHE_DIR": str(self.data_dir.parent / "cache"),
                    **{k: str(v) for k, v in env.items()}}
        self.env.pop("EVIDENCE_BROKER_URL", None)  # the embedded pool, whatever the shell has
        self.proc: subprocess.Popen | None = None
        self.port = 0
        self.log_path = self.data_dir.parent / f"{self.data_dir.name}-server.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60) -> "LiveServer":
        self.port = free_port()
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "evidence_svc", "serve", "--host", "127.0.0.1", "--port", str(self.port),
             "--data-dir", str(self.data_dir)],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}:\n{self.log()[-3000:]}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.kill()
        raise RuntimeError(f"server did not answer within {timeout}s:\n{self.log()[-3000:]}")

    def kill(self) -> None:
        """kill -9 the server and every process it started; reap it so its pid is really gone."""
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait(timeout=30)
        self.proc = None

    def stop(self) -> None:
        """A graceful stop (SIGTERM, as `docker stop` sends), then kill whatever is left."""
        if self.proc is None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            pass
        self.kill()

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path.exists() else ""

    def client(self, key: str | None = None, timeout: float = 60) -> httpx.Client:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=timeout)


def wait_for_job(client: httpx.Client, job_id: str, timeout: float = 180, states: tuple[str, ...] = ("done", "failed")
                 ) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(f"/v1/jobs/{job_id}").json()
        if job.get("state") in states:
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} not {states} within {timeout}s: {job}")


def sample_claims(base: Path) -> Path:
    """The project's sample claims (realistic screenshots, photos and PDFs), generated once per test session."""
    from samples.claims import generate_claims

    root = Path(base) / "sample-claims"
    if not (root / ".done").exists():
        generate_claims(root)
        (root / ".done").touch()
    return root


@pytest.fixture(scope="session")
def repo_sample_claims() -> Path:
    """`samples/claims/` in the repository, as `make run` leaves it: generated here when a fresh clone has none yet
    (the tests that quote those claims' file names and dates read them at that path)."""
    from samples.claims import generate_claims

    root = ROOT / "samples" / "claims"
    if not (root / ".done").exists():
        generate_claims(root)
        (root / ".done").touch()
    return root

"""Upload load test on loopback: concurrent clients upload 2-5 MB files, then every acknowledged upload is read back.

    .venv/bin/python -m bench.load                       # 20 clients, 60 s, a fresh `evidence serve` on 127.0.0.1
    .venv/bin/python -m bench.load --clients 5 --duration 10 --min-mb 0.2 --max-mb 0.5

Starts its own server (a temp data directory, an API key from `evidence keys create`) unless --url/--key point at
one. Each client opens a claim and uploads random files of min..max MB in a loop for --duration seconds (bounded:
the loop stops by itself, requests time out after 60 s, only 127.0.0.1 is ever contacted). Every 201 answer is an
acknowledged upload: its sha256 must equal what was sent, and afterwards every one is downloaded again and hashed
(`lost` counts those missing or different). The server's RSS (with its worker processes) is sampled throughout;
the target is a peak that stays bounded and does not grow with the upload size, because uploads are streamed to
disk, never held whole in memory. Prints throughput, p50/p95 latency, errors, lost and the RSS figures; exits 1 if
any upload errored or was lost.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil

REPO = Path(__file__).resolve().parents[1]
MB = 1024 * 1024


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    acked: list[tuple[str, str, str]] = field(default_factory=list)  # claim_id, file_id, sha256
    errors: dict[str, int] = field(default_factory=dict)
    bytes_sent: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def error(self, kind: str) -> None:
        with self.lock:
            self.errors[kind] = self.errors.get(kind, 0) + 1


class RssSampler(threading.Thread):
    """Peak resident memory of the server process and all its children, sampled every 100 ms."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.proc = psutil.Process(pid)
        self.peak_main = self.peak_total = 0
        self.stop = threading.Event()

    def sample(self) -> tuple[int, int]:
        main = self.proc.memory_info().rss
        total = main
        for child in self.proc.children(recursive=True):
            try:
                total += child.memory_info().rss
            except psutil.Error:
                pass
        return main, total

    def run(self) -> None:
        while not self.stop.wait(0.1):
            try:
                main, total = self.sample()
            except psutil.Error:
                return
            self.peak_main, self.peak_total = max(self.peak_main, main), max(self.peak_total, total)


def start_server(data: Path) -> tuple[subprocess.Popen, str, str]:
    key = subprocess.run([sys.executable, "-m", "evidence_svc", "keys", "create", "--tenant", "bench", "--data-dir",
                          str(data)], cwd=REPO, capture_output=True, text=True, check=True).stdout.strip()
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "evidence_svc", "serve", "--host", "127.0.0.1", "--port", str(port),
                             "--data-dir", str(data)], cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return proc, url, key
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("the server did not start")


def client_loop(n: int, url: str, key: str, deadline: float, lo: int, hi: int, tally: Tally) -> None:
    rng = random.Random(n)
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=60) as c:
        claim = c.post("/v1/claims", json={"order_id": f"112-{n:07d}-0000000"}).json()["id"]
        i = 0
        while time.monotonic() < deadline:
            data = os.urandom(rng.randint(lo, hi))
            sha = hashlib.sha256(data).hexdigest()
            started = time.perf_counter()
            try:
                r = c.post(f"/v1/claims/{claim}/files", files={"file": (f"scan-{n}-{i}.jpg", data)})
            except httpx.HTTPError as exc:
                tally.error(type(exc).__name__)
                continue
            finally:
                i += 1
            elapsed = time.perf_counter() - started
            if r.status_code != 201:
                tally.error(f"HTTP {r.status_code}")
                continue
            stored = r.json()["files"][0]
            if stored["sha256"] != sha or stored["bytes"] != len(data):
                tally.error("acknowledged with a different sha256")
                continue
            with tally.lock:
                tally.latencies.append(elapsed)
                tally.acked.append((claim, stored["id"], sha))
                tally.bytes_sent += len(data)


def read_back(url: str, key: str, acked: list[tuple[str, str, str]]) -> int:
    """Download every acknowledged upload and hash it; returns how many are missing or different."""
    def one(item: tuple[str, str, str], client: httpx.Client) -> bool:
        claim, file_id, sha = item
        h = hashlib.sha256()
        with client.stream("GET", f"/v1/claims/{claim}/files/{file_id}/content") as r:
            if r.status_code != 200:
                return False
            for chunk in r.iter_bytes():
                h.update(chunk)
        return h.hexdigest() == sha

    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=60) as client:
        with ThreadPoolExecutor(8) as pool:
            ok = list(pool.map(lambda item: one(item, client), acked))
    return ok.count(False)


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100)[q - 1] if len(values) >= 2 else (values[0] if values else 0.0)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--duration", type=float, default=60.0)
    ap.add_argument("--min-mb", type=float, default=2.0)
    ap.add_argument("--max-mb", type=float, default=5.0)
    ap.add_argument("--url", help="an already running server (default: start one)")
    ap.add_argument("--key", help="its API key")
    args = ap.parse_args(argv)
    if args.duration > 600 or args.clients > 100:
        raise SystemExit("bounded: at most 100 clients for at most 600 s")

    tmp = None
    proc = None
    if args.url:
        url, key = args.url, args.key
        if not url.startswith(("http://127.", "http://localhost", "http://[::1]")):
            raise SystemExit("loopback only")
    else:
        tmp = tempfile.TemporaryDirectory(prefix="evidence-load-")
        proc, url, key = start_server(Path(tmp.name) / "data")
    sampler = None
    try:
        if proc is not None:
            sampler = RssSampler(proc.pid)
            baseline = sampler.sample()[0]
            sampler.start()
        tally = Tally()
        lo, hi = int(args.min_mb * MB), int(args.max_mb * MB)
        started = time.monotonic()
        deadline = started + args.duration
        threads = [threading.Thread(target=client_loop, args=(n, url, key, deadline, lo, hi, tally))
                   for n in range(args.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.monotonic() - started
        lost = read_back(url, key, tally.acked)
        if sampler is not None:
            sampler.stop.set()
            sampler.join()
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
        if tmp is not None:
            tmp.cleanup()

    n = len(tally.acked)
    errors = sum(tally.errors.values())
    print(f"clients {args.clients}, {args.duration:g} s, files {args.min_mb:g}-{args.max_mb:g} MB, loopback")
    print(f"uploads acknowledged  {n}  ({n / wall:.1f}/s, {tally.bytes_sent / MB / wall:.1f} MB/s)")
    if tally.latencies:
        print(f"latency               p50 {pct(tally.latencies, 50) * 1000:.0f} ms   "
              f"p95 {pct(tally.latencies, 95) * 1000:.0f} ms   max {max(tally.latencies) * 1000:.0f} ms")
    print(f"errors                {errors}  {tally.errors if errors else ''}")
    print(f"lost (read back)      {lost} of {n}")
    if sampler is not None:
        print(f"server RSS            start {baseline / MB:.0f} MB   peak {sampler.peak_main / MB:.0f} MB "
              f"(with worker processes {sampler.peak_total / MB:.0f} MB); largest upload {args.max_mb:g} MB x "
              f"{args.clients} clients = {args.max_mb * args.clients:g} MB in flight")
    return 0 if errors == 0 and lost == 0 and n > 0 else 1


if __name__ == "__main__":
    sys.exit(main())

"""Checks through the HTTP service: throughput and latency with 1 client against 4 concurrent clients.

    .venv/bin/python -m bench.bench_http [--claims 8] [--files 3]

Starts `evidence serve` on 127.0.0.1 with a fresh data directory (only loopback is contacted). Every claim gets
its own distinct screenshots (the OCR cache is keyed by pixels, so nothing is a cache hit). A client's cycle is
what an integrator does: create the claim, upload its files, start the check, poll the job every 50 ms until it
ends. The same number of claims is run by one client one after another, then by four clients at once (a fresh
server each time); printed: claims per second, p50 and max latency per claim (create to job done), and the
throughput ratio 4 clients / 1 client. On 2 cores one claim's pages already spread over both cores, so the ratio
shows how much of a claim's wall time is *not* CPU (uploads, polling, the parent's claim-wide checks).

Then fairness: on a fresh server, a one-screenshot claim is checked alone, then again (new pixels) while a claim of
16 screenshots, started just before it, is being checked. A pool that serves requests first come, first served
would make the small claim wait for the big one; printed: the small claim's latency alone and behind the big one.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import psutil

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.bench_speed import distinct_screenshots  # noqa: E402
from bench.load import start_server  # noqa: E402


def one_claim(client: httpx.Client, n: int, files: list[Path], checking: threading.Event | None = None) -> float:
    """Create, upload, check and wait for one claim; seconds from create to the job's end. `checking` is set once
    the check has started."""
    started = time.perf_counter()
    claim = client.post("/v1/claims", json={"order_id": f"112-{n:07d}-1234567"})
    claim.raise_for_status()
    cid = claim.json()["id"]
    for f in files:
        client.post(f"/v1/claims/{cid}/files", files={"file": (f.name, f.read_bytes())}).raise_for_status()
    job = client.post(f"/v1/claims/{cid}/check")
    job.raise_for_status()
    jid = job.json()["id"]
    if checking is not None:
        checking.set()
    while True:
        state = client.get(f"/v1/jobs/{jid}").json()["state"]
        if state in ("done", "failed", "deleted"):
            if state != "done":
                raise RuntimeError(f"job {jid} ended {state}")
            return time.perf_counter() - started
        time.sleep(0.05)


def tree_cpu(proc: psutil.Process) -> float:
    """CPU seconds (user + system) of the server and its live worker processes."""
    total = 0.0
    for p in [proc, *proc.children(recursive=True)]:
        try:
            t = p.cpu_times()
            total += t.user + t.system + t.children_user + t.children_system
        except psutil.Error:
            pass
    return total


def run(clients: int, claims: list[list[Path]], data: Path) -> tuple[float, list[float], float]:
    """Wall seconds for all `claims` shared among `clients` threads, each claim's latency, and the server tree's
    CPU use over that time (1.0 = one core busy)."""
    os.environ["EVIDENCE_CACHE_DIR"] = str(data / "cache")  # a cold cache: every page is read
    proc, url, key = start_server(data)
    latencies: list[float] = []
    lock = threading.Lock()
    todo = list(enumerate(claims))

    def worker() -> None:
        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=300) as c:
            while True:
                with lock:
                    if not todo:
                        return
                    n, files = todo.pop(0)
                took = one_claim(c, n, files)
                with lock:
                    latencies.append(took)

    tree = psutil.Process(proc.pid)
    try:
        cpu0 = tree_cpu(tree)
        started = time.perf_counter()
        threads = [threading.Thread(target=worker) for _ in range(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - started
        return wall, latencies, (tree_cpu(tree) - cpu0) / wall
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def fairness(shots: list[Path], data: Path) -> tuple[float, float, float]:
    """The small claim's latency alone, then behind a claim of the other shots started just before it, and that big
    claim's latency."""
    os.environ["EVIDENCE_CACHE_DIR"] = str(data / "cache")
    proc, url, key = start_server(data)
    try:
        with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {key}"}, timeout=300) as c:
            alone = one_claim(c, 900, shots[:1])
            checking, big = threading.Event(), []
            t = threading.Thread(target=lambda: big.append(one_claim(c, 901, shots[2:], checking)))
            t.start()
            checking.wait(300)
            behind = one_claim(c, 902, shots[1:2])
            t.join()
        return alone, behind, big[0]
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--claims", type=int, default=8)
    ap.add_argument("--files", type=int, default=3)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="evidence-http-") as tmp:
        work = Path(tmp)
        shots = distinct_screenshots(2 * args.claims * args.files + 18, work / "shots")  # + 18 for fairness
        per = args.files
        first = [shots[i * per:(i + 1) * per] for i in range(args.claims)]
        second = [shots[(args.claims + i) * per:(args.claims + i + 1) * per] for i in range(args.claims)]
        results = {}
        for clients, claims in ((1, first), (4, second)):
            wall, lat, cpu = run(clients, claims, work / f"data{clients}")
            results[clients] = (len(claims) / wall, lat)
            print(f"{clients} client(s): {len(claims)} claims x {per} files in {wall:.1f} s = "
                  f"{len(claims) / wall:.2f} claims/s; latency p50 {statistics.median(lat):.2f} s, "
                  f"max {max(lat):.2f} s; server CPU {cpu:.0%}")
        alone, behind, big = fairness(shots[-18:], work / "fair-data")
    ratio = results[4][0] / results[1][0]
    p50 = statistics.median(results[4][1]) / statistics.median(results[1][1])
    print(f"\n4 clients / 1 client: throughput {ratio:.2f}x (aim >= 1.7x: {'met' if ratio >= 1.7 else 'NOT MET'}), "
          f"p50 latency {p50:.2f}x")
    print(f"fairness: a 1-screenshot claim takes {alone:.2f} s alone, {behind:.2f} s while a 16-screenshot claim "
          f"started before it is checked ({big:.2f} s): {behind / big:.2f}x of the big claim's time")
    return 0


if __name__ == "__main__":
    sys.exit(main())

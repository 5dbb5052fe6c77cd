"""Benchmark: `evidence watch --once` on N claims vs `evidence lint` + `evidence bundle` one claim at a time.

    .venv/bin/python bench/bench_watch.py [--claims 100] [--settle 1] [--keep DIR]

Builds N claim folders with the sample generator (`samples.claims.generate_claims`, a new seed for every four
claims, so no two claims share an OCR cache entry), then times, each with an empty OCR cache:
  1. baseline: for each claim, `evidence lint --claim claim.toml` then `evidence bundle --claim claim.toml`
     (what a person or a cron script would run without watch mode; bundle reuses lint's OCR cache);
  2. `evidence watch inbox --out outbox --once --settle S`.
Prints both times and the ratio (target <= 0.6 on 2 cores).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

def _generate(args: tuple[Path, int]) -> list[str]:
    from samples.claims import generate_claims

    root, seed = args
    return generate_claims(root, seed=seed)


def make_claims(inbox: Path, n: int, seed: int = 1000) -> list[Path]:
    """N claim folders from the sample generator: its 4 sample claims (US, DE, JP, a bad one) per seed, a new
    seed for every 4, so every claim has its own order ID, tracking number and pixels (no shared OCR cache)."""
    gen = inbox.parent / "generated"
    shutil.rmtree(gen, ignore_errors=True)
    seeds = [(gen / f"seed-{seed + k}", seed + k) for k in range((n + 3) // 4)]
    with ProcessPoolExecutor() as pool:
        names = list(pool.map(_generate, seeds))
    folders = []
    for (root, s), claims in zip(seeds, names):
        for name in claims:
            if len(folders) < n:
                folders.append((root / name).rename(inbox / f"{s}-{name}"))
    shutil.rmtree(gen, ignore_errors=True)
    return folders


def evidence_cmd() -> list[str]:
    script = Path(sys.executable).with_name("evidence")
    return [str(script)] if script.exists() else [sys.executable, "-m", "evidence_svc"]


def run(cmd: list[str], env: dict[str, str], ok: tuple[int, ...] = (0, 1)) -> None:
    proc = subprocess.run(cmd, check=False, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                          cwd=REPO)
    if proc.returncode not in ok:
        raise SystemExit(f"{' '.join(cmd)} exited {proc.returncode}:\n{proc.stderr[-2000:]}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--claims", type=int, default=100)
    ap.add_argument("--settle", type=float, default=1.0, help="--settle for the watch run (default 1 s)")
    ap.add_argument("--keep", type=Path, help="build the folders here and keep them")
    args = ap.parse_args()

    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-watch-"))
    work.mkdir(parents=True, exist_ok=True)
    inbox = work / "inbox"
    shutil.rmtree(inbox, ignore_errors=True)
    inbox.mkdir(parents=True)
    folders = make_claims(inbox, args.claims)
    base_env = dict(os.environ, PYTHONPATH=str(REPO), EVIDENCE_DATA_DIR=str(work / "data"))
    cmd = evidence_cmd()
    files = sum(len(tomllib.loads((f / "claim.toml").read_text(encoding="utf-8"))["files"]) for f in folders)
    print(f"{args.claims} claims, {files} files, {os.cpu_count()} cores, in {work}", flush=True)

    env = dict(base_env, EVIDENCE_CACHE_DIR=str(work / "cache-baseline"))
    shutil.rmtree(work / "cache-baseline", ignore_errors=True)
    (work / "bundles").mkdir(exist_ok=True)
    started = time.perf_counter()
    for folder in folders:
        toml = str(folder / "claim.toml")
        run([*cmd, "lint", "--claim", toml, "--format", "json"], env)
        run([*cmd, "bundle", "--claim", toml, "-o", str(work / "bundles" / f"{folder.name}.pdf")], env)
    baseline = time.perf_counter() - started
    print(f"lint + bundle, one claim at a time: {baseline:8.1f} s  ({baseline / args.claims:.2f} s/claim)", flush=True)

    env = dict(base_env, EVIDENCE_CACHE_DIR=str(work / "cache-watch"))
    shutil.rmtree(work / "cache-watch", ignore_errors=True)
    shutil.rmtree(work / "outbox", ignore_errors=True)
    started = time.perf_counter()
    run([*cmd, "watch", str(inbox), "--out", str(work / "outbox"), "--once", "--settle", str(args.settle)], env)
    watched = time.perf_counter() - started
    done = sum((work / "outbox" / f.name / "manifest.json").exists() for f in folders)
    print(f"watch --once (settle {args.settle:g} s):         {watched:8.1f} s  ({watched / args.claims:.2f} s/claim, "
          f"{done}/{args.claims} sets)")
    print(f"ratio watch / baseline: {watched / baseline:.2f}  (target <= 0.60)")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

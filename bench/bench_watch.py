"""Benchmark: `evidence watch --once` on N claims vs `evidence lint` + `evidence bundle` one claim at a time.

    .venv/bin/python bench/bench_watch.py [--claims 100] [--settle 1] [--keep DIR]

Builds N claim folders (each a claim.toml and two evidence images with the claim's own order ID, so no two
claims share an OCR cache entry), then times, each with an empty OCR cache:
  1. baseline: for each claim, `evidence lint --claim claim.toml` then `evidence bundle --claim claim.toml`
     (what a person or a cron script would run without watch mode; bundle reuses lint's OCR cache);
  2. `evidence watch inbox --out outbox --once --settle S`.
Prints both times and the ratio (target <= 0.6 on 2 cores).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from PIL import Image, ImageDraw, ImageFont  # noqa: E402

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
FONT_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"


def _order_id(rng: random.Random) -> str:
    return f"{rng.randint(111, 114)}-{rng.randint(0, 9999999):07d}-{rng.randint(0, 9999999):07d}"


def _ups(rng: random.Random) -> str:
    return "1Z" + "".join(rng.choice("0123456789ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(16))


def _screenshot(lines: list[tuple[str, bool]], clock: str, width: int = 1100) -> Image.Image:
    """A plain desktop-style screenshot: a title bar, text lines, and a taskbar clock."""
    font, bold = ImageFont.truetype(FONT, 24), ImageFont.truetype(FONT_BOLD, 26)
    height = 140 + 46 * len(lines)
    img = Image.new("RGB", (width, height), (246, 247, 249))
    d = ImageDraw.Draw(img)
    d.rectangle((0, 0, width, 56), fill=(35, 47, 62))
    d.text((24, 14), "Seller Central", fill="white", font=bold)
    y = 80
    for text, strong in lines:
        d.text((40, y), text, fill=(15, 17, 17), font=bold if strong else font)
        y += 46
    d.rectangle((0, height - 44, width, height), fill=(30, 30, 30))
    d.text((width - 260, height - 36), clock, fill="white", font=font)
    return img


def make_claims(inbox: Path, n: int, seed: int = 7) -> list[Path]:
    """N claim folders, each with a claim.toml, an order page and a tracking page (unique content per claim)."""
    rng = random.Random(seed)
    folders = []
    for i in range(n):
        order, tracking = _order_id(rng), _ups(rng)
        day = rng.randint(1, 20)
        folder = inbox / f"claim-{i:03d}"
        folder.mkdir(parents=True)
        _screenshot([(f"Order details  Order# {order}", True), (f"Ordered on November {day}, 2026", False),
                     (f"Order total: ${rng.randint(5, 90)}.{rng.randint(0, 99):02d}", False),
                     ("Ship to: Jordan Miller, Austin, TX 78701", False)],
                    f"11/{day + 2:02d}/2026 10:{i % 60:02d} AM").save(folder / "order.png")
        _screenshot([(f"UPS Tracking {tracking}", True), ("Delivered", True),
                     (f"Delivered On: Tuesday, November {day + 2}, 2026 at 2:{i % 60:02d} P.M.", False),
                     ("Left At: Front Door  AUSTIN, TX, US", False)],
                    f"11/{day + 3:02d}/2026 09:{i % 60:02d} AM").save(folder / "tracking.png")
        (folder / "claim.toml").write_text(
            f'order_id = "{order}"\nreason = "not_received"\nmarketplace = "US"\ntracking = ["{tracking}"]\n'
            f'opened_at = 2026-11-{day + 3:02d}T09:00:00Z\n'
            f'reply = "Your package was delivered by UPS on November {day + 2}; tracking {tracking} attached via '
            f'Buyer-Seller Messages."\n', encoding="utf-8")
        folders.append(folder)
    return folders


def evidence_cmd() -> list[str]:
    script = Path(sys.executable).with_name("evidence")
    return [str(script)] if script.exists() else [sys.executable, "-m", "evidence_svc"]


def run(cmd: list[str], env: dict[str, str], ok: tuple[int, ...] = (0, 1)) -> None:
    proc = subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd=REPO)
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
    folders = make_claims(inbox, args.claims)
    base_env = dict(os.environ, PYTHONPATH=str(REPO), EVIDENCE_DATA_DIR=str(work / "data"))
    cmd = evidence_cmd()
    print(f"{args.claims} claims, 2 images each, {os.cpu_count()} cores, in {work}", flush=True)

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

"""Rebuild bench/real/files/ from bench/real/fetch_list.toml, then write the degraded copies (bench/real/degrade.py).

    .venv/bin/python -m bench.real.fetch                         # from raw.githubusercontent.com, pinned commits
    .venv/bin/python -m bench.real.fetch --mirror /path/mirrors  # from local git mirrors named owner+name/repo

Every file is checked against the sha256 of the list and written only when it matches; a file already present with
the right hash is kept. This script only reads public files at pinned commits: it must not change the list, the
labels or anything outside bench/real/files/.
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
import tomllib
import urllib.parse
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
FILES = HERE / "files"


def load_list() -> list[dict]:
    return tomllib.loads((HERE / "fetch_list.toml").read_text(encoding="utf-8"))["file"]


def _from_mirror(root: Path, e: dict) -> bytes | None:
    base = root / e["repo"].replace("/", "+") / "repo"
    gitdir = base / ".git" if (base / ".git").is_dir() else base
    if not gitdir.exists():
        return None
    out = subprocess.run(["git", "-C", str(gitdir), "show", f"{e['commit']}:{e['path']}"], capture_output=True)
    if out.returncode:  # a shallow mirror may only hold its HEAD
        out = subprocess.run(["git", "-C", str(gitdir), "show", f"HEAD:{e['path']}"], capture_output=True)
    return out.stdout if out.returncode == 0 else None


def _from_github(e: dict) -> bytes | None:
    url = f"https://raw.githubusercontent.com/{e['repo']}/{e['commit']}/{urllib.parse.quote(e['path'])}"
    try:
        with urllib.request.urlopen(url, timeout=60) as r:
            return r.read()
    except OSError:
        return None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mirror", type=Path, help="directory of git mirrors named owner+name/repo")
    args = ap.parse_args(argv)
    FILES.mkdir(parents=True, exist_ok=True)
    missing = 0
    for e in load_list():
        dest = FILES / e["name"]
        if dest.exists() and hashlib.sha256(dest.read_bytes()).hexdigest() == e["sha256"]:
            continue
        data = _from_mirror(args.mirror, e) if args.mirror else _from_github(e)
        if data is None or hashlib.sha256(data).hexdigest() != e["sha256"]:
            print(f"  could not get {e['name']} ({e['repo']}@{e['commit'][:10]}:{e['path']})", file=sys.stderr)
            missing += 1
            continue
        dest.write_bytes(data)
    from bench.real import degrade

    made = degrade.main([])
    print(f"{len(load_list()) - missing} real files in {FILES}, {missing} missing; degraded copies: exit {made}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())

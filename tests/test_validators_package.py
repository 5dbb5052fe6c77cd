"""`import validators` must give our package, not PyPI's unrelated `validators` (URL/e-mail checks)."""

from __future__ import annotations

import importlib.metadata
from pathlib import Path

import validators

REPO = Path(__file__).resolve().parents[1]


def test_import_resolves_to_our_package() -> None:
    assert Path(validators.__file__).resolve() == REPO / "validators" / "__init__.py"
    assert hasattr(validators, "VALIDATORS") and callable(validators.codes)
    assert not hasattr(validators, "url")  # the PyPI package's best-known function


def test_no_installed_distribution_ships_a_validators_package() -> None:
    """Nothing in the environment (a stray dependency) installs another top-level `validators`."""
    owners = []
    for dist in importlib.metadata.distributions():
        top = (dist.read_text("top_level.txt") or "").split()
        files = [str(f) for f in (dist.files or [])]
        if "validators" in top or any(f.startswith("validators/") for f in files):
            owners.append(dist.metadata["Name"])
    assert set(owners) <= {"evidence-svc"}, owners


def test_registry_lists_every_validator_code_once_with_messages() -> None:
    from evidence_svc.messages import catalogue

    codes = validators.codes()
    assert len(codes) == len(set(codes))
    for expected in ("low-resolution", "blurry", "timestamp-cropped", "timestamp-missing", "order-mismatch",
                     "order-missing", "duplicate-file"):
        assert expected in codes
    missing = [c for c in codes if c not in catalogue()]
    assert not missing
    names = [v.name for v in validators.VALIDATORS]
    assert names == ["file_rules", "resolution", "blur", "timestamp", "order_match"]


GROUND_FLOOR = ("evidence_svc.model", "evidence_svc.config", "evidence_svc.text", "evidence_svc.messages",
                "evidence_svc.facts")


def _imports(path: Path) -> list[str]:
    import ast

    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out.append(node.module)
    return out


def test_validators_use_only_the_ground_floor_of_the_service() -> None:
    """The rule in validators/__init__.py: model, config, text, messages and facts; never the pipeline, the I/O
    stages (ingest, OCR, store, bundle) or the adapters."""
    bad = {}
    for f in sorted((REPO / "validators").rglob("*.py")):
        ours = [m for m in _imports(f) if m == "evidence_svc" or m.startswith("evidence_svc.")]
        wrong = [m for m in ours if not m.startswith(GROUND_FLOOR)]
        if wrong:
            bad[str(f.relative_to(REPO))] = wrong
    assert not bad, bad


def test_validator_modules_stay_small() -> None:
    sizes = {str(f.relative_to(REPO)): len(f.read_text(encoding="utf-8").splitlines())
             for f in (REPO / "validators").rglob("*.py")}
    assert max(sizes.values()) <= 300, sizes

"""`evidence lint` as a user runs it: exit codes, the JSON contract, the Chinese report, clear errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

ORDER = "112-1234567-1234567"
OTHER = "113-9876543-1234567"
NOW = "2026-11-25T12:00:00Z"
OPENED = "2026-11-25T08:00:00Z"
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def _page(path: Path, lines: list[str]) -> Path:
    img = Image.new("RGB", (1400, 120 + 64 * len(lines)), "white")
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(FONT, 30)
    for i, text in enumerate(lines):
        draw.text((60, 60 + 64 * i), text, fill=(20, 20, 20), font=font)
    img.save(path)
    return path


@pytest.fixture(scope="module")
def evidence(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("cli")
    return {
        "good": _page(d / "order.png", [f"Order # {ORDER}", "Refund issued: $23.45 on November 24, 2026",
                                        "Placed on November 2, 2026 at 10:32 AM"]),
        "other": _page(d / "other.png", [f"Order # {OTHER}", "Placed on November 2, 2026 at 10:32 AM"]),
        "fake": _write(d / "photo.png", b"this is not an image at all\n" * 20),
    }


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def lint(*args: str, cache: Path) -> subprocess.CompletedProcess:
    env = {"EVIDENCE_CACHE_DIR": str(cache), "PATH": "/usr/bin:/bin"}
    return subprocess.run([sys.executable, "-m", "evidence_svc", "lint", *args], capture_output=True, text=True,
                          env=env, timeout=300)


def claim_args(*extra: str) -> list[str]:
    return ["--order", ORDER, "--marketplace", "US", "--reason", "refund_not_received", "--opened-at", OPENED,
            "--now", NOW, *extra]


def test_clean_file_exits_0_and_report_follows_contract(evidence, tmp_path):
    r = lint(*claim_args("--format", "json"), str(evidence["good"]), cache=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    report = json.loads(r.stdout)
    assert report["schema"] == "evidence-report/1"
    assert set(report) >= {"schema", "claim", "files", "claim_findings", "reply", "bundle", "summary"}
    assert set(report["claim"]) >= {"order_id", "reason", "marketplace", "tracking", "opened_at", "respond_by",
                                    "decision_expected_at"}
    assert report["claim"]["respond_by"].startswith("2026-11-27T08:00")
    (f,) = report["files"]
    assert set(f) >= {"name", "sha256", "media_type", "bytes", "status", "pages", "findings", "facts"}
    assert f["media_type"] == "image/png" and f["status"] == "pass"
    assert set(f["pages"][0]) >= {"index", "width", "height", "dpi", "text_source", "ocr_confidence"}
    assert f["pages"][0]["text_source"] == "ocr"
    assert set(f["facts"]) >= {"order_ids", "tracking", "delivery", "refunds", "timestamps"}
    assert f["facts"]["order_ids"] == [ORDER]
    assert f["facts"]["refunds"][0]["amount"] == "23.45" and f["facts"]["refunds"][0]["currency"] == "USD"
    assert report["summary"] == {"errors": 0, "warnings": report["summary"]["warnings"], "ready": True}


def test_other_orders_evidence_exits_1_and_says_why(evidence, tmp_path):
    r = lint(*claim_args(), str(evidence["good"]), str(evidence["other"]), cache=tmp_path)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "order-mismatch" in r.stdout and OTHER in r.stdout
    assert "Traceback" not in r.stdout + r.stderr


def test_chinese_report(evidence, tmp_path):
    r = lint(*claim_args("--lang", "zh"), str(evidence["other"]), cache=tmp_path)
    assert r.returncode == 1
    assert "订单" in r.stdout and "汇总" in r.stdout


def test_non_image_gets_a_finding_not_a_traceback(evidence, tmp_path):
    r = lint(*claim_args("--format", "json"), str(evidence["fake"]), cache=tmp_path)
    assert r.returncode == 1
    (f,) = json.loads(r.stdout)["files"]
    assert [x["code"] for x in f["findings"]] == ["unsupported-format"]
    assert f["name"] == "photo.png" and f["status"] == "fail"


@pytest.mark.parametrize("args, words", [
    ([], "--order"),
    (["--order", "12345", "x.png"], "not an order ID"),
    (["--order", ORDER, "/no/such/file.png"], "/no/such/file.png"),
    (["--order", ORDER, "--marketplace", "XX", "x.png"], "marketplace"),
    (["--order", ORDER], "no evidence files"),
])
def test_usage_errors_exit_2_with_a_clear_message(args, words, tmp_path):
    r = lint(*args, cache=tmp_path)
    assert r.returncode == 2, r.stdout + r.stderr
    assert words in r.stderr and "Traceback" not in r.stderr


def test_claim_toml_and_folder_argument(evidence, tmp_path):
    folder = tmp_path / "claim"
    folder.mkdir()
    (folder / "order.png").write_bytes(evidence["good"].read_bytes())
    (folder / "claim.toml").write_text(
        f'order_id = "{ORDER}"\nreason = "refund_not_received"\nmarketplace = "US"\nopened_at = "{OPENED}"\n'
        'reply = "We refunded $23.45 on November 24, 2026; the receipt was sent through Buyer-Seller Messages."\n'
        'order_total = {amount = "23.45", currency = "USD"}\n', encoding="utf-8")
    r = lint("--claim", str(folder / "claim.toml"), "--now", NOW, "--format", "json", str(folder),
             cache=tmp_path / "c")
    report = json.loads(r.stdout)
    assert [f["name"] for f in report["files"]] == ["order.png"]  # claim.toml itself is not evidence
    assert report["claim"]["reason"] == "refund_not_received"
    assert report["reply"]["findings"] == [] and r.returncode == 0, r.stdout


def test_bundle_command_writes_a_checked_pdf(evidence, tmp_path):
    import pikepdf

    out = tmp_path / "bundle.pdf"
    r = subprocess.run([sys.executable, "-m", "evidence_svc", "bundle", *claim_args("--format", "json"),
                        "-o", str(out), str(evidence["good"]), str(evidence["other"])],
                       capture_output=True, text=True, env={"EVIDENCE_CACHE_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"},
                       timeout=300)
    assert r.returncode == 1, r.stderr  # the other order's file is an error, the bundle is still written
    report = json.loads(r.stdout)
    assert report["bundle"]["path"] == str(out) and out.is_file()
    assert report["bundle"]["pages"] == len(pikepdf.open(out).pages) == 2  # cover + the one file that passed
    assert subprocess.run(["qpdf", "--check", str(out)], capture_output=True).returncode == 0

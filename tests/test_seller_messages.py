"""What the seller reads (issue 13): where files go, what to do when late, which copy to keep, why a delivered scan
did not count, deadlines in the seller's zone, Chinese that reads as Chinese, and `evidence lint FOLDER`.

The CLI runs as a user runs it (a subprocess on the generated sample claims); reply lint and duplicate settling are
called directly on the reports they get in the pipeline.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from evidence_svc.claim_checks import settle_duplicates
from evidence_svc.config import Settings
from evidence_svc.labels import labels_for
from evidence_svc.model import Claim, Facts, FileReport, Page, RefundFact, Severity
from evidence_svc.messages import finding
from evidence_svc.reply_lint import lint_reply

pytestmark = pytest.mark.usefixtures("repo_sample_claims")  # samples/claims/, made if missing

SAMPLES = Path(__file__).resolve().parent.parent / "samples" / "claims"
GOOD = SAMPLES / "us_not_received"  # opened 2026-11-24 09:00 UTC: respond by 2026-11-26 09:00 UTC
BAD = SAMPLES / "us_bad_evidence"
BEFORE = "2026-11-25T08:00:00Z"
LATE = "2026-11-27T08:00:00Z"
WHERE_EN = labels_for("en")["report"]["where_files_go"]
WHERE_ZH = labels_for("zh")["report"]["where_files_go"]
ATTACH = "reply-attachment-not-mentioned"


@pytest.fixture(scope="module")
def cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("cache")


def evidence(*args: str, cache: Path, cwd: Path, tz: str = "UTC") -> subprocess.CompletedProcess:
    env = {"EVIDENCE_CACHE_DIR": str(cache), "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "TZ": tz,
           "COLUMNS": "400", "HOME": str(cwd), **{k: v for k, v in os.environ.items() if k == "PYTHONPATH"}}
    return subprocess.run([sys.executable, "-m", "evidence_svc", *args], capture_output=True, text=True, env=env,
                          cwd=cwd, timeout=300)


def flat(text: str) -> str:
    return " ".join(text.split())


# --- 1. where files go ---------------------------------------------------------------------------------------------

DELIVERY = FileReport(name="tracking.png", sha256="d", bytes=1, kind="delivery")
REFUND = FileReport(name="refund.png", sha256="r", bytes=1, kind="refund",
                    facts=Facts(refunds=[RefundFact(amount="12.99", currency="USD")]))
ORDER = "Order 112-1234567-1234567 was delivered on Nov 1, 2026. "


def reply_codes(reply: str, mk: str, files=(DELIVERY,), reason: str = "not_received") -> list[str]:
    claim = Claim(order_id="112-1234567-1234567", marketplace=mk, reason=reason)
    return [f.code for f in lint_reply(reply, claim, list(files), Settings(), [])]


@pytest.mark.parametrize("mk,said", [
    ("US", "We sent the tracking page with the delivery scan through Buyer-Seller Messages."),
    ("US", "I messaged you the carrier's proof of delivery."),
    ("US", "We attached the proof of delivery in a separate message."),
    ("DE", "Den Zustellnachweis finden Sie im Anhang unserer Nachricht."),
    ("DE", "Wir haben Ihnen den Sendungsverlauf per Nachricht gesendet."),
    ("FR", "La preuve de livraison est jointe à notre message."),
    ("FR", "Nous vous avons envoyé la preuve de livraison via la messagerie acheteur-vendeur."),
    ("JP", "追跡画面はメッセージに添付しました。"),
    ("JP", "購入者とのメッセージで配達記録をお送りしました。"),
    ("CN", "签收截图已在站内信中附上。"),
    ("CN", "物流截图已通过亚马逊消息发给您。"),
])
def test_a_reply_that_says_the_proof_went_through_messages_is_not_told_again(mk, said):
    assert ATTACH not in reply_codes(ORDER + said, mk)


def test_a_reply_silent_about_the_files_is_told_where_they_go_in_the_catalogues_words():
    claim = Claim(order_id="112-1234567-1234567", marketplace="US")
    hit = next(f for f in lint_reply(ORDER, claim, [DELIVERY], Settings(), []) if f.code == ATTACH)
    assert "takes no attachments" in hit.message and "不能添加附件" in hit.message_zh
    assert hit.hint.startswith(WHERE_EN) and hit.hint_zh.startswith(WHERE_ZH)
    assert "10 MB" in WHERE_EN and "Buyer-Seller Messages" in WHERE_EN and "买家与卖家消息" in WHERE_ZH


def test_the_example_sentence_names_only_what_the_claim_has():
    claim = Claim(order_id="112-1234567-1234567", marketplace="US", reason="not_received")
    hit = next(f for f in lint_reply(ORDER, claim, [DELIVERY], Settings(), []) if f.code == ATTACH)
    assert "refund" not in hit.hint.lower() and "退款" not in hit.hint_zh
    assert "tracking page" in hit.hint and "物流跟踪页面" in hit.hint_zh
    refund_claim = Claim(order_id="112-1234567-1234567", marketplace="US", reason="refund_not_received")
    hit = next(f for f in lint_reply("We refunded $12.99 on Nov 5, 2026.", refund_claim, [REFUND], Settings(), [])
               if f.code == ATTACH)
    assert "refund proof" in hit.hint and "tracking" not in hit.hint


def test_bundle_help_says_where_files_go_in_the_same_words(cache, tmp_path):
    r = evidence("bundle", "--help", cache=cache, cwd=tmp_path)
    assert r.returncode == 0 and WHERE_EN in flat(r.stdout)


# --- 2. late ---------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("lang,gone,says", [
    ("en", "fix the errors first", ["respond at once", "may already be decided", "17 days", "evidence reply --appeal"]),
    ("zh", "请先修正错误", ["请立即回复", "可能已被裁决", "17 天", "evidence reply --appeal"]),
])
def test_past_the_deadline_the_summary_says_what_to_do_when_late(cache, tmp_path, lang, gone, says):
    r = evidence("lint", "--claim", str(BAD / "claim.toml"), "--now", LATE, "--lang", lang, cache=cache, cwd=tmp_path)
    assert r.returncode == 1, r.stderr
    summary = r.stdout.strip().splitlines()[-1]
    assert gone not in summary and all(s in summary for s in says), summary
    before = evidence("lint", "--claim", str(BAD / "claim.toml"), "--now", BEFORE, "--lang", lang, cache=cache,
                      cwd=tmp_path)
    assert gone in before.stdout.strip().splitlines()[-1]


def test_the_late_respond_by_finding_points_to_the_appeal(cache, tmp_path):
    r = evidence("lint", "--claim", str(GOOD / "claim.toml"), "--now", LATE, "--format", "json", cache=cache,
                 cwd=tmp_path)
    hit = next(f for f in json.loads(r.stdout)["claim_findings"] if f["code"] == "respond-by")
    assert hit["severity"] == "error" and "appeal within 17 days" in hit["hint"] and "17 天内申诉" in hit["hint_zh"]


# --- 3. duplicates ---------------------------------------------------------------------------------------------------

def test_keep_one_copy_names_the_copy_to_keep_and_the_one_to_drop(cache, tmp_path):
    shutil.copy(GOOD / "ups_tracking.png", tmp_path / "tracking.png")
    shutil.copy(GOOD / "ups_tracking.png", tmp_path / "tracking_copy.png")
    with Image.open(GOOD / "ups_tracking.png") as im:  # a smaller re-save, listed first
        im.resize((im.width * 4 // 5, im.height * 4 // 5)).save(tmp_path / "a_small.png")
    r = evidence("lint", "a_small.png", "tracking.png", "tracking_copy.png", "--order", "112-6518054-2727530",
                 "--tracking", "1ZDDWH540111788166", "--now", BEFORE, "--format", "json", cache=cache, cwd=tmp_path)
    files = {f["name"]: f for f in json.loads(r.stdout)["files"]}
    dup = {name: [x for x in f["findings"] if x["code"] == "duplicate-file"] for name, f in files.items()}
    assert dup["tracking.png"] == []  # the copy to keep carries no "remove" advice
    (small,), (copy,) = dup["a_small.png"], dup["tracking_copy.png"]
    assert small["hint"].startswith("Keep tracking.png (it has the higher resolution, 1366×768)")
    assert "remove this copy, a_small.png" in small["hint"] and "请保留 tracking.png（分辨率更高" in small["hint_zh"]
    assert copy["hint"].startswith("Keep tracking.png") and "tracking_copy.png" in copy["hint"]


def test_the_copy_that_passed_is_kept_even_when_it_came_second():
    page = [Page(index=0, width=800, height=600)]
    failed = FileReport(name="first.png", sha256="same", bytes=900, pages=page,
                        findings=[finding("timestamp-cropped", edge="top")])
    passed = FileReport(name="second.png", sha256="same", bytes=900, pages=page,
                        findings=[finding("duplicate-file", value="first.png")])
    settle_duplicates([failed, passed])
    assert [f.code for f in passed.findings] == []
    hint = next(f.hint for f in failed.findings if f.code == "duplicate-file")
    assert hint == "Keep second.png (it passed the checks) and remove this copy, first.png."


def test_a_png_screenshot_is_kept_over_its_larger_jpeg_resave(cache, tmp_path):
    """A screenshot re-saved as JPEG q90 has the same pixels and more bytes, but it is the lossy copy."""
    shutil.copy(GOOD / "ups_tracking.png", tmp_path / "b_tracking.png")
    with Image.open(GOOD / "ups_tracking.png") as im:  # listed first, more bytes than the PNG
        im.convert("RGB").save(tmp_path / "a_tracking.jpg", quality=95)
    assert (tmp_path / "a_tracking.jpg").stat().st_size > (tmp_path / "b_tracking.png").stat().st_size
    r = evidence("lint", "a_tracking.jpg", "b_tracking.png", "--order", "112-6518054-2727530",
                 "--tracking", "1ZDDWH540111788166", "--now", BEFORE, "--format", "json", cache=cache, cwd=tmp_path)
    files = {f["name"]: f for f in json.loads(r.stdout)["files"]}
    assert not [x for x in files["b_tracking.png"]["findings"] if x["code"] == "duplicate-file"]
    (dup,) = [x for x in files["a_tracking.jpg"]["findings"] if x["code"] == "duplicate-file"]
    assert dup["hint"].startswith("Keep b_tracking.png (it is not a re-compressed JPEG copy)")


# --- 4. the delivered scan in a failed file -----------------------------------------------------------------------

def test_a_delivered_scan_in_a_failed_file_is_named_with_its_problem_and_fix(cache, tmp_path):
    r = evidence("lint", "--claim", str(BAD / "claim.toml"), "--now", BEFORE, "--format", "json", cache=cache,
                 cwd=tmp_path)
    hit = next(f for f in json.loads(r.stdout)["claim_findings"] if f["code"] == "no-delivery-proof")
    assert "the delivered scan is in tracking_cropped_clock.png" in hit["message"]
    assert "cut by the top edge" in hit["message"] and "other_order.png" not in hit["message"]
    assert hit["hint"].startswith("Fix tracking_cropped_clock.png") and "Retake the screenshot" in hit["hint"]
    assert "签收记录在 tracking_cropped_clock.png 中" in hit["message_zh"] and "请重新截图" in hit["hint_zh"]


# --- 5. time zones ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("args,tz,shows", [
    (["--tz", "Asia/Shanghai", "--lang", "zh"], "UTC", "回复截止 2026-11-26 17:00 北京时间"),
    (["--tz", "Asia/Shanghai"], "UTC", "respond by 2026-11-26 17:00 Asia/Shanghai"),
    (["--tz", "Asia/Hong_Kong", "--lang", "zh"], "UTC", "回复截止 2026-11-26 17:00 Asia/Hong_Kong"),
    ([], "Asia/Tokyo", "respond by 2026-11-26 18:00 Asia/Tokyo"),  # the system's zone by default
    ([], "UTC", "respond by 2026-11-26 09:00 UTC"),
])
def test_deadlines_are_shown_in_the_sellers_zone(cache, tmp_path, args, tz, shows):
    r = evidence("lint", "--claim", str(GOOD / "claim.toml"), "--now", BEFORE, *args, cache=cache, cwd=tmp_path,
                 tz=tz)
    assert r.returncode == 0, r.stderr
    assert shows in r.stdout


def test_claim_toml_timezone_is_used_and_json_keeps_utc(cache, tmp_path):
    folder = shutil.copytree(GOOD, tmp_path / "claim")
    with open(folder / "claim.toml", "a", encoding="utf-8") as f:
        f.write('timezone = "Europe/Berlin"\n')
    text = evidence("lint", "--claim", str(folder / "claim.toml"), "--now", LATE, cache=cache, cwd=tmp_path)
    assert "respond by 2026-11-26 10:00 Europe/Berlin" in text.stdout
    assert "the response deadline (2026-11-26 10:00 Europe/Berlin) passed" in text.stdout
    r = evidence("lint", "--claim", str(folder / "claim.toml"), "--now", BEFORE, "--format", "json", cache=cache,
                 cwd=tmp_path)
    claim = json.loads(r.stdout)["claim"]
    assert claim["respond_by"] == "2026-11-26T09:00:00Z" and claim["timezone"] == "Europe/Berlin"


def test_a_bad_zone_is_a_usage_error_naming_it(cache, tmp_path):
    r = evidence("lint", "--claim", str(GOOD / "claim.toml"), "--tz", "Mars/Olympus", "--lang", "zh", cache=cache,
                 cwd=tmp_path)
    assert r.returncode == 2 and "'Mars/Olympus' 不是有效的时区" in r.stderr
    folder = shutil.copytree(GOOD, tmp_path / "claim")
    with open(folder / "claim.toml", "a", encoding="utf-8") as f:
        f.write('timezone = "Beijing"\n')
    r = evidence("lint", "--claim", str(folder / "claim.toml"), cache=cache, cwd=tmp_path)
    assert r.returncode == 2 and "timezone 'Beijing' is not a time zone" in r.stderr and "Traceback" not in r.stderr


# --- 6. Chinese ------------------------------------------------------------------------------------------------------

def test_the_chinese_report_reads_as_chinese(cache, tmp_path):
    zh = evidence("lint", "--claim", str(BAD / "claim.toml"), "--now", BEFORE, "--lang", "zh", cache=cache,
                  cwd=tmp_path).stdout
    cn = evidence("lint", "--claim", str(BAD / "claim.toml"), "--now", BEFORE, "--lang", "cn", cache=cache,
                  cwd=tmp_path).stdout
    assert cn == zh
    assert "25 小时 00 分钟" in zh and not re.search(r"\d+ h \d+ min", zh)
    assert "事实" not in zh and "识别到的信息：" in zh
    assert "not_received" not in zh and "(delivery)" not in zh and "未收到商品" in zh and "（物流跟踪页面）" in zh
    assert "（USPS，校验位正确）" in zh and "汇总：" in zh and "个错误，" in zh and "（剩余 25 小时 00 分钟）" in zh
    assert "运单号" not in zh and "已送达" not in zh  # one term per idea: 物流单号, 已签收


@pytest.mark.parametrize("args,says", [
    (["--reason", "lost"], ["'--reason' 的值无效", "'lost' 不是可选值之一"]),
    (["--bogus"], ["没有选项 --bogus"]),
    (["--opened-at", "yesterday"], ["'--opened-at' 的值无效", "日期时间格式无效"]),
])
def test_argument_errors_are_in_chinese_with_lang_zh_and_exit_2(cache, tmp_path, args, says):
    for lang in ("zh", "cn"):
        r = evidence("lint", "--lang", lang, *args, "x.png", cache=cache, cwd=tmp_path)
        assert r.returncode == 2 and all(s in r.stderr for s in says), r.stderr
        assert "Traceback" not in r.stderr
    en = evidence("lint", *args, "x.png", cache=cache, cwd=tmp_path)
    assert en.returncode == 2 and not re.search(r"[\u4e00-\u9fff]", en.stderr)


def test_a_claim_toml_value_of_the_wrong_kind_is_explained_in_chinese(cache, tmp_path):
    toml = tmp_path / "claim.toml"
    toml.write_text('order_id = "112-1234567-1234567"\nopened_at = "yesterday"\n', encoding="utf-8")
    r = evidence("lint", "--claim", str(toml), "--lang", "zh", "x.png", cache=cache, cwd=tmp_path)
    assert r.returncode == 2 and "opened_at：日期时间格式无效" in r.stderr


# --- 7. lint FOLDER and notes --------------------------------------------------------------------------------------

def test_lint_folder_reads_its_claim_toml_and_leaves_notes_out(cache, tmp_path):
    folder = shutil.copytree(GOOD, tmp_path / "claim", ignore=shutil.ignore_patterns("truth.json"))
    (folder / "notes.txt").write_text("buyer called on Monday\n", encoding="utf-8")
    toml = (folder / "claim.toml").read_text(encoding="utf-8")
    (folder / "claim.toml").write_text(re.sub(r"(?m)^files = .*\n", "", toml), encoding="utf-8")
    r = evidence("lint", str(folder), "--now", BEFORE, "--format", "json", cache=cache, cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    report = json.loads(r.stdout)
    assert report["claim"]["order_id"] == "112-6518054-2727530" and report["claim"]["tracking"]
    assert sorted(f["name"] for f in report["files"]) == ["buyer_messages.png", "order_details.png", "ups_tracking.png"]
    note = next(f for f in report["claim_findings"] if f["code"] == "not-evidence")
    assert note["severity"] == "info" and note["value"] == "notes.txt" and "not evidence" in note["message"]
    text = evidence("lint", str(folder), "--now", BEFORE, cache=cache, cwd=tmp_path).stdout
    assert "Save it as PNG" not in text and "unsupported-format" not in text


def test_a_note_given_by_name_is_left_out_too(cache, tmp_path):
    shutil.copy(GOOD / "ups_tracking.png", tmp_path / "tracking.png")
    (tmp_path / "draft.md").write_text("# reply draft\n", encoding="utf-8")
    r = evidence("lint", "tracking.png", "draft.md", "--order", "112-6518054-2727530", "--now", BEFORE,
                 "--format", "json", cache=cache, cwd=tmp_path)
    report = json.loads(r.stdout)
    assert [f["name"] for f in report["files"]] == ["tracking.png"]
    assert [(f["code"], f["severity"]) for f in report["claim_findings"]] == [("not-evidence", Severity.info.value)]

"""More of what the seller reads (issue 13 leftovers): argument errors in Chinese under `evidence reply --ui-lang zh`,
the "where files go" example sentence in the reply's own language, and duplicate messages that fit which copy
came first.

The CLI runs as a user runs it (a subprocess); reply lint and duplicate settling are called directly on the reports
they get in the pipeline.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from evidence_svc.claim_checks import settle_duplicates
from evidence_svc.config import Settings
from evidence_svc.messages import catalogue, finding
from evidence_svc.model import Claim, Facts, FileReport, Page, RefundFact
from evidence_svc.reply_lint import lint_reply

ATTACH = "reply-attachment-not-mentioned"
EXAMPLES = catalogue()[ATTACH]["examples"]


def evidence(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(cwd), "COLUMNS": "200",
           "EVIDENCE_CACHE_DIR": str(cwd / "cache"),
           **{k: v for k, v in os.environ.items() if k == "PYTHONPATH"}}
    return subprocess.run([sys.executable, "-m", "evidence_svc", *args], capture_output=True, text=True, env=env,
                          cwd=cwd, timeout=120)


# --- 1. argument errors in the language of the messages --------------------------------------------------------------

@pytest.mark.parametrize("args,chinese", [
    (["reply", "--ui-lang", "zh", "--remedy", "bogus"], True),
    (["reply", "--ui-lang=cn", "--tone", "loud"], True),
    (["reply", "--lang", "zh", "--remedy", "bogus"], False),  # --lang is the draft's language here, not the UI's
    (["reply", "--ui-lang", "zh", "--lang", "de", "--no-such-option"], True),
    (["lint", "--lang", "cn", "--format", "bogus"], True),
    (["bundle", "--lang=zh", "--format", "bogus"], True),
    (["lint", "--format", "bogus"], False),
])
def test_argument_errors_follow_the_option_that_sets_the_ui_language(tmp_path, args, chinese):
    r = evidence(*args, cwd=tmp_path)
    assert r.returncode == 2, r.stderr
    assert ("查看用法" in r.stderr) is chinese, r.stderr
    if chinese:
        assert r.stderr.startswith("evidence：") and "Traceback" not in r.stderr


# --- 2. the example sentence in the reply's language ----------------------------------------------------------------

DELIVERY = FileReport(name="tracking.png", sha256="d", bytes=1, kind="delivery")
PHOTOS = FileReport(name="box.jpg", sha256="p", bytes=1, kind="photos")
REFUND = FileReport(name="refund.png", sha256="r", bytes=1, kind="refund",
                    facts=Facts(refunds=[RefundFact(amount="12.99", currency="EUR")]))

REPLIES = {  # (marketplace, a reply that says nothing about where the files are)
    "en": ("US", "Order 112-1234567-1234567 was delivered to your address on Nov 1, 2026 at 14:03."),
    "de": ("DE", "Die Bestellung 112-1234567-1234567 wurde am 1. November 2026 an Ihre Adresse zugestellt."),
    "fr": ("FR", "La commande 112-1234567-1234567 a été livrée à votre adresse le 1 novembre 2026."),
    "ja": ("JP", "ご注文112-1234567-1234567は2026年11月1日にご住所へお届け済みです。"),
    "it": ("IT", "L'ordine 112-1234567-1234567 è stato consegnato al suo indirizzo il 1 novembre 2026."),
    "es": ("ES", "El pedido 112-1234567-1234567 fue entregado en su dirección el 1 de noviembre de 2026."),
    "zh": ("US", "您的订单112-1234567-1234567已于2026年11月1日签收，请查看物流信息。"),
}


def attach_hit(reply: str, mk: str, files, reason: str = "not_received"):
    claim = Claim(order_id="112-1234567-1234567", marketplace=mk, reason=reason)
    return claim, next((f for f in lint_reply(reply, claim, list(files), Settings(), []) if f.code == ATTACH), None)


@pytest.mark.parametrize("lang", list(REPLIES))
def test_the_example_sentence_is_in_the_replys_language_and_satisfies_the_rule(lang):
    mk, reply = REPLIES[lang]
    claim, hit = attach_hit(reply, mk, [DELIVERY])
    words = EXAMPLES[lang]
    example = words["sent"].format(what=words["items"]["delivery"])
    assert f"'{example}'" in hit.hint and f"“{example}”" in hit.hint_zh  # the sentence to paste, in both hints
    english, chinese = (EXAMPLES[lg]["sent"].format(what=EXAMPLES[lg]["items"]["delivery"]) for lg in ("en", "zh"))
    assert (f"(in English: '{english}')" in hit.hint) is (lang != "en")  # what it means, for the seller
    assert (f"（意思是：“{chinese}”）" in hit.hint_zh) is (lang != "zh")
    pasted = reply + ("" if lang in ("ja", "zh") else " ") + example
    assert ATTACH not in [f.code for f in lint_reply(pasted, claim, [DELIVERY], Settings(), [])]


def test_an_english_reply_on_a_german_marketplace_gets_the_english_example():
    _, hit = attach_hit("The order was delivered to your address on Nov 1, 2026 and we have the tracking page.", "DE",
                        [DELIVERY])
    assert "'We sent the tracking page through Buyer-Seller Messages.'" in hit.hint and "in English" not in hit.hint


@pytest.mark.parametrize("lang", list(REPLIES))
def test_the_example_names_only_the_proof_the_claim_has_in_every_language(lang):
    mk, reply = REPLIES[lang]
    items = EXAMPLES[lang]["items"]
    _, hit = attach_hit(reply, mk, [DELIVERY, PHOTOS])  # not received, no refund: no refund receipt
    assert items["refund"] not in hit.hint and items["delivery"] in hit.hint and items["photos"] in hit.hint
    _, hit = attach_hit(reply, mk, [REFUND], reason="refund_not_received")
    assert items["refund"] in hit.hint and items["delivery"] not in hit.hint
    _, hit = attach_hit(reply, mk, [FileReport(name="x.png", sha256="x", bytes=1)], reason="damaged")
    assert items["photos"] in hit.hint  # no role known: the proof the reason needs


# --- 3. duplicates: the message fits which copy came first ------------------------------------------------------------

def _copies() -> tuple[FileReport, FileReport]:
    page = [Page(index=0, width=800, height=600)]
    failed = FileReport(name="first.png", sha256="same", bytes=900, pages=page,
                        findings=[finding("timestamp-cropped", edge="top")])
    passed = FileReport(name="second.png", sha256="same", bytes=900, pages=page,
                        findings=[finding("duplicate-file", value="first.png")])
    return failed, passed


def test_a_dropped_copy_listed_before_the_kept_one_says_the_kept_one_comes_later():
    failed, passed = _copies()
    settle_duplicates([failed, passed])
    hit = next(f for f in failed.findings if f.code == "duplicate-file")
    assert hit.message == ("the same file (or a near-identical image) is also in the claim, further down the list, "
                           "as second.png")
    assert "already" not in hit.message and hit.message_zh == "本索赔中后面还有一份相同（或几乎相同）的文件：second.png"
    assert hit.hint == "Keep second.png (it passed the checks) and remove this copy, first.png."


def test_a_dropped_copy_listed_after_the_kept_one_says_it_is_already_there():
    failed, passed = _copies()
    settle_duplicates([passed, failed])
    hit = next(f for f in failed.findings if f.code == "duplicate-file")
    assert hit.message == "the same file (or a near-identical image) is already in the claim as second.png"
    assert hit.message_zh == "本索赔中已有相同（或几乎相同）的文件：second.png"

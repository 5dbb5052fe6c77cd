"""The sample claims used by `make run`: each a folder with claim.toml, its evidence files and truth.json (the
findings and facts each file should produce). Evidence agrees with the claim (order ID, tracking, amounts) except
where a defect is intended (the "bad" claim).
"""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import numpy as np

from samples.calibration import Recipe, encode_image, render_label_photo, rngs_for, apply_variant, render_scan, render_screenshot
from samples.locales import amount_str
from samples.render import degrade, pdfs
from samples.scenario import CLAIM_OPENED, Scenario, make_scenario
from samples.truth import cut_text, expected_codes, facts_from_sheet

OPENED_AT = CLAIM_OPENED.strftime("%Y-%m-%dT%H:%M:%SZ")


def _toml_str(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def _write_claim(folder: Path, sc: Scenario, reason: str, reply: str, files: list[str], truth: list[dict]) -> None:
    cur = sc.loc.currency
    lines = [
        f"order_id = {_toml_str(sc.order_id)}",
        f"reason = {_toml_str(reason)}",
        f"marketplace = {_toml_str(sc.loc.marketplace)}",
        f"tracking = [{_toml_str(sc.tracking)}]",
        f"opened_at = {OPENED_AT}",
        f"order_total = {{ amount = {_toml_str(amount_str(sc.total_cents, cur))}, currency = {_toml_str(cur)} }}",
        f"reply = {_toml_str(reply)}",
        "files = [" + ", ".join(_toml_str(f) for f in files) + "]",
    ]
    (folder / "claim.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "truth.json").write_text(json.dumps({"claim": {"order_id": sc.order_id, "tracking": [sc.tracking]},
                                                   "files": truth}, ensure_ascii=False, indent=1, sort_keys=True)
                                       + "\n", encoding="utf-8")


class _Claim:
    """Collects one claim's files and their ground truth."""

    def __init__(self, folder: Path, sc: Scenario, seed: int):
        self.folder, self.sc, self.seed = folder, sc, seed
        self.files: list[str] = []
        self.truth: list[dict] = []
        folder.mkdir(parents=True, exist_ok=True)

    def _rng(self, name: str) -> tuple[random.Random, np.random.Generator]:
        return rngs_for(self.seed, f"{self.folder.name}/{name}")

    def screenshot(self, name: str, layout: str, frame: str, variant: str = "clean", sc: Scenario | None = None,
                   **opts) -> None:
        sc = sc or self.sc
        rng, nrng = self._rng(name)
        r = Recipe(name, sc.lang, sc.loc.marketplace, layout, frame, variant, opts)
        s = render_screenshot(r, sc, rng)
        s, meta = apply_variant(r, s, rng, nrng)
        self._add(name, s, meta)

    def label_photo(self, name: str, variant: str = "clean", **opts) -> None:
        rng, nrng = self._rng(name)
        r = Recipe(name, self.sc.lang, self.sc.loc.marketplace, "label_photo", "none", variant, opts)
        meta = {"defect": None, "readable": True, "format": "jpeg", "quality": 85, "notes": []}
        blur = None
        if variant == "blurry_motion":
            blur = lambda x: degrade.motion(x, opts.get("length", 29), opts.get("angle", 12))  # noqa: E731
            meta.update(defect="blurry", readable=False)
        s = render_label_photo(r, self.sc, rng, nrng, blur=blur)
        self._add(name, s, meta)

    def _add(self, name: str, s, meta: dict) -> None:
        ext = {"png": ".png", "jpeg": ".jpg", "webp": ".webp"}[meta["format"]]
        (self.folder / (name + ext)).write_bytes(encode_image(s.img, meta["format"], meta["quality"]))
        facts, cut = facts_from_sheet(s)
        if cut_text(s) and not cut:
            raise RuntimeError(f"{self.folder.name}/{name}: text cut by the image edge: {cut_text(s)[:3]}")
        exp, absent = expected_codes(facts, cut, self.sc.order_id, [self.sc.tracking], readable=meta["readable"],
                                     defect=meta["defect"])
        self.files.append(name + ext)
        self.truth.append({"file": name + ext, "expect_codes": exp, "absent_codes": absent, "facts": facts})

    def pdf(self, name: str, data: bytes, facts: dict, page=None, meta: dict | None = None) -> None:
        (self.folder / (name + ".pdf")).write_bytes(data)
        if page is not None:
            facts, cut = facts_from_sheet(page)
        else:
            cut = []
        facts.setdefault("delivery", None)
        facts = {k: facts[k] for k in ("order_ids", "tracking", "delivery", "refunds", "timestamps")}
        exp, absent = expected_codes(facts, cut, self.sc.order_id, [self.sc.tracking],
                                     readable=(meta or {}).get("readable", True), defect=(meta or {}).get("defect"))
        self.files.append(name + ".pdf")
        self.truth.append({"file": name + ".pdf", "expect_codes": exp, "absent_codes": absent, "facts": facts})


def generate_claims(root: Path, seed: int = 7) -> list[str]:
    root.mkdir(parents=True, exist_ok=True)
    made = []

    # 1. US item not received: UPS tracking page, order page, message thread, a concrete reply
    rng = random.Random(f"{seed}:us")
    sc = make_scenario(rng, "en", "US", carrier="UPS")
    folder = root / "us_not_received"
    shutil.rmtree(folder, ignore_errors=True)
    c = _Claim(folder, sc, seed)
    c.screenshot("ups_tracking", "tracking", "desktop", screen=(1366, 768, 1.0), dark=False)
    c.screenshot("order_details", "order", "desktop", screen=(1366, 768, 1.0), dark=False)
    c.screenshot("buyer_messages", "messages", "phone", screen=(750, 1334, 2.0), dark=False)
    d = sc.delivered_event
    reply = (f"Hello {sc.buyer.split()[0]}, UPS tracking {sc.tracking} shows order {sc.order_id} was delivered on "
             f"{sc.loc.date_long(d.at.date())} at {sc.loc.time(d.at)} to the front door in "
             f"{sc.delivery_location.split(',')[0].title()}. We sent the tracking page with the delivery scan through "
             f"Buyer-Seller Messages. If the parcel does not turn up by November 27, 2026, we will ship a "
             f"replacement the same day.")
    _write_claim(folder, sc, "not_received", reply, c.files, c.truth)
    made.append(folder.name)

    # 2. DE refund not received: refund confirmation (text PDF), scanned receipt, German reply
    rng = random.Random(f"{seed}:de")
    sc = make_scenario(rng, "de", "DE", carrier="DeutschePost")
    folder = root / "de_refund_not_received"
    shutil.rmtree(folder, ignore_errors=True)
    c = _Claim(folder, sc, seed)
    data, facts = pdfs.refund_receipt_pdf(sc)
    c.pdf("erstattungsbeleg", data, facts)
    r = Recipe("kassenbeleg_scan", "de", "DE", "pdf_scan", "none", "clean", {"dpi": 150, "render_dpi": 150,
                                                                             "quality": 70})
    rr, nr = rngs_for(seed, "de_refund_not_received/scan")
    data, page, meta = render_scan(r, sc, rr, nr)
    c.pdf("erstattung_scan", data, {}, page=page, meta=meta)
    c.screenshot("bestellung", "order", "desktop", screen=(1280, 800, 1.0), dark=False)
    reply = (f"Guten Tag, wir haben Ihnen für die Bestellung {sc.order_id} am "
             f"{sc.loc.date_long(sc.refund_date)} {sc.loc.money(sc.refund_cents)} auf Ihre Mastercard erstattet. "
             f"Den Erstattungsbeleg haben wir Ihnen über die Käufer-Verkäufer-Nachrichten gesendet. Die Gutschrift "
             f"erscheint je nach Bank innerhalb von 3-5 Werktagen auf Ihrem Konto.")
    _write_claim(folder, sc, "refund_not_received", reply, c.files, c.truth)
    made.append(folder.name)

    # 3. JP item not received: Japan Post tracking on a phone, Japanese reply
    rng = random.Random(f"{seed}:jp")
    sc = make_scenario(rng, "ja", "JP", carrier="JapanPost")
    folder = root / "jp_not_received"
    shutil.rmtree(folder, ignore_errors=True)
    c = _Claim(folder, sc, seed)
    c.screenshot("japanpost_tracking", "tracking", "phone", screen=(1170, 2532, 3.0), dark=False, base_css=13.0)
    c.screenshot("chumon", "order", "phone", screen=(828, 1792, 2.0), dark=False)
    d = sc.delivered_event
    reply = (f"{sc.buyer.split()[0]}様、ご注文 {sc.order_id} の商品は日本郵便（お問い合わせ番号 {sc.tracking}）にて"
             f"{sc.loc.date_long(d.at.date())} {d.at:%H:%M} に{sc.delivery_location}より配達完了となっております。"
             f"配達状況の画面は購入者とのメッセージからお送りしました。お手数ですが宅配ボックスとご家族の方への"
             f"ご確認をお願いいたします。")
    _write_claim(folder, sc, "not_received", reply, c.files, c.truth)
    made.append(folder.name)

    # 4. a bad claim: blurry photo, cropped clock, another order's screenshot, a reply with no substance
    rng = random.Random(f"{seed}:bad")
    sc = make_scenario(rng, "en", "US", carrier="USPS")
    other = make_scenario(rng, "en", "US", carrier="FedEx")
    folder = root / "us_bad_evidence"
    shutil.rmtree(folder, ignore_errors=True)
    c = _Claim(folder, sc, seed)
    c.label_photo("parcel_photo", "blurry_motion", size=(1600, 1200), length=29)
    c.screenshot("tracking_cropped_clock", "tracking", "phone", "ts_cut", screen=(1080, 2400, 2.75),
                 which="clock", side="top", frac=0.5)
    c.screenshot("other_order", "order", "desktop", sc=other, screen=(1366, 768, 1.0))
    reply = "We are sorry for the inconvenience. We will check and get back to you."
    _write_claim(folder, sc, "not_received", reply, c.files, c.truth)
    made.append(folder.name)
    (root / "README.md").write_text(README, encoding="utf-8")
    return made


README = """# Sample claims (generated)

Made by `python -m samples.generate --only claims`; do not edit by hand, the generator is the source of truth.
Each folder holds `claim.toml` (the claim as `evidence lint --claim` reads it), its evidence files, and
`truth.json` (per file: the finding codes expected and excluded, and the facts visible).

- `us_not_received`: UPS delivered scan, the order page and the buyer-seller thread; a concrete reply.
- `de_refund_not_received`: refund receipt as a text PDF and as a scan, the order page; a German reply.
- `jp_not_received`: Japan Post tracking on a phone and the order page; a Japanese reply.
- `us_bad_evidence`: a shaky photo of the label, a phone screenshot whose clock is cut at the top, another order's
  page, and a reply that only apologises.
"""

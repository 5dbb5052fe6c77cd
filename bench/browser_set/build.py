"""Build the browser-rendered labelled evaluation set: real Chromium renders of HTML/CSS pages, degraded afterwards.

    .venv/bin/python -m bench.browser_set.build                 # -> build/browser_set/ (+ labels.jsonl)
    .venv/bin/python -m bench.browser_set.build --only trk_      # scenes whose name starts with trk_
    .venv/bin/python -m bench.browser_set.build --list

Independent of the Pillow generator in samples/ (which the product's thresholds were calibrated on): pages are
laid out and rasterised by the Debian Chromium through Playwright (hinting, sub-pixel positioning, grey-scale
anti-aliasing, CSS zoom, device scale factors 1-3, dark mode, print-to-PDF), in layouts the generator does not
draw (Seller Central with sidebar and tables, carrier pages as tables, timelines and cards, Gmail/Outlook-like
mail, PayPal/Stripe-like receipts, phone app screens). No network: CSS is inlined, fonts are local system fonts,
photos are generated and inlined as data URIs.

Ground truth comes from the data filled into the templates (content.py). Where every date/time landed on the final
image is measured in the browser (`.ts` elements) and carried through crops and rescales, so `cut_timestamps` and
the visible `timestamps` are measured, not assumed. Records have the same fields as build/calibration/labels.jsonl
(file, marketplace, order_id, claim_tracking, opened_at, expect_codes, absent_codes, facts, facts_reliable, ...),
plus `reason`, `expect_claim_codes` / `absent_claim_codes` for the claim-level checks of a one-file claim.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import random
import sys
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from string import Template
from typing import Callable

import numpy as np
from PIL import Image

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.browser_set import content as C  # noqa: E402
from bench.browser_set import degrade as D  # noqa: E402
from bench.browser_set import numbers  # noqa: E402
from bench.browser_set.locale import d_num, esc, iso_dt, ts  # noqa: E402

TEMPLATES = Path(__file__).resolve().parent / "templates"
OUT = REPO / "build" / "browser_set"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
OPENED_AT = "2026-11-24T09:00:00Z"
SHOT_AT = datetime(2026, 11, 23, 14, 32)  # when the screenshots were "taken": clocks show this
FILE_RULE_CODES = ["unsupported-format", "corrupt-file", "encrypted-pdf", "image-too-large", "file-too-large",
                   "active-content", "duplicate-file", "unreadable"]
# The claim reason each file is checked under: the proof checks of not_received / refund_not_received apply to
# tracking and refund pages; order pages and conversations are checked under a reason with no proof requirement.
REASON = {"tracking": "not_received", "order": "damaged", "messages": "damaged", "refund": "refund_not_received"}


@dataclass
class Scene:
    name: str
    lang: str
    market: str
    layout: str  # tracking | order | refund | messages
    make: Callable[[random.Random, np.random.Generator], C.Doc]
    frame: str = "chrome"  # none | chrome | win | mac | ios | android
    viewport: tuple[int, int] = (1366, 768)  # CSS px
    dsf: float = 1.0
    zoom: float = 1.0  # browser zoom of the page content (CSS zoom; the frame stays at 100 %)
    dark: bool = False
    full_page: bool = False
    ops: list[tuple] = field(default_factory=list)  # post-render degradations, in order
    out: tuple = ("png",)  # ("png",) | ("jpg", q) | ("pdf",) text PDF | ("scan", dpi)
    defect: str | None = None  # blurry | low-resolution: what a reader would say is wrong with it
    variant: str = "clean"
    claim_order: str | None = None  # the claim's order ID when it differs from the page's
    claim_tracking: list[str] | None = None
    facts_reliable: bool = True
    notes: str = ""


def seed_of(name: str) -> int:
    return int.from_bytes(hashlib.sha256(f"browser-set:{name}".encode()).digest()[:8], "big")


# ================================================================================================ frames


def _clock_texts(lang: str, market: str, frame: str, t: datetime) -> list[tuple[str, str, bool]]:
    """(text, iso, time_only) of the clock lines a frame shows."""
    us = lang == "en" and market in ("US", "CA")
    hm = (f"{t.hour % 12 or 12}:{t.minute:02d} {'AM' if t.hour < 12 else 'PM'}" if us else f"{t:%H:%M}")
    if frame == "win":
        return [(hm, f"{t:%H:%M}", True), (d_num(t.date(), lang, market), t.date().isoformat(), False)]
    if frame == "mac":
        if lang == "ja":
            txt = f"{t.month}月{t.day}日(月) {t:%H:%M}"
        elif lang == "de":
            txt = f"Mo. {t.day}. Nov. {t:%H:%M}"
        elif us:
            txt = f"Mon Nov {t.day}  {hm}"
        else:
            txt = f"Mon {t.day} Nov  {t:%H:%M}"
        return [(txt, iso_dt(t), False)]
    if frame == "ios":
        return [(f"{t.hour % 12 or 12}:{t.minute:02d}" if us else f"{t:%H:%M}", f"{t:%H:%M}", True)]
    if frame == "android":
        return [(f"{t:%H:%M}", f"{t:%H:%M}", True)]
    return []


def _clock_span(text: str, iso: str) -> str:
    return f'<span class="ts clock" data-ts="{iso}">{esc(text)}</span>'


def page_html(scene: Scene, doc: C.Doc) -> str:
    css = (TEMPLATES / "frame.css").read_text(encoding="utf-8")
    body = Template((TEMPLATES / f"{doc.template}.html").read_text(encoding="utf-8")).substitute(doc.vars)
    if scene.zoom != 1.0:
        body = f'<div style="zoom:{scene.zoom}">{body}</div>'
    clock = _clock_texts(scene.lang, scene.market, scene.frame, SHOT_AT)
    f = scene.frame
    top = bottom = ""
    if f in ("chrome", "win", "mac"):
        tab = esc(doc.tab or "Page")
        url = esc(doc.url or "example.com")
        top = (f'<div class="chrome"><div class="tabs"><div class="tab active"><i class="fav" style="background:#ff9900"></i>{tab}</div>'
               f'<div class="tab"><i class="fav" style="background:#4285f4"></i>Inbox</div></div>'
               f'<div class="bar"><i class="nav"></i><i class="nav"></i><div class="url"><b>{url.split("/")[0]}</b>'
               f'/{"/".join(url.split("/")[1:])}</div></div></div>')
    if f == "mac":
        top = (f'<div class="menubar"><b></b><b>Chrome</b><span>File</span><span>Edit</span><span>View</span>'
               f'<div class="right"><span>{_clock_span(*clock[0][:2])}</span></div></div>') + top
    if f == "win":
        colors = ["#0078d4", "#f2b01e", "#0f7b0f", "#c239b3", "#e74856"]
        bottom = (f'<div class="taskbar"><div class="icons">{"".join(f"<i style=background:{c}></i>" for c in colors)}</div>'
                  f'<div class="tray"><span>ENG</span><div class="clock">{_clock_span(*clock[0][:2])}<br>{_clock_span(*clock[1][:2])}</div></div></div>')
    if f in ("ios", "android"):
        bars = "".join(f'<i style="width:3px;height:{4 + 2 * i}px"></i>' for i in range(4))
        top = (f'<div class="statusbar {f}"><span>{_clock_span(*clock[0][:2])}</span>'
               f'<span class="sig">{bars}<span class="batt"><b></b></span></span></div>')
        if f == "ios":
            bottom = '<div class="homebar"><b></b></div>'
    dark = " dark" if scene.dark else ""
    full = " full" if scene.full_page else ""
    narrow = " narrow" if scene.viewport[0] < 700 else ""
    return (f'<!doctype html><html lang="{scene.lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><style>{css}</style>'
            f'<style>body {{ background: {"#111" if scene.dark else "#fff"}; }}</style></head>'
            f'<body class="lang-{scene.lang}{dark}{narrow}"><div class="screen{full}">{top}<div class="viewport">{body}</div>{bottom}</div></body></html>')


# ================================================================================================ rendering

GEOMETRY_JS = """(sel) => {
  const out = [];
  const add = (el, kind) => { const rg = document.createRange(); rg.selectNodeContents(el);
    const r = rg.getBoundingClientRect();  // the text itself, not the (possibly full-width) box around it
    out.push({kind, ts: el.dataset.ts || null, fact: el.dataset.kind || null, clock: el.classList.contains('clock'),
              text: el.innerText, box: [r.left + scrollX, r.top + scrollY, r.right + scrollX, r.bottom + scrollY]}); };
  document.querySelectorAll('.ts').forEach(el => add(el, 'ts'));
  document.querySelectorAll('.fact').forEach(el => add(el, 'fact'));
  for (const s of sel) { const el = document.querySelector(s); if (el) add(el, 'sel:' + s); }
  const fs = parseFloat(getComputedStyle(document.querySelector('.viewport > *') || document.body).fontSize);
  return {items: out, fontSize: fs, docH: document.documentElement.scrollHeight};
}"""


@dataclass
class Shot:
    img: Image.Image | None
    items: list[dict]  # boxes in image pixels
    text_px: float
    pdf: bytes | None = None


def render(pw_browser, contexts: dict, scene: Scene, doc: C.Doc) -> Shot:
    mobile = scene.frame in ("ios", "android")
    dsf = scene.dsf
    out_kind = scene.out[0]
    if out_kind == "scan":
        dsf = scene.out[1] / 96.0
    key = (dsf, mobile)
    if key not in contexts:
        ctx = pw_browser.new_context(viewport={"width": scene.viewport[0], "height": scene.viewport[1]},
                                     device_scale_factor=dsf, is_mobile=mobile, has_touch=mobile)
        contexts[key] = (ctx, ctx.new_page())
    _, page = contexts[key]
    page.set_viewport_size({"width": scene.viewport[0], "height": scene.viewport[1]})
    page.emulate_media(color_scheme="dark" if scene.dark else "light", media="print" if out_kind == "pdf" else "screen")
    page.set_content(page_html(scene, doc), wait_until="load")
    page.evaluate("document.fonts.ready.then(() => true)")
    sels = [op[2] for op in scene.ops if op[0] in ("cut_sel", "crop_sel")]
    geo = page.evaluate(GEOMETRY_JS, sels)
    text_px = geo["fontSize"] * dsf * scene.zoom
    if out_kind == "pdf":
        pdf = page.pdf(format="A4", print_background=True, prefer_css_page_size=True)
        return Shot(None, geo["items"], text_px, pdf=pdf)
    png = page.screenshot(full_page=scene.full_page or out_kind == "scan", type="png")
    img = Image.open(io.BytesIO(png)).convert("RGB")
    items = []
    for it in geo["items"]:
        it = dict(it)
        it["box"] = [v * dsf for v in it["box"]]
        items.append(it)
    return Shot(img, items, text_px)


# ================================================================================================ degradations


def apply_ops(scene: Scene, shot: Shot, rng: np.random.Generator) -> tuple[Image.Image, list[dict], bool]:
    """Apply the scene's operations; returns (image, items with boxes in final pixels, boxes_valid)."""
    img, items, valid = shot.img, [dict(i) for i in shot.items], True
    assert img is not None

    def remap(scale: float, dx: float, dy: float) -> None:
        for it in items:
            x0, y0, x1, y1 = it["box"]
            it["box"] = [x0 * scale - dx, y0 * scale - dy, x1 * scale - dx, y1 * scale - dy]

    for op in scene.ops:
        name = op[0]
        if name == "gauss":
            img = D.gauss(img, op[1])
        elif name == "motion":
            img = D.motion(img, op[1], op[2])
        elif name == "down_up":
            img = D.down_up(img, op[1])
        elif name == "rescale":
            method = {"box": Image.Resampling.BOX, "bilinear": Image.Resampling.BILINEAR,
                      "bicubic": Image.Resampling.BICUBIC}[op[2]]
            img = D.rescale(img, op[1], method)
            remap(op[1], 0, 0)
        elif name == "jpeg":
            img = D.jpeg(img, op[1])
        elif name == "screen_photo":
            img = D.screen_photo(img, rng, **op[1])
            valid = False
        elif name in ("cut_clock", "cut_sel"):
            # crop so that the image edge runs through the middle of the clock line / selected element
            edge = op[1]
            if name == "cut_clock":
                cands = [i for i in items if i["clock"]]
                pick = {"top": min, "left": min, "bottom": max, "right": max}[edge]
                coord = {"top": 1, "left": 0, "bottom": 3, "right": 2}[edge]
                target = pick(cands, key=lambda i: i["box"][coord])
            else:
                target = next(i for i in items if i["kind"] == "sel:" + op[2])
            x0, y0, x1, y1 = target["box"]
            w, h = img.size
            frac = op[3] if len(op) > 3 else 0.5
            box = {"top": (0, y0 + frac * (y1 - y0), w, h), "bottom": (0, 0, w, y0 + frac * (y1 - y0)),
                   "left": (x0 + frac * (x1 - x0), 0, w, h), "right": (0, 0, x0 + frac * (x1 - x0), h)}[edge]
            box = tuple(int(round(v)) for v in box)
            img = img.crop(box)
            remap(1, box[0], box[1])
        elif name == "crop_sel":
            target = next(i for i in items if i["kind"] == "sel:" + op[2])
            pad = op[1]
            x0, y0, x1, y1 = target["box"]
            box = (max(0, int(x0 - pad)), max(0, int(y0 - pad)), min(img.size[0], int(x1 + pad)), min(img.size[1], int(y1 + pad)))
            img = img.crop(box)
            remap(1, box[0], box[1])
        else:
            raise ValueError(name)
    return img, items, valid


# ================================================================================================ labels


def visibility(items: list[dict], w: int, h: int) -> tuple[list[dict], list[dict]]:
    """(timestamps fully inside the image, timestamps cut by an edge)."""
    seen, cut = [], []
    for it in items:
        if it["kind"] != "ts":
            continue
        x0, y0, x1, y1 = it["box"]
        if x1 <= 0.5 or y1 <= 0.5 or x0 >= w - 0.5 or y0 >= h - 0.5:
            continue  # entirely outside
        rec = {"text": " ".join(it["text"].split()), "value": it["ts"]}
        if it["clock"]:
            rec["clock"] = True
        if "T" not in it["ts"] and ":" in it["ts"]:
            rec["time_only"] = True
        inside = x0 >= -0.5 and y0 >= -0.5 and x1 <= w + 0.5 and y1 <= h + 0.5
        (seen if inside else cut).append(rec)
    return seen, cut


def codes_for(scene: Scene, facts: dict, cut: list[dict], claim_order: str, claim_tracking: list[str]) -> tuple[list, list]:
    expect: set[str] = set()
    absent: set[str] = set(FILE_RULE_CODES)
    if scene.defect:
        expect.add(scene.defect)
    readable = scene.defect is None
    if readable:
        absent |= {"blurry", "low-resolution"}
        if cut:
            expect.add("timestamp-cropped")
        else:
            absent.add("timestamp-cropped")
        if facts["timestamps"]:
            absent.add("timestamp-missing")
        elif not cut:
            expect.add("timestamp-missing")
        ids = facts["order_ids"]
        nums = [t["number"] for t in facts["tracking"]]
        if claim_order in ids:
            absent |= {"order-mismatch", "order-missing"}
        elif ids:
            expect.add("order-mismatch")
        elif any(n in claim_tracking for n in nums):
            absent |= {"order-mismatch", "order-missing"}
        else:
            expect.add("order-missing")
            absent.add("order-mismatch")
        if nums and claim_tracking and not any(n in claim_tracking for n in nums):
            expect.add("tracking-mismatch")
        else:
            absent.add("tracking-mismatch")
    return sorted(expect), sorted(absent - expect)


def claim_codes(scene: Scene, facts: dict, reliable: bool) -> tuple[list, list]:
    """Claim-level checks of a one-file claim that this file alone decides."""
    if not reliable or scene.defect:
        return [], []
    reason = REASON[scene.layout]
    if reason == "not_received" and scene.layout == "tracking":
        d = facts.get("delivery") or {}
        if d.get("status") == "delivered" and d.get("date") and d["date"] <= OPENED_AT[:10]:
            return [], ["no-delivery-proof"]
    if reason == "refund_not_received" and facts["refunds"]:
        return [], ["no-refund-proof"]
    return [], []


# ================================================================================================ scenes


def scenes() -> list[Scene]:
    S: list[Scene] = []
    nrng = np.random.default_rng(5)
    photo = D.photo_data_uri(nrng)

    def oid(rng: random.Random, market: str) -> str:
        return numbers.order_id(rng, {"US": "11", "UK": "20", "JP": "250", "CN": "11"}.get(market, "30"))

    def amt(rng: random.Random, market: str) -> Decimal:
        if market == "JP":
            return Decimal(rng.choice([1980, 2480, 3960, 12800]))
        return Decimal(rng.choice(["23.45", "47.98", "12.99", "89.00", "134.50", "8.75"]))

    def rdate(rng: random.Random) -> date:
        return date(2026, 11, rng.randint(3, 18))

    def order(lang, market, carrier=None, delivered=True, **kw):
        def mk(rng, _n):
            trk = numbers.make(rng, carrier) if carrier else None
            return C.seller_order(lang, market, rng, oid=oid(rng, market), carrier=carrier, tracking=trk,
                                  delivered=rdate(rng) if delivered else None, **kw)
        return mk

    def track(lang, market, carrier, **kw):
        return lambda rng, _n: C.tracking_page(lang, market, rng, carrier=carrier, **kw)

    def mail(lang, market, client):
        return lambda rng, _n: C.refund_email(lang, market, rng, oid=oid(rng, market), client=client)

    def msgs(lang, market):
        return lambda rng, _n: C.messages(lang, market, rng, oid=oid(rng, market))

    def pp(lang, market, with_order=True):
        return lambda rng, _n: C.paypal(lang, market, rng, oid=oid(rng, market) if with_order else None,
                                        amount=amt(rng, market), refunded=rdate(rng))

    def st(lang, market):
        def mk(rng, _n):
            a = amt(rng, market)
            return C.stripe(lang, market, rng, oid=oid(rng, market), amount=a, refunded=rdate(rng), order_total=a + Decimal("15.00"))
        return mk

    def app(lang, market, kind, carrier=None, with_photo=False):
        def mk(rng, _n):
            if kind == "tracking":
                return C.app_screen(lang, market, rng, kind=kind, oid=oid(rng, market), carrier=carrier,
                                    number=numbers.make(rng, carrier), delivered=rdate(rng), photo=photo if with_photo else None)
            return C.app_screen(lang, market, rng, kind=kind, oid=oid(rng, market), amount=amt(rng, market), delivered=rdate(rng))
        return mk

    def empty(lang, market):
        return lambda rng, _n: C.empty_confirmation(lang, market, rng, oid=oid(rng, market), amount=amt(rng, market), refunded=rdate(rng))

    def credit(lang, market):
        return lambda rng, _n: C.credit_note(lang, market, rng, oid=oid(rng, market), amount=amt(rng, market), refunded=rdate(rng))

    def pod(lang, market, carrier):
        return lambda rng, _n: C.tracking_print(lang, market, rng, carrier=carrier, number=numbers.make(rng, carrier), delivered=rdate(rng))

    def add(name, lang, market, layout, make, **kw):
        S.append(Scene(name, lang, market, layout, make, **kw))

    W, M, I, A = (1366, 768), (1440, 900), (390, 844), (412, 915)
    # ---------------------------------------------------------------- clean pages (must get no error)
    add("sc_order_en_win", "en", "US", "order", order("en", "US", "UPS"), frame="win", viewport=W)
    add("sc_order_de_125", "de", "DE", "order", order("de", "DE", "DeutschePost", delivered=False), frame="chrome", viewport=(1536, 864), dsf=1.25)
    add("sc_order_fr_mac2x", "fr", "FR", "order", order("fr", "FR", "UPS"), frame="mac", viewport=M, dsf=2)
    add("sc_order_it_win150", "it", "IT", "order", order("it", "IT", "DHL"), frame="win", viewport=(1280, 720), dsf=1.5)
    add("sc_order_es_full", "es", "ES", "order", order("es", "ES", None, delivered=False, n_items=2), frame="none", viewport=(1280, 800), full_page=True)
    add("sc_order_ja_win2x", "ja", "JP", "order", order("ja", "JP", "JapanPost"), frame="win", viewport=(1280, 800), dsf=2)
    add("trk_ups_en_win", "en", "US", "tracking", track("en", "US", "UPS"), frame="win", viewport=W)
    add("trk_ups_fr_125", "fr", "FR", "tracking", track("fr", "FR", "UPS"), frame="chrome", viewport=(1280, 900), dsf=1.25)
    add("trk_usps_ios", "en", "US", "tracking", track("en", "US", "USPS"), frame="ios", viewport=I, dsf=3)
    add("trk_usps_full", "en", "US", "tracking", track("en", "US", "USPS"), frame="none", viewport=(1280, 800), full_page=True)
    add("trk_fedex_mac2x", "en", "US", "tracking", track("en", "US", "FedEx"), frame="mac", viewport=M, dsf=2)
    add("trk_dhl_de_win", "de", "DE", "tracking", track("de", "DE", "DHL"), frame="win", viewport=(1920, 1080))
    add("trk_dhl_es", "es", "ES", "tracking", track("es", "ES", "DHL"), frame="chrome", viewport=W)
    add("trk_dhl_it_android", "it", "IT", "tracking", track("it", "IT", "DHL"), frame="android", viewport=A, dsf=2.625)
    add("trk_rm_uk_125", "en", "UK", "tracking", track("en", "UK", "RoyalMail"), frame="win", viewport=(1280, 800), dsf=1.25)
    add("trk_paket_de_win", "de", "DE", "tracking", track("de", "DE", "DeutschePost"), frame="win", viewport=(1920, 1080))
    add("trk_paket_de_android", "de", "DE", "tracking", track("de", "DE", "DeutschePost"), frame="android", viewport=A, dsf=2.625, full_page=False)
    add("trk_jp_win", "ja", "JP", "tracking", track("ja", "JP", "JapanPost"), frame="win", viewport=W)
    add("trk_jp_2x", "ja", "JP", "tracking", track("ja", "JP", "JapanPost"), frame="chrome", viewport=(1280, 800), dsf=2)
    add("trk_yamato_ios", "ja", "JP", "tracking", track("ja", "JP", "Yamato", n_events=5), frame="ios", viewport=I, dsf=3,
        notes="Yamato: 12-digit number (mod 7), not in the tracking spec; dates without a year")
    add("trk_chinapost_win", "zh", "CN", "tracking", track("zh", "CN", "ChinaPost"), frame="win", viewport=(1920, 1080))
    add("trk_cainiao_ios", "zh", "CN", "tracking", track("zh", "CN", "Cainiao"), frame="ios", viewport=I, dsf=3)
    add("trk_cainiao_us_crossborder", "zh", "US", "tracking", track("zh", "US", "Cainiao"), frame="chrome", viewport=(1280, 800),
        notes="Chinese carrier page for an amazon.com claim: OCR languages follow the marketplace (eng)")
    add("trk_amzn_photo_2x", "en", "US", "tracking", track("en", "US", "AmazonLogistics", photo=photo), frame="chrome", viewport=M, dsf=2)
    add("app_trk_en_android_photo", "en", "US", "tracking", app("en", "US", "tracking", "AmazonLogistics", True), frame="android", viewport=A, dsf=2.625)
    add("mail_gmail_en_win", "en", "US", "refund", mail("en", "US", "gmail"), frame="win", viewport=W)
    add("mail_gmail_de_dark", "de", "DE", "refund", mail("de", "DE", "gmail"), frame="chrome", viewport=M, dsf=1.25, dark=True)
    add("mail_outlook_fr_win", "fr", "FR", "refund", mail("fr", "FR", "outlook"), frame="win", viewport=(1920, 1080))
    add("mail_outlook_es_mac2x", "es", "ES", "refund", mail("es", "ES", "outlook"), frame="mac", viewport=M, dsf=2)
    add("mail_gmail_ja_2x", "ja", "JP", "refund", mail("ja", "JP", "gmail"), frame="chrome", viewport=(1280, 800), dsf=2)
    add("mail_gmail_it", "it", "IT", "refund", mail("it", "IT", "gmail"), frame="none", viewport=(1280, 800))
    add("msg_en_win", "en", "US", "messages", msgs("en", "US"), frame="win", viewport=W)
    add("msg_de_ios", "de", "DE", "messages", msgs("de", "DE"), frame="ios", viewport=I, dsf=3)
    add("msg_ja_2x", "ja", "JP", "messages", msgs("ja", "JP"), frame="chrome", viewport=(1280, 800), dsf=2)
    add("msg_zh_win", "zh", "CN", "messages", msgs("zh", "CN"), frame="win", viewport=(1920, 1080))
    add("msg_it_android_dark", "it", "IT", "messages", msgs("it", "IT"), frame="android", viewport=A, dsf=2.625, dark=True)
    add("pp_en_chrome", "en", "US", "refund", pp("en", "US"), frame="chrome", viewport=(1280, 800))
    add("stripe_en_2x", "en", "US", "refund", st("en", "US"), frame="none", viewport=(1280, 900), dsf=2)
    add("stripe_es", "es", "ES", "refund", st("es", "ES"), frame="chrome", viewport=W)
    add("app_refund_ja_ios", "ja", "JP", "refund", app("ja", "JP", "refund"), frame="ios", viewport=I, dsf=3)
    add("app_refund_zh_android", "zh", "CN", "refund", app("zh", "CN", "refund"), frame="android", viewport=A, dsf=2.625)
    add("app_refund_fr_ios_dark", "fr", "FR", "refund", app("fr", "FR", "refund"), frame="ios", viewport=I, dsf=3, dark=True)
    add("empty_en_1080", "en", "US", "refund", empty("en", "US"), frame="win", viewport=(1920, 1080), notes="mostly empty page")
    add("empty_ja_2x", "ja", "JP", "refund", empty("ja", "JP"), frame="none", viewport=(1600, 1000), dsf=2, notes="mostly empty page")
    add("long_orders_en", "en", "US", "order", lambda rng, _n: C.order_list("en", "US", rng, oid=oid(rng, "US"), n=46),
        frame="none", viewport=(1280, 800), full_page=True, notes="long full-page screenshot, 47 order IDs")
    add("long_orders_de", "de", "DE", "order", lambda rng, _n: C.order_list("de", "DE", rng, oid=oid(rng, "DE"), n=46),
        frame="none", viewport=(1280, 800), full_page=True, notes="long full-page screenshot, 47 order IDs")
    # dark mode
    add("dark_trk_ups_en_win", "en", "US", "tracking", track("en", "US", "UPS"), frame="win", viewport=W, dark=True, variant="dark")
    add("dark_sc_order_en", "en", "US", "order", order("en", "US", "FedEx"), frame="chrome", viewport=M, dark=True, variant="dark")
    add("dark_trk_cainiao_android", "zh", "CN", "tracking", track("zh", "CN", "Cainiao"), frame="android", viewport=A, dsf=2.625, dark=True, variant="dark")
    add("dark_trk_jp_chrome", "ja", "JP", "tracking", track("ja", "JP", "JapanPost"), frame="chrome", viewport=W, dark=True, variant="dark")
    # ---------------------------------------------------------------- browser zoom: 67 % / 80 % readable, 40 % not
    add("zoom67_sc_order_en", "en", "US", "order", order("en", "US", "UPS"), frame="win", viewport=W, zoom=0.67, variant="zoom67",
        notes="browser zoom 67 %: 14 px text at ~9.4 px")
    add("zoom67_trk_dhl_de", "de", "DE", "tracking", track("de", "DE", "DHL"), frame="win", viewport=(1920, 1080), zoom=0.67, variant="zoom67")
    add("zoom80_mail_outlook_fr", "fr", "FR", "refund", mail("fr", "FR", "outlook"), frame="win", viewport=W, zoom=0.8, variant="zoom80")
    add("zoom80_trk_jp", "ja", "JP", "tracking", track("ja", "JP", "JapanPost"), frame="chrome", viewport=W, zoom=0.8, variant="zoom80")
    add("zoom40_sc_order_en", "en", "US", "order", order("en", "US", "UPS"), frame="win", viewport=(1920, 1080), zoom=0.4,
        defect="low-resolution", variant="zoom40", facts_reliable=False, notes="browser zoom 40 %: 14 px text at 5.6 px")
    add("zoom40_trk_ups_en", "en", "US", "tracking", track("en", "US", "UPS"), frame="chrome", viewport=(1920, 1080), zoom=0.4,
        defect="low-resolution", variant="zoom40", facts_reliable=False)
    add("shrunk_sc_order_de", "de", "DE", "order", order("de", "DE", "DHL"), frame="win", viewport=(1920, 1080),
        ops=[("rescale", 0.4, "box")], defect="low-resolution", variant="shrunk", facts_reliable=False,
        notes="1920x1080 screenshot shrunk to 40 % (768x432)")
    # ---------------------------------------------------------------- mild degradations (must pass)
    add("jpeg55_trk_usps_ios", "en", "US", "tracking", track("en", "US", "USPS"), frame="ios", viewport=I, dsf=3, out=("jpg", 55), variant="jpeg55")
    add("jpeg60_sc_order_de", "de", "DE", "order", order("de", "DE", "DHL"), frame="chrome", viewport=W, out=("jpg", 60), variant="jpeg60")
    add("jpeg65_mail_gmail_en", "en", "US", "refund", mail("en", "US", "gmail"), frame="win", viewport=W, out=("jpg", 65), variant="jpeg65")
    add("jpeg70_msg_ja", "ja", "JP", "messages", msgs("ja", "JP"), frame="chrome", viewport=W, out=("jpg", 70), variant="jpeg70")
    add("jpeg50_trk_chinapost", "zh", "CN", "tracking", track("zh", "CN", "ChinaPost"), frame="win", viewport=W, out=("jpg", 50), variant="jpeg50")
    add("mild_gauss_fedex_2x", "en", "US", "tracking", track("en", "US", "FedEx"), frame="mac", viewport=M, dsf=2, ops=[("gauss", 1.2)],
        variant="mild_blur", notes="retina 2x, gaussian sigma 1.2 px: soft but clearly readable")
    add("mild_gauss_msg_de_ios3x", "de", "DE", "messages", msgs("de", "DE"), frame="ios", viewport=I, dsf=3, ops=[("gauss", 1.8)],
        variant="mild_blur", notes="retina 3x, gaussian sigma 1.8 px on 45 px text: readable")
    add("mild_gauss_trk_ups_1x", "en", "US", "tracking", track("en", "US", "UPS"), frame="win", viewport=W, ops=[("gauss", 0.6)],
        variant="mild_blur", notes="1x, gaussian sigma 0.6 px")
    add("upscale150_sc_order_it", "it", "IT", "order", order("it", "IT", "DHL"), frame="win", viewport=(1280, 720),
        ops=[("rescale", 1.5, "bilinear")], variant="upscaled", notes="1x screenshot stretched 150 % bilinear (DPI virtualisation)")
    add("upscale200_trk_dhl_es", "es", "ES", "tracking", track("es", "ES", "DHL"), frame="chrome", viewport=W,
        ops=[("rescale", 2.0, "bicubic")], variant="upscaled", notes="1x screenshot enlarged 200 % bicubic")
    add("photo_ok_trk_ups", "en", "US", "tracking", track("en", "US", "UPS"), frame="win", viewport=W,
        ops=[("screen_photo", dict(defocus=0.5, shake=0, moire=0.12, noise=3.0, out_w=2400))], variant="screen_photo_ok",
        notes="phone photo of the monitor, in focus: tilted, moiré, noise; readable")
    add("photo_ok_sc_order_de", "de", "DE", "order", order("de", "DE", "DHL"), frame="chrome", viewport=(1280, 800),
        ops=[("screen_photo", dict(defocus=0.6, shake=0, moire=0.15, noise=4.0, out_w=2400))], out=("jpg", 88), variant="screen_photo_ok")
    # ---------------------------------------------------------------- real defects
    add("blur_gauss_sc_order_en", "en", "US", "order", order("en", "US", "UPS"), frame="win", viewport=W, ops=[("gauss", 2.5)],
        defect="blurry", variant="blur_gauss", facts_reliable=False)
    add("blur_gauss_trk_jp_2x", "ja", "JP", "tracking", track("ja", "JP", "JapanPost"), frame="chrome", viewport=(1280, 800), dsf=2,
        ops=[("gauss", 5.0)], defect="blurry", variant="blur_gauss", facts_reliable=False)
    add("blur_gauss_msg_zh", "zh", "CN", "messages", msgs("zh", "CN"), frame="win", viewport=W, ops=[("gauss", 2.5)],
        defect="blurry", variant="blur_gauss", facts_reliable=False)
    add("blur_gauss_cainiao_ios", "zh", "CN", "tracking", track("zh", "CN", "Cainiao"), frame="ios", viewport=I, dsf=3,
        ops=[("gauss", 7.0)], defect="blurry", variant="blur_gauss", facts_reliable=False)
    add("blur_motion_trk_ups", "en", "US", "tracking", track("en", "US", "UPS"), frame="win", viewport=W, ops=[("motion", 13, 0)],
        defect="blurry", variant="blur_motion", facts_reliable=False)
    add("blur_motion_mail_de", "de", "DE", "refund", mail("de", "DE", "gmail"), frame="chrome", viewport=W, ops=[("motion", 11, 20)],
        defect="blurry", variant="blur_motion", facts_reliable=False)
    add("blur_downup_pp_en", "en", "US", "refund", pp("en", "US"), frame="chrome", viewport=(1280, 800), ops=[("down_up", 0.3)],
        defect="blurry", variant="down_up", facts_reliable=False)
    add("blur_downup_trk_rm", "en", "UK", "tracking", track("en", "UK", "RoyalMail"), frame="win", viewport=(1280, 800), ops=[("down_up", 0.33)],
        defect="blurry", variant="down_up", facts_reliable=False)
    add("photo_bad_trk_dhl_de", "de", "DE", "tracking", track("de", "DE", "DHL"), frame="win", viewport=W,
        ops=[("screen_photo", dict(defocus=3.5, shake=9, moire=0.3, noise=7.0, out_w=2016))], out=("jpg", 85),
        defect="blurry", variant="screen_photo_bad", facts_reliable=False)
    add("photo_bad_mail_en", "en", "US", "refund", mail("en", "US", "gmail"), frame="win", viewport=W,
        ops=[("screen_photo", dict(defocus=4.0, shake=0, moire=0.25, noise=6.0, out_w=2016))], out=("jpg", 85),
        defect="blurry", variant="screen_photo_bad", facts_reliable=False)
    # clocks cut in half by each edge, and a dated row cut by the bottom edge
    add("cut_top_usps_ios", "en", "US", "tracking", track("en", "US", "USPS"), frame="ios", viewport=I, dsf=3, ops=[("cut_clock", "top")], variant="ts_cut")
    add("cut_left_dhl_android", "it", "IT", "tracking", track("it", "IT", "DHL"), frame="android", viewport=A, dsf=2.625, ops=[("cut_clock", "left")], variant="ts_cut")
    add("cut_bottom_sc_order_win", "en", "US", "order", order("en", "US", "UPS"), frame="win", viewport=W, ops=[("cut_clock", "bottom")], variant="ts_cut")
    add("cut_right_trk_jp_win", "ja", "JP", "tracking", track("ja", "JP", "JapanPost"), frame="win", viewport=W, ops=[("cut_clock", "right")], variant="ts_cut")
    add("cut_right_mail_de_win", "de", "DE", "refund", mail("de", "DE", "gmail"), frame="win", viewport=W, ops=[("cut_clock", "right", None, 0.4)], variant="ts_cut")
    add("cut_row_trk_ups_win", "en", "US", "tracking", track("en", "US", "UPS"), frame="none", viewport=(1280, 900),
        ops=[("cut_sel", "bottom", "tr:nth-child(4) td:first-child .ts")], variant="ts_cut", notes="history row's date cut by the bottom edge")
    add("cut_plain_trk_dhl_de", "de", "DE", "tracking", track("de", "DE", "DHL"), frame="none", viewport=(1280, 900), full_page=True,
        ops=[("cut_sel", "bottom", ".foot")], variant="text_cut", notes="bottom edge cuts a plain (non-date) text line: not a timestamp")
    add("cut_plain_sc_order_fr", "fr", "FR", "order", order("fr", "FR", "UPS"), frame="none", viewport=(1280, 900), full_page=True,
        ops=[("cut_sel", "bottom", "td .asin")], variant="text_cut", notes="bottom edge cuts a product row (no date)")
    # no date/time anywhere
    add("nots_msg_head", "en", "US", "messages", msgs("en", "US"), frame="none", viewport=W, ops=[("crop_sel", 6, ".bm .head")], variant="ts_missing",
        notes="crop of the thread header: buyer and order ID only")
    add("nots_sc_order_main", "de", "DE", "order", order("de", "DE", "DHL", dates=False), frame="none", viewport=W,
        ops=[("crop_sel", 10, ".sc .main")], variant="ts_missing", notes="crop of the order's main column; the page shows no dates")
    # belongs to another claim
    add("mismatch_sc_order_en", "en", "US", "order", order("en", "US", "UPS"), frame="win", viewport=W, variant="order_mismatch",
        claim_order="113-5550123-7654321")
    add("mismatch_mail_de", "de", "DE", "refund", mail("de", "DE", "outlook"), frame="win", viewport=W, variant="order_mismatch",
        claim_order="305-1112223-3334445")
    add("mismatch_msg_ja", "ja", "JP", "messages", msgs("ja", "JP"), frame="chrome", viewport=W, variant="order_mismatch",
        claim_order="250-9998887-7776665")
    add("missing_pp_de_ios", "de", "DE", "refund", pp("de", "DE", with_order=False), frame="ios", viewport=I, dsf=3, variant="order_missing",
        notes="PayPal shows a transaction ID, no Amazon order ID")
    add("missing_pp_en", "en", "US", "refund", pp("en", "US", with_order=False), frame="chrome", viewport=W, variant="order_missing")
    add("trkmis_fedex_mac2x", "en", "US", "tracking", track("en", "US", "FedEx"), frame="mac", viewport=M, dsf=2, variant="tracking_mismatch",
        claim_tracking=["1Z999AA10123456784"])
    add("trkmis_jp_win", "ja", "JP", "tracking", track("ja", "JP", "JapanPost"), frame="win", viewport=W, variant="tracking_mismatch",
        claim_tracking=["EE123456785JP"])
    # ---------------------------------------------------------------- PDFs: browser print (text) and scans
    add("pdf_credit_en", "en", "US", "refund", credit("en", "US"), frame="none", viewport=(794, 1123), out=("pdf",), variant="text_pdf")
    add("pdf_credit_de", "de", "DE", "refund", credit("de", "DE"), frame="none", viewport=(794, 1123), out=("pdf",), variant="text_pdf")
    add("pdf_credit_ja", "ja", "JP", "refund", credit("ja", "JP"), frame="none", viewport=(794, 1123), out=("pdf",), variant="text_pdf")
    add("pdf_pod_fr", "fr", "FR", "tracking", pod("fr", "FR", "UPS"), frame="none", viewport=(794, 1123), out=("pdf",), variant="text_pdf")
    add("pdf_print_usps", "en", "US", "tracking", track("en", "US", "USPS"), frame="none", viewport=(1000, 800), out=("pdf",),
        variant="text_pdf", notes="Chrome 'Save as PDF' of a carrier page")
    add("pdf_print_mail_ja", "ja", "JP", "refund", mail("ja", "JP", "gmail"), frame="none", viewport=(1100, 800), out=("pdf",), variant="text_pdf")
    add("scan300_credit_en", "en", "US", "refund", credit("en", "US"), frame="none", viewport=(794, 1123), out=("scan", 300), variant="scan300")
    add("scan200_credit_de", "de", "DE", "refund", credit("de", "DE"), frame="none", viewport=(794, 1123), out=("scan", 200), variant="scan200")
    add("scan150_credit_ja", "ja", "JP", "refund", credit("ja", "JP"), frame="none", viewport=(794, 1123), out=("scan", 150), variant="scan150",
        notes="150 dpi: a common scanner default, exactly at the threshold")
    add("scan200_pod_fr", "fr", "FR", "tracking", pod("fr", "FR", "UPS"), frame="none", viewport=(794, 1123), out=("scan", 200), variant="scan200")
    add("scan72_credit_en", "en", "US", "refund", credit("en", "US"), frame="none", viewport=(794, 1123), out=("scan", 72), variant="scan72",
        defect="low-resolution", facts_reliable=False)
    add("scan72_credit_de", "de", "DE", "refund", credit("de", "DE"), frame="none", viewport=(794, 1123), out=("scan", 72), variant="scan72",
        defect="low-resolution", facts_reliable=False)
    return S


# ================================================================================================ build


def build_one(pw_browser, contexts: dict, scene: Scene, outdir: Path) -> dict:
    rng = random.Random(seed_of(scene.name))
    nrng = np.random.default_rng(seed_of(scene.name))
    doc = scene.make(rng, nrng)
    shot = render(pw_browser, contexts, scene, doc)
    kind = scene.out[0]
    ext = {"png": "png", "jpg": "jpg", "pdf": "pdf", "scan": "pdf"}[kind]
    outdir.mkdir(parents=True, exist_ok=True)  # others may `make clean` (rm -rf build) while we run
    path = outdir / f"{scene.name}.{ext}"
    width = height = None
    dpi = None
    facts = {k: v for k, v in doc.truth.items()}
    if kind == "pdf":
        path.write_bytes(shot.pdf or b"")
        seen = [{"text": " ".join(i["text"].split()), "value": i["ts"]} for i in shot.items if i["kind"] == "ts"]
        cut: list[dict] = []
    else:
        img, items, valid = apply_ops(scene, shot, nrng)
        width, height = img.size
        if kind == "scan":
            dpi = scene.out[1]
            D.scan_look(img, nrng).save(path, "PDF", resolution=float(dpi))
        elif kind == "jpg":
            path.write_bytes(D.jpeg_bytes(img, scene.out[1]))
        else:
            img.save(path, "PNG", optimize=False, compress_level=6)
        if valid:
            seen, cut = visibility(items, width, height)
            for it in items:  # every fact the truth lists must still be wholly visible
                if it["kind"] == "fact":
                    x0, y0, x1, y1 = it["box"]
                    if not (x0 >= -0.5 and y0 >= -0.5 and x1 <= width + 0.5 and y1 <= height + 0.5):
                        raise RuntimeError(f"{scene.name}: fact {it['text']!r} at {it['box']} is not fully visible in {width}x{height} after {scene.ops}")
        else:
            seen = [{"text": " ".join(i["text"].split()), "value": i["ts"]} for i in shot.items if i["kind"] == "ts"]
            cut = []
    # a crop to a region: only the facts inside it remain
    if any(op[0] == "crop_sel" for op in scene.ops):
        inside = lambda it: it["box"][0] >= -0.5 and it["box"][1] >= -0.5 and it["box"][2] <= width + 0.5 and it["box"][3] <= height + 0.5
        _, items2, _ = apply_ops(scene, shot, np.random.default_rng(0))
        shown = {it["text"].strip() for it in items2 if it["kind"] == "fact" and inside(it)}
        facts["order_ids"] = [o for o in facts["order_ids"] if o in shown]
        facts["tracking"] = [t for t in facts["tracking"] if t["number"] in shown]
        if not seen:
            facts["delivery"] = None
            facts["refunds"] = []
    facts["timestamps"] = seen
    page_order = doc.vars.get("order_id") or (doc.truth["order_ids"][0] if doc.truth["order_ids"] else None)
    claim_order = scene.claim_order or page_order or numbers.order_id(random.Random(seed_of(scene.name + "/claim")))
    claim_tracking = scene.claim_tracking if scene.claim_tracking is not None else [t["number"] for t in facts["tracking"]]
    expect, absent = codes_for(scene, facts, cut, claim_order, claim_tracking)
    ecl, acl = claim_codes(scene, facts, scene.facts_reliable)
    data = path.read_bytes()
    notes = "; ".join(x for x in [scene.notes] + doc.notes if x)
    return {
        "file": path.name, "marketplace": scene.market, "lang": scene.lang, "layout": scene.layout, "frame": scene.frame,
        "variant": scene.variant, "order_id": claim_order, "claim_tracking": claim_tracking, "opened_at": OPENED_AT,
        "reason": REASON[scene.layout], "expect_codes": expect, "absent_codes": absent, "expect_claim_codes": ecl,
        "absent_claim_codes": acl, "facts": facts, "facts_reliable": scene.facts_reliable, "cut_timestamps": cut,
        "cut_text": [], "group": None, "width": width, "height": height, "dpi": dpi, "dsf": scene.dsf, "zoom": scene.zoom,
        "dark": scene.dark, "text_px": round(shot.text_px * _scale_of(scene), 1), "bytes": len(data),
        "sha256": hashlib.sha256(data).hexdigest(), "notes": notes, "source": "chromium",
    }


def _scale_of(scene: Scene) -> float:
    s = 1.0
    for op in scene.ops:
        if op[0] == "rescale":
            s *= op[1]
    return s


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--only", default="", help="build scenes whose name starts with this (labels.jsonl is merged)")
    ap.add_argument("--list", action="store_true")
    args = ap.parse_args(argv)
    numbers.self_test()
    all_scenes = scenes()
    names = [s.name for s in all_scenes]
    assert len(names) == len(set(names)), "duplicate scene names"
    if args.list:
        for s in all_scenes:
            print(f"{s.name:34s} {s.lang} {s.market} {s.layout:9s} {s.frame:8s} dsf={s.dsf} zoom={s.zoom} {s.variant}")
        return 0
    todo = [s for s in all_scenes if s.name.startswith(args.only)]
    args.out.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import sync_playwright

    t0 = time.perf_counter()
    recs: dict[str, dict] = {}
    labels = args.out / "labels.jsonl"
    if args.only and labels.exists():
        for line in labels.read_text(encoding="utf-8").splitlines():
            if line.strip():
                r = json.loads(line)
                recs[r["file"].rsplit(".", 1)[0]] = r
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        contexts: dict = {}
        try:
            for s in todo:
                recs[s.name] = build_one(browser, contexts, s, args.out)
        finally:
            for ctx, _ in contexts.values():
                ctx.close()
            browser.close()
    order = {n: i for i, n in enumerate(names)}
    args.out.mkdir(parents=True, exist_ok=True)
    with labels.open("w", encoding="utf-8") as f:
        for name in sorted(recs, key=lambda n: order.get(n, 1 << 30)):
            if name in order:
                f.write(json.dumps(recs[name], ensure_ascii=False, sort_keys=True) + "\n")
    print(f"{len(todo)} files rendered into {args.out} in {time.perf_counter() - t0:.1f} s "
          f"(Chromium {CHROMIUM}); labels: {labels}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

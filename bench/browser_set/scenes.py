"""The scenes of the browser-rendered set: what page, in which language and frame, rendered how, degraded how,
and what a reader would say is wrong with the result (`defect`). One `add(...)` line per output file.

A scene's `make(rng, nrng)` returns the filled template (`content.Doc`); `ops` are applied to the screenshot in
order (degrade.py); `out` is the file format. Everything is deterministic per scene name.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Callable

import numpy as np

from . import content as C
from . import degrade as D
from . import numbers


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
    dont_care: tuple[str, ...] = ()  # codes neither expected nor forbidden (a grey zone a person could argue)


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
            return C.seller_order(
                lang,
                market,
                rng,
                oid=oid(rng, market),
                carrier=carrier,
                tracking=trk,
                delivered=rdate(rng) if delivered else None,
                **kw,
            )

        return mk

    def track(lang, market, carrier, **kw):
        return lambda rng, _n: C.tracking_page(lang, market, rng, carrier=carrier, **kw)

    def mail(lang, market, client):
        return lambda rng, _n: C.refund_email(lang, market, rng, oid=oid(rng, market), client=client)

    def msgs(lang, market):
        return lambda rng, _n: C.messages(lang, market, rng, oid=oid(rng, market))

    def pp(lang, market, with_order=True):
        return lambda rng, _n: C.paypal(
            lang,
            market,
            rng,
            oid=oid(rng, market) if with_order else None,
            amount=amt(rng, market),
            refunded=rdate(rng),
        )

    def st(lang, market):
        def mk(rng, _n):
            a = amt(rng, market)
            return C.stripe(
                lang, market, rng, oid=oid(rng, market), amount=a, refunded=rdate(rng), order_total=a + Decimal("15.00")
            )

        return mk

    def app(lang, market, kind, carrier=None, with_photo=False):
        def mk(rng, _n):
            if kind == "tracking":
                return C.app_screen(
                    lang,
                    market,
                    rng,
                    kind=kind,
                    oid=oid(rng, market),
                    carrier=carrier,
                    number=numbers.make(rng, carrier),
                    delivered=rdate(rng),
                    photo=photo if with_photo else None,
                )
            return C.app_screen(
                lang, market, rng, kind=kind, oid=oid(rng, market), amount=amt(rng, market), delivered=rdate(rng)
            )

        return mk

    def empty(lang, market):
        return lambda rng, _n: C.empty_confirmation(
            lang, market, rng, oid=oid(rng, market), amount=amt(rng, market), refunded=rdate(rng)
        )

    def credit(lang, market):
        return lambda rng, _n: C.credit_note(
            lang, market, rng, oid=oid(rng, market), amount=amt(rng, market), refunded=rdate(rng)
        )

    def pod(lang, market, carrier):
        return lambda rng, _n: C.tracking_print(
            lang, market, rng, carrier=carrier, number=numbers.make(rng, carrier), delivered=rdate(rng)
        )

    def add(name, lang, market, layout, make, **kw):
        S.append(Scene(name, lang, market, layout, make, **kw))

    # fmt: off
    W, M, IOS, AND = (1366, 768), (1440, 900), (390, 844), (412, 915)
    # ---------------------------------------------------------------- clean pages (must get no error)
    add("sc_order_en_win", "en", "US", "order", order("en", "US", "UPS"), frame="win", viewport=W)
    add("sc_order_de_125", "de", "DE", "order", order("de", "DE", "DeutschePost", delivered=False), frame="chrome",
        viewport=(1536, 864), dsf=1.25)
    add("sc_order_fr_mac2x", "fr", "FR", "order", order("fr", "FR", "UPS"), frame="mac", viewport=M, dsf=2)
    add("sc_order_it_win150", "it", "IT", "order", order("it", "IT", "DHL"), frame="win", viewport=(1280, 720), dsf=1.5)
    add("sc_order_es_full", "es", "ES", "order", order("es", "ES", None, delivered=False, n_items=2), frame="none",
        viewport=(1280, 800), full_page=True)
    add("sc_order_ja_win2x", "ja", "JP", "order", order("ja", "JP", "JapanPost"), frame="win", viewport=(1280, 800),
        dsf=2)
    add("trk_ups_en_win", "en", "US", "tracking", track("en", "US", "UPS"), frame="win", viewport=W)
    add("trk_ups_fr_125", "fr", "FR", "tracking", track("fr", "FR", "UPS"), frame="chrome", viewport=(1280, 900),
        dsf=1.25)
    add("trk_usps_ios", "en", "US", "tracking", track("en", "US", "USPS"), frame="ios", viewport=IOS, dsf=3)
    add("trk_usps_full", "en", "US", "tracking", track("en", "US", "USPS"), frame="none", viewport=(1280, 800),
        full_page=True)
    add("trk_fedex_mac2x", "en", "US", "tracking", track("en", "US", "FedEx"), frame="mac", viewport=M, dsf=2)
    add("trk_dhl_de_win", "de", "DE", "tracking", track("de", "DE", "DHL"), frame="win", viewport=(1920, 1080))
    add("trk_dhl_es", "es", "ES", "tracking", track("es", "ES", "DHL"), frame="chrome", viewport=W)
    add("trk_dhl_it_android", "it", "IT", "tracking", track("it", "IT", "DHL"), frame="android", viewport=AND, dsf=2.625)
    add("trk_rm_uk_125", "en", "UK", "tracking", track("en", "UK", "RoyalMail"), frame="win", viewport=(1280, 800),
        dsf=1.25)
    add("trk_paket_de_win", "de", "DE", "tracking", track("de", "DE", "DeutschePost"), frame="win",
        viewport=(1920, 1080))
    add("trk_paket_de_android", "de", "DE", "tracking", track("de", "DE", "DeutschePost"), frame="android", viewport=AND,
        dsf=2.625, full_page=False)
    add("trk_jp_win", "ja", "JP", "tracking", track("ja", "JP", "JapanPost"), frame="win", viewport=W)
    add("trk_jp_2x", "ja", "JP", "tracking", track("ja", "JP", "JapanPost"), frame="chrome", viewport=(1280, 800),
        dsf=2)
    add("trk_yamato_ios", "ja", "JP", "tracking", track("ja", "JP", "Yamato", n_events=5), frame="ios", viewport=IOS,
        dsf=3, notes="Yamato: 12-digit number (mod 7), not in the tracking spec; dates without a year")
    add("trk_chinapost_win", "zh", "CN", "tracking", track("zh", "CN", "ChinaPost"), frame="win", viewport=(1920, 1080))
    add("trk_cainiao_ios", "zh", "CN", "tracking", track("zh", "CN", "Cainiao"), frame="ios", viewport=IOS, dsf=3)
    add("trk_cainiao_us_crossborder", "zh", "US", "tracking", track("zh", "US", "Cainiao"), frame="chrome",
        viewport=(1280, 800),
        notes="Chinese carrier page for an amazon.com claim: OCR languages follow the marketplace (eng)")
    add("trk_amzn_photo_2x", "en", "US", "tracking", track("en", "US", "AmazonLogistics", photo=photo), frame="chrome",
        viewport=M, dsf=2)
    add("app_trk_en_android_photo", "en", "US", "tracking", app("en", "US", "tracking", "AmazonLogistics", True),
        frame="android", viewport=AND, dsf=2.625)
    add("mail_gmail_en_win", "en", "US", "refund", mail("en", "US", "gmail"), frame="win", viewport=W)
    add("mail_gmail_de_dark", "de", "DE", "refund", mail("de", "DE", "gmail"), frame="chrome", viewport=M, dsf=1.25,
        dark=True)
    add("mail_outlook_fr_win", "fr", "FR", "refund", mail("fr", "FR", "outlook"), frame="win", viewport=(1920, 1080))
    add("mail_outlook_es_mac2x", "es", "ES", "refund", mail("es", "ES", "outlook"), frame="mac", viewport=M, dsf=2)
    add("mail_gmail_ja_2x", "ja", "JP", "refund", mail("ja", "JP", "gmail"), frame="chrome", viewport=(1280, 800),
        dsf=2)
    add("mail_gmail_it", "it", "IT", "refund", mail("it", "IT", "gmail"), frame="none", viewport=(1280, 800))
    add("msg_en_win", "en", "US", "messages", msgs("en", "US"), frame="win", viewport=W)
    add("msg_de_ios", "de", "DE", "messages", msgs("de", "DE"), frame="ios", viewport=IOS, dsf=3)
    add("msg_ja_2x", "ja", "JP", "messages", msgs("ja", "JP"), frame="chrome", viewport=(1280, 800), dsf=2)
    add("msg_zh_win", "zh", "CN", "messages", msgs("zh", "CN"), frame="win", viewport=(1920, 1080))
    add("msg_it_android_dark", "it", "IT", "messages", msgs("it", "IT"), frame="android", viewport=AND, dsf=2.625,
        dark=True)
    add("pp_en_chrome", "en", "US", "refund", pp("en", "US"), frame="chrome", viewport=(1280, 800))
    add("stripe_en_2x", "en", "US", "refund", st("en", "US"), frame="none", viewport=(1280, 900), dsf=2)
    add("stripe_es", "es", "ES", "refund", st("es", "ES"), frame="chrome", viewport=W)
    add("app_refund_ja_ios", "ja", "JP", "refund", app("ja", "JP", "refund"), frame="ios", viewport=IOS, dsf=3)
    add("app_refund_zh_android", "zh", "CN", "refund", app("zh", "CN", "refund"), frame="android", viewport=AND,
        dsf=2.625)
    add("app_refund_fr_ios_dark", "fr", "FR", "refund", app("fr", "FR", "refund"), frame="ios", viewport=IOS, dsf=3,
        dark=True)
    add("empty_en_1080", "en", "US", "refund", empty("en", "US"), frame="win", viewport=(1920, 1080),
        notes="mostly empty page")
    add("empty_ja_2x", "ja", "JP", "refund", empty("ja", "JP"), frame="none", viewport=(1600, 1000), dsf=2,
        notes="mostly empty page")
    add("long_orders_en", "en", "US", "order", lambda rng, _n: C.order_list("en", "US", rng, oid=oid(rng, "US"), n=46),
        frame="none", viewport=(1280, 800), full_page=True, notes="long full-page screenshot, 47 order IDs")
    add("long_orders_de", "de", "DE", "order", lambda rng, _n: C.order_list("de", "DE", rng, oid=oid(rng, "DE"), n=46),
        frame="none", viewport=(1280, 800), full_page=True, notes="long full-page screenshot, 47 order IDs")
    # dark mode
    add("dark_trk_ups_en_win", "en", "US", "tracking", track("en", "US", "UPS"), frame="win", viewport=W, dark=True,
        variant="dark")
    add("dark_sc_order_en", "en", "US", "order", order("en", "US", "FedEx"), frame="chrome", viewport=M, dark=True,
        variant="dark")
    add("dark_trk_cainiao_android", "zh", "CN", "tracking", track("zh", "CN", "Cainiao"), frame="android", viewport=AND,
        dsf=2.625, dark=True, variant="dark")
    add("dark_trk_jp_chrome", "ja", "JP", "tracking", track("ja", "JP", "JapanPost"), frame="chrome", viewport=W,
        dark=True, variant="dark")
    # ---------------------------------------------------------------- browser zoom: 67 % / 80 % readable, 40 % not
    add("zoom67_sc_order_en", "en", "US", "order", order("en", "US", "UPS"), frame="win", viewport=W, zoom=0.67,
        variant="zoom67", dont_care=("low-resolution",),
        notes="browser zoom 67 %: Seller Central's 13 px text at 8.7 px (grey zone, legible)")
    add("zoom67_trk_usps_win", "en", "US", "tracking", track("en", "US", "USPS"), frame="win", viewport=W, zoom=0.67,
        variant="zoom67", notes="browser zoom 67 %: 15 px text at 10 px")
    add("zoom67_trk_dhl_de", "de", "DE", "tracking", track("de", "DE", "DHL"), frame="win", viewport=(1920, 1080),
        zoom=0.67, variant="zoom67")
    add("zoom80_mail_outlook_fr", "fr", "FR", "refund", mail("fr", "FR", "outlook"), frame="win", viewport=W, zoom=0.8,
        variant="zoom80")
    add("zoom80_trk_jp", "ja", "JP", "tracking", track("ja", "JP", "JapanPost"), frame="chrome", viewport=W, zoom=0.8,
        variant="zoom80")
    add("zoom40_sc_order_en", "en", "US", "order", order("en", "US", "UPS"), frame="win", viewport=(1920, 1080),
        zoom=0.4, defect="low-resolution", variant="zoom40", facts_reliable=False,
        notes="browser zoom 40 %: 14 px text at 5.6 px")
    add("zoom40_trk_ups_en", "en", "US", "tracking", track("en", "US", "UPS"), frame="chrome", viewport=(1920, 1080),
        zoom=0.4, defect="low-resolution", variant="zoom40", facts_reliable=False)
    add("shrunk_sc_order_de", "de", "DE", "order", order("de", "DE", "DHL"), frame="win", viewport=(1920, 1080),
        ops=[("rescale", 0.4, "box")], defect="low-resolution", variant="shrunk", facts_reliable=False,
        notes="1920x1080 screenshot shrunk to 40 % (768x432)")
    # ---------------------------------------------------------------- mild degradations (must pass)
    add("jpeg55_trk_usps_ios", "en", "US", "tracking", track("en", "US", "USPS"), frame="ios", viewport=IOS, dsf=3,
        out=("jpg", 55), variant="jpeg55")
    add("jpeg60_sc_order_de", "de", "DE", "order", order("de", "DE", "DHL"), frame="chrome", viewport=W,
        out=("jpg", 60), variant="jpeg60")
    add("jpeg65_mail_gmail_en", "en", "US", "refund", mail("en", "US", "gmail"), frame="win", viewport=W,
        out=("jpg", 65), variant="jpeg65")
    add("jpeg70_msg_ja", "ja", "JP", "messages", msgs("ja", "JP"), frame="chrome", viewport=W, out=("jpg", 70),
        variant="jpeg70")
    add("jpeg50_trk_chinapost", "zh", "CN", "tracking", track("zh", "CN", "ChinaPost"), frame="win", viewport=W,
        out=("jpg", 50), variant="jpeg50")
    add("mild_gauss_fedex_2x", "en", "US", "tracking", track("en", "US", "FedEx"), frame="mac", viewport=M, dsf=2,
        ops=[("gauss", 1.2)], variant="mild_blur", notes="retina 2x, gaussian sigma 1.2 px: soft but clearly readable")
    add("mild_gauss_msg_de_ios3x", "de", "DE", "messages", msgs("de", "DE"), frame="ios", viewport=IOS, dsf=3,
        ops=[("gauss", 1.8)], variant="mild_blur", notes="retina 3x, gaussian sigma 1.8 px on 45 px text: readable")
    add("mild_gauss_trk_ups_1x", "en", "US", "tracking", track("en", "US", "UPS"), frame="win", viewport=W,
        ops=[("gauss", 0.6)], variant="mild_blur", notes="1x, gaussian sigma 0.6 px")
    add("mild_gauss_usps_ios3x_s25", "en", "US", "tracking", track("en", "US", "USPS"), frame="ios", viewport=IOS, dsf=3,
        ops=[("gauss", 2.5)], variant="mild_blur",
        notes="retina 3x, gaussian sigma 2.5 px on 45 px text (like sigma 0.8 at 1x): readable")
    add("downup50_msg_ja_ios3x", "ja", "JP", "messages", msgs("ja", "JP"), frame="ios", viewport=IOS, dsf=3,
        ops=[("down_up", 0.5)], variant="down_up_mild",
        notes="3x phone screenshot halved by a chat app and shown at full size again: readable")
    add("downup33_cainiao_ios3x", "zh", "CN", "tracking", track("zh", "CN", "Cainiao"), frame="ios", viewport=IOS, dsf=3,
        ops=[("down_up", 0.34)], variant="down_up_mild",
        notes="3x phone screenshot reduced to 1x and enlarged back: as sharp as a 1x screenshot enlarged 3x")
    add("upscale150_sc_order_it", "it", "IT", "order", order("it", "IT", "DHL"), frame="win", viewport=(1280, 720),
        ops=[("rescale", 1.5, "bilinear")], variant="upscaled",
        notes="1x screenshot stretched 150 % bilinear (DPI virtualisation)")
    add("upscale200_trk_dhl_es", "es", "ES", "tracking", track("es", "ES", "DHL"), frame="chrome", viewport=W,
        ops=[("rescale", 2.0, "bicubic")], variant="upscaled", notes="1x screenshot enlarged 200 % bicubic")
    add("photo_ok_trk_ups", "en", "US", "tracking", track("en", "US", "UPS"), frame="win", viewport=W,
        ops=[("screen_photo", dict(defocus=0.5, shake=0, moire=0.12, noise=3.0, out_w=2400))],
        variant="screen_photo_ok", notes="phone photo of the monitor, in focus: tilted, moiré, noise; readable")
    add("photo_ok_sc_order_de", "de", "DE", "order", order("de", "DE", "DHL"), frame="chrome", viewport=(1280, 800),
        ops=[("screen_photo", dict(defocus=0.6, shake=0, moire=0.15, noise=4.0, out_w=2400))], out=("jpg", 88),
        variant="screen_photo_ok")
    # ---------------------------------------------------------------- real defects
    add("blur_gauss_sc_order_en", "en", "US", "order", order("en", "US", "UPS"), frame="win", viewport=W,
        ops=[("gauss", 2.5)], defect="blurry", variant="blur_gauss", facts_reliable=False)
    add("blur_gauss_trk_jp_2x", "ja", "JP", "tracking", track("ja", "JP", "JapanPost"), frame="chrome",
        viewport=(1280, 800), dsf=2, ops=[("gauss", 5.0)], defect="blurry", variant="blur_gauss", facts_reliable=False)
    add("blur_gauss_msg_zh", "zh", "CN", "messages", msgs("zh", "CN"), frame="win", viewport=W, ops=[("gauss", 2.5)],
        defect="blurry", variant="blur_gauss", facts_reliable=False)
    add("blur_gauss_cainiao_ios", "zh", "CN", "tracking", track("zh", "CN", "Cainiao"), frame="ios", viewport=IOS, dsf=3,
        ops=[("gauss", 7.0)], defect="blurry", variant="blur_gauss", facts_reliable=False)
    add("blur_motion_trk_ups", "en", "US", "tracking", track("en", "US", "UPS"), frame="win", viewport=W,
        ops=[("motion", 13, 0)], defect="blurry", variant="blur_motion", facts_reliable=False)
    add("blur_motion_mail_de", "de", "DE", "refund", mail("de", "DE", "gmail"), frame="chrome", viewport=W,
        ops=[("motion", 11, 20)], defect="blurry", variant="blur_motion", facts_reliable=False)
    add("blur_downup_pp_en", "en", "US", "refund", pp("en", "US"), frame="chrome", viewport=(1280, 800),
        ops=[("down_up", 0.3)], defect="blurry", variant="down_up", facts_reliable=False)
    add("blur_downup_trk_rm", "en", "UK", "tracking", track("en", "UK", "RoyalMail"), frame="win", viewport=(1280, 800),
        ops=[("down_up", 0.33)], defect="blurry", variant="down_up", facts_reliable=False)
    add("photo_bad_trk_dhl_de", "de", "DE", "tracking", track("de", "DE", "DHL"), frame="win", viewport=W,
        ops=[("screen_photo", dict(defocus=3.5, shake=9, moire=0.3, noise=7.0, out_w=2016))], out=("jpg", 85),
        defect="blurry", variant="screen_photo_bad", facts_reliable=False)
    add("photo_bad_mail_en", "en", "US", "refund", mail("en", "US", "gmail"), frame="win", viewport=W,
        ops=[("screen_photo", dict(defocus=4.0, shake=0, moire=0.25, noise=6.0, out_w=2016))], out=("jpg", 85),
        defect="blurry", variant="screen_photo_bad", facts_reliable=False)
    # clocks cut in half by each edge, and a dated row cut by the bottom edge
    add("cut_top_usps_ios", "en", "US", "tracking", track("en", "US", "USPS"), frame="ios", viewport=IOS, dsf=3,
        ops=[("cut_clock", "top")], variant="ts_cut")
    add("cut_left_dhl_android", "it", "IT", "tracking", track("it", "IT", "DHL"), frame="android", viewport=AND,
        dsf=2.625, ops=[("cut_clock", "left")], variant="ts_cut")
    add("cut_bottom_sc_order_win", "en", "US", "order", order("en", "US", "UPS"), frame="win", viewport=W,
        ops=[("cut_clock", "bottom")], variant="ts_cut")
    add("cut_right_trk_jp_win", "ja", "JP", "tracking", track("ja", "JP", "JapanPost"), frame="win", viewport=W,
        ops=[("cut_clock", "right")], variant="ts_cut")
    add("cut_right_mail_de_win", "de", "DE", "refund", mail("de", "DE", "gmail"), frame="win", viewport=W,
        ops=[("cut_clock", "right", None, 0.4)], variant="ts_cut")
    add("cut_row_trk_ups_win", "en", "US", "tracking", track("en", "US", "UPS"), frame="none", viewport=(1280, 900),
        ops=[("cut_sel", "bottom", "tr:nth-child(4) td:first-child .ts")], variant="ts_cut",
        notes="history row's date cut by the bottom edge")
    add("cut_plain_trk_dhl_de", "de", "DE", "tracking", track("de", "DE", "DHL"), frame="none", viewport=(1280, 900),
        full_page=True, ops=[("cut_sel", "bottom", ".foot")], variant="text_cut",
        notes="bottom edge cuts a plain (non-date) text line: not a timestamp")
    add("cut_plain_sc_order_fr", "fr", "FR", "order", order("fr", "FR", "UPS"), frame="none", viewport=(1280, 900),
        full_page=True, ops=[("cut_sel", "bottom", "td .asin")], variant="text_cut",
        notes="bottom edge cuts a product row (no date)")
    # no date/time anywhere
    add("nots_msg_head", "en", "US", "messages", msgs("en", "US"), frame="none", viewport=W,
        ops=[("crop_sel", 6, ".bm .head")], variant="ts_missing",
        notes="crop of the thread header: buyer and order ID only")
    add("nots_sc_order_main", "de", "DE", "order", order("de", "DE", "DHL", dates=False), frame="none", viewport=W,
        ops=[("crop_sel", 10, ".sc .main")], variant="ts_missing",
        notes="crop of the order's main column; the page shows no dates")
    # belongs to another claim
    add("mismatch_sc_order_en", "en", "US", "order", order("en", "US", "UPS"), frame="win", viewport=W,
        variant="order_mismatch", claim_order="113-5550123-7654321")
    add("mismatch_mail_de", "de", "DE", "refund", mail("de", "DE", "outlook"), frame="win", viewport=W,
        variant="order_mismatch", claim_order="305-1112223-3334445")
    add("mismatch_msg_ja", "ja", "JP", "messages", msgs("ja", "JP"), frame="chrome", viewport=W,
        variant="order_mismatch", claim_order="250-9998887-7776665")
    add("missing_pp_de_ios", "de", "DE", "refund", pp("de", "DE", with_order=False), frame="ios", viewport=IOS, dsf=3,
        variant="order_missing", notes="PayPal shows a transaction ID, no Amazon order ID")
    add("missing_pp_en", "en", "US", "refund", pp("en", "US", with_order=False), frame="chrome", viewport=W,
        variant="order_missing")
    add("trkmis_fedex_mac2x", "en", "US", "tracking", track("en", "US", "FedEx"), frame="mac", viewport=M, dsf=2,
        variant="tracking_mismatch", claim_tracking=["1Z999AA10123456784"])
    add("trkmis_jp_win", "ja", "JP", "tracking", track("ja", "JP", "JapanPost"), frame="win", viewport=W,
        variant="tracking_mismatch", claim_tracking=["EE123456785JP"])
    # ---------------------------------------------------------------- PDFs: browser print (text) and scans
    add("pdf_credit_en", "en", "US", "refund", credit("en", "US"), frame="none", viewport=(794, 1123), out=("pdf",),
        variant="text_pdf")
    add("pdf_credit_de", "de", "DE", "refund", credit("de", "DE"), frame="none", viewport=(794, 1123), out=("pdf",),
        variant="text_pdf")
    add("pdf_credit_ja", "ja", "JP", "refund", credit("ja", "JP"), frame="none", viewport=(794, 1123), out=("pdf",),
        variant="text_pdf")
    add("pdf_pod_fr", "fr", "FR", "tracking", pod("fr", "FR", "UPS"), frame="none", viewport=(794, 1123), out=("pdf",),
        variant="text_pdf")
    add("pdf_print_usps", "en", "US", "tracking", track("en", "US", "USPS"), frame="none", viewport=(1000, 800),
        out=("pdf",), variant="text_pdf", notes="Chrome 'Save as PDF' of a carrier page")
    add("pdf_print_mail_ja", "ja", "JP", "refund", mail("ja", "JP", "gmail"), frame="none", viewport=(1100, 800),
        out=("pdf",), variant="text_pdf")
    add("scan300_credit_en", "en", "US", "refund", credit("en", "US"), frame="none", viewport=(794, 1123),
        out=("scan", 300), variant="scan300")
    add("scan200_credit_de", "de", "DE", "refund", credit("de", "DE"), frame="none", viewport=(794, 1123),
        out=("scan", 200), variant="scan200")
    add("scan150_credit_ja", "ja", "JP", "refund", credit("ja", "JP"), frame="none", viewport=(794, 1123),
        out=("scan", 150), variant="scan150", notes="150 dpi: a common scanner default, exactly at the threshold")
    add("scan200_pod_fr", "fr", "FR", "tracking", pod("fr", "FR", "UPS"), frame="none", viewport=(794, 1123),
        out=("scan", 200), variant="scan200")
    add("scan72_credit_en", "en", "US", "refund", credit("en", "US"), frame="none", viewport=(794, 1123),
        out=("scan", 72), variant="scan72", defect="low-resolution", facts_reliable=False)
    add("scan72_credit_de", "de", "DE", "refund", credit("de", "DE"), frame="none", viewport=(794, 1123),
        out=("scan", 72), variant="scan72", defect="low-resolution", facts_reliable=False)
    # fmt: on
    return S

"""The labelled calibration set: one recipe per file (layout, frame, language, variant), rendered deterministically
and written with a labels.jsonl record each (see `samples/README.md` for the record fields).

Each recipe gets its own random streams derived from (seed, file name), so files can be rendered in parallel and in
any order and still come out byte-identical.
"""

from __future__ import annotations

import hashlib
import io
import random
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

from samples import tracking as trk
from samples.render import chrome, degrade, layouts, pdfs, photo
from samples.render.sheet import Sheet
from samples.render.style import Style, random_style
from samples.scenario import Scenario, make_scenario
from samples.truth import cut_text, expected_codes, facts_from_sheet

URLS = {"UPS": "https://www.ups.com/track?loc=en_US", "USPS": "https://tools.usps.com/go/TrackConfirmAction",
        "FedEx": "https://www.fedex.com/fedextrack/", "DHL": "https://www.dhl.com/track",
        "DeutschePost": "https://www.deutschepost.de/sendung/simpleQuery.html",
        "JapanPost": "https://trackings.post.japanpost.jp/services/srv/search/",
        "Yamato": "https://toi.kuronekoyamato.co.jp/cgi-bin/tneko", "ChinaPost": "https://www.ems.com.cn/queryList",
        "YunExpress": "https://www.yuntrack.com/track", "Yanwen": "https://track.yw56.com.cn/",
        "RoyalMail": "https://www.royalmail.com/track-your-item", "AmazonLogistics": "https://track.amazon.com/"}


@dataclass
class Recipe:
    name: str  # file name without extension
    lang: str
    market: str
    layout: str  # tracking | order | refund | messages | label_photo | screen_photo | pdf_refund | pdf_tracking
    #              | pdf_scan | file_rule
    frame: str = "desktop"  # desktop | mac | phone | android | none
    variant: str = "clean"
    opts: dict = field(default_factory=dict)
    group: str | None = None  # files of one claim (duplicates are judged within a group)
    v1: bool = False  # part of the first, smaller release


def rngs_for(seed: int, name: str) -> tuple[random.Random, np.random.Generator]:
    h = int.from_bytes(hashlib.sha256(f"{seed}:{name}".encode()).digest()[:8], "big")
    return random.Random(h), np.random.default_rng(h)


# ------------------------------------------------------------------ rendering of one recipe

def _screen(rng: random.Random, frame: str, opts: dict) -> chrome.Screen:
    if "screen" in opts:
        return chrome.Screen(*opts["screen"])
    if frame in ("phone", "android"):
        return rng.choice(chrome.PHONES)
    return rng.choice(chrome.DESKTOPS)


def _body(sc: Scenario, layout: str, style: Style, width_css: int, opts: dict) -> Sheet:
    dates = not opts.get("no_dates", False)
    if layout == "tracking":
        return layouts.tracking_page(sc, style, width_css, dates=dates, show_tracking=opts.get("show_tracking", True),
                                     history_rows=opts.get("history_rows"))
    if layout == "order":
        return layouts.order_page(sc, style, width_css, dates=dates, show_order=opts.get("show_order", True),
                                  show_tracking=opts.get("show_tracking", True))
    if layout == "refund":
        return layouts.refund_page(sc, style, min(width_css, opts.get("max_css", 10000)), dates=dates,
                                   show_order=opts.get("show_order", True))
    if layout == "messages":
        return layouts.message_thread(sc, style, width_css, dates=dates, show_order=opts.get("show_order", True))
    raise ValueError(layout)


TITLES = {"tracking": "Tracking", "order": "Order Details", "refund": "Refund", "messages": "Messages"}


def render_screenshot(r: Recipe, sc: Scenario, rng: random.Random) -> Sheet:
    o = r.opts
    scr = _screen(rng, r.frame, o)
    # Browser zoom (`zoom` < 1) shrinks the page, not the browser's own chrome or the taskbar: the body is drawn at
    # the zoomed scale and is wider in CSS pixels, the frame at the screen's scale.
    zoom = o.get("zoom", 1.0)
    style = random_style(rng, r.lang, dark=o.get("dark"), scale=scr.scale * zoom, base_css=o.get("base_css"),
                         density=o.get("density"))
    clock = None if o.get("no_dates") or o.get("no_clock") else sc.captured_at
    if r.frame in ("phone", "android"):
        body = _body(sc, r.layout, style, round(scr.css_width / zoom), o)
        return chrome.phone(body, scr, style, sc.loc, clock, TITLES[r.layout], "ios" if r.frame == "phone"
                            else "android")
    if r.frame == "none":
        body = _body(sc, r.layout, style, o.get("css_width", 900), o)
        return body
    css_w = round(scr.css_width / zoom) if r.layout != "refund" else min(round(scr.css_width / zoom), 1000)
    body = _body(sc, r.layout, style, css_w, o)
    site = layouts.SITE[sc.loc.marketplace]
    url = URLS[sc.carrier] if r.layout == "tracking" else f"https://www.{site}/gp/your-account"
    return chrome.desktop(body, scr, style, sc.loc, clock, url, TITLES[r.layout], os_style="mac" if r.frame == "mac"
                          else "win", taskbar_dark=rng.random() < 0.7)


def _cut(s: Sheet, which: str, side: str, frac: float) -> Sheet:
    """Cut the image edge through a timestamp: 'clock', 'watermark', 'row' (first/last dated line)."""
    stamps = [e for e in s.visible("timestamp")]
    if which == "clock":
        cands = [e for e in stamps if e.data.get("clock")]
    elif which == "watermark":
        cands = [e for e in stamps if e.data.get("watermark")]
    else:
        cands = [e for e in stamps if not e.data.get("clock") and not e.data.get("watermark")]
    if side in ("bottom", "right"):
        e = max(cands, key=lambda e: e.box[3] if side == "bottom" else e.box[2])
    else:
        e = min(cands, key=lambda e: e.box[1] if side == "top" else e.box[0])
    return degrade.cut_through(s, e, side, frac)


def apply_variant(r: Recipe, s: Sheet, rng: random.Random, nrng: np.random.Generator) -> tuple[Sheet, dict]:
    """Returns the degraded sheet and label overrides (defect, readable, notes, format)."""
    v, o = r.variant, r.opts
    meta: dict = {"defect": None, "readable": True, "notes": [], "format": o.get("format", "png"), "quality": None}
    if v in ("clean", "dark", "order_mismatch", "order_missing", "tracking_mismatch", "ts_missing", "empty"):
        pass
    elif v == "jpeg_heavy":
        meta["format"], meta["quality"] = "jpeg", o.get("quality", 30)
        meta["notes"].append("heavy JPEG, text still readable")
    elif v == "jpeg_mild":
        meta["format"], meta["quality"] = "jpeg", 60
    elif v == "blur_mild":
        s = degrade.gaussian(s, o.get("sigma", 0.6))
        meta["notes"].append(f"gaussian sigma {o.get('sigma', 0.6)}, readable")
    elif v == "blurry_gauss":
        sigma = o.get("sigma") or max(2.2, 0.17 * s.text_px)
        s = degrade.gaussian(s, sigma)
        meta.update(defect="blurry", readable=False)
        meta["notes"].append(f"gaussian sigma {sigma:.1f} on {s.text_px:.0f}px text")
    elif v == "blurry_motion":
        length = o.get("length") or int(max(11, 0.7 * s.text_px))
        s = degrade.motion(s, length, o.get("angle", rng.uniform(-20, 20)))
        meta.update(defect="blurry", readable=False)
        meta["notes"].append(f"motion blur {length}px")
    elif v == "blurry_screen_photo":
        s = photo.screen_photo(s, nrng, blur_sigma=o.get("sigma", 3.5))
        meta.update(defect="blurry", readable=False, format="jpeg", quality=85)
        meta["notes"].append("phone photo of a monitor: moiré, perspective, defocus")
    elif v == "lowres_down":
        s = degrade.downscale_to_text(s, o.get("text_px", 7.5))
        _small_text_label(meta, s.text_px, "downscaled")
    elif v == "lowres_tiny_css":
        _small_text_label(meta, s.text_px, f"page zoomed out to {o.get('zoom', 1.0):.0%} in the browser")
    elif v == "lowres_thumb":
        s = s.resized(o["size"])
        _small_text_label(meta, s.text_px, f"thumbnail {o['size']}")
    elif v == "zoomed_readable":
        s = degrade.downscale_to_text(s, o.get("text_px", 13))
        _small_text_label(meta, s.text_px, "zoomed out")
    elif v == "small_crop":
        s = _small_crop(s, o)
        meta["notes"].append("small sharp crop at native scale")
    elif v == "ts_cut":
        s = _cut(s, o["which"], o["side"], o.get("frac", 0.5))
        meta["notes"].append(f"{o['which']} cut at the {o['side']} edge")
    elif v == "crop_no_clock":
        # a region capture: the page body only, no frame; the cut is between blocks, never through text
        pass
    else:
        raise ValueError(v)
    if o.get("jpeg"):
        meta["format"], meta["quality"] = "jpeg", o["jpeg"]
    return s, meta


# Small text is labelled by what a person reads at 100 %: body cap height (about 0.72 em; CJK ideographs are taller
# but need more pixels per stroke, so the same em rule is used) at or below UNREADABLE_CAP_PX cannot be read, at or
# above READABLE_CAP_PX reads easily, and in between is borderline: neither a defect nor a clean file ("don't
# care" for every code, as no other label can be trusted on text that small).
CAP_PER_EM = 0.72
UNREADABLE_CAP_PX = 6.5
READABLE_CAP_PX = 8.5


def _small_text_label(meta: dict, text_px: float, how: str) -> None:
    cap = CAP_PER_EM * text_px
    if cap <= UNREADABLE_CAP_PX:
        meta.update(defect="low-resolution", readable=False)
        meta["notes"].append(f"{how}, body text {text_px:.1f}px (cap {cap:.1f}px): unreadable")
    elif cap < READABLE_CAP_PX:
        meta.update(defect=None, readable=False)
        meta["notes"].append(f"{how}, body text {text_px:.1f}px (cap {cap:.1f}px): borderline, don't care")
    else:
        meta["notes"].append(f"{how}, body text {text_px:.1f}px (cap {cap:.1f}px): readable")


def _small_crop(s: Sheet, o: dict) -> Sheet:
    """Crop around the delivery status card or refund line, padded, at native scale."""
    kinds = o.get("around", ["delivery", "refund"])
    e = [e for e in s.visible() if e.kind in kinds][0]
    pad = int(o.get("pad", 0.3 * s.text_px))  # less than the gap to the block above: no neighbour text is cut
    x0, y0, x1, y1 = (int(v) for v in e.box)
    # keep the left part of the block, where its text is (a status card's right side holds only the progress bar)
    x1 = min(x1, x0 + int(o.get("max_w_text", 38) * s.text_px))
    return degrade.safe_crop(s, (x0, y0, x1, y1), pad)


def encode_image(img: Image.Image, fmt: str, quality: int | None) -> bytes:
    buf = io.BytesIO()
    if fmt == "jpeg":
        return degrade.jpeg_bytes(img, quality or 88)
    if fmt == "webp":
        img.save(buf, "WEBP", quality=quality or 85, method=4)
    else:
        img.save(buf, "PNG", optimize=False, compress_level=3)
    return buf.getvalue()


EXT = {"png": ".png", "jpeg": ".jpg", "webp": ".webp", "pdf": ".pdf"}


def _claim_for(r: Recipe, sc: Scenario, rng: random.Random) -> tuple[str, list[str]]:
    """The claim the file is checked against: the scenario's own, or another order/tracking for mismatches."""
    order, tracking = sc.order_id, [sc.tracking]
    if r.variant == "order_mismatch" or r.opts.get("other_order"):
        order = trk.make_order_id(rng, sc.loc.marketplace)
        tracking = [trk.make_tracking(rng, sc.contract_carrier)]
    if r.variant == "tracking_mismatch":
        tracking = [trk.make_tracking(rng, sc.contract_carrier)]
    return order, tracking


def build(r: Recipe, seed: int, outdir: Path) -> dict:
    rng, nrng = rngs_for(seed, r.name)
    if r.layout == "file_rule":
        from samples.file_rules import build_file_rule
        return build_file_rule(r, rng, nrng, outdir)
    sc = make_scenario(rng, r.lang, r.market, carrier=r.opts.get("carrier"),
                       delivered=r.opts.get("delivered", True))
    claim_order, claim_tracking = _claim_for(r, sc, rng)
    if r.layout in ("pdf_refund", "pdf_tracking"):
        if r.layout == "pdf_refund":
            data, facts = pdfs.refund_receipt_pdf(sc, show_order=r.opts.get("show_order", True))
        else:
            data, facts = pdfs.tracking_printout_pdf(sc)
        facts.setdefault("delivery", None)
        facts = {k: facts[k] for k in ("order_ids", "tracking", "delivery", "refunds", "timestamps")}
        exp, absent = expected_codes(facts, [], claim_order, claim_tracking, readable=True, defect=None)
        return _write(r, outdir, data, "pdf", sc, claim_order, claim_tracking, facts, exp, absent,
                      {"text_px": None, "notes": ["text PDF (pdfplumber words, no OCR)"], "readable": True})
    if r.layout == "pdf_scan":
        return _build_scan(r, sc, rng, nrng, outdir, claim_order, claim_tracking)
    if r.layout == "label_photo":
        meta = {"defect": None, "readable": True, "notes": ["parcel photo, blurred background, sharp label"],
                "format": "jpeg", "quality": 88}
        blur = None
        if r.variant == "blurry_gauss":
            blur = lambda x: degrade.gaussian(x, r.opts.get("sigma", 4.0))  # noqa: E731
            meta.update(defect="blurry", readable=False)
            meta["notes"] = ["whole photo out of focus (the date watermark is stamped sharp afterwards)"]
        elif r.variant == "blurry_motion":
            blur = lambda x: degrade.motion(x, r.opts.get("length", 25), r.opts.get("angle", 10))  # noqa: E731
            meta.update(defect="blurry", readable=False)
            meta["notes"] = ["camera shake (the date watermark is stamped sharp afterwards)"]
        s = render_label_photo(r, sc, rng, nrng, blur=blur)
        if r.variant == "ts_cut":
            s = _cut(s, "watermark", r.opts.get("side", "right"), r.opts.get("frac", 0.5))
            meta["notes"].append("camera watermark cut at the edge")
    else:
        s = render_screenshot(r, sc, rng)
        s, meta = apply_variant(r, s, rng, nrng)
    facts, cut = facts_from_sheet(s)
    meta["cut_text"] = _check_cut_text(r, s)
    exp, absent = expected_codes(facts, cut, claim_order, claim_tracking, readable=meta["readable"],
                                 defect=meta["defect"])
    data = encode_image(s.img, meta["format"], meta["quality"])
    meta["text_px"] = round(s.text_px, 1)
    return _write(r, outdir, data, meta["format"], sc, claim_order, claim_tracking, facts, exp, absent, meta,
                  cut=cut, size=s.size)


def _check_cut_text(r: Recipe, s: Sheet) -> list[str]:
    """Text cut by an edge is only allowed where the recipe cuts on purpose; elsewhere it is a layout bug that
    would make a 'clean' label wrong, so generation stops."""
    cut = cut_text(s)
    if cut and r.variant != "ts_cut":
        raise RuntimeError(f"{r.name}: text cut by the image edge on a file not meant to be cut: {cut[:3]}")
    return cut


def render_label_photo(r: Recipe, sc: Scenario, rng: random.Random, nrng: np.random.Generator, blur=None) -> Sheet:
    """The parcel photo; `blur` (Sheet -> Sheet) is applied before the camera stamps its date watermark, which
    therefore stays sharp on a shaken or defocused photo, as on real cameras."""
    o = r.opts
    lab = layouts.shipping_label(sc, scale=3.0, dates=not o.get("no_dates", False),
                                 show_tracking=o.get("show_tracking", True),
                                 family=rng.choice(["dejavu-sans", "liberation-sans"]))
    size = tuple(o.get("size", rng.choice([(2016, 1512), (1600, 1200), (1512, 2016)])))
    at = None if o.get("no_dates") or o.get("no_watermark") else sc.captured_at
    wm = {"US": "mdy", "DE": "dmy", "FR": "dmy", "UK": "dmy"}.get(sc.loc.marketplace, "ymd")
    s = photo.parcel_photo(lab, nrng, size=size, at=None, bg_blur=o.get("bg_blur", 9.0),
                           label_frac=o.get("label_frac", 0.55))
    if blur is not None:
        s = blur(s)
    return photo.watermark(s, at, wm) if at is not None else s


def _build_scan(r, sc, rng, nrng, outdir, claim_order, claim_tracking) -> dict:
    data, page, meta = render_scan(r, sc, rng, nrng)
    facts, cut = facts_from_sheet(page)
    meta["cut_text"] = _check_cut_text(r, page)
    exp, absent = expected_codes(facts, cut, claim_order, claim_tracking, readable=meta["readable"],
                                 defect=meta["defect"])
    return _write(r, outdir, data, "pdf", sc, claim_order, claim_tracking, facts, exp, absent, meta, cut=cut,
                  size=page.size)


def render_scan(r, sc, rng, nrng) -> tuple[bytes, Sheet, dict]:
    """A paper refund receipt or tracking printout through a scanner, in a PDF at a chosen effective dpi."""
    o = r.opts
    dpi = o.get("dpi", 200)
    render_dpi = o.get("render_dpi", max(dpi, 200))
    pw, ph = pdfs.a4_pixels(render_dpi)
    style = Style(dark=False, family=sc.loc.font_family or rng.choice(["liberation-serif", "dejavu-sans",
                                                                       "liberation-sans"]),
                  base_css=11.0, scale=render_dpi / 96 * 1.1, density=1.0)
    inner = (layouts.refund_page if o.get("doc", "refund") == "refund" else layouts.tracking_page)(
        sc, style, int(pw / style.scale), dates=not o.get("no_dates", False))
    page = Sheet(Image.new("RGB", (pw, ph), (255, 255, 255)))
    page.text_px = inner.text_px
    clip = chrome.clip_at_break(inner, ph - int(0.05 * ph))
    inner.paste_into(page, (0, int(0.04 * ph)), clip_h=clip)
    page = degrade.scan(page, nrng, angle=o.get("angle", rng.uniform(-1.2, 1.2)), noise_sigma=o.get("noise", 5.0))
    meta = {"defect": None, "readable": True, "notes": [f"scanned at {render_dpi} dpi"]}
    if o.get("blur"):
        page = degrade.gaussian(page, o["blur"])
        meta.update(defect="blurry", readable=False)
        meta["notes"].append(f"defocused scan sigma {o['blur']}")
    if dpi < render_dpi:
        page = page.resized(pdfs.a4_pixels(dpi))
        meta.update(defect="low-resolution", readable=False)
        meta["notes"].append(f"embedded image shown at {dpi} dpi on A4")
    data = pdfs.image_pdf(page, dpi, size=pdfs.A4 if dpi < render_dpi else None, jpeg_quality=o.get("quality", 80))
    meta["text_px"] = round(page.text_px, 1)
    meta["dpi"] = dpi
    return data, page, meta


def _write(r: Recipe, outdir: Path, data: bytes, fmt: str, sc: Scenario, claim_order: str,
           claim_tracking: list[str], facts: dict, exp: list[str], absent: list[str], meta: dict,
           cut: list[dict] | None = None, size: tuple[int, int] | None = None) -> dict:
    fname = r.name + EXT[fmt]
    (outdir / fname).write_bytes(data)
    return {
        "file": fname, "marketplace": r.market, "lang": r.lang, "layout": r.layout, "frame": r.frame,
        "variant": r.variant, "group": r.group, "order_id": claim_order, "claim_tracking": claim_tracking,
        "expect_codes": exp, "absent_codes": absent, "facts": facts, "cut_timestamps": cut or [],
        "facts_reliable": bool(meta.get("readable")), "width": size[0] if size else None,
        "height": size[1] if size else None, "text_px": meta.get("text_px"), "dpi": meta.get("dpi"),
        "cut_text": meta.get("cut_text", []), "notes": "; ".join(meta.get("notes", [])),
        "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data),
        "opened_at": "2026-11-24T09:00:00Z", "delivered": sc.delivered, "_fmt": fmt,
    }


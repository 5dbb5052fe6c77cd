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
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from string import Template

import numpy as np
from PIL import Image

REPO = Path(__file__).resolve().parents[2]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.browser_set import content as C  # noqa: E402
from bench.browser_set import degrade as D  # noqa: E402
from bench.browser_set import numbers  # noqa: E402
from bench.browser_set.locale import d_num, esc, iso_dt  # noqa: E402
from bench.browser_set.scenes import Scene, scenes  # noqa: E402
from samples.truth import expected_codes  # noqa: E402

TEMPLATES = Path(__file__).resolve().parent / "templates"
OUT = REPO / "build" / "browser_set"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
OPENED_AT = "2026-11-24T09:00:00Z"
SHOT_AT = datetime(2026, 11, 23, 14, 32)  # when the screenshots were "taken": clocks show this
# The claim reason each file is checked under: the proof checks of not_received / refund_not_received apply to
# tracking and refund pages; order pages and conversations are checked under a reason with no proof requirement.
REASON = {"tracking": "not_received", "order": "damaged", "messages": "damaged", "refund": "refund_not_received"}


def seed_of(name: str) -> int:
    return int.from_bytes(hashlib.sha256(f"browser-set:{name}".encode()).digest()[:8], "big")


# ================================================================================================ frames


def _clock_texts(lang: str, market: str, frame: str, t: datetime) -> list[tuple[str, str, bool]]:
    """(text, iso, time_only) of the clock lines a frame shows."""
    us = lang == "en" and market in ("US", "CA")
    hm = f"{t.hour % 12 or 12}:{t.minute:02d} {'AM' if t.hour < 12 else 'PM'}" if us else f"{t:%H:%M}"
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
        top = (
            f'<div class="chrome"><div class="tabs"><div class="tab active"><i class="fav" style="background:#ff9900"></i>{tab}</div>'
            f'<div class="tab"><i class="fav" style="background:#4285f4"></i>Inbox</div></div>'
            f'<div class="bar"><i class="nav"></i><i class="nav"></i><div class="url"><b>{url.split("/")[0]}</b>'
            f"/{'/'.join(url.split('/')[1:])}</div></div></div>"
        )
    if f == "mac":
        top = (
            f'<div class="menubar"><b></b><b>Chrome</b><span>File</span><span>Edit</span><span>View</span>'
            f'<div class="right"><span>{_clock_span(*clock[0][:2])}</span></div></div>'
        ) + top
    if f == "win":
        colors = ["#0078d4", "#f2b01e", "#0f7b0f", "#c239b3", "#e74856"]
        bottom = (
            f'<div class="taskbar"><div class="icons">{"".join(f"<i style=background:{c}></i>" for c in colors)}</div>'
            f'<div class="tray"><span>ENG</span><div class="clock">{_clock_span(*clock[0][:2])}<br>{_clock_span(*clock[1][:2])}</div></div></div>'
        )
    if f in ("ios", "android"):
        bars = "".join(f'<i style="width:3px;height:{4 + 2 * i}px"></i>' for i in range(4))
        top = (
            f'<div class="statusbar {f}"><span>{_clock_span(*clock[0][:2])}</span>'
            f'<span class="sig">{bars}<span class="batt"><b></b></span></span></div>'
        )
        if f == "ios":
            bottom = '<div class="homebar"><b></b></div>'
    dark = " dark" if scene.dark else ""
    full = " full" if scene.full_page else ""
    narrow = " narrow" if scene.viewport[0] < 700 else ""
    return (
        f'<!doctype html><html lang="{scene.lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><style>{css}</style>'
        f"<style>body {{ background: {'#111' if scene.dark else '#fff'}; }}</style></head>"
        f'<body class="lang-{scene.lang}{dark}{narrow}"><div class="screen{full}">{top}<div class="viewport">{body}</div>{bottom}</div></body></html>'
    )


# ================================================================================================ rendering

GEOMETRY_JS = """(sel) => {
  const out = [];
  const vp = document.querySelector('.viewport').getBoundingClientRect();
  const full = document.querySelector('.screen.full') !== null;
  if (!full) out.push({kind: 'vp', ts: null, fact: null, clock: false, inpage: false, text: '',
                       box: [vp.left + scrollX, vp.top + scrollY, vp.right + scrollX, vp.bottom + scrollY]});
  const add = (el, kind) => { const rg = document.createRange(); rg.selectNodeContents(el);
    const r = rg.getBoundingClientRect();  // the text itself, not the (possibly full-width) box around it
    out.push({kind, ts: el.dataset.ts || null, fact: el.dataset.kind || null, clock: el.classList.contains('clock'),
              inpage: el.closest('.viewport') !== null,
              text: el.innerText, box: [r.left + scrollX, r.top + scrollY, r.right + scrollX, r.bottom + scrollY]}); };
  document.querySelectorAll('.ts').forEach(el => add(el, 'ts'));
  document.querySelectorAll('.fact').forEach(el => add(el, 'fact'));
  for (const s of sel) { const el = document.querySelector(s); if (el) add(el, 'sel:' + s); }
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walk.nextNode(); n; n = walk.nextNode()) {
    if (!n.textContent.trim() || n.parentElement.closest('style')) continue;
    const rg = document.createRange(); rg.selectNodeContents(n);
    for (const r of rg.getClientRects()) if (r.width > 0 && r.height > 0)
      out.push({kind: 'text', ts: null, fact: null, clock: false, inpage: n.parentElement.closest('.viewport') !== null,
                text: n.textContent.trim().slice(0, 60),
                box: [r.left + scrollX, r.top + scrollY, r.right + scrollX, r.bottom + scrollY]});
  }
  // body text size: the font size that most characters of the page are set in (CSS px, before zoom)
  const sizes = {};
  const w2 = document.createTreeWalker(document.querySelector('.viewport'), NodeFilter.SHOW_TEXT);
  for (let n = w2.nextNode(); n; n = w2.nextNode()) {
    const t = n.textContent.trim(); if (!t || n.parentElement.closest('style')) continue;
    const f = parseFloat(getComputedStyle(n.parentElement).fontSize); sizes[f] = (sizes[f] || 0) + t.length; }
  const fs = parseFloat(Object.entries(sizes).sort((a, b) => b[1] - a[1])[0][0]);
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
        ctx = pw_browser.new_context(
            viewport={"width": scene.viewport[0], "height": scene.viewport[1]},
            device_scale_factor=dsf,
            is_mobile=mobile,
            has_touch=mobile,
        )
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
            method = {
                "box": Image.Resampling.BOX,
                "bilinear": Image.Resampling.BILINEAR,
                "bicubic": Image.Resampling.BICUBIC,
            }[op[2]]
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
            box = {
                "top": (0, y0 + frac * (y1 - y0), w, h),
                "bottom": (0, 0, w, y0 + frac * (y1 - y0)),
                "left": (x0 + frac * (x1 - x0), 0, w, h),
                "right": (0, 0, x0 + frac * (x1 - x0), h),
            }[edge]
            box = tuple(int(round(v)) for v in box)
            img = img.crop(box)
            remap(1, box[0], box[1])
        elif name == "crop_sel":
            target = next(i for i in items if i["kind"] == "sel:" + op[2])
            pad = op[1]
            x0, y0, x1, y1 = target["box"]
            box = (
                max(0, int(x0 - pad)),
                max(0, int(y0 - pad)),
                min(img.size[0], int(x1 + pad)),
                min(img.size[1], int(y1 + pad)),
            )
            img = img.crop(box)
            remap(1, box[0], box[1])
        else:
            raise ValueError(name)
    return img, items, valid


# ================================================================================================ labels


def mark_clipped(items: list[dict], w: int, h: int) -> None:
    """Page content that runs past the page area where the frame (tab bar, taskbar, status bar) is drawn is hidden
    by the frame, not cut by the image edge: mark it `clipped`. Where the page area reaches the image edge, the
    edge itself cuts."""
    vp = next((i["box"] for i in items if i["kind"] == "vp"), None)
    if vp is None:
        return
    left, t, r, b = vp
    for it in items:
        if not it.get("inpage"):
            continue
        x0, y0, x1, y1 = it["box"]
        it["clipped"] = (
            (y1 > b + 0.5 and b < h - 0.5)
            or (y0 < t - 0.5 and t > 0.5)
            or (x1 > r + 0.5 and r < w - 0.5)
            or (x0 < left - 0.5 and left > 0.5)
        )


def visibility(items: list[dict], w: int, h: int) -> tuple[list[dict], list[dict]]:
    """(timestamps fully inside the image, timestamps cut by an edge)."""
    mark_clipped(items, w, h)
    seen, cut = [], []
    for it in items:
        if it["kind"] != "ts" or it.get("clipped"):
            continue  # (clipped: hidden behind the browser frame or taskbar, not cut by the image edge)
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


def _cut(box: list[float], w: int, h: int) -> bool:
    """Partly inside and partly outside the image: an edge runs through it."""
    x0, y0, x1, y1 = box
    if x1 <= 0.5 or y1 <= 0.5 or x0 >= w - 0.5 or y0 >= h - 0.5:
        return False
    return x0 < -0.5 or y0 < -0.5 or x1 > w + 0.5 or y1 > h + 0.5


def codes_for(
    scene: Scene, facts: dict, cut: list[dict], claim_order: str, claim_tracking: list[str]
) -> tuple[list, list]:
    """The one rule of expected findings (samples/truth.py); a scene made with a defect is not readable."""
    return expected_codes(facts, cut, claim_order, claim_tracking, readable=scene.defect is None,
                          defect=scene.defect)


FILE_ERRORS = {"blurry", "low-resolution", "timestamp-cropped", "order-mismatch", "tracking-mismatch"}


def claim_codes(scene: Scene, facts: dict, reliable: bool, expect: list[str]) -> tuple[list, list]:
    """Claim-level checks of a one-file claim that this file alone decides. Proof only counts from files that
    pass their own checks, so on a file that must fail (blurry, cut clock, another order) they are don't-care."""
    if not reliable or scene.defect or FILE_ERRORS & set(expect):
        return [], []
    reason = REASON[scene.layout]
    if reason == "not_received" and scene.layout == "tracking":
        d = facts.get("delivery") or {}
        if d.get("status") == "delivered" and d.get("date") and d["date"] <= OPENED_AT[:10]:
            return [], ["no-delivery-proof"]
    if reason == "refund_not_received" and facts["refunds"]:
        return [], ["no-refund-proof"]
    return [], []


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
        cut: list[dict] = []  # (a text PDF is printed whole: every date is on a page)
        cut_text: list[str] = []
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
            seen, cut = visibility(items, width, height)  # (also marks what the frame hides)
            cut_text = sorted(
                {
                    it["text"]
                    for it in items
                    if it["kind"] == "text" and not it.get("clipped") and _cut(it["box"], width, height)
                }
            )
            for it in items:  # every fact the truth lists must still be wholly visible
                if it["kind"] == "fact":
                    x0, y0, x1, y1 = it["box"]
                    if it.get("clipped") or not (
                        x0 >= -0.5 and y0 >= -0.5 and x1 <= width + 0.5 and y1 <= height + 0.5
                    ):
                        raise RuntimeError(
                            f"{scene.name}: fact {it['text']!r} at {it['box']} is not fully visible in {width}x{height} after {scene.ops}"
                        )
        else:
            shown = [dict(i) for i in shot.items]
            mark_clipped(shown, shot.img.size[0], shot.img.size[1])
            seen = [
                {"text": " ".join(i["text"].split()), "value": i["ts"]}
                for i in shown
                if i["kind"] == "ts" and not i.get("clipped")
            ]
            cut, cut_text = [], []
    # a crop to a region: only the facts inside it remain
    if any(op[0] == "crop_sel" for op in scene.ops):

        def inside(it: dict) -> bool:
            return (
                it["box"][0] >= -0.5
                and it["box"][1] >= -0.5
                and it["box"][2] <= width + 0.5
                and it["box"][3] <= height + 0.5
            )

        _, items2, _ = apply_ops(scene, shot, np.random.default_rng(0))
        shown = {it["text"].strip() for it in items2 if it["kind"] == "fact" and inside(it)}
        facts["order_ids"] = [o for o in facts["order_ids"] if o in shown]
        facts["tracking"] = [t for t in facts["tracking"] if t["number"] in shown]
    facts["timestamps"] = seen
    page_order = doc.vars.get("order_id") or (doc.truth["order_ids"][0] if doc.truth["order_ids"] else None)
    claim_order = scene.claim_order or page_order or numbers.order_id(random.Random(seed_of(scene.name + "/claim")))
    claim_tracking = (
        scene.claim_tracking if scene.claim_tracking is not None else [t["number"] for t in facts["tracking"]]
    )
    expect, absent = codes_for(scene, facts, cut, claim_order, claim_tracking)
    absent = [c for c in absent if c not in scene.dont_care]
    ecl, acl = claim_codes(scene, facts, scene.facts_reliable, expect)
    data = path.read_bytes()
    notes = "; ".join(x for x in [scene.notes] + doc.notes if x)
    return {
        "file": path.name,
        "marketplace": scene.market,
        "lang": scene.lang,
        "layout": scene.layout,
        "frame": scene.frame,
        "variant": scene.variant,
        "order_id": claim_order,
        "claim_tracking": claim_tracking,
        "opened_at": OPENED_AT,
        "reason": REASON[scene.layout],
        "expect_codes": expect,
        "absent_codes": absent,
        "expect_claim_codes": ecl,
        "absent_claim_codes": acl,
        "facts": facts,
        "facts_reliable": scene.facts_reliable,
        "cut_timestamps": cut,
        "cut_text": cut_text,
        "group": None,
        "width": width,
        "height": height,
        "dpi": dpi,
        "dsf": scene.dsf,
        "zoom": scene.zoom,
        "dark": scene.dark,
        "text_px": round(shot.text_px * _scale_of(scene), 1),
        "bytes": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "notes": notes,
        "source": "chromium",
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
    print(
        f"{len(todo)} files rendered into {args.out} in {time.perf_counter() - t0:.1f} s "
        f"(Chromium {CHROMIUM}); labels: {labels}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

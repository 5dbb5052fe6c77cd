"""PDF evidence: text PDFs drawn with reportlab (a refund receipt / invoice and a tracking printout, with a real
text layer) and scanned PDFs (a rendered page image placed on the page at a chosen effective DPI).

reportlab runs with `invariant=1` so the same input gives the same bytes (no timestamps or random IDs).
"""

from __future__ import annotations

import io
from functools import lru_cache

from reportlab import rl_config
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as rl_canvas

from samples import fonts
from samples.render.sheet import Sheet
from samples.scenario import Scenario


@lru_cache(maxsize=None)
def _font_names(lang: str) -> tuple[str, str]:
    """(regular, bold) reportlab font names for a language. Latin: embedded DejaVu TTF (covers € £ ü é);
    CJK: reportlab's standard CID fonts, because Noto CJK ships as CFF-flavoured .ttc which reportlab cannot embed."""
    if lang == "ja":
        pdfmetrics.registerFont(UnicodeCIDFont("HeiseiKakuGo-W5"))
        return "HeiseiKakuGo-W5", "HeiseiKakuGo-W5"
    if lang == "zh":
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
        return "STSong-Light", "STSong-Light"
    reg, _ = fonts.font_file("dejavu-sans")
    bold, _ = fonts.font_file("dejavu-sans", True)
    pdfmetrics.registerFont(TTFont("DejaVuSans", reg))
    pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", bold))
    return "DejaVuSans", "DejaVuSans-Bold"


def _canvas(buf: io.BytesIO, size) -> rl_canvas.Canvas:
    rl_config.useA85 = 0  # binary streams: ASCII85 in pure Python takes seconds per scanned page
    c = rl_canvas.Canvas(buf, pagesize=size, invariant=1, pageCompression=1)
    c.setCreator("evidence-svc samples")
    return c


def refund_receipt_pdf(sc: Scenario, show_order: bool = True, show_date: bool = True) -> tuple[bytes, dict]:
    """A one-page refund receipt / credit note. Returns (pdf bytes, facts drawn)."""
    t, loc = sc.t, sc.loc
    reg, bold = _font_names(sc.lang)
    size = LETTER if loc.marketplace == "US" else A4
    W, H = size
    buf = io.BytesIO()
    c = _canvas(buf, size)
    c.setTitle(t["receipt"])
    seller = {"en": "ACME Goods LLC", "de": "Versandlager GmbH", "fr": "Entrepôt SAS", "ja": "株式会社サンプル商店",
              "zh": "深圳市示例贸易有限公司"}[sc.lang]
    c.setFillColorRGB(0.13, 0.18, 0.24)
    c.rect(0, H - 70, W, 70, stroke=0, fill=1)
    c.setFillColorRGB(1, 1, 1)
    c.setFont(bold, 20)
    c.drawString(40, H - 45, seller)
    c.setFillColorRGB(0, 0, 0)
    c.setFont(bold, 18)
    c.drawString(40, H - 115, t["receipt"])
    y = H - 150
    c.setFont(reg, 11)
    facts: dict = {"order_ids": [], "timestamps": [], "refunds": [], "tracking": []}
    rows = []
    if show_order:
        rows.append((t["order_no"], sc.order_id))
        facts["order_ids"].append(sc.order_id)
    if show_date:
        rows.append((t["date"], loc.date_long(sc.refund_date)))
        facts["timestamps"].append({"text": loc.date_long(sc.refund_date), "value": sc.refund_date.isoformat()})
    rows += [(t["refund_to"], t["card"]), (t["reason"], t["reason_text"])]
    for k, v in rows:
        c.setFillColorRGB(0.35, 0.35, 0.35)
        c.drawString(40, y, k)
        c.setFillColorRGB(0, 0, 0)
        c.drawString(200, y, v)
        y -= 20
    y -= 16
    c.setStrokeColorRGB(0.7, 0.7, 0.7)
    c.line(40, y, W - 40, y)
    y -= 24
    c.setFont(bold, 11)
    c.drawString(40, y, t["details"])
    c.drawRightString(W - 40, y, t["amount"])
    y -= 20
    c.setFont(reg, 11)
    for name, qty, cents in sc.items:
        c.drawString(40, y, f"{qty} × {name}")
        c.drawRightString(W - 40, y, loc.money(qty * cents))
        y -= 18
    y -= 10
    c.line(W / 2, y, W - 40, y)
    y -= 22
    c.setFont(bold, 13)
    label = f"{t['refund_issued']}:" if sc.lang in ("en", "de", "fr") else t["refund_issued"]
    c.drawString(W / 2, y, label)
    c.drawRightString(W - 40, y, loc.money(sc.refund_cents))
    fact = sc.refund_fact()
    if not show_date:
        fact["date"] = None
    facts["refunds"].append(fact)
    y -= 50
    c.setFont(reg, 9)
    c.setFillColorRGB(0.4, 0.4, 0.4)
    c.drawString(40, y, t["thanks"])
    c.showPage()
    c.save()
    return buf.getvalue(), facts


def tracking_printout_pdf(sc: Scenario) -> tuple[bytes, dict]:
    """A carrier tracking page 'printed to PDF': header, number, status, event table."""
    t, loc = sc.t, sc.loc
    reg, bold = _font_names(sc.lang)
    size = LETTER if loc.marketplace == "US" else A4
    W, H = size
    buf = io.BytesIO()
    c = _canvas(buf, size)
    c.setTitle(f"{t['tracking_number']} {sc.tracking}")
    from samples.render.style import BRANDS
    bar, accent, brand = BRANDS[sc.carrier]
    c.setFillColorRGB(*[v / 255 for v in bar])
    c.rect(0, H - 60, W, 60, stroke=0, fill=1)
    c.setFillColorRGB(*([v / 255 for v in accent] if sum(bar) > 450 else (1, 1, 1)))
    c.setFont(bold, 18)
    c.drawString(36, H - 38, brand)
    c.setFillColorRGB(0, 0, 0)
    c.setFont(reg, 11)
    c.drawString(36, H - 90, f"{t['tracking_number']}: {sc.tracking}")
    facts: dict = {"order_ids": [], "tracking": [{"number": sc.tracking, "carrier": sc.contract_carrier}],
                   "timestamps": [], "refunds": []}
    last = sc.events[0]
    c.setFont(bold, 22)
    c.setFillColorRGB(0.18, 0.63, 0.26)
    c.drawString(36, H - 125, t["delivered"] if sc.delivered else t["in_transit"])
    c.setFillColorRGB(0, 0, 0)
    c.setFont(reg, 11)
    y = H - 150
    if sc.delivered:
        txt = f"{loc.date_long(last.at.date())} {loc.time(last.at)} · {sc.delivery_location}"
        c.drawString(36, y, txt)
    y -= 36
    c.setFont(bold, 10)
    c.drawString(36, y, t["date"])
    c.drawString(190, y, t["location"])
    c.drawString(360, y, t["details"])
    y -= 8
    c.line(36, y, W - 36, y)
    y -= 16
    c.setFont(reg, 10)
    for ev in sc.events:
        txt = loc.datetime_row(ev.at)
        c.drawString(36, y, txt)
        c.drawString(190, y, ev.location)
        c.drawString(360, y, t[ev.status])
        facts["timestamps"].append({"text": txt, "value": ev.at.strftime("%Y-%m-%dT%H:%M")})
        y -= 18
    facts["delivery"] = {"status": "delivered" if sc.delivered else "in_transit",
                         "date": last.at.date().isoformat() if sc.delivered else None,
                         "location": sc.delivery_location if sc.delivered else None}
    c.showPage()
    c.save()
    return buf.getvalue(), facts


def image_pdf(page: Sheet, dpi: float, size=None, jpeg_quality: int = 80, pages: int = 1) -> bytes:
    """Place a page image on a PDF page so that it shows at `dpi` (image pixels / displayed inches).

    With `size` None the PDF page takes the image's size at that dpi (a scanner's output); otherwise the image is
    stretched over the given page size (how a 72-dpi image ends up 'scaled until distorted')."""
    img = page.img.convert("RGB")
    w, h = img.size
    pw, ph = (w * 72.0 / dpi, h * 72.0 / dpi) if size is None else size
    buf = io.BytesIO()
    c = _canvas(buf, (pw, ph))
    jb = io.BytesIO()
    img.save(jb, "JPEG", quality=jpeg_quality)
    jb.seek(0)
    from reportlab.lib.utils import ImageReader
    reader = ImageReader(jb)
    for _ in range(pages):
        c.drawImage(reader, 0, 0, width=pw, height=ph)
        c.showPage()
    c.save()
    return buf.getvalue()


def blank_pages_pdf(n: int, lang: str = "en") -> bytes:
    """A long text PDF (over the page limit) for the file-size rules."""
    reg, _ = _font_names(lang)
    buf = io.BytesIO()
    c = _canvas(buf, A4)
    for i in range(n):
        c.setFont(reg, 11)
        c.drawString(72, 770, f"Statement page {i + 1} of {n}")
        c.showPage()
    c.save()
    return buf.getvalue()


def a4_pixels(dpi: float) -> tuple[int, int]:
    return round(A4[0] / 72 * dpi), round(A4[1] / 72 * dpi)


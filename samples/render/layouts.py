"""Page bodies: carrier tracking pages, order detail pages, refund confirmations, message threads and shipping
labels. Each returns a `Sheet` as wide as asked and as tall as its content, with every fact it drew recorded.

Options switch facts off (`dates=False` draws a page with no date or time anywhere, `order_id=False`, ...) so the
defective variants come from the same layouts as the clean ones.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
from PIL import Image, ImageDraw

from samples.render.sheet import Sheet
from samples.render.style import BRANDS, Style
from samples.scenario import Scenario
from samples.tracking import group_tracking

TALL = 6000  # css px of scratch height; the sheet is cropped to its content


def _blank(style: Style, width_css: int) -> Sheet:
    w = style.px(width_css)
    s = Sheet(Image.new("RGB", (w, style.px(TALL)), style.bg))
    s.text_px = style.text_px
    return s


def _finish(s: Sheet, y: float, style: Style) -> Sheet:
    h = int(min(s.img.height, y + style.gap(24)))
    out = s.crop((0, 0, s.img.width, h))
    out.breaks.append(h)
    return out


def wrap(draw: ImageDraw.ImageDraw, text: str, font, max_w: float) -> list[str]:
    """Greedy wrap on spaces; CJK text (no spaces) wraps per character."""
    cjk = " " not in text.strip() or any("\u3000" <= ch <= "\u9fff" for ch in text)
    tokens = list(text) if cjk else text.split(" ")
    lines, cur = [], ""
    for tok in tokens:
        cand = tok if not cur else (cur + tok if cjk else cur + " " + tok)
        if draw.textlength(cand, font=font) <= max_w or not cur:
            cur = cand
        else:
            lines.append(cur)
            cur = tok
    if cur:
        lines.append(cur)
    return lines


def iso_dt(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M")


def _rounded(draw, box, r, fill=None, outline=None, width=1):
    draw.rounded_rectangle(box, radius=r, fill=fill, outline=outline, width=width)


# ---------------------------------------------------------------- carrier tracking page

def tracking_page(sc: Scenario, style: Style, width_css: int = 1100, dates: bool = True,
                  show_tracking: bool = True, history_rows: int | None = None) -> Sheet:
    s = _blank(style, width_css)
    d = s.draw
    t, loc = sc.t, sc.loc
    W = s.img.width
    narrow = width_css < 700
    bar, accent, brand = BRANDS[sc.carrier]
    bar_h = style.px(60)
    d.rectangle((0, 0, W, bar_h), fill=bar)
    light_bar = 0.299 * bar[0] + 0.587 * bar[1] + 0.114 * bar[2] > 150
    d.text((style.px(32 if not narrow else 16), bar_h // 2), brand, font=style.font(24 if not narrow else 20, True),
           fill=accent if light_bar else (255, 255, 255), anchor="lm")
    nav = {"en": ["Ship", "Track", "Support", "Locations"], "de": ["Versenden", "Verfolgen", "Hilfe"],
           "fr": ["Expédier", "Suivre", "Aide"], "ja": ["送る", "追跡", "サポート"], "zh": ["寄件", "查询", "帮助"]}
    x = W - style.px(32)
    for item in reversed(nav[sc.lang] if not narrow else []):
        f = style.font(14)
        x -= d.textlength(item, font=f)
        d.text((x, bar_h // 2), item, font=f, fill=(40, 40, 40) if light_bar else (235, 235, 235), anchor="lm")
        x -= style.px(28)
    s.breaks.append(bar_h + 1)

    pad = style.px(16 if narrow else 48)
    y = bar_h + style.gap(36)
    d.text((pad, y), t["shipment_progress"] if sc.lang != "en" else "Tracking Details", font=style.font(26, True),
           fill=style.fg)
    y += style.px(26) + style.gap(18)
    if show_tracking:
        lab = f"{t['tracking_number']}: "
        f = style.font(15)
        d.text((pad, y), lab, font=f, fill=style.muted)
        x = pad + d.textlength(lab, font=f)
        if narrow:
            x, y = pad, y + style.px(15) + style.gap(8)
        s.text((x, y), group_tracking(sc.tracking, sc.contract_carrier) if sc.carrier == "USPS" else sc.tracking,
               style.font(15, True), style.fg, kind="tracking", number=sc.tracking, carrier=sc.contract_carrier)
        y += style.px(15) + style.gap(22)
    s.breaks.append(y - style.gap(8))

    # status card
    card_top = y
    card_h = style.px(150) + style.gap(30)
    _rounded(d, (pad, card_top, W - pad, card_top + card_h), style.px(8), fill=style.surface,
             outline=style.border, width=max(1, style.px(1)))
    cx, cy = pad + style.px(28), card_top + style.gap(22)
    last = sc.events[0]
    status_key = "delivered" if sc.delivered else last.status
    green = (46, 160, 67) if sc.delivered else accent
    status_text = t[status_key if status_key in t else "in_transit"]
    size = 30
    while size > 16 and d.textlength(status_text, font=style.font(size, True)) > W - pad - style.px(28) - cx:
        size -= 2  # long statuses ("Im Zielpaketzentrum bearbeitet") shrink to fit a phone's card
    s.text((cx, cy), status_text, style.font(size, True), green)
    cy += style.px(30) + style.gap(14)
    block_top = card_top
    if dates:
        day = loc.date_medium(last.at.date()) if narrow else loc.weekday_date(last.at.date())
        when = f"{day} {'at ' if sc.lang == 'en' else ''}{loc.time(last.at)}"
        s.text((cx, cy), when, style.font(17), style.fg, kind="timestamp", value=iso_dt(last.at))
    else:
        s.text((cx, cy), t["left_at"] if sc.delivered else t["expected"], style.font(17), style.fg)
    cy += style.px(17) + style.gap(10)
    place = sc.delivery_location if sc.delivered else last.location
    d.text((cx, cy), f"{t['location']}: {place}", font=style.font(15), fill=style.muted)
    if sc.delivered:
        d.text((cx, cy + style.px(15) + style.gap(8)), t["delivered_to"], font=style.font(15), fill=style.muted)
    s.mark("delivery", (pad, block_top, W - pad, card_top + card_h), t[status_key] if status_key in t else "",
           status="delivered" if sc.delivered else "in_transit",
           date=last.at.date().isoformat() if (sc.delivered and dates) else None,
           location=place if sc.delivered else None)
    # progress dots on the right of the card
    steps = 4 if not narrow else 0
    px0, px1 = W - pad - style.px(420), W - pad - style.px(40)
    py = card_top + card_h // 2
    done = steps if sc.delivered else 3
    if steps:
        d.line((px0, py, px1, py), fill=style.border, width=style.px(4))
        d.line((px0, py, px0 + (px1 - px0) * (done - 1) / (steps - 1), py), fill=green, width=style.px(4))
    for i in range(steps):
        xx = px0 + (px1 - px0) * i / (steps - 1)
        r = style.px(9)
        d.ellipse((xx - r, py - r, xx + r, py + r), fill=green if i < done else style.border)
    y = card_top + card_h + style.gap(30)
    s.breaks.append(y - style.gap(10))

    # history table
    d.text((pad, y), t["history"], font=style.font(19, True), fill=style.fg)
    y += style.px(19) + style.gap(16)
    inner_w = W - 2 * pad
    cols = [pad, pad + int(0.25 * inner_w), pad + int(0.56 * inner_w)] if dates else \
        [pad, pad, pad + int(0.4 * inner_w)]
    hdr = [t["date"], t["location"], t["details"]] if dates else ["", t["location"], t["details"]]
    if narrow:
        hdr = []
    for x, h in zip(cols, hdr):
        if h:
            d.text((x, y), h, font=style.font(13, True), fill=style.muted)
    y += style.px(13) + style.gap(10)
    d.line((pad, y, W - pad, y), fill=style.border, width=max(1, style.px(1)))
    y += style.gap(12)
    rows = sc.events if history_rows is None else sc.events[:history_rows]
    for ev in rows:
        row_top = y
        s.breaks.append(row_top - style.gap(6))
        f = style.font(14)
        label = t[ev.status]
        lab_font = style.font(14, ev.status == "delivered")
        lab_fill = (46, 160, 67) if ev.status == "delivered" else style.fg
        if narrow:
            s.text((pad, y), label, lab_font, lab_fill)
            y += style.px(14) + style.gap(8)
            if dates:
                s.text((pad, y), loc.datetime_row(ev.at), f, style.muted, kind="timestamp", value=iso_dt(ev.at))
                y += style.px(14) + style.gap(8)
            d.text((pad, y), ev.location, font=f, fill=style.muted)
        else:
            if dates:
                s.text((cols[0], y), loc.datetime_row(ev.at), f, style.fg, kind="timestamp", value=iso_dt(ev.at))
            d.text((cols[1], y), ev.location, font=f, fill=style.fg)
            s.text((cols[2], y), label, lab_font, lab_fill)
        y += style.px(14) + style.gap(22)
        if ev.status == "delivered" and dates:
            s.mark("delivery_row", (pad, row_top, W - pad, y), label, date=ev.at.date().isoformat())
        d.line((pad, y - style.gap(10), W - pad, y - style.gap(10)), fill=style.border, width=1)
    s.breaks.append(y)
    y += style.gap(24)
    foot = {"en": "Questions? Visit the Help Center or contact customer service.",
            "de": "Fragen? Besuchen Sie unseren Kundenservice.", "fr": "Des questions ? Consultez l'aide en ligne.",
            "ja": "ご不明な点はお問い合わせ窓口までご連絡ください。", "zh": "如有疑问，请联系客服。"}[sc.lang]
    for ln in wrap(d, foot, style.font(13), W - 2 * pad):
        d.text((pad, y), ln, font=style.font(13), fill=style.muted)
        y += style.px(13) + style.gap(6)
    return _finish(s, y, style)


# ---------------------------------------------------------------- marketplace order detail page

STREET = {"en": "1200 Main St", "de": "Hauptstraße 12", "fr": "12 rue de la Paix"}
SITE = {"US": "amazon.com", "UK": "amazon.co.uk", "DE": "amazon.de", "FR": "amazon.fr", "JP": "amazon.co.jp",
        "CN": "sellercentral.amazon.com"}


def _market_bar(s: Sheet, style: Style, sc: Scenario) -> int:
    d = s.draw
    W = s.img.width
    h = style.px(56)
    d.rectangle((0, 0, W, h), fill=(19, 25, 33))
    name = "amazon" if sc.lang != "zh" else "amazon seller central"
    d.text((style.px(24), h // 2), name, font=style.font(24, True, "dejavu-sans"), fill=(255, 255, 255), anchor="lm")
    d.line((style.px(26), h // 2 + style.px(12), style.px(96), h // 2 + style.px(14)), fill=(255, 153, 0),
           width=style.px(3))
    if W > style.px(700):
        box = (style.px(260), style.px(12), W - style.px(260), h - style.px(12))
        _rounded(d, box, style.px(4), fill=(255, 255, 255))
        d.rectangle((box[2] - style.px(44), box[1], box[2], box[3]), fill=(254, 189, 105))
    h2 = h + style.px(36)
    d.rectangle((0, h, W, h2), fill=(35, 47, 62))
    menu = {"en": ["All", "Today's Deals", "Customer Service", "Registry", "Gift Cards"],
            "de": ["Alle", "Angebote", "Kundenservice", "Gutscheine"],
            "fr": ["Toutes", "Ventes Flash", "Service Client"],
            "ja": ["すべて", "タイムセール", "カスタマーサービス"], "zh": ["目录", "库存", "订单", "广告", "数据报告"]}[sc.lang]
    x = style.px(24)
    for m in menu:
        f = style.font(13)
        if x + d.textlength(m, font=f) > W - style.px(24):
            break  # a real menu collapses; never draw text cut by the page edge
        d.text((x, (h + h2) // 2), m, font=f, fill=(255, 255, 255), anchor="lm")
        x += d.textlength(m, font=f) + style.px(22)
    return h2


def order_page(sc: Scenario, style: Style, width_css: int = 1100, dates: bool = True, show_order: bool = True,
               show_tracking: bool = True) -> Sheet:
    s = _blank(style, width_css)
    d = s.draw
    t, loc = sc.t, sc.loc
    W = s.img.width
    narrow = width_css < 640
    y = _market_bar(s, style, sc)
    s.breaks.append(y + 1)
    pad = style.px(16 if narrow else 40)
    y += style.gap(20)
    crumbs = {"en": "Your Account › Your Orders › Order Details",
              "de": "Mein Konto › Meine Bestellungen › Bestelldetails",
              "fr": "Votre compte › Vos commandes › Détails", "ja": "アカウントサービス › 注文履歴 › 注文の詳細",
              "zh": "订单 › 管理订单 › 订单详情"}[sc.lang]
    if not narrow:
        d.text((pad, y), crumbs, font=style.font(13), fill=style.accent)
        y += style.px(13) + style.gap(18)
    d.text((pad, y), t["order_details"], font=style.font(28), fill=style.fg)
    y += style.px(28) + style.gap(14)
    x = pad
    f = style.font(14)
    if dates:
        lab = f"{t['ordered_on']} "
        d.text((x, y), lab, font=f, fill=style.fg)
        x += d.textlength(lab, font=f)
        b = s.text((x, y), loc.date_long(sc.order_date), f, style.fg, kind="timestamp",
                   value=sc.order_date.isoformat())
        if narrow:
            x, y = pad, y + style.px(14) + style.gap(10)
        else:
            x = b[2] + style.px(14)
            d.line((x, y, x, y + style.px(15)), fill=style.border, width=max(1, style.px(1)))
            x += style.px(14)
    if show_order:
        lab = f"{t['order_no']} "
        d.text((x, y), lab, font=f, fill=style.fg)
        x += d.textlength(lab, font=f)
        s.text((x, y), sc.order_id, f, style.fg, kind="order_id", value=sc.order_id)
    y += style.px(14) + style.gap(24)
    s.breaks.append(y - style.gap(8))

    # three-column box
    box_top = y
    col_w = (W - 2 * pad) / 3 if not narrow else W - 2 * pad
    inner = style.px(20 if not narrow else 14)
    yy = box_top + style.gap(18)
    cols_y = []
    for i, (title, lines) in enumerate([
        (t["ship_to"], [sc.buyer] + ([STREET[sc.lang]] if sc.lang in STREET else []) + [sc.address]),
        (t["payment"], [t["card"]]),
        (t["summary"], None),
    ]):
        cx = pad + col_w * i + inner if not narrow else pad + inner
        cy = yy if not narrow else max([yy] + [c + style.gap(12) for c in cols_y])
        d.text((cx, cy), title, font=style.font(14, True), fill=style.fg)
        cy += style.px(14) + style.gap(10)
        if lines:
            for ln in lines:
                d.text((cx, cy), ln, font=style.font(14), fill=style.fg)
                cy += style.px(14) + style.gap(8)
        else:
            rows = [(t["items"], loc.money(sc.subtotal_cents)), (t["shipping"], loc.money(sc.shipping_cents))]
            if loc.lang not in ("de", "fr", "ja"):
                rows.append((t["tax"], loc.money(sc.tax_cents)))
            rows.append((t["total"], loc.money(sc.total_cents)))
            right = (pad + col_w * (i + 1) - inner) if not narrow else W - pad - inner
            for j, (a, b) in enumerate(rows):
                bold = j == len(rows) - 1
                d.text((cx, cy), a + ":", font=style.font(14, bold), fill=style.fg)
                d.text((right, cy), b, font=style.font(14, bold), fill=style.fg, anchor="ra")
                cy += style.px(14) + style.gap(8)
        cols_y.append(cy)
    box_bot = max(cols_y) + style.gap(12)
    _rounded(d, (pad, box_top, W - pad, box_bot), style.px(8), outline=style.border, width=max(1, style.px(1)))
    y = box_bot + style.gap(22)
    s.breaks.append(y - style.gap(8))

    # shipment box
    sh_top = y
    yy = y + style.gap(18)
    green = (0, 118, 0) if not style.dark else (90, 200, 110)
    dev = sc.delivered_event
    st_top = yy
    if dev and dates:
        lab = {"en": "Delivered ", "de": "Zugestellt: ", "fr": "Livré le ", "ja": "配達完了 ", "zh": "已签收 "}[sc.lang]
        f = style.font(18, True)
        d.text((pad + inner, yy), lab, font=f, fill=green)
        x = pad + inner + d.textlength(lab, font=f)
        b = s.text((x, yy), loc.date_medium(dev.at.date()), f, green, kind="timestamp",
                   value=dev.at.date().isoformat())
    else:
        b = s.text((pad + inner, yy), t["delivered"] if dev else t["in_transit"], style.font(18, True), green)
    s.mark("delivery", (pad + inner, st_top, b[2], b[3]), "", status="delivered" if dev else "in_transit",
           date=dev.at.date().isoformat() if (dev and dates) else None, location=None)
    yy += style.px(18) + style.gap(16)
    # track button on the right (full width under the status on a phone)
    bw, bh = (style.px(220), style.px(34)) if not narrow else (W - 2 * pad - 2 * inner, style.px(40))
    bx = W - pad - inner - bw
    _rounded(d, (bx, yy, bx + bw, yy + bh), style.px(17), fill=(255, 216, 20))
    d.text((bx + bw // 2, yy + bh // 2), t["track"], font=style.font(13), fill=(17, 17, 17), anchor="mm")
    if narrow:
        yy += bh + style.gap(14)
    for name, qty, cents in sc.items:
        img_sz = style.px(86)
        ix = pad + inner
        d.rectangle((ix, yy, ix + img_sz, yy + img_sz), fill=(235, 238, 242) if not style.dark else (55, 58, 64))
        d.ellipse((ix + img_sz * 0.25, yy + img_sz * 0.2, ix + img_sz * 0.75, yy + img_sz * 0.8), fill=style.accent)
        tx = ix + img_sz + style.px(16)
        nm = wrap(d, name, style.font(15), W - pad - inner - tx)[0] if narrow else name
        if nm != name:
            nm = nm.rstrip(" ,") + "…"
        d.text((tx, yy + style.px(4)), nm, font=style.font(15), fill=style.accent)
        d.text((tx, yy + style.px(28)), f"{t['qty']}: {qty}", font=style.font(13), fill=style.muted)
        d.text((tx, yy + style.px(50)), loc.money(cents), font=style.font(14, True), fill=(180, 30, 30))
        yy += img_sz + style.gap(16)
        s.breaks.append(yy - style.gap(8))
    if show_tracking:
        brand = BRANDS[sc.carrier][2]
        f = style.font(14)
        lab = f"{t['shipped_with']} {brand} · {t['tracking_number']}: "
        if d.textlength(lab, font=f) > W - 2 * pad - 2 * inner:
            d.text((pad + inner, yy), f"{t['shipped_with']} {brand}", font=f, fill=style.muted)
            yy += style.px(14) + style.gap(8)
            lab = f"{t['tracking_number']}: "
        d.text((pad + inner, yy), lab, font=f, fill=style.muted)
        x = pad + inner + d.textlength(lab, font=f)
        if narrow or x + d.textlength(sc.tracking, font=f) > W - pad - inner:
            x, yy = pad + inner, yy + style.px(14) + style.gap(8)
        s.text((x, yy), sc.tracking, f, style.fg, kind="tracking", number=sc.tracking, carrier=sc.contract_carrier)
        yy += style.px(14) + style.gap(14)
    sh_bot = yy + style.gap(6)
    _rounded(d, (pad, sh_top, W - pad, sh_bot), style.px(8), outline=style.border, width=max(1, style.px(1)))
    y = sh_bot + style.gap(16)
    s.breaks.append(y)
    return _finish(s, y, style)


# ---------------------------------------------------------------- refund confirmation

def refund_page(sc: Scenario, style: Style, width_css: int = 900, dates: bool = True, show_order: bool = True) -> Sheet:
    s = _blank(style, width_css)
    d = s.draw
    t, loc = sc.t, sc.loc
    W = s.img.width
    narrow = width_css < 640
    y = _market_bar(s, style, sc)
    s.breaks.append(y + 1)
    pad = style.px(16 if narrow else 44)
    y += style.gap(30)
    # check mark
    r = style.px(18)
    d.ellipse((pad, y, pad + 2 * r, y + 2 * r), fill=(0, 140, 70))
    d.line((pad + r * 0.5, y + r, pad + r * 0.9, y + r * 1.4, pad + r * 1.5, y + r * 0.6), fill=(255, 255, 255),
           width=style.px(4))
    tf = style.font(24 if not narrow else 19, True)
    tx = pad + 2 * r + style.px(14)
    title_lines = wrap(d, t["refund_title"], tf, W - pad - tx)
    for i, ln in enumerate(title_lines):
        d.text((tx, y + r + i * style.px(28)), ln, font=tf, fill=style.fg, anchor="lm")
    y += 2 * r + (len(title_lines) - 1) * style.px(28) + style.gap(28)
    s.breaks.append(y - style.gap(10))
    amount = loc.money(sc.refund_cents)
    top = y
    if sc.lang == "en":
        parts = [(f"{t['refund_issued']}: ", None), (amount, "amt")]
        if dates:
            parts += [(" on ", None), (loc.date_medium(sc.refund_date), "date")]
    elif sc.lang == "de":
        parts = [(f"{t['refund_issued']}: ", None), (amount, "amt")]
        if dates:
            parts += [(" am ", None), (loc.date_numeric(sc.refund_date), "date")]
    elif sc.lang == "fr":
        parts = [(f"{t['refund_issued']} : ", None), (amount, "amt")]
        if dates:
            parts += [(" le ", None), (loc.date_long(sc.refund_date), "date")]
    else:
        parts = [(f"{t['refund_issued']} ", None), (amount, "amt")]
        if dates:
            parts += [("（" if sc.lang == "ja" else "（", None), (loc.date_long(sc.refund_date), "date"), ("）", None)]
    x = pad
    right = pad
    for txt, role in parts:
        ff = style.font(17, role == "amt")
        if narrow and role == "date":
            x, y = pad, y + style.px(17) + style.gap(8)
        if role == "date":
            b = s.text((x, y), txt, ff, style.fg, kind="timestamp", value=sc.refund_date.isoformat())
        else:
            b = s.text((x, y), txt, ff, style.fg)
        x = b[2] if txt.strip() else x + d.textlength(txt, font=ff)
        right = max(right, x)
    y += style.px(17) + style.gap(20)
    fact = sc.refund_fact()
    if not dates:
        fact["date"] = None
    s.mark("refund", (pad, top, right, y - style.gap(12)), amount, **fact)
    rows = []
    if show_order:
        rows.append((t["order_no"], sc.order_id, "order"))
    rows += [(t["refund_total"], amount, None), (t["refund_to"], t["card"], None),
             (t["reason"], t["reason_text"], None)]
    for k, v, role in rows:
        d.text((pad, y), k, font=style.font(14), fill=style.muted)
        vx = pad + style.px(230)
        if narrow:
            vx, y = pad, y + style.px(14) + style.gap(6)
        if role == "order":
            s.text((vx, y), v, style.font(14), style.fg, kind="order_id", value=v)
        else:
            d.text((vx, y), v, font=style.font(14), fill=style.fg)
        y += style.px(14) + style.gap(14)
        s.breaks.append(y - style.gap(6))
    y += style.gap(10)
    d.line((pad, y, W - pad, y), fill=style.border, width=max(1, style.px(1)))
    y += style.gap(18)
    note = {"en": "Refunds usually appear on your statement within 3-5 business days.",
            "de": "Die Gutschrift erscheint in der Regel innerhalb von 3-5 Werktagen.",
            "fr": "Le remboursement apparaît généralement sous 3 à 5 jours ouvrés.",
            "ja": "返金はカード会社により反映までに数日かかる場合があります。",
            "zh": "退款通常在 3-5 个工作日内到账。"}[sc.lang]
    for ln in wrap(d, note, style.font(14), W - 2 * pad):
        d.text((pad, y), ln, font=style.font(14), fill=style.muted)
        y += style.px(14) + style.gap(8)
    return _finish(s, y, style)


# ---------------------------------------------------------------- buyer-seller message thread

def message_thread(sc: Scenario, style: Style, width_css: int = 900, dates: bool = True,
                   show_order: bool = True) -> Sheet:
    s = _blank(style, width_css)
    d = s.draw
    t, loc = sc.t, sc.loc
    W = s.img.width
    pad = style.px(28)
    hh = style.px(64)
    d.rectangle((0, 0, W, hh), fill=style.surface)
    d.line((0, hh, W, hh), fill=style.border, width=max(1, style.px(1)))
    d.text((pad, style.px(12)), t["messages"], font=style.font(18, True), fill=style.fg)
    if show_order:
        lab = f"{t['order']}: "
        f = style.font(13)
        d.text((pad, style.px(38)), lab, font=f, fill=style.muted)
        s.text((pad + d.textlength(lab, font=f), style.px(38)), sc.order_id, f, style.muted, kind="order_id",
               value=sc.order_id)
    else:
        d.text((pad, style.px(38)), sc.buyer, font=style.font(13), fill=style.muted)
    y = hh + style.gap(20)
    s.breaks.append(hh + 1)
    last_day = None
    maxw = W * 0.62
    for m in sc.messages:
        if dates and m.at.date() != last_day:
            last_day = m.at.date()
            txt = loc.date_medium(last_day)
            f = style.font(12)
            tw = d.textlength(txt, font=f)
            _rounded(d, (W / 2 - tw / 2 - style.px(10), y - style.px(4), W / 2 + tw / 2 + style.px(10),
                         y + style.px(18)), style.px(10), fill=style.surface)
            s.text((W / 2, y), txt, f, style.muted, kind="timestamp", anchor="ma", value=last_day.isoformat())
            y += style.px(18) + style.gap(16)
            s.breaks.append(y - style.gap(8))
        f = style.font(15)
        lines = wrap(d, m.text, f, maxw - style.px(28))
        lh = style.px(15) + style.px(7)
        bw = max(d.textlength(ln, font=f) for ln in lines) + style.px(28)
        bh = lh * len(lines) + style.px(20)
        mine = m.sender == "seller"
        bx = W - pad - bw if mine else pad
        fill = style.accent if mine else ((58, 62, 68) if style.dark else (233, 235, 238))
        fg = (255, 255, 255) if mine else style.fg
        _rounded(d, (bx, y, bx + bw, y + bh), style.px(14), fill=fill)
        ty = y + style.px(10)
        for ln in lines:
            d.text((bx + style.px(14), ty), ln, font=f, fill=fg)
            ty += lh
        y += bh + style.px(4)
        if dates:
            tt = loc.time(m.at)
            fx = bx + bw if mine else bx
            s.text((fx, y), tt, style.font(11), style.muted, kind="timestamp", anchor="ra" if mine else "la",
                   value=m.at.strftime("%H:%M"), time_only=True)
            y += style.px(11)
        y += style.gap(18)
        s.breaks.append(y - style.gap(8))
    # input box
    _rounded(d, (pad, y, W - pad, y + style.px(44)), style.px(22), outline=style.border, width=max(1, style.px(1)))
    ph = {"en": "Write a message…", "de": "Nachricht schreiben…", "fr": "Écrire un message…", "ja": "メッセージを入力",
          "zh": "输入消息"}[sc.lang]
    d.text((pad + style.px(18), y + style.px(22)), ph, font=style.font(14), fill=style.muted, anchor="lm")
    y += style.px(44)
    return _finish(s, y, style)


# ---------------------------------------------------------------- shipping label (for photos)

def shipping_label(sc: Scenario, scale: float = 3.0, dates: bool = True, show_tracking: bool = True,
                   family: str = "dejavu-sans") -> Sheet:
    """A 4x6 inch thermal label, `scale` pixels per point-ish unit (400x600 units)."""
    import zxingcpp  # imported here: only labels need it

    style = Style(family=family if sc.lang in ("en", "de", "fr") else sc.loc.font_family, scale=scale)
    W, H = style.px(400), style.px(600)
    s = Sheet(Image.new("RGB", (W, H), (250, 250, 246)))
    s.text_px = style.px(14)
    d = s.draw
    k = style.px(2)
    d.rectangle((k, k, W - k, H - k), outline=(10, 10, 10), width=k)
    brand = BRANDS[sc.carrier][2]
    d.text((style.px(16), style.px(14)), brand, font=style.font(26, True), fill=(0, 0, 0))
    d.line((0, style.px(56), W, style.px(56)), fill=(0, 0, 0), width=k)
    f = style.font(13)
    d.text((style.px(16), style.px(66)), "FROM / 差出人" if sc.lang == "ja" else ("FROM / 发件人" if sc.lang == "zh"
                                                                               else "FROM"),
           font=style.font(11, True), fill=(0, 0, 0))
    sender = {"en": "ACME GOODS LLC", "de": "Versandlager GmbH", "fr": "ENTREPOT SAS", "ja": "株式会社サンプル商店",
              "zh": "深圳市示例贸易有限公司"}[sc.lang]
    d.text((style.px(16), style.px(84)), sender, font=f, fill=(0, 0, 0))
    d.text((style.px(16), style.px(120)), "SHIP TO:", font=style.font(12, True), fill=(0, 0, 0))
    d.text((style.px(36), style.px(140)), sc.buyer.upper() if sc.lang != "ja" else sc.buyer, font=style.font(17, True),
           fill=(0, 0, 0))
    d.text((style.px(36), style.px(164)), sc.address.upper() if sc.lang in ("en",) else sc.address,
           font=style.font(16), fill=(0, 0, 0))
    if dates:
        sd = sc.events[-1].at
        txt = f"SHIP DATE: {sd:%d%b%y}".upper() if sc.lang in ("en",) else f"DATE: {sd:%Y-%m-%d}"
        s.text((W - style.px(16), style.px(66)), txt, style.font(12, True), (0, 0, 0), kind="timestamp", anchor="ra",
               value=sd.date().isoformat())
    d.line((0, style.px(200), W, style.px(200)), fill=(0, 0, 0), width=k)
    if show_tracking:
        bc = zxingcpp.create_barcode(sc.tracking, zxingcpp.BarcodeFormat.Code128)
        bimg = Image.fromarray(np.array(bc.to_image(scale=1, add_quiet_zones=False)))
        bw = W - style.px(60)
        bimg = bimg.resize((bw, style.px(130)), Image.Resampling.NEAREST).convert("RGB")
        s.img.paste(bimg, (style.px(30), style.px(300)))
        d.text((style.px(20), style.px(215)), "TRACKING #", font=style.font(12, True), fill=(0, 0, 0))
        s.text((style.px(20), style.px(236)), group_tracking(sc.tracking, sc.contract_carrier), style.font(20, True),
               (0, 0, 0), kind="tracking", number=sc.tracking, carrier=sc.contract_carrier)
    d.text((style.px(20), style.px(455)), "REF: " + ("PKG 1 OF 1"), font=style.font(13), fill=(0, 0, 0))
    d.rectangle((W - style.px(110), style.px(440), W - style.px(20), style.px(530)), fill=(0, 0, 0))
    d.text((W - style.px(65), style.px(485)), "P", font=style.font(54, True), fill=(255, 255, 255), anchor="mm")
    return s

"""Frames around a page body: a desktop browser window with a taskbar (clock bottom-right) or a macOS menu bar
(clock top-right), and phone screenshots with a status bar (clock top-left). The body is clipped at one of its
block breaks so no text line is cut by the viewport.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from PIL import Image

from samples.locales import Locale
from samples.render.sheet import Sheet
from samples.render.style import Style


@dataclass
class Screen:
    width: int
    height: int
    scale: float

    @property
    def css_width(self) -> int:
        return round(self.width / self.scale)


DESKTOPS = [Screen(1280, 800, 1.0), Screen(1366, 768, 1.0), Screen(1920, 1080, 1.0), Screen(1920, 1080, 1.25),
            Screen(2560, 1440, 1.5), Screen(2560, 1600, 2.0)]
PHONES = [Screen(1170, 2532, 3.0), Screen(1080, 2400, 2.75), Screen(1284, 2778, 3.0), Screen(750, 1334, 2.0),
          Screen(828, 1792, 2.0)]


def clip_at_break(body: Sheet, max_h: int) -> int:
    """The largest block break that fits into max_h (so the viewport never cuts a text line)."""
    fits = [b for b in body.breaks if b <= max_h]
    return int(max(fits)) if fits else min(max_h, body.img.height)


def _clock_texts(loc: Locale, t: datetime) -> tuple[str, str]:
    return loc.time(t).replace(" Uhr", ""), loc.date_numeric(t.date())


def desktop(body: Sheet, screen: Screen, style: Style, loc: Locale, clock: datetime | None, url: str,
            title: str, os_style: str = "win", taskbar_dark: bool = True) -> Sheet:
    W, H = screen.width, screen.height
    px = lambda v: max(1, round(v * screen.scale))  # noqa: E731
    canvas = Sheet(Image.new("RGB", (W, H), style.bg))
    canvas.text_px = body.text_px
    d = canvas.draw
    top = 0
    bottom = H
    ui = "dejavu-sans" if loc.lang in ("en", "de", "fr") else loc.font_family
    from samples import fonts

    def f(size, bold=False):
        return fonts.font(ui, px(size), bold)

    if os_style == "mac":
        mb = px(26)
        d.rectangle((0, 0, W, mb), fill=(236, 236, 238) if not style.dark else (40, 40, 44))
        fg = (20, 20, 20) if not style.dark else (235, 235, 235)
        d.text((px(40), mb // 2), "Safari", font=f(13, True), fill=fg, anchor="lm")
        x = px(100)
        for m in ["File", "Edit", "View", "History", "Window", "Help"]:
            d.text((x, mb // 2), m, font=f(13), fill=fg, anchor="lm")
            x += d.textlength(m, font=f(13)) + px(18)
        if clock is not None:
            txt = loc.menubar_clock(clock)
            canvas.text((W - px(14), mb // 2), txt, f(13), fg, kind="timestamp", anchor="rm",
                        value=clock.strftime("%Y-%m-%dT%H:%M"), clock=True, year_shown=False)
        top = mb
    else:
        tb = px(48)
        bottom = H - tb
        tb_bg = (32, 32, 36) if taskbar_dark else (238, 240, 244)
        tb_fg = (245, 245, 245) if taskbar_dark else (20, 20, 20)
        d.rectangle((0, bottom, W, H), fill=tb_bg)
        # start button and a few pinned apps
        cx = px(24)
        s = px(9)
        for dx, dy in [(0, 0), (s + px(2), 0), (0, s + px(2)), (s + px(2), s + px(2))]:
            d.rectangle((cx + dx, bottom + px(14) + dy, cx + dx + s, bottom + px(14) + dy + s), fill=(0, 120, 215))
        for i, col in enumerate([(255, 185, 0), (0, 164, 239), (242, 80, 34), (127, 186, 0)]):
            x0 = px(80) + i * px(46)
            d.rounded_rectangle((x0, bottom + px(10), x0 + px(28), bottom + px(38)), radius=px(5), fill=col)
        if clock is not None:
            ttxt, dtxt = _clock_texts(loc, clock)
            rx = W - px(18)
            canvas.text((rx, bottom + px(8)), ttxt, f(12), tb_fg, kind="timestamp", anchor="ra",
                        value=clock.strftime("%H:%M"), clock=True, time_only=True)
            canvas.text((rx, bottom + px(26)), dtxt, f(12), tb_fg, kind="timestamp", anchor="ra",
                        value=clock.date().isoformat(), clock=True)
            # tray icons left of the clock
            tx = rx - px(110)
            for i in range(3):
                d.ellipse((tx - i * px(26), bottom + px(18), tx - i * px(26) + px(12), bottom + px(30)), outline=tb_fg,
                          width=max(1, px(1)))
    # browser chrome
    bar = (222, 225, 230) if not style.dark else (32, 33, 36)
    tab = style.bg
    fg = (30, 30, 30) if not style.dark else (225, 225, 225)
    tab_h, addr_h = px(38), px(44)
    d.rectangle((0, top, W, top + tab_h + addr_h), fill=bar)
    d.rounded_rectangle((px(12), top + px(6), px(12) + px(260), top + tab_h + px(8)), radius=px(8), fill=tab)
    tt = title if d.textlength(title, font=f(12)) < px(220) else title[:24] + "…"
    d.text((px(28), top + px(6) + tab_h // 2), tt, font=f(12), fill=fg, anchor="lm")
    if os_style == "mac":
        for i, col in enumerate([(255, 95, 87), (255, 189, 46), (39, 201, 63)]):
            d.ellipse((W - px(90) + i * px(22), top + px(13), W - px(78) + i * px(22), top + px(25)), fill=col)
    ay = top + tab_h
    d.rectangle((0, ay, W, ay + addr_h), fill=tab)
    d.rounded_rectangle((px(110), ay + px(7), W - px(110), ay + addr_h - px(7)), radius=px(15),
                        fill=(241, 243, 244) if not style.dark else (53, 54, 58))
    d.text((px(132), ay + addr_h // 2), url, font=f(13), fill=fg, anchor="lm")
    for i in range(3):
        d.ellipse((px(16) + i * px(30), ay + px(14), px(32) + i * px(30), ay + px(30)), outline=fg, width=px(2))
    vy = ay + addr_h
    d.line((0, vy, W, vy), fill=style.border, width=max(1, px(1)))
    vy += max(1, px(1))
    view_h = bottom - vy
    clip = clip_at_break(body, view_h)
    bx = max(0, (W - body.img.width) // 2)
    body.paste_into(canvas, (bx, vy), clip_h=clip)
    return canvas


def _status_icons(d, x_right: int, cy: int, px, fg) -> None:
    # battery
    bw, bh = px(25), px(12)
    x0 = x_right - bw
    d.rounded_rectangle((x0, cy - bh // 2, x_right, cy + bh // 2), radius=px(3), outline=fg, width=max(1, px(1)))
    d.rectangle((x0 + px(2), cy - bh // 2 + px(2), x0 + int(bw * 0.7), cy + bh // 2 - px(2)), fill=fg)
    # wifi wedge and signal bars
    wx = x0 - px(26)
    d.pieslice((wx - px(9), cy - px(8), wx + px(9), cy + px(10)), 225, 315, fill=fg)
    sx = wx - px(34)
    for i in range(4):
        h = px(4 + 2.5 * i)
        d.rectangle((sx + i * px(5), cy + px(6) - h, sx + i * px(5) + px(3), cy + px(6)), fill=fg)


def phone(body: Sheet, screen: Screen, style: Style, loc: Locale, clock: datetime | None, title: str,
          platform: str = "ios") -> Sheet:
    W, H = screen.width, screen.height
    px = lambda v: max(1, round(v * screen.scale))  # noqa: E731
    canvas = Sheet(Image.new("RGB", (W, H), style.bg))
    canvas.text_px = body.text_px
    d = canvas.draw
    from samples import fonts
    ui = "dejavu-sans" if loc.lang in ("en", "de", "fr") else loc.font_family
    fg = style.fg
    sb = px(47 if platform == "ios" else 28)
    if clock is not None:
        if platform == "ios":
            txt = loc.clock(clock)
            canvas.text((px(52), sb // 2 + px(2)), txt, fonts.font(ui, px(17), True), fg, kind="timestamp",
                        anchor="mm", value=clock.strftime("%H:%M"), clock=True, time_only=True)
        else:
            txt = f"{clock:%H:%M}"
            canvas.text((px(16), sb // 2), txt, fonts.font(ui, px(14)), fg, kind="timestamp", anchor="lm",
                        value=clock.strftime("%H:%M"), clock=True, time_only=True)
    _status_icons(d, W - px(24), sb // 2 + px(2), px, fg)
    # app header
    hh = px(52)
    d.rectangle((0, sb, W, sb + hh), fill=style.surface)
    d.line((px(18), sb + hh // 2, px(26), sb + hh // 2 - px(8)), fill=style.accent, width=px(3))
    d.line((px(18), sb + hh // 2, px(26), sb + hh // 2 + px(8)), fill=style.accent, width=px(3))
    tf = fonts.font(ui, px(17), True)
    tt = title if d.textlength(title, font=tf) < W - px(120) else title[:18] + "…"
    d.text((W // 2, sb + hh // 2), tt, font=tf, fill=fg, anchor="mm")
    vy = sb + hh + max(1, px(1))
    d.line((0, vy - 1, W, vy - 1), fill=style.border, width=max(1, px(1)))
    home = px(34)
    view_h = H - vy - home
    clip = clip_at_break(body, view_h)
    body.paste_into(canvas, (0, vy), clip_h=clip)
    if platform == "ios":
        d.rounded_rectangle((W // 2 - px(67), H - px(13), W // 2 + px(67), H - px(8)), radius=px(3), fill=fg)
    else:
        for i, x in enumerate([W // 4, W // 2, 3 * W // 4]):
            d.ellipse((x - px(7), H - px(24), x + px(7), H - px(10)), outline=style.muted, width=px(2))
    return canvas

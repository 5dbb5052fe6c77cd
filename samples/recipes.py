"""The calibration set's recipes: which layout, frame, language and defect each file gets.

Read as a table. `v1=True` marks the first, smaller release others calibrated against while the rest was built.
"""

from __future__ import annotations

from samples.calibration import Recipe

LANGS = [("en", "US"), ("de", "DE"), ("ja", "JP"), ("zh", "CN")]
SHORT = {"US": "us", "UK": "uk", "DE": "de", "FR": "fr", "JP": "jp", "CN": "cn"}


def R(name, lang, market, layout, frame="desktop", variant="clean", v1=False, group=None, **opts) -> Recipe:
    return Recipe(name=name, lang=lang, market=market, layout=layout, frame=frame, variant=variant, opts=opts,
                  group=group, v1=v1)


def recipes() -> list[Recipe]:
    out: list[Recipe] = []
    add = out.append
    # ---- clean files with facts, every layout in en/de/ja/zh
    for i, (lang, mk) in enumerate(LANGS):
        m = SHORT[mk]
        add(R(f"{m}_tracking_desktop", lang, mk, "tracking", "desktop", v1=True))
        add(R(f"{m}_tracking_phone", lang, mk, "tracking", "phone", v1=i < 2))
        add(R(f"{m}_order_desktop", lang, mk, "order", "desktop", v1=True))
        add(R(f"{m}_order_phone", lang, mk, "order", "phone"))
        add(R(f"{m}_refund_desktop", lang, mk, "refund", "desktop", v1=i in (1, 2)))
        add(R(f"{m}_refund_phone", lang, mk, "refund", "android"))
        add(R(f"{m}_messages_desktop", lang, mk, "messages", "mac" if i % 2 else "desktop", v1=i == 3))
        add(R(f"{m}_messages_phone", lang, mk, "messages", "phone"))
        add(R(f"{m}_label_photo", lang, mk, "label_photo", "none", v1=i == 0))
        add(R(f"{m}_refund_textpdf", lang, mk, "pdf_refund", "none", v1=i == 1))
        add(R(f"{m}_tracking_textpdf", lang, mk, "pdf_tracking", "none"))
        add(R(f"{m}_refund_scan", lang, mk, "pdf_scan", "none", v1=i == 1, dpi=200))
        add(R(f"{m}_tracking_scan", lang, mk, "pdf_scan", "none", dpi=300, render_dpi=300, doc="tracking"))
        # mildly degraded, still readable: facts must still be found
        add(R(f"{m}_tracking_jpeg60", lang, mk, "tracking", "desktop", "jpeg_mild"))
        add(R(f"{m}_order_phone_jpeg60", lang, mk, "order", "phone", "jpeg_mild"))
        add(R(f"{m}_refund_blur_mild", lang, mk, "refund", "desktop", "blur_mild", sigma=0.6))
        add(R(f"{m}_tracking_phone_blur_mild", lang, mk, "tracking", "android", "blur_mild", sigma=0.7))
        add(R(f"{m}_tracking_dark", lang, mk, "tracking", "desktop", "dark", dark=True, v1=i == 0))
        add(R(f"{m}_messages_dark_phone", lang, mk, "messages", "phone", "dark", dark=True))
        add(R(f"{m}_order_mac", lang, mk, "order", "mac"))
    # in transit: a delivery fact without a delivered scan (what `no-delivery-proof` is about)
    add(R("us_tracking_in_transit", "en", "US", "tracking", "desktop", delivered=False))
    add(R("de_tracking_in_transit_phone", "de", "DE", "tracking", "phone", delivered=False))
    add(R("jp_tracking_in_transit", "ja", "JP", "tracking", "desktop", delivered=False))
    add(R("cn_order_in_transit", "zh", "CN", "order", "desktop", delivered=False))
    for lang, mk in [("en", "UK"), ("fr", "FR")]:
        m = SHORT[mk]
        add(R(f"{m}_tracking_desktop", lang, mk, "tracking", "desktop", v1=mk == "UK"))
        add(R(f"{m}_order_phone", lang, mk, "order", "phone"))
        add(R(f"{m}_refund_desktop", lang, mk, "refund", "mac", v1=mk == "FR"))
        add(R(f"{m}_label_photo", lang, mk, "label_photo", "none"))

    # ---- blurry
    add(R("blurry_gauss_us_tracking", "en", "US", "tracking", "desktop", "blurry_gauss", v1=True))
    add(R("blurry_gauss_de_order_phone", "de", "DE", "order", "phone", "blurry_gauss"))
    add(R("blurry_gauss_jp_refund", "ja", "JP", "refund", "desktop", "blurry_gauss", v1=True))
    add(R("blurry_gauss_cn_messages", "zh", "CN", "messages", "desktop", "blurry_gauss"))
    add(R("blurry_motion_us_order", "en", "US", "order", "desktop", "blurry_motion", v1=True))
    add(R("blurry_motion_uk_tracking_phone", "en", "UK", "tracking", "phone", "blurry_motion"))
    add(R("blurry_motion_fr_refund", "fr", "FR", "refund", "desktop", "blurry_motion"))
    add(R("blurry_screenphoto_us_tracking", "en", "US", "tracking", "desktop", "blurry_screen_photo", v1=True))
    add(R("blurry_screenphoto_de_order", "de", "DE", "order", "desktop", "blurry_screen_photo"))
    add(R("blurry_screenphoto_jp_tracking", "ja", "JP", "tracking", "desktop", "blurry_screen_photo", sigma=4.0))
    add(R("blurry_label_photo_us", "en", "US", "label_photo", "none", "blurry_gauss", sigma=5.0))
    add(R("blurry_label_photo_shake_de", "de", "DE", "label_photo", "none", "blurry_motion", length=31))
    add(R("blurry_scan_de_refund", "de", "DE", "pdf_scan", "none", dpi=200, blur=3.5))

    # ---- low resolution
    add(R("lowres_down_us_tracking", "en", "US", "tracking", "desktop", "lowres_down", text_px=7.0, v1=True))
    add(R("lowres_down_de_order", "de", "DE", "order", "desktop", "lowres_down", text_px=7.5))
    add(R("lowres_down_jp_refund_phone", "ja", "JP", "refund", "phone", "lowres_down", text_px=8.0))
    add(R("lowres_down_cn_tracking", "zh", "CN", "tracking", "desktop", "lowres_down", text_px=7.0))
    # browser zoom shrinks the page but not the browser's tabs, address bar or the taskbar
    add(R("lowres_zoomedout_us_order", "en", "US", "order", "desktop", "lowres_tiny_css", v1=True,
          screen=(2560, 1440, 1.0), zoom=0.45, base_css=14.0, density=0.8))
    add(R("lowres_zoomedout_fr_tracking", "fr", "FR", "tracking", "desktop", "lowres_tiny_css",
          screen=(1920, 1080, 1.0), zoom=0.5, base_css=14.0))
    # borderline (cap 6.5-8.5 px): readable with effort, labelled "don't care"
    add(R("borderline_zoom67_us_tracking", "en", "US", "tracking", "desktop", "lowres_tiny_css",
          screen=(1366, 768, 1.0), zoom=0.67, base_css=14.0))
    add(R("borderline_zoom75_de_order", "de", "DE", "order", "desktop", "lowres_tiny_css",
          screen=(1920, 1080, 1.0), zoom=0.75, base_css=14.0))
    add(R("lowres_pdf72_de_refund", "de", "DE", "pdf_scan", "none", v1=True, dpi=72))
    add(R("lowres_pdf72_us_tracking", "en", "US", "pdf_scan", "none", dpi=72, doc="tracking"))
    add(R("lowres_thumb_us_order", "en", "US", "order", "desktop", "lowres_thumb", size=(480, 270)))
    add(R("lowres_thumb_jp_tracking_phone", "ja", "JP", "tracking", "phone", "lowres_thumb", size=(200, 434)))

    # ---- timestamp cropped (glyphs cut in half by the edge)
    add(R("tscut_statusbar_us_tracking", "en", "US", "tracking", "phone", "ts_cut", which="clock", side="top",
          v1=True))
    add(R("tscut_statusbar_ja_order", "ja", "JP", "order", "phone", "ts_cut", which="clock", side="top", frac=0.45))
    add(R("tscut_statusbar_de_messages", "de", "DE", "messages", "android", "ts_cut", which="clock", side="left",
          frac=0.5))
    add(R("tscut_taskbar_bottom_us_order", "en", "US", "order", "desktop", "ts_cut", which="clock", side="bottom",
          v1=True))
    add(R("tscut_taskbar_right_de_tracking", "de", "DE", "tracking", "desktop", "ts_cut", which="clock",
          side="right", frac=0.45))
    add(R("tscut_taskbar_bottom_cn_refund", "zh", "CN", "refund", "desktop", "ts_cut", which="clock", side="bottom",
          frac=0.55))
    add(R("tscut_menubar_uk_tracking", "en", "UK", "tracking", "mac", "ts_cut", which="clock", side="top"))
    add(R("tscut_watermark_us_label", "en", "US", "label_photo", "none", "ts_cut", side="right", v1=True))
    add(R("tscut_watermark_ja_label", "ja", "JP", "label_photo", "none", "ts_cut", side="bottom", frac=0.5))
    add(R("tscut_row_us_tracking", "en", "US", "tracking", "none", "ts_cut", which="row", side="bottom", v1=True,
          css_width=1000))
    add(R("tscut_row_de_messages", "de", "DE", "messages", "none", "ts_cut", which="row", side="top", css_width=800))
    add(R("tscut_row_cn_tracking", "zh", "CN", "tracking", "none", "ts_cut", which="row", side="bottom",
          css_width=1000))

    # ---- timestamp missing (no date or time anywhere: region captures without clocks, undated pages)
    add(R("tsmissing_us_order", "en", "US", "order", "none", "ts_missing", no_dates=True, v1=True, css_width=1000))
    add(R("tsmissing_de_tracking", "de", "DE", "tracking", "none", "ts_missing", no_dates=True, css_width=1000))
    add(R("tsmissing_jp_refund", "ja", "JP", "refund", "none", "ts_missing", no_dates=True, css_width=800))
    add(R("tsmissing_cn_messages", "zh", "CN", "messages", "none", "ts_missing", no_dates=True, css_width=800))
    add(R("tsmissing_us_label_photo", "en", "US", "label_photo", "none", "ts_missing", no_dates=True, v1=True))

    add(R("tsmissing_uk_order", "en", "UK", "order", "none", "ts_missing", no_dates=True, css_width=1100))
    add(R("tsmissing_fr_refund", "fr", "FR", "refund", "none", "ts_missing", no_dates=True, css_width=900))
    add(R("tsmissing_jp_tracking", "ja", "JP", "tracking", "none", "ts_missing", no_dates=True, css_width=1000))
    add(R("tsmissing_de_label_photo", "de", "DE", "label_photo", "none", "ts_missing", no_dates=True))
    add(R("tsmissing_us_messages_dark", "en", "US", "messages", "none", "ts_missing", no_dates=True, dark=True,
          css_width=700))
    add(R("tsmissing_cn_order", "zh", "CN", "order", "none", "ts_missing", no_dates=True, css_width=1000))

    # ---- order / tracking relation
    add(R("ordermismatch_us_order", "en", "US", "order", "desktop", "order_mismatch", v1=True))
    add(R("ordermismatch_de_refund", "de", "DE", "refund", "desktop", "order_mismatch"))
    add(R("ordermismatch_jp_messages", "ja", "JP", "messages", "phone", "order_mismatch"))
    add(R("ordermismatch_cn_order_phone", "zh", "CN", "order", "phone", "order_mismatch"))
    add(R("ordermismatch_uk_order_mac", "en", "UK", "order", "mac", "order_mismatch"))
    add(R("ordermismatch_fr_order_phone", "fr", "FR", "order", "phone", "order_mismatch"))
    add(R("ordermismatch_us_messages", "en", "US", "messages", "desktop", "order_mismatch"))
    add(R("ordermismatch_de_order_dark", "de", "DE", "order", "desktop", "order_mismatch", dark=True))
    add(R("ordermismatch_jp_refund_phone", "ja", "JP", "refund", "android", "order_mismatch"))
    add(R("ordermissing_us_order", "en", "US", "order", "desktop", "order_missing", show_order=False,
          show_tracking=False, v1=True))
    add(R("ordermissing_de_messages", "de", "DE", "messages", "desktop", "order_missing", show_order=False))
    add(R("ordermissing_fr_refund", "fr", "FR", "refund", "phone", "order_missing", show_order=False))
    add(R("ordermissing_cn_label_photo", "zh", "CN", "label_photo", "none", "order_missing", show_tracking=False))
    add(R("trackingmismatch_us_tracking", "en", "US", "tracking", "desktop", "tracking_mismatch", v1=True))
    add(R("trackingmismatch_de_tracking_phone", "de", "DE", "tracking", "phone", "tracking_mismatch"))
    add(R("trackingmismatch_jp_label_photo", "ja", "JP", "label_photo", "none", "tracking_mismatch"))
    add(R("trackingmismatch_cn_tracking", "zh", "CN", "tracking", "desktop", "tracking_mismatch"))
    add(R("trackingmismatch_fr_label_photo", "fr", "FR", "label_photo", "none", "tracking_mismatch"))
    add(R("trackingmismatch_uk_order", "en", "UK", "order", "desktop", "tracking_mismatch"))

    # ---- hard negatives: must raise no quality finding
    add(R("neg_jpeg_heavy_us_tracking", "en", "US", "tracking", "desktop", "jpeg_heavy", quality=30, v1=True,
          screen=(1920, 1080, 1.25)))
    add(R("neg_jpeg_heavy_de_order_phone", "de", "DE", "order", "phone", "jpeg_heavy", quality=35))
    add(R("neg_jpeg_heavy_jp_refund", "ja", "JP", "refund", "desktop", "jpeg_heavy", quality=35,
          screen=(2560, 1440, 2.0)))
    add(R("neg_smallcrop_us_tracking", "en", "US", "tracking", "desktop", "small_crop", v1=True,
          screen=(1920, 1080, 1.0)))
    add(R("neg_smallcrop_de_refund", "de", "DE", "refund", "desktop", "small_crop", screen=(1366, 768, 1.0)))
    add(R("neg_smallcrop_cn_tracking", "zh", "CN", "tracking", "desktop", "small_crop", screen=(1920, 1080, 1.0)))
    add(R("neg_empty_us_refund", "en", "US", "refund", "desktop", "empty", v1=True, screen=(2560, 1440, 1.0),
          max_css=640, density=1.3))
    add(R("neg_empty_ja_messages", "ja", "JP", "messages", "desktop", "empty", screen=(2560, 1600, 2.0)))
    add(R("neg_empty_de_refund_phone", "de", "DE", "refund", "phone", "empty", density=1.3))
    add(R("neg_zoomed_us_order", "en", "US", "order", "desktop", "zoomed_readable", text_px=13.0, v1=True,
          screen=(2560, 1440, 2.0)))
    add(R("neg_zoomed_de_tracking", "de", "DE", "tracking", "desktop", "zoomed_readable", text_px=12.5,
          screen=(2560, 1600, 2.0)))
    add(R("neg_zoomed_cn_order", "zh", "CN", "order", "desktop", "zoomed_readable", text_px=14.0,
          screen=(2560, 1440, 1.5)))
    add(R("neg_photo_heavybg_fr_label", "fr", "FR", "label_photo", "none", "clean", bg_blur=18.0))
    add(R("neg_dark_phone_cn_tracking", "zh", "CN", "tracking", "phone", "dark", dark=True))
    add(R("neg_dark_jpeg_us_order", "en", "US", "order", "desktop", "dark", dark=True, jpeg=70))

    # ---- duplicates within one claim (group), and a look-alike that is not a duplicate
    add(R("dup_a_us_tracking", "en", "US", "tracking", "desktop", group="dup1", v1=True))
    add(R("dup_b_us_tracking_same_bytes", "en", "US", "dup", "none", "dup_exact", group="dup1", of="dup_a_us_tracking",
          v1=True))
    add(R("dup_a_de_order", "de", "DE", "order", "phone", group="dup2"))
    add(R("dup_b_de_order_reencoded", "de", "DE", "dup", "none", "dup_reencode", group="dup2", of="dup_a_de_order"))
    add(R("dup_a_jp_refund", "ja", "JP", "refund", "desktop", group="dup3"))
    add(R("dup_b_jp_refund_resized", "ja", "JP", "dup", "none", "dup_reencode", group="dup3", of="dup_a_jp_refund",
          scale=0.8))
    add(R("dup_a_cn_label", "zh", "CN", "label_photo", "none", group="dup4"))
    add(R("dup_b_cn_label_same_bytes", "zh", "CN", "dup", "none", "dup_exact", group="dup4", of="dup_a_cn_label"))
    add(R("lookalike_a_us_tracking", "en", "US", "tracking", "desktop", group="look1", carrier="UPS",
          screen=(1920, 1080, 1.0)))
    add(R("lookalike_b_us_tracking", "en", "US", "tracking", "desktop", group="look1", carrier="UPS",
          screen=(1920, 1080, 1.0)))

    # ---- file rules
    fr = "file_rule"
    add(R("rule_corrupt_png", "en", "US", fr, "none", "corrupt_png", v1=True))
    add(R("rule_corrupt_jpeg", "en", "US", fr, "none", "corrupt_jpeg"))
    add(R("rule_corrupt_pdf", "de", "DE", fr, "none", "corrupt_pdf"))
    add(R("rule_unsupported_docx", "en", "US", fr, "none", "unsupported_docx", v1=True))
    add(R("rule_unsupported_html", "en", "US", fr, "none", "unsupported_html"))
    add(R("rule_unsupported_text", "en", "US", fr, "none", "unsupported_text"))
    add(R("rule_encrypted_user", "de", "DE", fr, "none", "encrypted_user", v1=True))
    add(R("rule_encrypted_user_2", "en", "US", fr, "none", "encrypted_user"))
    add(R("rule_encrypted_user_3", "ja", "JP", fr, "none", "encrypted_user"))
    # owner password only: opens in every viewer without asking, so it is readable (labelled not encrypted)
    add(R("rule_encrypted_owner", "en", "US", fr, "none", "encrypted_owner"))
    add(R("rule_bomb_png_1bit", "en", "US", fr, "none", "too_many_pixels", size=(8000, 7000), v1=True))
    add(R("rule_bomb_png_gray", "en", "US", fr, "none", "too_many_pixels", size=(10000, 6000), mode="L"))
    add(R("rule_bomb_gif", "en", "US", fr, "none", "too_many_pixels", size=(9000, 6000), mode="L", fmt="GIF"))
    add(R("rule_big_png", "en", "US", fr, "none", "too_many_bytes", size=(1900, 1900), v1=True))
    add(R("rule_big_jpeg", "en", "US", fr, "none", "too_many_bytes", size=(3000, 2400), fmt="JPEG"))
    add(R("rule_many_pages", "en", "US", fr, "none", "too_many_pages", pages=60))
    add(R("rule_active_js", "en", "US", fr, "none", "active_js", v1=True))
    add(R("rule_active_launch", "de", "DE", fr, "none", "active_launch"))
    add(R("rule_active_embedded", "ja", "JP", fr, "none", "active_embedded"))
    # spread the carriers: every carrier of a marketplace appears, in a fixed order
    seen: dict[str, int] = {}
    for r in out:
        if "carrier" not in r.opts and r.layout not in ("dup", "file_rule"):
            k = seen.get(r.market, 0)
            r.opts["carrier"] = CARRIER_CYCLE[r.market][k % len(CARRIER_CYCLE[r.market])]
            seen[r.market] = k + 1
    return out


CARRIER_CYCLE = {
    "US": ["UPS", "USPS", "FedEx", "AmazonLogistics", "DHL", "UPS", "USPS"],
    "UK": ["RoyalMail", "DHL", "UPS", "RoyalMail"],
    "DE": ["DeutschePost", "DHL", "UPS", "DeutschePost"],
    "FR": ["DHL", "UPS", "FedEx"],
    "JP": ["JapanPost", "Yamato", "JapanPost"],
    "CN": ["ChinaPost", "YunExpress", "Yanwen"],
}

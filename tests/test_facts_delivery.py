"""Delivery status from carrier wording in seven languages, negatives that must not read as delivered, and the
date and place of the delivered event."""

from __future__ import annotations

from datetime import date

import pytest

from evidence_svc.facts.delivery import find_delivery, rules
from evidence_svc.model import Word
from evidence_svc.text import Line

WINDOW = (date(2026, 7, 1), date(2026, 12, 31))


def lines_of(texts: list[str], x0: int = 0) -> list[Line]:
    out = []
    for i, text in enumerate(texts):
        words, x = [], x0
        for tok in text.split():
            words.append(Word(text=tok, box=(x, 30 * i, x + 10 * len(tok), 30 * i + 20)))
            x += 10 * len(tok) + 6
        out.append(Line(0, tuple(words)))
    return out


def deliv(texts: list[str], lang: str = "en", order: str = "MDY"):
    f = find_delivery(lines_of(texts), lang, order, WINDOW)
    return f.status, f.date


@pytest.mark.parametrize("texts,lang,order", [
    (["Delivered", "Thursday, November 5, 2026 at 10:32 am"], "en", "MDY"),
    (["Nov 5, 2026 10:32 AM Delivered, Front Door/Porch"], "en", "MDY"),
    (["Zugestellt am 05.11.2026"], "de", "DMY"),
    (["Livré le 5 novembre 2026"], "fr", "DMY"),
    (["Consegnato 5 novembre 2026"], "it", "DMY"),
    (["Entregado el 5 de noviembre de 2026"], "es", "DMY"),
    (["配達 完了", "2026 年 11 月 5 日 (木) 07:34"], "ja", "YMD"),  # tesseract spaces CJK characters
    (["2026/11/05 07:34 名 古屋 中 郵便 局 お届け済み"], "ja", "YMD"),
    (["2026-11-05 14:05:33 已签收"], "zh", "YMD"),
    (["2026-11-05 14:05:33 【深圳】快件 已 妥投"], "zh", "YMD"),
])
def test_delivered_with_its_date(texts, lang, order):
    assert deliv(texts, lang, order) == ("delivered", "2026-11-05")


@pytest.mark.parametrize("texts,want", [
    (["Out for delivery", "November 5, 2026"], ("in_transit", "2026-11-05")),
    (["Expected delivery November 5, 2026"], (None, None)),
    (["Estimated delivery: Nov 5, 2026"], (None, None)),
    (["Will be delivered by Friday"], (None, None)),
    (["Delivery attempted Nov 4, 2026", "Not delivered"], ("exception", "2026-11-04")),
    (["Not delivered - returned to sender"], ("exception", None)),
    (["Arriving Friday"], ("in_transit", None)),
    (["Voraussichtliche Zustellung: 05.11.2026"], (None, None)),
])
def test_negatives_are_not_delivered(texts, want):
    lang = "de" if texts[0].startswith("Voraus") else "en"
    assert deliv(texts, lang, "DMY" if lang == "de" else "MDY") == want


def test_timeline_row_takes_its_own_date_not_the_neighbours():
    rows = ["11/05/2026 2:15 P.M.", "Delivered", "11/04/2026 8:00 A.M.", "Out for Delivery"]
    assert deliv(rows) == ("delivered", "2026-11-05")
    rows = ["11/05/2026 9:00 AM Delivered", "11/04/2026 8:00 AM Out for Delivery"]
    assert deliv(rows) == ("delivered", "2026-11-05")


def test_delivered_wins_over_earlier_exceptions_and_a_dated_mention_wins():
    rows = ["Delivered", "Nov 6, 2026 9:00 AM Delivered SEATTLE, WA 98101", "Nov 5, 2026 Delivery attempted"]
    assert deliv(rows) == ("delivered", "2026-11-06")


@pytest.mark.parametrize("texts,place", [
    (["Delivered", "Thursday, November 5, 2026 at 10:32 am", "SEATTLE, WA 98101"], "SEATTLE, WA 98101"),
    (["Your item was delivered to the front desk at 10:32 am on November 5, 2026"], "front desk"),
    (["Nov 5, 2026 Delivered, Front Door/Porch SEATTLE, WA 98101"], "SEATTLE, WA 98101 (Front Door)"),
    (["Zugestellt", "Ort: München", "Zugestellt an Nachbarn"], "München (Nachbarn)"),
    (["配達 完了", "取扱 局 : 名 古屋 中 郵便 局 @ る る"], "名古屋中郵便局"),
    (["Zugestellt am 05.11.2026 an Nachbar"], "Nachbar"),
    (["2026年11月5日 14:05 配達完了 東京都"], "東京都"),
])
def test_location_of_the_delivered_event(texts, place):
    lang = "de" if "Zugestellt" in texts[0] else "ja" if "配達" in texts[0] else "en"
    f = find_delivery(lines_of(texts), lang, {"de": "DMY", "ja": "YMD"}.get(lang, "MDY"), WINDOW)
    assert f.location == place


def test_fact_has_page_and_box_of_the_event():
    f = find_delivery(lines_of(["Status", "Delivered Nov 5, 2026"]), "en", "MDY", WINDOW)
    assert f.page == 0 and f.box is not None and f.box[1] == 30


def test_wording_is_data_in_every_language():
    cfg = rules()["status"]
    for phrase in ("delivered", "zugestellt", "livré", "consegnato", "entregado", "配達完了", "お届け済み", "已签收", "妥投"):
        assert phrase in cfg["delivered"]
    for phrase in ("out for delivery", "delivery attempted", "not delivered"):
        assert phrase in cfg["in_transit"] + cfg["exception"]
    assert "expected delivery" in cfg["ignore"]


@pytest.mark.parametrize("texts,lang,want", [
    (["Colis livree le 5 novembre 2026"], "fr", ("delivered", "2026-11-05")),  # OCR dropped the accent
    (["Zugestellt", "05.11.2026"], "de", ("delivered", "2026-11-05")),
    (["Zustellversuch 05.11.2026"], "de", ("exception", "2026-11-05")),
    (["Entrega efectuada 05/11/2026"], "es", ("delivered", "2026-11-05")),
    (["Recapitato 05/11/2026"], "it", ("delivered", "2026-11-05")),
    (["2026/11/05 07:34 投函完了"], "ja", ("delivered", "2026-11-05")),
    (["Livre de poche, édition 2026"], "fr", (None, None)),  # "livré" keeps its accent: a book is not a delivery
])
def test_carrier_wording_without_accents_and_in_more_carriers(texts, lang, want):
    assert deliv(texts, lang, "YMD" if lang == "ja" else "DMY") == want


@pytest.mark.parametrize("texts,lang,want", [
    # a refund "returned" to the card is not a parcel returned to sender
    (["已 退 款", "您 的 退 款 ¥89.00 已 于 2026 年 11 月 8 日 退回 。"], "zh", (None, None)),
    (["退款 将 原路 退回 您的 支付 账户"], "zh", (None, None)),
    (["Ihre Rücksendung ist eingegangen. Erstattung: 12,99 €"], "de", (None, None)),
    (["返品 を 受け付け まし た 。 返送 料 は 無料 です"], "ja", (None, None)),
    # the same words on a tracking page are an exception
    (["2026-11-08 14:00 包裹 已 退回"], "zh", ("exception", "2026-11-08")),
    (["Rücksendung an den Absender 08.11.2026"], "de", ("exception", "2026-11-08")),
])
def test_exception_words_in_refund_and_return_contexts(texts, lang, want):
    assert deliv(texts, lang, "YMD" if lang in ("zh", "ja") else "DMY") == want

"""Locale-correct dates, times, money and UI strings for the sample layouts (en-US, en-GB, de, fr, ja, zh).

Hand-written tables instead of babel so the rendered text is exactly what each marketplace shows (babel's CLDR
forms differ in small ways from the pages being imitated, e.g. "14:41 Uhr", "￥2,480", "2,480円").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

MONTHS = {
    "en": ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"],
    "de": ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
           "November", "Dezember"],
    "fr": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
           "novembre", "décembre"],
}
WEEKDAYS = {
    "en": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
    "de": ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"],
    "fr": ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"],
    "ja": ["月", "火", "水", "木", "金", "土", "日"],
    "zh": ["一", "二", "三", "四", "五", "六", "日"],
}


@dataclass(frozen=True)
class Locale:
    lang: str  # en de fr ja zh
    marketplace: str  # US UK DE FR JP CN
    currency: str  # ISO 4217

    @property
    def font_family(self) -> str:
        return {"ja": "noto-cjk-jp", "zh": "noto-cjk-sc"}.get(self.lang, "")

    # ---- dates
    def date_long(self, d: date) -> str:
        if self.lang == "en":
            if self.marketplace == "US":
                return f"{MONTHS['en'][d.month - 1]} {d.day}, {d.year}"
            return f"{d.day} {MONTHS['en'][d.month - 1]} {d.year}"
        if self.lang == "de":
            return f"{d.day}. {MONTHS['de'][d.month - 1]} {d.year}"
        if self.lang == "fr":
            return f"{d.day} {MONTHS['fr'][d.month - 1]} {d.year}"
        return f"{d.year}年{d.month}月{d.day}日"

    def date_medium(self, d: date) -> str:
        if self.lang == "en":
            mon = MONTHS["en"][d.month - 1][:3]
            return f"{mon} {d.day}, {d.year}" if self.marketplace == "US" else f"{d.day} {mon} {d.year}"
        if self.lang == "de":
            return f"{d:%d.%m.%Y}"
        if self.lang == "fr":
            return f"{d.day} {MONTHS['fr'][d.month - 1]} {d.year}"
        return f"{d.year}年{d.month}月{d.day}日"

    def date_numeric(self, d: date) -> str:
        if self.lang == "en":
            return f"{d:%m/%d/%Y}" if self.marketplace == "US" else f"{d:%d/%m/%Y}"
        if self.lang == "de":
            return f"{d:%d.%m.%Y}"
        if self.lang == "fr":
            return f"{d:%d/%m/%Y}"
        if self.lang == "ja":
            return f"{d:%Y/%m/%d}"
        return f"{d:%Y-%m-%d}"

    def weekday_date(self, d: date) -> str:
        if self.lang == "en":
            return f"{WEEKDAYS['en'][d.weekday()]}, {self.date_long(d)}"
        if self.lang == "de":
            return f"{WEEKDAYS['de'][d.weekday()]}, {self.date_long(d)}"
        if self.lang == "fr":
            return f"{WEEKDAYS['fr'][d.weekday()]} {self.date_long(d)}"
        if self.lang == "ja":
            return f"{self.date_long(d)}（{WEEKDAYS['ja'][d.weekday()]}）"
        return f"{self.date_long(d)} 星期{WEEKDAYS['zh'][d.weekday()]}"

    def time(self, t: datetime, seconds: bool = False) -> str:
        if self.lang == "en" and self.marketplace == "US":
            h = t.hour % 12 or 12
            s = f":{t.second:02d}" if seconds else ""
            return f"{h}:{t.minute:02d}{s} {'AM' if t.hour < 12 else 'PM'}"
        s = f":{t.second:02d}" if seconds else ""
        base = f"{t.hour:02d}:{t.minute:02d}{s}" if self.lang in ("ja", "zh") or self.marketplace == "UK" \
            else f"{t.hour}:{t.minute:02d}{s}"
        if self.lang == "de":
            return f"{t.hour:02d}:{t.minute:02d}{s} Uhr"
        return base

    def datetime_row(self, t: datetime) -> str:
        """A timeline row's date+time as carriers print it."""
        if self.lang == "zh":
            return f"{t:%Y-%m-%d %H:%M:%S}"
        if self.lang == "ja":
            return f"{t:%Y/%m/%d %H:%M}"
        return f"{self.date_numeric(t.date())} {self.time(t)}"

    def clock(self, t: datetime) -> str:
        """A status-bar or taskbar clock (time only)."""
        if self.marketplace == "US":
            return f"{t.hour % 12 or 12}:{t.minute:02d}"
        return f"{t.hour:02d}:{t.minute:02d}" if self.lang != "en" or self.marketplace == "UK" \
            else f"{t.hour}:{t.minute:02d}"

    def menubar_clock(self, t: datetime) -> str:
        """macOS menu-bar clock: weekday, day and month without the year, then the time."""
        wd, m = t.weekday(), t.month - 1
        if self.lang == "en":
            day = f"{MONTHS['en'][m][:3]} {t.day}" if self.marketplace == "US" else f"{t.day} {MONTHS['en'][m][:3]}"
            return f"{WEEKDAYS['en'][wd][:3]} {day}  {self.time(t)}"
        if self.lang == "de":
            return f"{WEEKDAYS['de'][wd][:2]}. {t.day}. {MONTHS['de'][m][:3]}.  {t:%H:%M}"
        if self.lang == "fr":
            return f"{WEEKDAYS['fr'][wd][:3]}. {t.day} {MONTHS['fr'][m][:4].rstrip('.')}.  {t:%H:%M}"
        return f"{t.month}月{t.day}日({WEEKDAYS[self.lang][wd]}) {t:%H:%M}"

    # ---- money
    def money(self, amount_cents: int, currency: str | None = None) -> str:
        cur = currency or self.currency
        if cur == "JPY":
            return f"￥{amount_cents // 100:,}" if self.lang == "ja" else f"¥{amount_cents // 100:,}"
        whole, cents = divmod(abs(amount_cents), 100)
        sign = "-" if amount_cents < 0 else ""
        if cur == "EUR":
            w = f"{whole:,}".replace(",", ".")
            return f"{sign}{w},{cents:02d} €"
        sym = {"USD": "$", "GBP": "£", "CNY": "¥", "CAD": "CA$"}.get(cur, cur + " ")
        if cur == "USD" and self.lang == "zh":
            sym = "US$"
        return f"{sign}{sym}{whole:,}.{cents:02d}"


def amount_str(amount_cents: int, currency: str) -> str:
    """The contract's decimal string: "23.45", "2480" for JPY."""
    if currency == "JPY":
        return str(amount_cents // 100)
    return f"{amount_cents // 100}.{amount_cents % 100:02d}"


LOCALES = {
    ("en", "US"): Locale("en", "US", "USD"),
    ("en", "UK"): Locale("en", "UK", "GBP"),
    ("de", "DE"): Locale("de", "DE", "EUR"),
    ("fr", "FR"): Locale("fr", "FR", "EUR"),
    ("ja", "JP"): Locale("ja", "JP", "JPY"),
    ("zh", "CN"): Locale("zh", "CN", "CNY"),
}

# UI strings, keyed by lang
T: dict[str, dict[str, str]] = {
    "en": {
        "delivered": "Delivered", "in_transit": "In Transit", "out_for_delivery": "Out for Delivery",
        "arrived": "Arrived at Facility", "departed": "Departed Facility", "picked_up": "Picked Up",
        "label": "Shipping Label Created", "tracking_number": "Tracking Number", "track": "Track package",
        "order_details": "Order Details", "ordered_on": "Ordered on", "order_no": "Order#",
        "ship_to": "Ship to", "payment": "Payment method", "summary": "Order Summary", "items": "Item(s) Subtotal",
        "shipping": "Shipping & Handling", "tax": "Estimated tax", "total": "Grand Total",
        "refund_title": "Your refund has been issued", "refund_issued": "Refund issued", "refund_total": "Refund total",
        "refund_to": "Refunded to", "card": "Visa ending in 4417", "messages": "Buyer-Seller Messages",
        "buyer": "Buyer", "seller": "You", "order": "Order", "left_at": "Left at front door",
        "delivered_to": "Delivered, Front Door/Porch", "signed": "Signed by", "status": "Status",
        "expected": "Expected delivery", "shipped_with": "Shipped with", "qty": "Qty",
        "invoice": "Invoice", "receipt": "Refund receipt", "date": "Date", "amount": "Amount",
        "thanks": "Thank you for shopping with us.", "help": "Need help?", "shipment_progress": "Shipment Progress",
        "history": "Tracking history", "details": "Details", "location": "Location",
        "reason": "Reason", "reason_text": "Item not received",
    },
    "de": {
        "delivered": "Zugestellt", "in_transit": "Unterwegs", "out_for_delivery": "In Zustellung",
        "arrived": "Im Zielpaketzentrum bearbeitet", "departed": "Im Startpaketzentrum bearbeitet",
        "picked_up": "Vom Absender übergeben", "label": "Elektronisch angekündigt",
        "tracking_number": "Sendungsnummer", "track": "Sendung verfolgen",
        "order_details": "Bestelldetails", "ordered_on": "Bestellt am", "order_no": "Bestellnr.",
        "ship_to": "Lieferadresse", "payment": "Zahlungsart", "summary": "Bestellübersicht",
        "items": "Zwischensumme", "shipping": "Verpackung & Versand", "tax": "enthaltene USt.",
        "total": "Gesamtsumme", "refund_title": "Ihre Rückerstattung wurde veranlasst",
        "refund_issued": "Rückerstattung", "refund_total": "Erstatteter Betrag", "refund_to": "Erstattet auf",
        "card": "Mastercard mit Endziffern 2291", "messages": "Käufer-Verkäufer-Nachrichten", "buyer": "Käufer",
        "seller": "Sie", "order": "Bestellung", "left_at": "Beim Nachbarn abgegeben",
        "delivered_to": "Zugestellt an Nachbarn", "signed": "Empfangen von", "status": "Status",
        "expected": "Voraussichtliche Zustellung", "shipped_with": "Versand mit", "qty": "Menge",
        "invoice": "Rechnung", "receipt": "Erstattungsbeleg", "date": "Datum", "amount": "Betrag",
        "thanks": "Vielen Dank für Ihren Einkauf.", "help": "Hilfe", "shipment_progress": "Sendungsverlauf",
        "history": "Sendungsverlauf", "details": "Details", "location": "Ort",
        "reason": "Grund", "reason_text": "Artikel nicht erhalten",
    },
    "fr": {
        "delivered": "Livré", "in_transit": "En transit", "out_for_delivery": "En cours de livraison",
        "arrived": "Arrivé sur le site", "departed": "Parti du site", "picked_up": "Pris en charge",
        "label": "Étiquette créée", "tracking_number": "Numéro de suivi", "track": "Suivre votre colis",
        "order_details": "Détails de la commande", "ordered_on": "Commandé le", "order_no": "N° de commande",
        "ship_to": "Adresse de livraison", "payment": "Mode de paiement", "summary": "Récapitulatif",
        "items": "Sous-total", "shipping": "Livraison", "tax": "TVA", "total": "Montant total",
        "refund_title": "Votre remboursement a été émis", "refund_issued": "Remboursement",
        "refund_total": "Montant remboursé", "refund_to": "Remboursé sur", "card": "Carte Visa se terminant par 0381",
        "messages": "Messages acheteur-vendeur", "buyer": "Acheteur", "seller": "Vous", "order": "Commande",
        "left_at": "Déposé dans la boîte aux lettres", "delivered_to": "Livré en boîte aux lettres",
        "signed": "Signé par", "status": "Statut", "expected": "Livraison prévue", "shipped_with": "Expédié avec",
        "qty": "Qté", "invoice": "Facture", "receipt": "Reçu de remboursement", "date": "Date", "amount": "Montant",
        "thanks": "Merci pour votre achat.", "help": "Aide", "shipment_progress": "Suivi de l'envoi",
        "history": "Historique", "details": "Détails", "location": "Lieu",
        "reason": "Motif", "reason_text": "Article non reçu",
    },
    "ja": {
        "delivered": "配達完了", "in_transit": "輸送中", "out_for_delivery": "配達中",
        "arrived": "到着", "departed": "発送", "picked_up": "引受", "label": "受付",
        "tracking_number": "お問い合わせ番号", "track": "配送状況を確認",
        "order_details": "注文の詳細", "ordered_on": "注文日", "order_no": "注文番号",
        "ship_to": "お届け先住所", "payment": "お支払い方法", "summary": "注文内容",
        "items": "商品の小計", "shipping": "配送料・手数料", "tax": "税込", "total": "ご請求額",
        "refund_title": "返金処理が完了しました", "refund_issued": "返金額", "refund_total": "返金合計",
        "refund_to": "返金先", "card": "JCB 末尾 5520", "messages": "購入者とのメッセージ", "buyer": "購入者",
        "seller": "出品者", "order": "注文", "left_at": "宅配ボックスに配達",
        "delivered_to": "お届け先にお届け済み", "signed": "受領者", "status": "状態",
        "expected": "お届け予定日", "shipped_with": "配送業者", "qty": "数量",
        "invoice": "領収書", "receipt": "返金明細", "date": "日付", "amount": "金額",
        "thanks": "ご利用ありがとうございました。", "help": "ヘルプ", "shipment_progress": "配送状況",
        "history": "履歴情報", "details": "詳細", "location": "取扱局",
        "reason": "理由", "reason_text": "商品未着",
    },
    "zh": {
        "delivered": "已签收", "in_transit": "运输中", "out_for_delivery": "派送中",
        "arrived": "到达处理中心", "departed": "离开处理中心", "picked_up": "已揽收", "label": "电子信息已收到",
        "tracking_number": "运单号", "track": "查看物流",
        "order_details": "订单详情", "ordered_on": "下单时间", "order_no": "订单编号",
        "ship_to": "收货地址", "payment": "付款方式", "summary": "订单摘要",
        "items": "商品小计", "shipping": "运费", "tax": "税费", "total": "订单总额",
        "refund_title": "退款已完成", "refund_issued": "退款金额", "refund_total": "退款总额",
        "refund_to": "退款至", "card": "原支付方式", "messages": "买家消息", "buyer": "买家", "seller": "卖家",
        "order": "订单", "left_at": "已放入快递柜", "delivered_to": "已签收，本人签收", "signed": "签收人",
        "status": "状态", "expected": "预计送达", "shipped_with": "承运商", "qty": "数量",
        "invoice": "发票", "receipt": "退款凭证", "date": "日期", "amount": "金额",
        "thanks": "感谢您的惠顾。", "help": "帮助", "shipment_progress": "物流进度",
        "history": "物流轨迹", "details": "详情", "location": "地点",
        "reason": "原因", "reason_text": "未收到货",
    },
}

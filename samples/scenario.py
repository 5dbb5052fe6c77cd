"""What one piece of evidence is about: an order, its shipment and events, refund, messages and the moment the
screenshot was taken. Built from a seeded `random.Random`, so the same seed always gives the same story.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from samples import tracking as trk
from samples.locales import LOCALES, T, Locale, amount_str

# Claims are opened relative to this fixed moment so the samples never depend on today's date.
CLAIM_OPENED = datetime(2026, 11, 24, 9, 0, 0)

CARRIERS_BY_MARKET = {
    "US": ["UPS", "USPS", "FedEx", "AmazonLogistics", "DHL"],
    "UK": ["RoyalMail", "DHL", "UPS"],
    "DE": ["DeutschePost", "DHL", "UPS"],
    "FR": ["DHL", "UPS", "FedEx"],
    "JP": ["JapanPost", "Yamato"],
    "CN": ["ChinaPost", "YunExpress", "Yanwen"],
}

# carrier -> tracking-number carrier name in the report contract (Yamato numbers are not in our spec: its
# pages here show a Japan Post S10 number for the international leg, as cross-border shipments do)
CONTRACT_CARRIER = {"Yamato": "JapanPost"}

CITIES = {
    "US": [("AUSTIN, TX, US", "Austin, TX 78701"), ("COLUMBUS, OH, US", "Columbus, OH 43215"),
           ("PORTLAND, OR, US", "Portland, OR 97205"), ("RALEIGH, NC, US", "Raleigh, NC 27601"),
           ("DENVER, CO, US", "Denver, CO 80202")],
    "UK": [("MANCHESTER", "Manchester M1 2AB"), ("LEEDS", "Leeds LS1 4DY"), ("BRISTOL", "Bristol BS1 5TR")],
    "DE": [("Berlin", "10115 Berlin"), ("München", "80331 München"), ("Hamburg", "20095 Hamburg"),
           ("Köln", "50667 Köln")],
    "FR": [("Lyon", "69002 Lyon"), ("Paris", "75011 Paris"), ("Toulouse", "31000 Toulouse")],
    "JP": [("渋谷郵便局", "東京都渋谷区神南1-2-3"), ("大阪中央郵便局", "大阪府大阪市北区梅田3-1"),
           ("名古屋中郵便局", "愛知県名古屋市中村区名駅1-1")],
    "CN": [("深圳市", "广东省深圳市南山区科技园"), ("义乌市", "浙江省义乌市稠城街道"), ("上海市", "上海市浦东新区张江路")],
}
HUBS = {
    "US": ["LOUISVILLE, KY, US", "MEMPHIS, TN, US", "CHICAGO, IL, US", "ONTARIO, CA, US", "DALLAS, TX, US"],
    "UK": ["HEATHROW WORLDWIDE DC", "NATIONAL DC NORTHAMPTON", "WARRINGTON MC"],
    "DE": ["Paketzentrum Leipzig", "Paketzentrum Frankfurt", "Briefzentrum Hamburg"],
    "FR": ["Roissy CDG Hub", "Plateforme Chilly-Mazarin", "Centre de tri Lyon"],
    "JP": ["東京国際郵便局", "新東京郵便局", "川崎東郵便局"],
    "CN": ["深圳国际邮件处理中心", "广州航空邮件处理中心", "上海国际邮件互换局"],
}
NAMES = {
    "US": ["Jordan Miller", "Ashley Brooks", "Michael Chen", "Sarah Johnson"],
    "UK": ["Oliver Hughes", "Emily Clarke", "Harry Patel"],
    "DE": ["Lukas Schneider", "Anna Becker", "Jonas Weber"],
    "FR": ["Camille Martin", "Louis Bernard", "Chloé Dubois"],
    "JP": ["佐藤 健", "鈴木 花子", "高橋 翔太"],
    "CN": ["张伟", "李娜", "王芳"],
}
ITEMS = {
    "en": [("USB-C Charging Cable 2m, 2-Pack", 1299), ("Stainless Steel Water Bottle 750ml", 2345),
           ("Wireless Mouse, Silent Click", 1899), ("LED Desk Lamp with Clamp", 3450), ("Phone Case, Clear", 999),
           ("Bamboo Cutting Board Set", 2799)],
    "de": [("USB-C Ladekabel 2 m, 2er-Pack", 1299), ("Edelstahl Trinkflasche 750 ml", 2345),
           ("Kabellose Maus, leise", 1899), ("LED Schreibtischlampe mit Klemme", 3450)],
    "fr": [("Câble de charge USB-C 2 m", 1299), ("Gourde en acier inoxydable", 2345),
           ("Souris sans fil silencieuse", 1899), ("Lampe de bureau LED", 3450)],
    "ja": [("USB-C 充電ケーブル 2m 2本セット", 148000), ("ステンレス 水筒 750ml", 248000),
           ("ワイヤレスマウス 静音", 198000), ("LED デスクライト", 348000)],
    "zh": [("USB-C 充电线 2米 两条装", 4900), ("不锈钢保温杯 750毫升", 16800), ("无线静音鼠标", 8900),
           ("LED 护眼台灯", 12900)],
}


@dataclass
class Event:
    at: datetime
    status: str  # key into locales.T: delivered, out_for_delivery, arrived, departed, picked_up, label
    location: str


@dataclass
class Message:
    at: datetime
    sender: str  # buyer | seller
    text: str


@dataclass
class Scenario:
    loc: Locale
    order_id: str
    carrier: str  # display carrier (may be Yamato)
    tracking: str
    events: list[Event]
    delivered: bool
    delivery_location: str
    order_date: date
    items: list[tuple[str, int, int]]  # name, qty, unit cents
    shipping_cents: int
    tax_cents: int
    refund_cents: int
    refund_date: date
    captured_at: datetime  # the device clock when the screenshot/photo was taken
    buyer: str
    address: str
    messages: list[Message] = field(default_factory=list)

    @property
    def lang(self) -> str:
        return self.loc.lang

    @property
    def t(self) -> dict[str, str]:
        return T[self.loc.lang]

    @property
    def contract_carrier(self) -> str:
        return CONTRACT_CARRIER.get(self.carrier, self.carrier)

    @property
    def subtotal_cents(self) -> int:
        return sum(q * c for _, q, c in self.items)

    @property
    def total_cents(self) -> int:
        tax = 0 if self.loc.lang in ("de", "fr", "ja") else self.tax_cents  # prices include VAT there
        return self.subtotal_cents + self.shipping_cents + tax

    @property
    def delivered_event(self) -> Event | None:
        return next((e for e in self.events if e.status == "delivered"), None)

    def refund_fact(self) -> dict:
        return {"amount": amount_str(self.refund_cents, self.loc.currency), "currency": self.loc.currency,
                "date": self.refund_date.isoformat()}


def make_scenario(rng: random.Random, lang: str, marketplace: str, carrier: str | None = None,
                  delivered: bool = True, order_id: str | None = None, tracking: str | None = None) -> Scenario:
    loc = LOCALES[(lang, marketplace)]
    carrier = carrier or rng.choice(CARRIERS_BY_MARKET[marketplace])
    num_carrier = CONTRACT_CARRIER.get(carrier, carrier)
    tracking = tracking or trk.make_tracking(rng, num_carrier)
    order_id = order_id or trk.make_order_id(rng, marketplace)
    city, addr_city = rng.choice(CITIES[marketplace])
    order_date = date(2026, 10, 20) + timedelta(days=rng.randint(0, 14))
    t0 = datetime.combine(order_date, datetime.min.time()) + timedelta(days=1, hours=rng.randint(8, 18),
                                                                        minutes=rng.randint(0, 59))
    hubs = rng.sample(HUBS[marketplace], k=min(3, len(HUBS[marketplace])))
    statuses = [("label", hubs[0]), ("picked_up", hubs[0]), ("departed", hubs[0]), ("arrived", hubs[1]),
                ("departed", hubs[1]), ("arrived", city), ("out_for_delivery", city)]
    if rng.random() < 0.4:
        statuses = statuses[1:4] + statuses[5:]
    events, t = [], t0
    for st, place in statuses:
        events.append(Event(t, st, place))
        t += timedelta(hours=rng.randint(3, 30), minutes=rng.randint(0, 59))
    # couriers load vans early and deliver in the day: out for delivery 07-08 h, delivered 10-19 h the same day
    ofd = events[-1]
    ofd.at = datetime.combine((events[-2].at + timedelta(hours=10)).date(), datetime.min.time()) + timedelta(
        hours=rng.randint(7, 8), minutes=rng.randint(0, 59))
    if ofd.at <= events[-2].at:
        ofd.at = events[-2].at + timedelta(hours=2, minutes=rng.randint(0, 59))
    if delivered:
        t = max(ofd.at + timedelta(hours=1, minutes=rng.randint(5, 50)),
                datetime.combine(ofd.at.date(), datetime.min.time()) + timedelta(hours=rng.randint(10, 19),
                                                                                minutes=rng.randint(0, 59)))
        events.append(Event(t, "delivered", city))
    else:
        events = events[:-1]
    events.reverse()  # newest first, as carriers show them
    items = rng.sample(ITEMS[lang], k=rng.randint(1, 3))
    items = [(n, rng.choice([1, 1, 1, 2]), c) for n, c in items]
    cur = loc.currency
    shipping = 0 if rng.random() < 0.5 else {"JPY": 50000, "CNY": 1500}.get(cur, 499)
    subtotal = sum(q * c for _, q, c in items)
    tax = 0 if cur == "JPY" else round(subtotal * 0.0825)
    if cur == "JPY":
        refund = subtotal
    else:
        refund = rng.choice([subtotal, subtotal + shipping, items[0][2]])
    last = events[0].at
    refund_date = (last + timedelta(days=rng.randint(1, 6))).date()
    captured = CLAIM_OPENED + timedelta(hours=rng.randint(-96, 20), minutes=rng.randint(0, 59))
    name = rng.choice(NAMES[marketplace])
    sc = Scenario(loc, order_id, carrier, tracking, events, delivered, city, order_date, items, shipping, tax,
                  refund, refund_date, captured, name, addr_city)
    sc.messages = _messages(rng, sc)
    return sc


# Message bodies carry no dates, amounts, numbers or carrier status words ("delivered", "zugestellt", "配達完了",
# "已签收"): the facts of a thread are its dated headers and its order ID.
MSG = {
    "en": [("buyer", "Hi, my package has not arrived yet. Can you check where it is?"),
           ("seller", "Hello {name}, according to the carrier the parcel was left at your front door. Could you "
                      "check with your neighbours?"),
           ("buyer", "I looked everywhere, it is not here."),
           ("seller", "Sorry about that. We have issued a full refund today, it should appear within a few days.")],
    "de": [("buyer", "Hallo, mein Paket ist noch nicht angekommen."),
           ("seller", "Hallo {name}, laut {carrier} wurde die Sendung an Ihrer Haustür abgelegt. Bitte fragen "
                      "Sie auch bei Ihren Nachbarn nach."),
           ("buyer", "Ich habe nichts erhalten, auch nicht beim Nachbarn."),
           ("seller", "Wir haben Ihnen heute den vollen Betrag erstattet.")],
    "fr": [("buyer", "Bonjour, je n'ai toujours pas reçu mon colis."),
           ("seller", "Bonjour {name}, selon le transporteur le colis a été déposé dans votre boîte aux "
                      "lettres."),
           ("buyer", "Je n'ai rien trouvé dans ma boîte aux lettres."),
           ("seller", "Nous vous avons remboursé la totalité aujourd'hui.")],
    "ja": [("buyer", "商品がまだ届いていません。確認していただけますか。"),
           ("seller", "{name}様、配送業者の記録では宅配ボックスにお届けしております。ご確認をお願いいたします。"),
           ("buyer", "宅配ボックスも確認しましたが、ありませんでした。"),
           ("seller", "本日、全額を返金いたしました。ご迷惑をおかけしました。")],
    "zh": [("buyer", "Hello, I have not received my package yet."),
           ("seller", "您好，物流显示包裹已放在门口，请您向邻居或快递柜确认。"),
           ("buyer", "I checked with my neighbours, nothing."),
           ("seller", "我们已全额退款，请注意查收。")],
}


def _messages(rng: random.Random, sc: Scenario) -> list[Message]:
    d = sc.delivered_event
    when = d.at if d else sc.events[0].at
    base = when + timedelta(days=rng.randint(2, 6), hours=rng.randint(1, 5))
    out = []
    for i, (who, tmpl) in enumerate(MSG[sc.lang]):
        at = base + timedelta(hours=i * rng.randint(2, 9), minutes=rng.randint(0, 59))
        text = tmpl.format(name=sc.buyer.split()[0], carrier=sc.carrier)
        out.append(Message(at, who, text))
    return out

"""Page content for every template, in each language, with the facts a reader can see on it.

Each builder returns a `Doc`: the template to fill, its variables (HTML fragments), and the ground truth of the
facts shown (order IDs, tracking numbers with carrier, delivery status/date/place, refund amounts). Visible dates
and times are wrapped with `locale.ts` so their position on the final image is measured, not assumed.

Wording follows what the real sites print (e.g. USPS's "Your item was delivered in or at the mailbox at 1:51 pm on
November 3, 2026 in RALEIGH, NC 27601", FedEx's two-digit years, Yamato's dates without a year), because those are
the pages sellers screenshot.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from . import numbers
from .locale import amount_str, d_long, d_num, d_short, dt_num, esc, iso_dt, money, t_fmt, ts, weekday


@dataclass
class Doc:
    template: str
    vars: dict
    truth: dict
    tab: str = ""
    url: str = ""
    notes: list[str] = field(default_factory=list)


def empty_truth() -> dict:
    return {"order_ids": [], "tracking": [], "delivery": None, "refunds": []}


def _t(d: date, h: int, m: int) -> datetime:
    return datetime(d.year, d.month, d.day, h, m)


def event_times(rng: random.Random, delivered: date, n: int) -> list[datetime]:
    """n event times, newest first, ending on the delivery day."""
    out = [_t(delivered, rng.randint(10, 18), rng.randint(0, 59))]
    cur = out[0]
    for _ in range(n - 1):
        cur = cur - timedelta(hours=rng.randint(3, 20), minutes=rng.randint(0, 59))
        out.append(cur)
    return out


# ============================================================================================ Seller Central order

SC = {
    "en": dict(
        title="Order details",
        order="Order ID",
        crumb="Manage Orders",
        search="Search",
        refund="Refund order",
        print="Print packing slip",
        contact="Contact buyer",
        summary="Order summary",
        ship="Ship to",
        ordered="Purchase date",
        shipby="Ship by",
        deliverby="Deliver by",
        service="Shipping service",
        carrier="Carrier",
        trk="Tracking ID",
        status="Status",
        shipped="Shipped",
        delivered="Delivered",
        delivered_on="Delivered on",
        head=["Image", "Product name", "Quantity", "Unit price", "Proceeds"],
        sub="Item subtotal",
        shipping="Shipping total",
        tax="Tax",
        total="Grand total",
        buyer="Buyer name",
        menu="Catalog Inventory Pricing Orders Advertising Stores Growth Reports Performance Apps",
        side=["Manage Orders", "Order Reports", "Upload Order Related Files", "Manage Returns", "Manage SAFE-T Claims"],
        std="Standard",
        exp="Expedited",
    ),
    "de": dict(
        title="Bestelldetails",
        order="Bestellnummer",
        crumb="Bestellungen verwalten",
        search="Suchen",
        refund="Rückerstattung",
        print="Lieferschein drucken",
        contact="Käufer kontaktieren",
        summary="Bestellübersicht",
        ship="Lieferadresse",
        ordered="Kaufdatum",
        shipby="Versand bis",
        deliverby="Lieferung bis",
        service="Versandservice",
        carrier="Versanddienstleister",
        trk="Sendungsnummer",
        status="Status",
        shipped="Versandt",
        delivered="Zugestellt",
        delivered_on="Zugestellt am",
        head=["Bild", "Produktname", "Menge", "Stückpreis", "Erlöse"],
        sub="Zwischensumme",
        shipping="Versandkosten",
        tax="MwSt.",
        total="Gesamtsumme",
        buyer="Name des Käufers",
        menu="Katalog Lagerbestand Preise Bestellungen Werbung Berichte Leistung Apps",
        side=["Bestellungen verwalten", "Bestellberichte", "Rücksendungen verwalten", "SAFE-T-Anträge"],
        std="Standard",
        exp="Express",
    ),
    "fr": dict(
        title="Détails de la commande",
        order="N° de commande",
        crumb="Gérer les commandes",
        search="Rechercher",
        refund="Rembourser la commande",
        print="Imprimer le bordereau",
        contact="Contacter l'acheteur",
        summary="Récapitulatif",
        ship="Adresse de livraison",
        ordered="Date d'achat",
        shipby="Expédier avant le",
        deliverby="Livrer avant le",
        service="Service d'expédition",
        carrier="Transporteur",
        trk="N° de suivi",
        status="Statut",
        shipped="Expédiée",
        delivered="Livré",
        delivered_on="Livré le",
        head=["Image", "Nom du produit", "Quantité", "Prix unitaire", "Recettes"],
        sub="Sous-total",
        shipping="Frais de port",
        tax="TVA",
        total="Total",
        buyer="Nom de l'acheteur",
        menu="Catalogue Stock Prix Commandes Publicité Rapports Performances Applications",
        side=["Gérer les commandes", "Rapports de commandes", "Gérer les retours", "Réclamations SAFE-T"],
        std="Standard",
        exp="Express",
    ),
    "it": dict(
        title="Dettagli ordine",
        order="Numero ordine",
        crumb="Gestisci ordini",
        search="Cerca",
        refund="Rimborsa ordine",
        print="Stampa distinta",
        contact="Contatta l'acquirente",
        summary="Riepilogo ordine",
        ship="Spedire a",
        ordered="Data di acquisto",
        shipby="Spedire entro",
        deliverby="Consegnare entro",
        service="Servizio di spedizione",
        carrier="Corriere",
        trk="ID di tracciamento",
        status="Stato",
        shipped="Spedito",
        delivered="Consegnato",
        delivered_on="Consegnato il",
        head=["Immagine", "Nome prodotto", "Quantità", "Prezzo unitario", "Ricavi"],
        sub="Subtotale articoli",
        shipping="Spedizione",
        tax="IVA",
        total="Totale",
        buyer="Nome acquirente",
        menu="Catalogo Inventario Prezzi Ordini Pubblicità Report Prestazioni App",
        side=["Gestisci ordini", "Report ordini", "Gestisci resi", "Reclami SAFE-T"],
        std="Standard",
        exp="Espresso",
    ),
    "es": dict(
        title="Detalles del pedido",
        order="N.º de pedido",
        crumb="Gestionar pedidos",
        search="Buscar",
        refund="Reembolsar pedido",
        print="Imprimir albarán",
        contact="Contactar con el comprador",
        summary="Resumen del pedido",
        ship="Enviar a",
        ordered="Fecha de compra",
        shipby="Enviar antes del",
        deliverby="Entregar antes del",
        service="Servicio de envío",
        carrier="Transportista",
        trk="N.º de seguimiento",
        status="Estado",
        shipped="Enviado",
        delivered="Entregado",
        delivered_on="Entregado el",
        head=["Imagen", "Nombre del producto", "Cantidad", "Precio unitario", "Ingresos"],
        sub="Subtotal",
        shipping="Envío",
        tax="IVA",
        total="Total",
        buyer="Nombre del comprador",
        menu="Catálogo Inventario Precios Pedidos Publicidad Informes Rendimiento Aplicaciones",
        side=["Gestionar pedidos", "Informes de pedidos", "Gestionar devoluciones", "Reclamaciones SAFE-T"],
        std="Estándar",
        exp="Urgente",
    ),
    "ja": dict(
        title="注文の詳細",
        order="注文番号",
        crumb="注文管理",
        search="検索",
        refund="返金",
        print="納品書を印刷",
        contact="購入者に連絡",
        summary="注文の概要",
        ship="お届け先",
        ordered="購入日",
        shipby="出荷期限",
        deliverby="お届け期限",
        service="配送サービス",
        carrier="配送業者",
        trk="お問い合わせ伝票番号",
        status="ステータス",
        shipped="出荷済み",
        delivered="配達完了",
        delivered_on="配達日",
        head=["画像", "商品名", "数量", "単価", "売上"],
        sub="商品の小計",
        shipping="配送料",
        tax="税",
        total="合計",
        buyer="購入者名",
        menu="カタログ 在庫 価格 注文 広告 レポート パフォーマンス アプリ",
        side=["注文管理", "注文レポート", "返品管理", "SAFE-T申請"],
        std="通常配送",
        exp="お急ぎ便",
    ),
}
PRODUCTS = {
    "en": [
        "Stainless Steel Insulated Water Bottle, 32 oz",
        "USB-C Charging Cable 6 ft (2-Pack)",
        "Silicone Baking Mat Set",
    ],
    "de": ["Edelstahl-Trinkflasche 1 l, auslaufsicher", "USB-C Ladekabel 2 m (2er-Pack)", "Silikon-Backmatten-Set"],
    "fr": [
        "Gourde isotherme en acier inoxydable 1 L",
        "Câble de charge USB-C 2 m (lot de 2)",
        "Tapis de cuisson en silicone",
    ],
    "it": [
        "Borraccia termica in acciaio inox 1 L",
        "Cavo di ricarica USB-C 2 m (2 pezzi)",
        "Tappetini da forno in silicone",
    ],
    "es": [
        "Botella térmica de acero inoxidable 1 L",
        "Cable de carga USB-C 2 m (pack de 2)",
        "Tapete de silicona para hornear",
    ],
    "ja": ["ステンレス 真空断熱ボトル 1L", "USB-C 充電ケーブル 2m（2本セット）", "シリコン ベーキングマット"],
    "zh": ["不锈钢保温杯 1L", "USB-C 充电线 2米（2条装）", "硅胶烘焙垫套装"],
}
BUYERS = {
    "en": "Jennifer Miller",
    "de": "Sabine Krüger",
    "fr": "Camille Lefèvre",
    "it": "Giulia Romano",
    "es": "Lucía Fernández",
    "ja": "佐藤 美咲",
    "zh": "Emily Chen",
}
PLACES = {
    "US": "COLUMBUS, OH 43215",
    "UK": "LEEDS, LS1 4DY",
    "DE": "10115 Berlin",
    "FR": "69002 Lyon",
    "IT": "20121 Milano",
    "ES": "28013 Madrid",
    "JP": "東京都世田谷区",
    "CN": "浙江省义乌市",
}
MARKET_LABEL = {
    "US": "www.amazon.com",
    "UK": "www.amazon.co.uk",
    "DE": "www.amazon.de",
    "FR": "www.amazon.fr",
    "IT": "www.amazon.it",
    "ES": "www.amazon.es",
    "JP": "www.amazon.co.jp",
}
THUMB = [
    "linear-gradient(135deg,#9fb8c9,#3d5a6c)",
    "linear-gradient(135deg,#2b2b2b,#6d6d6d)",
    "linear-gradient(135deg,#f4b183,#c55a11)",
]


def seller_order(
    lang: str,
    market: str,
    rng: random.Random,
    *,
    oid: str,
    carrier: str | None = None,
    tracking: str | None = None,
    delivered: date | None = None,
    ordered: date | None = None,
    n_items: int = 1,
    other_orders: list[str] | None = None,
    dates: bool = True,
) -> Doc:
    L = SC[lang]
    ordered = ordered or date(2026, 10, rng.randint(18, 28))
    items = []
    for i in range(n_items):
        price = (
            Decimal(rng.choice(["19.99", "24.95", "12.49", "34.90", "8.99"]))
            if market != "JP"
            else Decimal(rng.choice([1980, 2480, 3280]))
        )
        q = rng.choice([1, 1, 2])
        items.append((PRODUCTS[lang if lang in PRODUCTS else "en"][i], q, price))
    sub = sum(p * q for _, q, p in items)
    ship = Decimal("0") if market == "JP" else Decimal(rng.choice(["0.00", "4.99", "3.99"]))
    total = sub + ship
    rows = []
    for i, (name, q, p) in enumerate(items):
        rows.append(
            f'<tr><td><div class="thumb" style="background:{THUMB[i]}"></div></td><td>{esc(name)}<br>'
            f'<span class="asin">ASIN: B0{rng.randint(10**7, 10**8 - 1)}X · SKU: {rng.randint(1000, 9999)}-BL</span></td>'
            f'<td>{q}</td><td class="right">{money(p, market)}</td><td class="right">{money(p * q, market)}</td></tr>'
        )
    summary = [
        (L["ordered"], ts(d_long(ordered, lang, market), ordered.isoformat())),
        (
            L["shipby"],
            ts(d_short(ordered + timedelta(days=2), lang, market), (ordered + timedelta(days=2)).isoformat()),
        ),
        (
            L["deliverby"],
            ts(d_short(ordered + timedelta(days=7), lang, market), (ordered + timedelta(days=7)).isoformat()),
        ),
        (L["service"], L["std"]),
        (L["buyer"], esc(BUYERS[lang])),
    ]
    if not dates:
        summary = [p for p in summary if "data-ts" not in p[1]]
    truth = empty_truth()
    truth["order_ids"] = [oid] + list(other_orders or [])
    shipping = [(L["ship"], esc(BUYERS[lang]) + "<br>" + esc(PLACES.get(market, "")))]
    if carrier and tracking:
        shipping += [(L["carrier"], carrier), (L["trk"], f'<span class="fact" data-kind="tracking">{tracking}</span>')]
        truth["tracking"] = [{"number": tracking, "carrier": carrier}]
    if delivered:
        shipping += [(L["status"], f'<span class="status">{L["delivered"]}</span>')]
        if dates:
            shipping += [(L["delivered_on"], ts(d_long(delivered, lang, market), delivered.isoformat()))]
        truth["delivery"] = {"status": "delivered", "date": delivered.isoformat() if dates else None, "location": None}
    else:
        shipping += [(L["status"], f'<span class="status ship">{L["shipped"]}</span>')]
        truth["delivery"] = {"status": "in_transit", "date": None, "location": None}

    def kv(pairs: list[tuple[str, str]]) -> str:
        return "".join(f'<div class="k">{k}</div><div>{v}</div>' for k, v in pairs)

    totals = [(L["sub"], money(sub, market)), (L["shipping"], money(ship, market))]
    v = dict(
        search=L["search"],
        market_label=MARKET_LABEL.get(market, ""),
        menu="".join(f"<span>{m}</span>" for m in L["menu"].split()),
        side="".join(f'<a class="{"on" if i == 0 else ""}">{esc(s)}</a>' for i, s in enumerate(L["side"])),
        crumb_orders=L["crumb"],
        title=L["title"],
        order_label=L["order"],
        order_id=oid,
        btn_refund=L["refund"],
        btn_print=L["print"],
        btn_contact=L["contact"],
        summary_h=L["summary"],
        summary=kv(summary),
        cards_style="",
        ship_h=L["ship"],
        shipping=kv(shipping),
        thead="".join(f"<th>{h}</th>" for h in L["head"]),
        rows="".join(rows),
        totals="".join(f"<div><span>{k}</span><span>{v}</span></div>" for k, v in totals)
        + f'<div class="grand"><span>{L["total"]}</span><span>{money(total, market)}</span></div>',
    )
    if other_orders:
        v["rows"] += "".join(
            f'<tr><td></td><td colspan="4" class="asin">{esc(L["order"])} {o}</td></tr>' for o in other_orders
        )
    return Doc(
        "seller_order",
        v,
        truth,
        tab=f"{L['title']} - Seller Central",
        url=f"sellercentral.{MARKET_LABEL.get(market, 'amazon.com')[4:]}/orders-v3/order/{oid}",
    )


# ============================================================================================ carrier tracking

# Per carrier: brand, template, theme, language strings and event wording (newest first after "delivered").
CARRIERS = {
    "UPS": dict(template="track_table", theme="ups", brand="UPS", url="www.ups.com/track?loc=en_US&tracknum={n}"),
    "DHL": dict(
        template="track_table",
        theme="dhl",
        brand="DHL Express",
        url="www.dhl.com/{lang}-{lang}/home/tracking.html?tracking-id={n}",
    ),
    "JapanPost": dict(
        template="track_table",
        theme="jp",
        brand="日本郵便",
        url="trackings.post.japanpost.jp/services/srv/search/direct?reqCodeNo1={n}",
    ),
    "Yamato": dict(
        template="track_table", theme="yamato", brand="クロネコヤマト", url="toi.kuronekoyamato.co.jp/cgi-bin/tneko"
    ),
    "USPS": dict(
        template="track_timeline",
        theme="usps",
        brand="USPS.COM",
        url="tools.usps.com/go/TrackConfirmAction?tLabels={n}",
    ),
    "RoyalMail": dict(
        template="track_timeline",
        theme="rm",
        brand="Royal Mail",
        url="www.royalmail.com/track-your-item#/tracking-results/{n}",
    ),
    "ChinaPost": dict(
        template="track_timeline", theme="cp", brand="中国邮政 EMS", url="www.ems.com.cn/queryList?mailNum={n}"
    ),
    "Cainiao": dict(
        template="track_timeline",
        theme="cn",
        brand="菜鸟 CAINIAO",
        url="global.cainiao.com/newDetail.htm?mailNoList={n}",
    ),
    "FedEx": dict(
        template="track_cards", theme="fedex", brand="Fed<span>Ex</span>", url="www.fedex.com/fedextrack/?trknbr={n}"
    ),
    "DeutschePost": dict(
        template="track_cards",
        theme="paket",
        brand="DHL Paket · Deutsche Post",
        url="www.dhl.de/de/privatkunden/pakete-empfangen/verfolgen.html?piececode={n}",
    ),
    "AmazonLogistics": dict(
        template="track_cards", theme="amzn", brand="amazon <span>track</span>", url="track.amazon.com/tracking/{n}"
    ),
}

TRK = {
    "en": dict(
        title="Tracking Details",
        num="Tracking Number",
        history="Shipment Progress",
        delivered="Delivered",
        intransit="In Transit",
        thead=["Date", "Time", "Location", "Activity"],
        info="Shipment Facts",
        service="Service",
        weight="Weight",
        ref="Reference",
        nav="Ship Track Support Locations",
        steps=["Label Created", "On the Way", "Out for Delivery", "Delivered"],
        login="Log In",
        events=[
            "Out for Delivery Today",
            "Arrived at Facility",
            "Departed from Facility",
            "Origin Scan",
            "Shipper created a label, UPS has not received the package yet.",
        ],
        foot="Need help? Visit the Help Center or contact customer service.",
    ),
    "fr": dict(
        title="Détails du suivi",
        num="Numéro de suivi",
        history="Progression de l'expédition",
        delivered="Livré",
        intransit="En transit",
        thead=["Date", "Heure", "Lieu", "Activité"],
        info="Informations",
        service="Service",
        weight="Poids",
        ref="Référence",
        nav="Expédier Suivre Assistance Points d'accès",
        login="Connexion",
        steps=["Étiquette créée", "En route", "En cours de livraison", "Livré"],
        events=[
            "En cours de livraison aujourd'hui",
            "Arrivé au centre",
            "Départ du centre",
            "Scan à l'origine",
            "L'expéditeur a créé une étiquette",
        ],
        foot="Besoin d'aide ? Consultez le centre d'aide.",
    ),
    "es": dict(
        title="Detalles del seguimiento",
        num="Número de seguimiento",
        history="Progreso del envío",
        delivered="Entregado",
        intransit="En tránsito",
        thead=["Fecha", "Hora", "Ubicación", "Actividad"],
        info="Datos del envío",
        service="Servicio",
        weight="Peso",
        ref="Referencia",
        nav="Enviar Rastrear Ayuda Ubicaciones",
        login="Iniciar sesión",
        steps=["Etiqueta creada", "En camino", "En reparto", "Entregado"],
        events=[
            "En reparto hoy",
            "Llegada a la instalación",
            "Salida de la instalación",
            "Escaneo de origen",
            "El remitente creó una etiqueta",
        ],
        foot="¿Necesita ayuda? Visite el centro de ayuda.",
    ),
    "it": dict(
        title="Dettagli spedizione",
        num="Numero di tracciamento",
        history="Avanzamento spedizione",
        delivered="Consegnato",
        intransit="In transito",
        thead=["Data", "Ora", "Località", "Attività"],
        info="Dati spedizione",
        service="Servizio",
        weight="Peso",
        ref="Riferimento",
        nav="Spedire Tracciare Assistenza Punti",
        login="Accedi",
        steps=["Etichetta creata", "In viaggio", "In consegna", "Consegnato"],
        events=[
            "In consegna oggi",
            "Arrivato presso la struttura",
            "Partito dalla struttura",
            "Presa in carico",
            "Il mittente ha creato un'etichetta",
        ],
        foot="Serve aiuto? Visita il centro assistenza.",
    ),
    "de": dict(
        title="Sendungsverfolgung",
        num="Sendungsnummer",
        history="Sendungsverlauf",
        delivered="Zugestellt",
        intransit="Unterwegs",
        thead=["Datum", "Uhrzeit", "Ort", "Status"],
        info="Details zur Sendung",
        service="Produkt",
        weight="Gewicht",
        ref="Referenz",
        nav="Versenden Empfangen Hilfe Filialen",
        login="Anmelden",
        steps=["Angekündigt", "Abgeholt", "In Zustellung", "Zugestellt"],
        events=[
            "Die Sendung wurde in das Zustellfahrzeug geladen.",
            "Die Sendung wurde im Zielpaketzentrum bearbeitet.",
            "Die Sendung wurde im Startpaketzentrum bearbeitet.",
            "Die Sendung wurde abgeholt.",
            "Die Auftragsdaten zu dieser Sendung wurden übermittelt.",
        ],
        foot="Fragen zur Sendung? Unser Kundenservice hilft Ihnen gerne weiter.",
    ),
    "ja": dict(
        title="個別番号検索結果",
        num="お問い合わせ番号",
        history="履歴情報",
        delivered="お届け先にお届け済み",
        intransit="輸送中",
        thead=["状態発生日", "配送履歴", "詳細", "取扱局"],
        info="配送情報",
        service="商品種別",
        weight="重量",
        ref="参考",
        nav="郵便 荷物 追跡 窓口",
        login="ログイン",
        steps=["引受", "輸送中", "配達中", "お届け済み"],
        events=["持ち出し中", "到着", "通過", "引受", "差出人情報登録"],
        foot="ご不明な点はお問い合わせください。",
    ),
    "zh": dict(
        title="邮件跟踪查询",
        num="运单号",
        history="物流详情",
        delivered="已妥投",
        intransit="运输中",
        thead=["时间", "状态", "地点", "详情"],
        info="包裹信息",
        service="产品",
        weight="重量",
        ref="参考号",
        nav="首页 寄件 查件 网点",
        login="登录",
        steps=["已揽收", "运输中", "派送中", "已签收"],
        events=["正在投递，投递员：王师傅", "到达处理中心", "离开处理中心，发往下一站", "已收寄", "电子信息已收到"],
        foot="如有疑问，请拨打客服热线 11183。",
    ),
}
CITIES = {
    "US": ["COLUMBUS, OH, US", "GROVEPORT, OH, US", "INDIANAPOLIS, IN, US", "LOUISVILLE, KY, US", "HEBRON, KY, US"],
    "UK": ["LEEDS", "LEEDS MAIL CENTRE", "EAST MIDLANDS HUB", "NATIONAL DISTRIBUTION CENTRE", "LONDON"],
    "DE": ["Berlin", "Paketzentrum Börnicke", "Paketzentrum Hamburg", "Hamburg", "Hamburg"],
    "FR": ["LYON, FR", "CORBAS, FR", "PARIS, FR", "ROISSY, FR", "ROISSY, FR"],
    "IT": ["MILANO, IT", "VERONA, IT", "BOLOGNA, IT", "BERGAMO, IT", "BERGAMO, IT"],
    "ES": ["MADRID, ES", "COSLADA, ES", "ZARAGOZA, ES", "BARCELONA, ES", "BARCELONA, ES"],
    "JP": ["世田谷郵便局", "新東京郵便局", "大阪国際郵便局", "大阪中央郵便局", "大阪中央郵便局"],
    "CN": ["义乌市", "金华市邮件处理中心", "杭州市邮件处理中心", "上海国际邮件互换局", "上海市"],
}


def tracking_page(
    lang: str,
    market: str,
    rng: random.Random,
    *,
    carrier: str,
    number: str | None = None,
    delivered: date | None = None,
    status: str = "delivered",
    n_events: int = 6,
    photo: str | None = None,
    map_svg: bool = True,
) -> Doc:
    cfg = CARRIERS[carrier]
    L = TRK[lang]
    number = number or numbers.make(rng, carrier)
    delivered = delivered or date(2026, 11, rng.randint(2, 14))
    times = event_times(rng, delivered, n_events)
    cities = CITIES.get(market, CITIES["US"])
    place = cities[0]
    shown = numbers.group4(number) if carrier in ("USPS",) else number
    truth = empty_truth()
    truth["tracking"] = [{"number": number, "carrier": carrier}]
    notes: list[str] = []
    is_del = status == "delivered"
    st_word = L["delivered"] if is_del else L["intransit"]
    t0 = times[0]
    # headline sentence: the carrier's own phrasing
    if carrier == "USPS":
        st_word = "Delivered, In/At Mailbox" if is_del else "In Transit to Next Facility"
        when = (
            (
                f"Your item was delivered in or at the mailbox at {ts(_pm(t0) + ' on ' + d_long(t0.date(), lang, market), iso_dt(t0))}"
                f" in RALEIGH, NC 27601."
            )
            if is_del
            else "Your item is moving within the USPS network."
        )
        place = "RALEIGH, NC 27601"
    elif carrier == "FedEx":
        short = f"{t0.month}/{t0.day}/{t0.year % 100}"
        when = f"{weekday(t0.date(), 'en')}, {ts(short, t0.date().isoformat())} at {ts(_pm(t0), iso_dt(t0)[11:])}"
        notes.append("FedEx headline uses a two-digit year (11/3/26)")
    elif carrier == "UPS" and lang == "en":
        when = f"Delivered On: {weekday(t0.date(), 'en')}, {ts(d_num(t0.date(), lang, market) + ' at ' + _pm(t0, dots=True), iso_dt(t0))}"
    elif carrier == "RoyalMail":
        when = f"We delivered your item on {ts(d_num(t0.date(), lang, market), t0.date().isoformat())} at {ts(t0.strftime('%H:%M'), iso_dt(t0)[11:])}"
        place = "LEEDS LS1"
    elif carrier == "Yamato":
        when = f"{ts(f'{t0.month:02d}月{t0.day:02d}日 {t0.hour:02d}:{t0.minute:02d}', iso_dt(t0))}"
        notes.append("Yamato prints dates without a year")
    elif carrier == "AmazonLogistics":
        when = f"{weekday(t0.date(), 'en')}, {ts(d_long(t0.date(), lang, market).rsplit(',', 1)[0], t0.date().isoformat())}"
        notes.append("Amazon headline has no year; history rows have it")
        st_word = "Delivered" if is_del else "Arriving tomorrow"
    elif lang == "de":
        when = f"{weekday(t0.date(), 'de')[:2]}, {ts(d_num(t0.date(), lang, market) + ', ' + t_fmt(t0, lang, market), iso_dt(t0))}"
        if carrier == "DeutschePost" and is_del:
            st_word = "Die Sendung wurde erfolgreich zugestellt."
    elif lang == "ja":
        when = ts(f"{d_long(t0.date(), lang, market)}（{weekday(t0.date(), 'ja')}） {t0:%H:%M}", iso_dt(t0))
    elif lang == "zh":
        when = ts(f"{t0:%Y-%m-%d %H:%M:%S}", iso_dt(t0))
    else:
        when = f"{ts(d_long(t0.date(), lang, market), t0.date().isoformat())} · {ts(t_fmt(t0, lang, market), iso_dt(t0)[11:])}"
    if is_del:
        truth["delivery"] = {"status": "delivered", "date": delivered.isoformat(), "location": place}
    else:
        truth["delivery"] = {"status": "in_transit", "date": None, "location": None}
    if carrier == "Yamato" and is_del:
        st_word = "配達完了"
    base_events = list(L["events"])
    if lang == "en" and carrier != "UPS":
        base_events[-1] = (
            "Shipping Label Created, USPS Awaiting Item"
            if carrier == "USPS"
            else "Shipment information sent to carrier"
        )
    events = (
        [st_word if carrier not in ("USPS", "DeutschePost", "AmazonLogistics") else L["delivered"]] if is_del else []
    ) + base_events
    if carrier == "ChinaPost" and is_del:
        events[0] = "已妥投，签收人：本人签收"
    if carrier == "Cainiao" and is_del:
        events[0] = "已签收，感谢使用菜鸟裹裹"
    if carrier == "Yamato" and is_del:
        events[0] = "配達完了"
    if carrier == "AmazonLogistics":
        events = (["Package delivered"] if is_del else []) + [
            "Out for delivery",
            "Package arrived at a carrier facility",
            "Package has left the carrier facility",
            "Package received by carrier",
            "Shipping label created",
        ]
    events = events[:n_events]
    times = times[: len(events)]

    def dstr(t: datetime) -> str:
        if carrier == "Yamato":
            return ts(f"{t.month:02d}月{t.day:02d}日 {t:%H:%M}", iso_dt(t))
        if carrier == "USPS":
            return ts(f"{d_long(t.date(), lang, market)}, {_pm(t)}", iso_dt(t))
        if lang == "zh":
            return ts(f"{t:%Y-%m-%d %H:%M:%S}", iso_dt(t))
        return ts(dt_num(t, lang, market), iso_dt(t))

    v = dict(
        theme=cfg["theme"],
        brand=cfg["brand"],
        nav="".join(f"<span>{x}</span>" for x in L["nav"].split()),
        login=L["login"],
        title=L["title"],
        num_label=L["num"],
        tracking_shown=shown,
        status=esc(st_word),
        when=when,
        where=esc(place if is_del else ""),
        history_h=L["history"],
        foot=esc(L["foot"]),
    )
    tpl = cfg["template"]
    if tpl == "track_table":
        side = [
            f"{L['service']}: {'EMS' if carrier == 'JapanPost' else 'Standard'}",
            f"{L['weight']}: {rng.randint(2, 40) / 10} kg",
        ]
        v["side"] = "<br>".join(esc(s) for s in side)
        v["thead"] = "".join(f"<th>{h}</th>" for h in L["thead"])
        rows = []
        for i, (ev, t) in enumerate(zip(events, times)):
            loc = cities[min(i, len(cities) - 1)]
            if lang == "ja" or lang == "zh":
                rows.append(f"<tr><td>{dstr(t)}</td><td>{esc(ev)}</td><td></td><td>{esc(loc)}</td></tr>")
            else:
                rows.append(
                    f"<tr><td>{ts(d_num(t.date(), lang, market), t.date().isoformat())}</td>"
                    f"<td>{ts(t_fmt(t, lang, market), iso_dt(t)[11:])}</td><td>{esc(loc)}</td><td>{esc(ev)}</td></tr>"
                )
        v["rows"] = "".join(rows)
    elif tpl == "track_timeline":
        v["steps"] = "".join(f"<span>{esc(s)}</span>" for s in L["steps"])
        v["rows"] = "".join(
            f'<li class="{"first" if i == 0 else ""}"><div class="ev">{esc(ev)}</div>'
            f'<div class="meta">{esc(cities[min(i, len(cities) - 1)])}<br>{dstr(t)}</div></li>'
            for i, (ev, t) in enumerate(zip(events, times))
        )
        if carrier == "USPS":
            v["num_label"] = "Tracking Number:"
    else:
        v["prog"] = "<i></i><b></b><i></i><b></b><i></i><b></b><i></i>"
        v["plabels"] = "".join(f"<span>{esc(s)}</span>" for s in L["steps"])
        rows = []
        for i, (ev, t) in enumerate(zip(events, times)):
            if carrier == "AmazonLogistics":
                d = ts(f"{weekday(t.date(), 'en')}, {d_long(t.date(), lang, market)} {_pm(t)}", iso_dt(t))
            else:
                d = dstr(t)
            rows.append(
                f'<div class="ev"><div class="d">{d}</div><div class="t"><b>{esc(ev)}</b>{esc(cities[min(i, len(cities) - 1)])}</div></div>'
            )
        v["rows"] = "".join(rows)
        if photo:
            v["visual"] = (
                f'<img class="photo" src="{photo}"><div class="cap">{"Delivery photo" if lang == "en" else "Zustellfoto"}</div>'
            )
        else:
            v["visual"] = _map_svg()
        v["info_h"] = L["info"]
        v["info"] = (
            f'<div class="ev"><div class="d">{L["service"]}</div><div class="t">'
            f"{'FedEx Ground' if carrier == 'FedEx' else 'Paket' if carrier == 'DeutschePost' else 'Standard'}</div></div>"
            f'<div class="ev"><div class="d">{L["weight"]}</div><div class="t">{rng.randint(2, 40) / 10} kg</div></div>'
        )
    return Doc(tpl, v, truth, tab=L["title"], url=cfg["url"].format(n=number, lang=lang), notes=notes)


def _pm(t: datetime, dots: bool = False) -> str:
    h = t.hour % 12 or 12
    suf = ("A.M." if t.hour < 12 else "P.M.") if dots else ("am" if t.hour < 12 else "pm")
    return f"{h}:{t.minute:02d} {suf}"


def _map_svg() -> str:
    roads = "".join(
        f'<path d="M{a} 0 C {a + 40} 120, {a - 60} 200, {a + 30} 300" stroke="#fff" stroke-width="{w}" fill="none"/>'
        for a, w in ((60, 7), (210, 4), (330, 9), (470, 4))
    )
    roads += '<path d="M0 150 C 150 120, 300 190, 560 140" stroke="#f7d488" stroke-width="10" fill="none"/>'
    pin = '<circle cx="300" cy="150" r="14" fill="#d93025"/><circle cx="300" cy="150" r="5" fill="#fff"/>'
    return f'<div class="map"><svg viewBox="0 0 560 300" preserveAspectRatio="xMidYMid slice">{roads}{pin}</svg></div>'


# ============================================================================================ refund email

MAIL = {
    "en": dict(
        subject="Refund initiated for order {oid}",
        sender="Amazon Seller Notifications",
        inbox="Inbox",
        to_me="to me",
        compose="Compose",
        search="Search mail",
        folders=["Inbox", "Starred", "Snoozed", "Sent", "Drafts", "Purchases", "More"],
        body=["Hello,", "We have processed a refund for the following order:"],
        rows=[("Order ID", "{oid}"), ("Item", "{item}"), ("Refund amount", "{amt}"), ("Refund date", "{date}")],
        tail="The refund will appear on the buyer's statement within 3-5 business days.",
        sign="Sincerely,<br>Amazon Services",
        ribbon="New mail · Delete · Archive · Report · Move to",
    ),
    "de": dict(
        subject="Erstattung für Bestellung {oid} veranlasst",
        sender="Amazon Seller Benachrichtigungen",
        inbox="Posteingang",
        to_me="an mich",
        compose="Schreiben",
        search="In E-Mails suchen",
        folders=["Posteingang", "Markiert", "Zurückgestellt", "Gesendet", "Entwürfe", "Mehr"],
        body=["Hallo,", "wir haben eine Erstattung für folgende Bestellung veranlasst:"],
        rows=[("Bestellnummer", "{oid}"), ("Artikel", "{item}"), ("Erstattungsbetrag", "{amt}"), ("Datum", "{date}")],
        tail="Die Gutschrift erscheint innerhalb von 3-5 Werktagen auf dem Konto des Käufers.",
        sign="Freundliche Grüße<br>Amazon Services",
        ribbon="Neue E-Mail · Löschen · Archivieren · Verschieben",
    ),
    "fr": dict(
        subject="Remboursement effectué pour la commande {oid}",
        sender="Notifications Amazon Seller",
        inbox="Boîte de réception",
        to_me="à moi",
        compose="Nouveau message",
        search="Rechercher dans les messages",
        folders=["Boîte de réception", "Favoris", "Envoyés", "Brouillons", "Plus"],
        body=["Bonjour,", "Nous avons effectué un remboursement pour la commande suivante :"],
        rows=[("N° de commande", "{oid}"), ("Article", "{item}"), ("Montant remboursé", "{amt}"), ("Date", "{date}")],
        tail="Le remboursement apparaîtra sur le relevé de l'acheteur sous 3 à 5 jours ouvrés.",
        sign="Cordialement,<br>Amazon Services",
        ribbon="Nouveau message · Supprimer · Archiver · Déplacer",
    ),
    "es": dict(
        subject="Reembolso emitido para el pedido {oid}",
        sender="Notificaciones de Amazon Seller",
        inbox="Recibidos",
        to_me="para mí",
        compose="Redactar",
        search="Buscar correo",
        folders=["Recibidos", "Destacados", "Enviados", "Borradores", "Más"],
        body=["Hola:", "Hemos procesado un reembolso para el siguiente pedido:"],
        rows=[
            ("N.º de pedido", "{oid}"),
            ("Artículo", "{item}"),
            ("Importe reembolsado", "{amt}"),
            ("Fecha", "{date}"),
        ],
        tail="El reembolso aparecerá en el extracto del comprador en 3-5 días hábiles.",
        sign="Atentamente,<br>Amazon Services",
        ribbon="Nuevo correo · Eliminar · Archivar · Mover a",
    ),
    "it": dict(
        subject="Rimborso emesso per l'ordine {oid}",
        sender="Notifiche Amazon Seller",
        inbox="Posta in arrivo",
        to_me="a me",
        compose="Scrivi",
        search="Cerca nella posta",
        folders=["Posta in arrivo", "Speciali", "Inviati", "Bozze", "Altro"],
        body=["Buongiorno,", "abbiamo elaborato un rimborso per il seguente ordine:"],
        rows=[("Numero ordine", "{oid}"), ("Articolo", "{item}"), ("Importo rimborsato", "{amt}"), ("Data", "{date}")],
        tail="Il rimborso sarà visibile sull'estratto conto dell'acquirente entro 3-5 giorni lavorativi.",
        sign="Cordiali saluti,<br>Amazon Services",
        ribbon="Nuovo messaggio · Elimina · Archivia · Sposta",
    ),
    "ja": dict(
        subject="注文番号 {oid} の返金処理が完了しました",
        sender="Amazon セラー通知",
        inbox="受信トレイ",
        to_me="To 自分",
        compose="作成",
        search="メールを検索",
        folders=["受信トレイ", "スター付き", "送信済み", "下書き", "もっと見る"],
        body=["いつもご利用いただきありがとうございます。", "以下の注文について返金を処理しました。"],
        rows=[("注文番号", "{oid}"), ("商品", "{item}"), ("返金額", "{amt}"), ("返金日", "{date}")],
        tail="返金は3〜5営業日以内に購入者のお支払い方法に反映されます。",
        sign="Amazon.co.jp",
        ribbon="新規メール · 削除 · アーカイブ · 移動",
    ),
}


def refund_email(
    lang: str,
    market: str,
    rng: random.Random,
    *,
    oid: str,
    client: str = "gmail",
    amount: Decimal | None = None,
    refunded: date | None = None,
    order_total: Decimal | None = None,
) -> Doc:
    L = MAIL[lang]
    amount = amount or (
        Decimal(rng.choice(["23.45", "47.98", "12.99", "89.00"]))
        if market != "JP"
        else Decimal(rng.choice([2480, 4960, 1280]))
    )
    refunded = refunded or date(2026, 11, rng.randint(3, 18))
    sent = _t(refunded, rng.randint(8, 20), rng.randint(0, 59))
    item = PRODUCTS[lang if lang in PRODUCTS else "en"][rng.randint(0, 2)]
    vals = {
        "oid": oid,
        "item": esc(item),
        "amt": money(amount, market),
        "date": ts(d_long(refunded, lang, market), refunded.isoformat()),
    }
    rows = "".join(f"<div><span>{k}</span><b>{v.format(**vals)}</b></div>" for k, v in L["rows"])
    body = f"<p>{L['body'][0]}</p><p>{L['body'][1]}</p><div class='box'>{rows}</div><p>{esc(L['tail'])}</p><p>{L['sign']}</p>"
    if client == "gmail":
        date_str = f"{_mail_date(sent, lang, market)}"
    else:
        date_str = f"{_mail_date(sent, lang, market)}"
    truth = empty_truth()
    truth["order_ids"] = [oid]
    truth["refunds"] = [{"amount": amount_str(amount, market), "currency": _cur(market), "date": refunded.isoformat()}]
    subject = esc(L["subject"].format(oid=oid))
    if client == "gmail":
        v = dict(
            search=L["search"],
            compose=L["compose"],
            folders="".join(
                f'<a class="{"on" if i == 0 else ""}"><span>{f}</span><span>{"12" if i == 0 else ""}</span></a>'
                for i, f in enumerate(L["folders"])
            ),
            subject=subject,
            inbox=L["inbox"],
            sender=L["sender"],
            sender_addr="seller-notification@amazon.com",
            to_me=L["to_me"],
            date=date_str,
            body=body,
        )
        return Doc("email_gmail", v, truth, tab=f"{L['inbox']} (12) - Gmail", url="mail.google.com/mail/u/0/#inbox")
    others = [
        ("Amazon Seller Central", "Your weekly performance summary"),
        ("PayPal", "Receipt for your payment"),
        ("UPS My Choice", "Your delivery is scheduled"),
    ]
    lst = (
        f'<div class="item on"><span class="t">{ts(sent.strftime("%H:%M") if lang != "en" or market != "US" else _pm(sent), iso_dt(sent)[11:])}</span>'
        f'<div class="s">{L["sender"]}</div><div class="p">{subject}</div></div>'
    )
    lst += "".join(
        f'<div class="item"><span class="t"></span><div class="s">{a}</div><div class="p">{b}</div></div>'
        for a, b in others
    )
    v = dict(
        search=L["search"],
        ribbon=L["ribbon"],
        folders="".join(f'<div class="{"on" if i == 0 else ""}">{f}</div>' for i, f in enumerate(L["folders"])),
        list=lst,
        subject=subject,
        sender=f"{L['sender']} &lt;seller-notification@amazon.com&gt;",
        to_me=L["to_me"],
        date=date_str,
        body=body,
    )
    return Doc("email_outlook", v, truth, tab="Mail - Outlook", url="outlook.office.com/mail/inbox")


def _cur(market: str) -> str:
    from .locale import CURRENCY

    return CURRENCY[market]


def _mail_date(t: datetime, lang: str, market: str) -> str:
    if lang == "en" and market == "US":
        txt = f"{t:%a}, {t:%b} {t.day}, {t.year}, {_pm(t).upper()}"
    elif lang == "ja":
        txt = f"{t.year}年{t.month}月{t.day}日({weekday(t.date(), 'ja')}) {t:%H:%M}"
    else:
        txt = f"{d_long(t.date(), lang, market)}, {t:%H:%M}"
    return ts(txt, iso_dt(t))


# ============================================================================================ messages

MSG = {
    "en": dict(
        app="Buyer-Seller Messages",
        order="Order ID:",
        reply="Write a reply...",
        convo=[
            ("them", "Hi, my tracking says the package was delivered but I did not receive anything. Can you help?"),
            (
                "me",
                "Hello Jennifer, I am sorry to hear that. I have checked with the carrier: the parcel was left at your front door. Could you please check with your neighbours?",
            ),
            ("them", "I asked, nobody has it."),
            (
                "me",
                "Thank you for checking. I have sent a replacement today with a new tracking number and attached the carrier's delivery record.",
            ),
        ],
    ),
    "de": dict(
        app="Käufer-Verkäufer-Nachrichten",
        order="Bestellnummer:",
        reply="Antwort schreiben ...",
        convo=[
            ("them", "Hallo, laut Sendungsverfolgung wurde das Paket zugestellt, aber ich habe nichts erhalten."),
            (
                "me",
                "Guten Tag Frau Krüger, das tut uns leid. Laut DHL wurde die Sendung beim Nachbarn abgegeben. Können Sie dort bitte nachfragen?",
            ),
            ("them", "Ja, mein Nachbar hatte es. Danke!"),
            ("me", "Sehr gern! Wir würden uns freuen, wenn Sie den A-bis-z-Antrag zurückziehen."),
        ],
    ),
    "it": dict(
        app="Messaggi acquirente-venditore",
        order="Numero ordine:",
        reply="Scrivi una risposta...",
        convo=[
            ("them", "Buongiorno, il pacco risulta consegnato ma non l'ho ricevuto."),
            (
                "me",
                "Gentile Giulia, ci dispiace. Abbiamo verificato con il corriere: il pacco è stato lasciato in portineria.",
            ),
            ("them", "Grazie, l'ho trovato in portineria."),
            ("me", "Perfetto! Le saremmo grati se potesse ritirare il reclamo dalla A alla Z."),
        ],
    ),
    "ja": dict(
        app="購入者とのメッセージ",
        order="注文番号:",
        reply="返信を入力…",
        convo=[
            ("them", "追跡では配達済みになっていますが、荷物が届いていません。"),
            (
                "me",
                "佐藤様、ご迷惑をおかけして申し訳ございません。配送業者に確認したところ、宅配ボックスに投函されたとのことです。",
            ),
            ("them", "宅配ボックスにありました。ありがとうございます。"),
            ("me", "ご確認ありがとうございます。Aマーケットプレイス保証の申請を取り下げていただけますと幸いです。"),
        ],
    ),
    "zh": dict(
        app="买家与卖家消息",
        order="订单号:",
        reply="输入回复…",
        convo=[
            ("them", "Hi, the tracking shows the parcel arrived but I never got it."),
            ("me", "您好，我们已联系物流公司核实，包裹已放在您家门口。请您再确认一下。"),
            ("them", "Found it at the back door, thanks."),
            ("me", "感谢您的确认！麻烦您撤销 A-to-z 索赔，谢谢。"),
        ],
    ),
}


def messages(
    lang: str, market: str, rng: random.Random, *, oid: str, start: date | None = None, narrow: bool = False
) -> Doc:
    L = MSG[lang]
    start = start or date(2026, 11, rng.randint(4, 16))
    t = _t(start, rng.randint(7, 11), rng.randint(0, 59))
    out, last_day = [], None
    names = {"them": BUYERS[lang], "me": {"en": "You", "de": "Sie", "it": "Tu", "ja": "あなた", "zh": "您"}[lang]}
    for who, text in L["convo"]:
        t = t + timedelta(hours=rng.randint(1, 9), minutes=rng.randint(1, 59))
        if t.date() != last_day:
            out.append(f'<div class="day">{ts(d_long(t.date(), lang, market), t.date().isoformat())}</div>')
            last_day = t.date()
        out.append(
            f'<div class="b {who}"><div class="who">{esc(names[who])} · {ts(t_fmt(t, lang, market), iso_dt(t)[11:])}</div>'
            f'<div class="txt">{esc(text)}</div></div>'
        )
    truth = empty_truth()
    truth["order_ids"] = [oid]
    v = dict(
        app=L["app"],
        buyer=esc(BUYERS[lang]),
        order_label=L["order"],
        order_id=oid,
        item=esc(PRODUCTS[lang if lang in PRODUCTS else "en"][0]),
        bubbles="".join(out),
        reply_ph=L["reply"],
    )
    return Doc("messages", v, truth, tab=L["app"], url="sellercentral.amazon.com/messaging/inbox")


# ============================================================================================ payment receipts


def paypal(lang: str, market: str, rng: random.Random, *, oid: str | None, amount: Decimal, refunded: date) -> Doc:
    t = _t(refunded, rng.randint(8, 20), rng.randint(0, 59))
    txid = "".join(rng.choice("0123456789ABCDEFGHJKLMNPRSTUVWXY") for _ in range(17))
    Ls = {
        "en": (
            "Refund sent",
            "You refunded",
            "Completed",
            "Transaction ID",
            "Invoice ID",
            "Date",
            "Paid to",
            "Refund amount",
            "Summary Send Wallet Activity Help",
        ),
        "de": (
            "Rückzahlung gesendet",
            "Sie haben erstattet",
            "Abgeschlossen",
            "Transaktionscode",
            "Rechnungsnummer",
            "Datum",
            "Empfänger",
            "Rückzahlungsbetrag",
            "Übersicht Senden Wallet Aktivitäten Hilfe",
        ),
        "es": (
            "Reembolso enviado",
            "Has reembolsado",
            "Completado",
            "Id. de transacción",
            "N.º de factura",
            "Fecha",
            "Destinatario",
            "Importe del reembolso",
            "Resumen Enviar Cartera Actividad Ayuda",
        ),
    }[lang]
    rows = [
        (Ls[5], ts(d_long(t.date(), lang, market) + ", " + t_fmt(t, lang, market), iso_dt(t))),
        (Ls[3], txid),
        (Ls[6], esc(BUYERS[lang])),
        (Ls[7], money(amount, market, "code")),
    ]
    if oid:
        rows.insert(2, (Ls[4], f"Amazon {oid}"))
    content = (
        f'<div class="top"><div class="logo">Pay<span>Pal</span></div><nav>{"".join(f"<span>{x}</span>" for x in Ls[8].split())}</nav></div>'
        f'<div class="card"><div class="sub">{Ls[0]}</div><div class="amt">-{money(amount, market, "code")}</div>'
        f'<div class="sub">{Ls[1]} {esc(BUYERS[lang])}</div><div style="margin-top:10px"><span class="badge">{Ls[2]}</span></div>'
        f'<div class="rows">{"".join(f"<div><span>{k}</span><span>{v}</span></div>" for k, v in rows)}</div></div>'
    )
    truth = empty_truth()
    truth["order_ids"] = [oid] if oid else []
    truth["refunds"] = [{"amount": amount_str(amount, market), "currency": _cur(market), "date": refunded.isoformat()}]
    return Doc(
        "receipt",
        dict(theme="pp", content=content),
        truth,
        tab="Activity - PayPal",
        url=f"www.paypal.com/activity/payment/{txid}",
    )


def stripe(
    lang: str, market: str, rng: random.Random, *, oid: str, amount: Decimal, refunded: date, order_total: Decimal
) -> Doc:
    Ls = {
        "en": (
            "Refund from Northwind Goods",
            "Receipt",
            "Amount refunded",
            "Date refunded",
            "Payment method",
            "Order",
            "Order total",
            "Refunded",
            "Questions? Contact us at support@northwind.example",
        ),
        "es": (
            "Reembolso de Northwind Goods",
            "Recibo",
            "Importe reembolsado",
            "Fecha del reembolso",
            "Método de pago",
            "Pedido",
            "Total del pedido",
            "Reembolsado",
            "¿Preguntas? support@northwind.example",
        ),
    }[lang]
    rno = f"{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}"
    three = [
        (Ls[2], money(amount, market)),
        (Ls[3], ts(d_short(refunded, lang, market), refunded.isoformat())),
        (Ls[4], "VISA •••• 4242"),
    ]
    content = (
        f'<div class="card"><div class="band"><div class="ic">N</div></div><div class="in"><h1>{Ls[0]}</h1>'
        f'<div class="from">{Ls[1]} #{rno}</div><div class="three">'
        + "".join(f'<div><div class="k">{k}</div><div>{v}</div></div>' for k, v in three)
        + f'</div><div class="sum"><div><span>{Ls[5]}</span><span>{oid}</span></div>'
        f"<div><span>{Ls[6]}</span><span>{money(order_total, market)}</span></div>"
        f'<div class="tot"><span>{Ls[7]}</span><span>{money(amount, market)}</span></div></div>'
        f'<div class="foot">{Ls[8]}</div></div></div>'
    )
    truth = empty_truth()
    truth["order_ids"] = [oid]
    truth["refunds"] = [{"amount": amount_str(amount, market), "currency": _cur(market), "date": refunded.isoformat()}]
    return Doc(
        "receipt", dict(theme="st", content=content), truth, tab="Receipt", url="pay.stripe.com/receipts/acct_1N/rf_3P"
    )


# ============================================================================================ printable documents

INV = {
    "en": dict(
        title="Credit Note / Refund Receipt",
        co="Northwind Goods LLC",
        addr="500 Market St, Columbus, OH 43215",
        meta=[
            ("Credit note no.", "CN-{n}"),
            ("Date of issue", "{date}"),
            ("Amazon order ID", "{oid}"),
            ("Original invoice", "INV-{m}"),
            ("Refund method", "Original payment method"),
        ],
        head=["Description", "Qty", "Unit price", "Amount"],
        sub="Subtotal",
        total="Total refunded",
        note="This credit note confirms that the amount above has been refunded to the buyer's original payment method.",
    ),
    "de": dict(
        title="Gutschrift / Erstattungsbeleg",
        co="Nordwind Waren GmbH",
        addr="Friedrichstraße 12, 10117 Berlin",
        meta=[
            ("Gutschriftsnummer", "GS-{n}"),
            ("Ausstellungsdatum", "{date}"),
            ("Amazon-Bestellnummer", "{oid}"),
            ("Ursprüngliche Rechnung", "RE-{m}"),
            ("Erstattungsart", "Ursprüngliche Zahlungsart"),
        ],
        head=["Beschreibung", "Menge", "Einzelpreis", "Betrag"],
        sub="Zwischensumme",
        total="Erstattungsbetrag",
        note="Mit dieser Gutschrift bestätigen wir die Rückerstattung des oben genannten Betrags auf die ursprüngliche Zahlungsart des Käufers.",
    ),
    "ja": dict(
        title="返金明細書",
        co="株式会社ノースウィンド",
        addr="東京都渋谷区神南1-2-3",
        meta=[
            ("明細番号", "RF-{n}"),
            ("発行日", "{date}"),
            ("Amazon注文番号", "{oid}"),
            ("元の請求書", "INV-{m}"),
            ("返金方法", "元のお支払い方法"),
        ],
        head=["品名", "数量", "単価", "金額"],
        sub="小計",
        total="返金合計",
        note="上記の金額を購入者の元のお支払い方法に返金したことを証明いたします。",
    ),
}


def credit_note(lang: str, market: str, rng: random.Random, *, oid: str, amount: Decimal, refunded: date) -> Doc:
    L = INV[lang]
    vals = {
        "n": rng.randint(10000, 99999),
        "m": rng.randint(10000, 99999),
        "oid": oid,
        "date": ts(d_long(refunded, lang, market), refunded.isoformat()),
    }
    meta = "".join(f'<div class="k">{k}</div><div>{v.format(**vals)}</div>' for k, v in L["meta"])
    item = PRODUCTS[lang][0]
    rows = f'<tr><td>{esc(item)}</td><td class="num">1</td><td class="num">{money(amount, market)}</td><td class="num">{money(amount, market)}</td></tr>'
    totals = f'<div><span>{L["sub"]}</span><span>{money(amount, market)}</span></div><div class="g"><span>{L["total"]}</span><span>{money(amount, market)}</span></div>'
    v = dict(
        company=L["co"],
        company_addr=L["addr"],
        head_right="",
        title=L["title"],
        addr=f"<div><b>{esc(BUYERS[lang])}</b><br>{esc(PLACES[market])}</div>",
        meta=meta,
        thead="".join(f'<th class="{"num" if i else ""}">{h}</th>' for i, h in enumerate(L["head"])),
        rows=rows,
        totals=totals,
        note=L["note"],
    )
    truth = empty_truth()
    truth["order_ids"] = [oid]
    truth["refunds"] = [{"amount": amount_str(amount, market), "currency": _cur(market), "date": refunded.isoformat()}]
    return Doc("invoice", v, truth)


def tracking_print(lang: str, market: str, rng: random.Random, *, carrier: str, number: str, delivered: date) -> Doc:
    """A carrier's 'print this page' proof of delivery on A4."""
    L = TRK[lang]
    times = event_times(rng, delivered, 5)
    cities = CITIES[market]
    title = {"en": "Proof of Delivery", "fr": "Preuve de livraison", "de": "Zustellnachweis"}[lang]
    meta = [
        (L["num"], number),
        ("Status", L["delivered"]),
        (
            {"en": "Delivered on", "fr": "Livré le", "de": "Zugestellt am"}[lang],
            ts(dt_num(times[0], lang, market), iso_dt(times[0])),
        ),
        (
            {"en": "Left at", "fr": "Déposé", "de": "Abgegeben"}[lang],
            {"en": "Front Door", "fr": "Boîte aux lettres", "de": "Nachbar"}[lang],
        ),
    ]
    rows = "".join(
        f"<tr><td>{ts(d_num(t.date(), lang, market), t.date().isoformat())}</td><td>{ts(t_fmt(t, lang, market), iso_dt(t)[11:])}</td>"
        f"<td>{esc(cities[min(i, 4)])}</td><td>{esc(([L['delivered']] + L['events'])[i])}</td></tr>"
        for i, t in enumerate(times)
    )
    v = dict(
        company=CARRIERS[carrier]["brand"].replace("<span>", "").replace("</span>", ""),
        company_addr="",
        head_right="",
        title=title,
        addr="",
        meta="".join(f'<div class="k">{k}</div><div>{v}</div>' for k, v in meta),
        thead="".join(f"<th>{h}</th>" for h in L["thead"]),
        rows=rows,
        totals="",
        note=esc(L["foot"]),
    )
    truth = empty_truth()
    truth["tracking"] = [{"number": number, "carrier": carrier}]
    truth["delivery"] = {"status": "delivered", "date": delivered.isoformat(), "location": cities[0]}
    return Doc("invoice", v, truth)


# ============================================================================================ phone app screens


def app_screen(
    lang: str,
    market: str,
    rng: random.Random,
    *,
    kind: str,
    oid: str,
    carrier: str | None = None,
    number: str | None = None,
    delivered: date | None = None,
    amount: Decimal | None = None,
    photo: str | None = None,
) -> Doc:
    """Amazon-app-like phone screens: kind = tracking | refund."""
    S = {
        "en": dict(
            search="Search Amazon",
            delivered="Delivered",
            order="Order #",
            trk="Tracking ID",
            via="Shipped with",
            refund="Refund issued",
            refunded="Your refund of {amt} was issued on {date}.",
            see="See all orders",
            left="Your package was left near the front door or porch.",
            help="Get help with order",
            item="Item",
        ),
        "de": dict(
            search="Amazon durchsuchen",
            delivered="Zugestellt",
            order="Bestellnr.",
            trk="Sendungsnummer",
            via="Versand mit",
            refund="Erstattung veranlasst",
            refunded="Ihre Erstattung über {amt} wurde am {date} veranlasst.",
            see="Alle Bestellungen",
            left="Ihr Paket wurde bei einem Nachbarn abgegeben.",
            help="Hilfe zur Bestellung",
            item="Artikel",
        ),
        "ja": dict(
            search="Amazon.co.jp を検索",
            delivered="配達済み",
            order="注文番号",
            trk="お問い合わせ伝票番号",
            via="配送業者",
            refund="返金済み",
            refunded="{date}に{amt}の返金を行いました。",
            see="注文履歴を見る",
            left="宅配ボックスにお届けしました。",
            help="注文に関するサポート",
            item="商品",
        ),
        "zh": dict(
            search="搜索 Amazon",
            delivered="已签收",
            order="订单号",
            trk="运单号",
            via="承运商",
            refund="已退款",
            refunded="您的退款 {amt} 已于 {date} 退回。",
            see="查看所有订单",
            left="包裹已放在快递柜。",
            help="订单帮助",
            item="商品",
        ),
        "fr": dict(
            search="Rechercher Amazon",
            delivered="Livré",
            order="Commande n°",
            trk="N° de suivi",
            via="Expédié avec",
            refund="Remboursement effectué",
            refunded="Votre remboursement de {amt} a été effectué le {date}.",
            see="Voir toutes les commandes",
            left="Votre colis a été déposé dans la boîte aux lettres.",
            help="Aide",
            item="Article",
        ),
    }[lang]
    truth = empty_truth()
    truth["order_ids"] = [oid]
    secs = []
    if kind == "tracking":
        assert delivered and number and carrier
        dt = _t(delivered, rng.randint(9, 19), rng.randint(0, 59))
        secs.append(
            f'<div class="sec"><div class="big">{S["delivered"]} {ts(d_long(delivered, lang, market), delivered.isoformat())}</div>'
            f'<div class="muted">{esc(S["left"])}</div><div class="track"><i></i><b></b><i></i><b></b><i></i><b></b><i></i></div>'
            + (f'<img class="photo" src="{photo}">' if photo else "")
            + "</div>"
        )
        secs.append(
            f'<div class="sec"><div class="row"><span>{S["via"]}</span><span>{carrier}</span></div>'
            f'<div class="row"><span>{S["trk"]}</span><span class="fact" data-kind="tracking">{number}</span></div>'
            f'<div class="row"><span>{S["order"]}</span><span class="fact" data-kind="order">{oid}</span></div>'
            f'<div class="row"><span></span><span>{ts(t_fmt(dt, lang, market), iso_dt(dt)[11:])}</span></div></div>'
        )
        truth["tracking"] = [{"number": number, "carrier": carrier}]
        truth["delivery"] = {"status": "delivered", "date": delivered.isoformat(), "location": None}
    else:
        assert amount is not None and delivered
        txt = (
            esc(S["refunded"])
            .replace("{amt}", money(amount, market))
            .replace("{date}", ts(d_long(delivered, lang, market), delivered.isoformat()))
        )
        secs.append(f'<div class="sec"><h2>{S["refund"]}</h2><div>{txt}</div></div>')
        secs.append(
            f'<div class="sec"><div class="row"><span>{S["order"]}</span><span class="fact" data-kind="order">{oid}</span></div>'
            f'<div class="item" style="margin-top:8px"><div class="img" style="background:{THUMB[0]}"></div><div>{esc(PRODUCTS[lang][1])}</div></div></div>'
        )
        truth["refunds"] = [
            {"amount": amount_str(amount, market), "currency": _cur(market), "date": delivered.isoformat()}
        ]
    secs.append(f'<div class="sec"><span class="btn y">{S["help"]}</span><span class="btn">{S["see"]}</span></div>')
    return Doc("mobile_app", dict(search=S["search"], sections="".join(secs)), truth)


def empty_confirmation(lang: str, market: str, rng: random.Random, *, oid: str, amount: Decimal, refunded: date) -> Doc:
    S = {
        "en": (
            "Seller Central",
            "Refund submitted",
            "A refund of {amt} for order {oid} was submitted on {date}.",
            "No further action is needed.",
        ),
        "ja": (
            "セラーセントラル",
            "返金を受け付けました",
            "注文番号 {oid} の {amt} の返金を {date} に受け付けました。",
            "これ以上の操作は必要ありません。",
        ),
    }[lang]
    body = (
        esc(S[2])
        .replace("{amt}", money(amount, market))
        .replace("{oid}", f'<span class="fact" data-kind="order">{oid}</span>')
        .replace("{date}", ts(d_long(refunded, lang, market), refunded.isoformat()))
    )
    truth = empty_truth()
    truth["order_ids"] = [oid]
    truth["refunds"] = [{"amount": amount_str(amount, market), "currency": _cur(market), "date": refunded.isoformat()}]
    return Doc(
        "empty",
        dict(top=S[0], card=f"<h2>{S[1]}</h2><p>{body}</p><p>{S[3]}</p>"),
        truth,
        tab=S[0],
        url="sellercentral.amazon.com/orders-v3",
    )


def order_list(lang: str, market: str, rng: random.Random, *, oid: str, n: int = 40) -> Doc:
    """Seller Central 'Manage Orders' list, long enough for a 4000-pixel full-page screenshot; the claim's order
    is one row among many (every other row's ID is visible too)."""
    ids = [numbers.order_id(rng) for _ in range(n)]
    pos = rng.randint(8, n - 8)
    ids[pos] = oid
    L = SC[lang]
    rows = []
    for i, o in enumerate(ids):
        d = date(2026, 11, 20) - timedelta(hours=i * 9)
        rows.append(
            f"<tr><td>{ts(d_short(d, lang, market), d.isoformat())}</td><td><b>{o}</b><br><span class='asin'>{esc(BUYERS[lang])}</span></td>"
            f"<td>{esc(PRODUCTS[lang][i % 3])}</td><td>{L['std']}</td><td><span class='status {'ship' if i % 4 else ''}'>"
            f"{L['shipped'] if i % 4 else L['delivered']}</span></td></tr>"
        )
    v = dict(
        search=L["search"],
        market_label=MARKET_LABEL.get(market, ""),
        menu="".join(f"<span>{m}</span>" for m in L["menu"].split()),
        side="".join(f'<a class="{"on" if i == 0 else ""}">{esc(s)}</a>' for i, s in enumerate(L["side"])),
        crumb_orders=L["crumb"],
        title=L["crumb"],
        order_label=L["order"],
        order_id=oid,
        btn_refund=L["refund"],
        btn_print=L["print"],
        btn_contact=L["contact"],
        summary_h=L["summary"],
        summary="",
        ship_h="",
        shipping="",
        cards_style="display:none",
        thead="".join(f"<th>{h}</th>" for h in [L["ordered"], L["order"], L["head"][1], L["service"], L["status"]]),
        rows="".join(rows),
        totals="",
    )
    truth = empty_truth()
    truth["order_ids"] = sorted(set(ids))
    truth["delivery"] = None  # a list of many orders' statuses: no single delivery fact
    return Doc(
        "seller_order",
        v,
        truth,
        tab="Manage Orders",
        url="sellercentral.amazon.com/orders-v3?page=1",
        notes=["order list: the claim's order among 40 others; status words of many orders"],
    )

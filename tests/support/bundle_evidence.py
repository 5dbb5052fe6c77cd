"""Real input files and reports for the bundle tests (imported by tests/test_bundle*.py).

Images are drawn with Pillow and OCR'd by the project's own `ocr.read_words` (real tesseract); text PDFs are made
with reportlab and read with pdfplumber the way ingest does (words in page pixels at 144 dpi); a scanned PDF is
rendered with pdfium and OCR'd. Facts (order ID, tracking, delivery, refund boxes) are found in those words with
plain regexes here, so the tests control exactly which boxes must be highlighted.
"""

from __future__ import annotations

import io
import re
import subprocess
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import pdfplumber
import pikepdf
import pypdfium2 as pdfium
from pikepdf import Array, Dictionary, Name
from PIL import Image, ImageDraw, ImageFont
from reportlab.lib.pagesizes import letter
from reportlab.pdfgen import canvas

from evidence_svc.bundle.fonts import find_font
from evidence_svc.config import Settings, load_settings
from evidence_svc.messages import finding
from evidence_svc.model import (
    ClaimInfo,
    ClaimReport,
    DeliveryFact,
    Facts,
    FileReport,
    Money,
    OrderIdFact,
    Page,
    Reason,
    RefundFact,
    TrackingFact,
    Word,
)
from evidence_svc.ocr import read_words
from evidence_svc.text import lines_of
from support import paths

ORDER = "112-1234567-1234567"
TRACKING = "1Z999AA10123456784"
TEXT_DPI = 144.0
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CORPUS = paths.CORPUS


def settings_for(tmp: Path, **overrides: object) -> Settings:
    return load_settings(cache_dir=tmp / "cache", workers=1, **overrides)


# ------------------------------------------------------------------------------------------- drawing inputs


def font(size: int, cjk: bool = False) -> ImageFont.FreeTypeFont:
    if cjk:
        path = find_font(["NotoSansCJK-Regular.ttc"], "fonts-noto-cjk")
        return ImageFont.truetype(str(path), size, index=0)  # JP face
    return ImageFont.truetype(str(find_font(["DejaVuSans.ttf"], "fonts-dejavu-core")), size)


def screenshot(lines: list[str], size: tuple[int, int], px: int = 30, cjk: bool = False,
               header: str | None = None) -> Image.Image:
    """A clean app screenshot: an optional coloured header bar, then lines of dark text."""
    im = Image.new("RGB", size, (255, 255, 255))
    d = ImageDraw.Draw(im)
    y = 40
    if header:
        d.rectangle([0, 0, size[0], 90], fill=(52, 36, 26))
        d.text((40, 22), header, fill=(255, 255, 255), font=font(40, cjk))
        y = 130
    f = font(px, cjk)
    for line in lines:
        d.text((50, y), line, fill=(20, 20, 20), font=f)
        y += int(px * 1.9)
    return im


def ocr_page(image: Image.Image, langs: str, settings: Settings, index: int = 0,
             dpi: float | None = None) -> Page:
    result = read_words(image, langs, settings)
    assert result.error is None, result.error
    page = Page(index=index, width=image.width, height=image.height, dpi=dpi, text_source="ocr",
                ocr_confidence=result.confidence)
    page.words = result.words
    return page


def pdf_text_pages(path: Path) -> list[Page]:
    """Words of a text PDF in page pixels at 144 dpi, as ingest reads them."""
    out = []
    s = TEXT_DPI / 72.0
    with pdfplumber.open(path) as pdf:
        for i, p in enumerate(pdf.pages):
            page = Page(index=i, width=round(float(p.width) * s), height=round(float(p.height) * s), dpi=TEXT_DPI,
                        text_source="pdf-text")
            words = []
            for w in p.extract_words():
                line = round(float(w["top"]))
                words.append(Word(text=w["text"], box=(round(w["x0"] * s), round(w["top"] * s),
                                                       round(w["x1"] * s), round(w["bottom"] * s)), line=line))
            page.words = words
            out.append(page)
    return out


def find_facts(pages: list[Page], delivered: str | None = None, refund: tuple[str, str] | None = None) -> Facts:
    """Order IDs, UPS tracking numbers, a delivered line and a refund amount, with the boxes they were seen in."""
    facts = Facts()
    for page in pages:
        for line in lines_of(page):
            for m in re.finditer(r"\d{3}-\d{7}-\d{7}", line.text):
                facts.order_id_hits.append(OrderIdFact(value=m.group(), page=page.index, box=line.box_of(*m.span())))
                if m.group() not in facts.order_ids:
                    facts.order_ids.append(m.group())
            for m in re.finditer(r"1Z[0-9A-Z]{16}", line.text):
                facts.tracking.append(TrackingFact(number=m.group(), carrier="UPS", checksum_ok=True,
                                                   page=page.index, box=line.box_of(*m.span())))
            if delivered and (m := re.search(r"Delivered On[: ]+(\S+)", line.text)):
                facts.delivery = DeliveryFact(status="delivered", date=delivered, page=page.index,
                                              box=line.box_of(*m.span()), location="Front Door")
            if refund and (m := re.search(re.escape(refund[0]), line.text)):
                facts.refunds.append(RefundFact(amount=refund[0].lstrip("$"), currency="USD", date=refund[1],
                                                page=page.index, box=line.box_of(*m.span())))
    return facts


def file_report(path: Path, pages: list[Page], kind: str | None, facts: Facts | None = None,
                media: str | None = None, findings: list | None = None) -> FileReport:
    import hashlib

    data = path.read_bytes()
    fr = FileReport(name=path.name, sha256=hashlib.sha256(data).hexdigest(), media_type=media, bytes=len(data),
                    pages=pages, facts=facts or Facts(), kind=kind, findings=findings or [])
    return fr.derive_status()


def claim_info(marketplace: str = "US", tracking: list[str] | None = None) -> ClaimInfo:
    opened = datetime(2026, 11, 5, 14, 0, tzinfo=timezone.utc)
    return ClaimInfo(order_id=ORDER, reason=Reason.not_received, marketplace=marketplace,
                     tracking=[TRACKING] if tracking is None else tracking, opened_at=opened,
                     respond_by=datetime(2026, 11, 7, 14, 0, tzinfo=timezone.utc),
                     decision_expected_at=datetime(2026, 11, 15, 14, 0, tzinfo=timezone.utc),
                     order_total=Money(amount="23.45", currency="USD"))


def report_of(claim: ClaimInfo, files: list[FileReport]) -> ClaimReport:
    return ClaimReport(claim=claim, files=files).summarise()


# ------------------------------------------------------------------------------------------------ PDFs


def messages_pdf(path: Path, pages: int = 1) -> None:
    c = canvas.Canvas(str(path), pagesize=letter, invariant=1)
    for n in range(pages):
        c.setFont("Helvetica-Bold", 18)
        c.drawString(72, 720, "Buyer-Seller Messages")
        c.setFont("Helvetica", 12)
        c.drawString(72, 690, f"Order {ORDER}")
        c.drawString(72, 660, "Nov 5, 2026  Buyer: my package has not arrived yet.")
        c.drawString(72, 640, "Nov 5, 2026  Seller: UPS shows it was delivered to your front door.")
        c.drawString(72, 100, f"Sheet {n + 1}")
        c.showPage()
    c.save()


def arm(path: Path) -> None:
    """Give a PDF every kind of active content a hostile or sloppy file can carry."""
    pdf = pikepdf.open(path, allow_overwriting_input=True)
    js = lambda code: pdf.make_indirect(Dictionary(Type=Name.Action, S=Name.JavaScript, JS=pikepdf.String(code)))  # noqa: E731
    pdf.Root.OpenAction = js("app.alert('open')")
    pdf.Root.AA = Dictionary(WC=js("app.alert('close')"))
    payload = pikepdf.Stream(pdf, b"MZ not really an exe")
    payload.Type = Name.EmbeddedFile
    spec = pdf.make_indirect(Dictionary(Type=Name.Filespec, F=pikepdf.String("evil.exe"),
                                        EF=Dictionary(F=pdf.make_indirect(payload))))
    pdf.Root.Names = Dictionary(JavaScript=Dictionary(Names=Array([pikepdf.String("init"), js("app.alert(1)")])),
                                EmbeddedFiles=Dictionary(Names=Array([pikepdf.String("evil.exe"), spec])))
    page = pdf.pages[0]
    page.obj.AA = Dictionary(O=js("app.alert('page')"))
    ap = pikepdf.Stream(pdf, b"0 0 1 rg 0 0 200 20 re f BT /Helv 12 Tf 0 g 4 5 Td (FORM VALUE 42) Tj ET")
    ap.Type, ap.Subtype, ap.BBox = Name.XObject, Name.Form, Array([0, 0, 200, 20])
    ap.Resources = Dictionary(Font=Dictionary(Helv=Dictionary(Type=Name.Font, Subtype=Name.Type1,
                                                              BaseFont=Name.Helvetica)))
    field_ = pdf.make_indirect(Dictionary(
        Type=Name.Annot, Subtype=Name.Widget, FT=Name.Tx, T=pikepdf.String("amount"), V=pikepdf.String("42"),
        Rect=Array([300, 500, 500, 520]), F=4, AP=Dictionary(N=pdf.make_indirect(ap)),
        AA=Dictionary(K=js("event.value='x'")), P=page.obj))
    link = pdf.make_indirect(Dictionary(Type=Name.Annot, Subtype=Name.Link, Rect=Array([72, 600, 200, 620]),
                                        A=Dictionary(S=Name.URI, URI=pikepdf.String("http://evil.example/"))))
    launch = pdf.make_indirect(Dictionary(Type=Name.Annot, Subtype=Name.Link, Rect=Array([72, 560, 200, 580]),
                                          A=Dictionary(S=Name.Launch, F=pikepdf.String("calc.exe"))))
    attach = pdf.make_indirect(Dictionary(Type=Name.Annot, Subtype=Name.FileAttachment,
                                          Rect=Array([500, 700, 520, 720]), FS=spec))
    note = pdf.make_indirect(Dictionary(Type=Name.Annot, Subtype=Name.Square, Rect=Array([60, 400, 90, 430]),
                                        A=js("app.alert('square')"), C=Array([1, 0, 0])))
    page.obj.Annots = Array([field_, link, launch, attach, note])
    pdf.Root.AcroForm = Dictionary(Fields=Array([field_]), DA=pikepdf.String("/Helv 0 Tf 0 g"))
    pdf.save(path)


def rotated_scan(path: Path, image: Image.Image, dpi: float = 150.0) -> None:
    """A scanned page stored landscape with /Rotate 90: viewers (and pdfium) show the portrait scan upright."""
    w_pt, h_pt = image.width * 72 / dpi, image.height * 72 / dpi
    pdf = pikepdf.new()
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=90)
    img = pikepdf.Stream(pdf, buf.getvalue())
    img.Type, img.Subtype, img.Width, img.Height = Name.XObject, Name.Image, image.width, image.height
    img.ColorSpace, img.BitsPerComponent, img.Filter = Name.DeviceRGB, 8, Name.DCTDecode
    page = pdf.add_blank_page(page_size=(h_pt, w_pt))
    page.obj.Rotate = 90
    page.add_resource(pdf.make_indirect(img), Name.XObject, Name.Im0)
    # display (u*w, v*h) -> user (h_pt - v*h_pt, u*w_pt): the upright image drawn turned a quarter left
    page.contents_add(f"q 0 {w_pt} {-h_pt} 0 {h_pt} 0 cm /Im0 Do Q".encode())
    pdf.save(path)


def render(path: Path, index: int, dpi: float = 150.0) -> Image.Image:
    doc = pdfium.PdfDocument(str(path))
    try:
        return doc[index].render(scale=dpi / 72.0, may_draw_forms=True).to_pil().convert("RGB")
    finally:
        doc.close()


def qpdf_check(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)


# ------------------------------------------------------------------------------------------------ the claim


@dataclass
class Evidence:
    """A claim's files, their reports, and the sha256 -> path map build_bundle takes."""

    root: Path
    settings: Settings
    reports: list[FileReport] = field(default_factory=list)
    paths: dict[str, Path] = field(default_factory=dict)

    def add(self, fr: FileReport, path: Path) -> FileReport:
        self.reports.append(fr)
        self.paths[fr.sha256] = path
        return fr

    def by_name(self, name: str) -> FileReport:
        return next(fr for fr in self.reports if fr.name == name)


def build_evidence(root: Path) -> Evidence:
    """The US claim used by most tests: tracking screenshot (PNG), refund receipt (JPEG), buyer messages (a text
    PDF full of active content), an order page scanned sideways (/Rotate 90), two real forms from the corpus, a
    blurry file that failed the checks and a file whose bytes are missing."""
    root.mkdir(parents=True, exist_ok=True)
    settings = settings_for(root)
    ev = Evidence(root, settings)

    # listed first but must come after delivery and refund proof in the bundle
    msgs = root / "messages.pdf"
    messages_pdf(msgs)
    arm(msgs)
    pages = pdf_text_pages(msgs)
    ev.add(file_report(msgs, pages, "messages", find_facts(pages), "application/pdf"), msgs)

    refund = screenshot(["Refund issued", f"Order {ORDER}", "Refund amount: $23.45", "Date: 2026-11-04",
                         "Refunded to Visa ending in 4417"], (1100, 700), px=30, header="Payments")
    refund_path = root / "refund.jpg"
    refund.save(refund_path, "JPEG", quality=90)
    pages = [ocr_page(refund, "eng", settings)]
    ev.add(file_report(refund_path, pages, "refund", find_facts(pages, refund=("$23.45", "2026-11-04")),
                       "image/jpeg"), refund_path)

    track = screenshot(["Tracking Details", f"Tracking Number: {TRACKING}", "Status: Delivered",
                        "Delivered On: 2026-11-03 14:12", "Left At: Front Door", f"Order {ORDER}"],
                       (1300, 800), px=32, header="UPS")
    track_path = root / "tracking.png"
    track.save(track_path)
    pages = [ocr_page(track, "eng", settings)]
    ev.add(file_report(track_path, pages, "delivery", find_facts(pages, delivered="2026-11-03"), "image/png"),
           track_path)

    order = screenshot(["Order Details", f"Order # {ORDER}", "Ordered on October 28, 2026", "Grand Total: $23.45",
                        "Bamboo Cutting Board Set"], (1240, 1650), px=34)
    scan = root / "order_scan.pdf"
    rotated_scan(scan, order)
    raster = render(scan, 0)
    pages = [ocr_page(raster, "eng", settings, dpi=150.0)]
    ev.add(file_report(scan, pages, "order", find_facts(pages), "application/pdf"), scan)

    for src in (CORPUS / "ocrmypdf" / "acroform.pdf", CORPUS / "paperless" / "with-form.pdf"):
        dst = root / f"form-{src.name}"
        dst.write_bytes(src.read_bytes())
        ev.add(file_report(dst, pdf_text_pages(dst), "other", media="application/pdf"), dst)

    blurry = screenshot(["blurry parcel photo"], (600, 400), px=20)
    blurry_path = root / "parcel_photo.png"
    blurry.save(blurry_path)
    bad = finding("blurry", value=18.0, threshold=60.0)
    ev.add(file_report(blurry_path, [Page(index=0, width=600, height=400)], "other", media="image/png",
                       findings=[bad]), blurry_path)

    gone = root / "gone.png"
    screenshot(["gone"], (300, 200)).save(gone)
    fr = file_report(gone, [Page(index=0, width=300, height=200)], "other", media="image/png")
    ev.reports.append(fr)  # listed in the report, but its bytes are not handed to the bundle
    gone.unlink()
    return ev

"""Files for the format/size rules: truncated and undecodable files, non-evidence formats with image extensions,
encrypted PDFs, decompression-bomb-sized images, oversize files and PDFs with active content.

These are not realistic evidence; they exist so every `file_rules` code has labelled positives.
Encryption uses RC4 (R=4, no AES) because AES draws a random IV and the set must be byte-identical per seed.
"""

from __future__ import annotations

import hashlib
import io
import random
import zipfile
from pathlib import Path

import numpy as np
import pikepdf
from PIL import Image

from samples.render import pdfs
from samples.scenario import make_scenario
from samples.truth import expected_codes


def _pike_bytes(pdf: pikepdf.Pdf, **kw) -> bytes:
    buf = io.BytesIO()
    if "encryption" in kw:
        # qpdf refuses a content-derived ID for encrypted output; a static ID keeps the bytes reproducible
        pdf.save(buf, static_id=True, **kw)
    else:
        pdf.save(buf, deterministic_id=True, **kw)
    return buf.getvalue()


def _small_png(rng: random.Random) -> bytes:
    from samples.render import layouts
    from samples.render.style import random_style
    sc = make_scenario(rng, "en", "US")
    body = layouts.refund_page(sc, random_style(rng, "en", scale=1.0), 800)
    buf = io.BytesIO()
    body.img.save(buf, "PNG")
    return buf.getvalue()


def build_file_rule(r, rng: random.Random, nrng: np.random.Generator, outdir: Path) -> dict:
    kind = r.variant
    o = r.opts
    facts = {"order_ids": [], "tracking": [], "delivery": None, "refunds": [], "timestamps": []}
    expect: list[str] = []
    absent: list[str] = []
    ext = o.get("ext", ".bin")
    notes = ""
    sc = make_scenario(rng, r.lang, r.market)
    claim_order, claim_tracking = sc.order_id, [sc.tracking]
    if kind == "corrupt_png":
        data = _small_png(rng)
        data = data[: int(len(data) * 0.55)]
        expect, ext, notes = ["corrupt-file"], ".png", "PNG truncated at 55%"
    elif kind == "corrupt_jpeg":
        data = _small_png(rng)
        img = Image.open(io.BytesIO(data)).convert("RGB")
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=85)
        data = buf.getvalue()[:400]
        expect, ext, notes = ["corrupt-file"], ".jpg", "JPEG cut after 400 bytes (header only)"
    elif kind == "corrupt_pdf":
        data, _ = pdfs.refund_receipt_pdf(sc)
        data = data[:300] + bytes(nrng.integers(0, 256, 2000, dtype=np.uint8))
        expect, ext, notes = ["corrupt-file"], ".pdf", "PDF header then garbage, no xref"
    elif kind == "unsupported_docx":
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            zi = zipfile.ZipInfo("word/document.xml", date_time=(2026, 11, 20, 10, 0, 0))
            z.writestr(zi, "<w:document>Order " + sc.order_id + "</w:document>")
        data = buf.getvalue()
        expect, ext, notes = ["unsupported-format"], ".png", "a Word (zip) document with a .png extension"
    elif kind == "unsupported_html":
        data = (f"<!doctype html><html><body><h1>Order {sc.order_id}</h1><p>Delivered</p></body></html>").encode()
        expect, ext, notes = ["unsupported-format"], ".jpg", "an HTML page saved with a .jpg extension"
    elif kind == "unsupported_text":
        data = f"Tracking {sc.tracking}\nDelivered\n".encode()
        expect, ext, notes = ["unsupported-format"], ".pdf", "plain text with a .pdf extension"
    elif kind in ("encrypted_user", "encrypted_owner"):
        clean, _ = pdfs.refund_receipt_pdf(sc)
        pdf = pikepdf.open(io.BytesIO(clean))
        user = "buyer2026" if kind == "encrypted_user" else ""
        data = _pike_bytes(pdf, encryption=pikepdf.Encryption(owner="owner-secret", user=user, R=4, aes=False,
                                                                   metadata=False))
        ext = ".pdf"
        if user:
            expect, notes = ["encrypted-pdf"], "needs a user password"
        else:
            # Every viewer opens it without asking (the owner password only restricts printing/copying), and
            # ingest reads it like any PDF: not a defect.
            absent = ["corrupt-file", "encrypted-pdf", "unsupported-format"]
            notes = "owner password only (opens with an empty user password, is_encrypted is true): readable"
    elif kind == "too_many_pixels":
        w, h = o["size"]
        mode = o.get("mode", "1")
        img = Image.new(mode, (w, h), 1 if mode == "1" else 255)
        buf = io.BytesIO()
        img.save(buf, o.get("fmt", "PNG"))
        data = buf.getvalue()
        expect, ext = ["image-too-large"], "." + o.get("fmt", "PNG").lower().replace("jpeg", "jpg")
        notes = f"{w}x{h} = {w * h / 1e6:.0f} MP, tiny on disk"
    elif kind == "too_many_bytes":
        w, h = o["size"]
        arr = nrng.integers(0, 256, (h, w, 3), dtype=np.uint8)
        buf = io.BytesIO()
        if o.get("fmt") == "JPEG":
            Image.fromarray(arr).save(buf, "JPEG", quality=100, subsampling=0)
            ext = ".jpg"
        else:
            Image.fromarray(arr).save(buf, "PNG", compress_level=1)
            ext = ".png"
        data = buf.getvalue()
        expect, notes = ["file-too-large"], f"{len(data) / 1e6:.1f} MB of camera noise"
    elif kind == "too_many_pages":
        data = pdfs.blank_pages_pdf(o.get("pages", 60))
        expect, ext, notes = ["file-too-large"], ".pdf", f"{o.get('pages', 60)} pages (limit 50)"
    elif kind.startswith("active_"):
        clean, facts = pdfs.refund_receipt_pdf(sc)
        facts.setdefault("delivery", None)
        facts = {k: facts[k] for k in ("order_ids", "tracking", "delivery", "refunds", "timestamps")}
        pdf = pikepdf.open(io.BytesIO(clean))
        if kind == "active_js":
            js = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert('hello');"))
            pdf.Root.OpenAction = pdf.make_indirect(js)
            notes = "OpenAction JavaScript"
        elif kind == "active_launch":
            act = pikepdf.Dictionary(S=pikepdf.Name.Launch, F=pikepdf.String("cmd.exe"))
            pdf.Root.OpenAction = pdf.make_indirect(act)
            notes = "OpenAction Launch"
        else:
            fs = pikepdf.AttachedFileSpec(pdf, b"MZ\x90\x00 not really a program", filename="invoice.exe")
            pdf.attachments["invoice.exe"] = fs
            notes = "embedded file invoice.exe"
        data = _pike_bytes(pdf)
        exp2, absent = expected_codes(facts, [], claim_order, claim_tracking, readable=True, defect=None)
        expect = sorted(set(exp2) | {"active-content"})
        absent = sorted(set(absent) - {"active-content"})
        ext = ".pdf"
    else:
        raise ValueError(kind)
    if not absent and expect and expect[0] in ("encrypted-pdf", "image-too-large", "file-too-large"):
        absent = ["corrupt-file", "unsupported-format"]  # well-formed files: only their own rule applies
    fname = r.name + ext
    (outdir / fname).write_bytes(data)
    return {
        "file": fname, "marketplace": r.market, "lang": r.lang, "layout": "file_rule", "frame": "none",
        "variant": kind, "group": r.group, "order_id": claim_order, "claim_tracking": claim_tracking,
        "expect_codes": sorted(expect), "absent_codes": absent, "facts": facts, "cut_timestamps": [],
        "cut_text": [],
        "facts_reliable": kind.startswith("active_"), "width": None, "height": None, "text_px": None, "dpi": None,
        "notes": notes, "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data),
        "opened_at": "2026-11-24T09:00:00Z", "delivered": True, "_fmt": ext.lstrip("."),
    }

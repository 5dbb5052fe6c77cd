"""Active-content stripping: nothing from an input PDF can run, launch, open a link, submit a form or carry a file.

`sanitize(pdf)` runs on an input PDF before its pages are copied into the bundle: form fields and other annotations
that have an appearance are flattened into the page first (what the seller saw stays visible, but it is no longer
a live field), then page-level additional actions and every annotation that can act (links, widgets, file
attachments, media) are removed, and the actions of the rest are cut off. Only pages are copied into the bundle, so
document-level /OpenAction, /Names (JavaScript, EmbeddedFiles) and /AcroForm never reach it. `active_content(pdf)`
walks a whole document and lists whatever could still act; the bundle builder runs it on every bundle it writes,
and the tests run it too.
"""

from __future__ import annotations

import pikepdf
from pikepdf import Array, Dictionary, Name

# Annotation types that only mark up the page; anything else (Link, Widget, FileAttachment, Screen, Movie, Sound,
# RichMedia, 3D, ...) is removed after flattening.
MARKUP_ANNOTS = {
    "/Text", "/FreeText", "/Line", "/Square", "/Circle", "/Polygon", "/PolyLine", "/Highlight", "/Underline",
    "/Squiggly", "/StrikeOut", "/Stamp", "/Caret", "/Ink", "/Popup",
}
ACTION_KEYS = ("/A", "/AA", "/PA")
# Keys that must not appear anywhere in a bundle, and action types that must not appear in any action dictionary.
BANNED_KEYS = {"/JS", "/JavaScript", "/OpenAction", "/AA", "/AcroForm", "/EmbeddedFiles", "/EmbeddedFile", "/XFA"}
BANNED_ACTIONS = {"/JavaScript", "/Launch", "/URI", "/SubmitForm", "/ImportData", "/ResetForm", "/GoToR", "/GoToE",
                  "/Rendition", "/Sound", "/Movie", "/RichMediaExecute", "/Hide", "/SetOCGState", "/Trans"}


def sanitize(pdf: pikepdf.Pdf) -> list[str]:
    """Make `pdf`'s pages inert in place; returns what was removed (for logs and tests)."""
    removed: list[str] = []
    root = pdf.Root
    for key in ("/OpenAction", "/AA"):
        if key in root:
            del root[key]
            removed.append(key)
    for key in ("/AcroForm", "/Names"):
        if key in root:
            removed.append(key)
    if "/AcroForm" in root:
        try:  # give fields without an appearance one, so flattening keeps their values visible
            pdf.generate_appearance_streams()
        except Exception:  # qpdf cannot draw every field type; such a field is dropped without a picture
            pass
    try:
        pdf.flatten_annotations("all")
    except Exception:
        pass  # a broken annotation: the per-page pass below still removes it
    for key in ("/AcroForm", "/Names"):
        if key in root:
            del root[key]
    for page in pdf.pages:
        obj = page.obj
        for key in ("/AA", "/B"):  # page open/close actions; article beads point into document threads
            if key in obj:
                del obj[key]
                removed.append(f"page {page.index + 1} {key}")
        annots = obj.get("/Annots")
        if annots is None:
            continue
        keep = Array()
        for annot in annots:
            if not isinstance(annot, Dictionary):
                continue
            subtype = str(annot.get("/Subtype", ""))
            if subtype not in MARKUP_ANNOTS:
                removed.append(f"page {page.index + 1} {subtype or 'annotation'}")
                continue
            for key in ACTION_KEYS:
                if key in annot:
                    del annot[key]
                    removed.append(f"page {page.index + 1} {subtype} {key}")
            keep.append(annot)
        if len(keep):
            obj.Annots = keep
        else:
            del obj["/Annots"]
    return removed


def active_content(pdf: pikepdf.Pdf) -> list[str]:
    """Everything in `pdf` that could act: banned keys, dangerous actions, widgets, links, attachments."""
    found: list[str] = []
    seen: set[tuple[int, int]] = set()

    def walk(obj: object, path: str, depth: int) -> None:
        if depth > 60:
            return
        if isinstance(obj, (Dictionary, pikepdf.Stream)):
            if obj.is_indirect:
                if obj.objgen in seen:
                    return
                seen.add(obj.objgen)
            d = obj.stream_dict if isinstance(obj, pikepdf.Stream) else obj
            for key in d.keys():
                if key in BANNED_KEYS:
                    found.append(f"{path}{key}")
            action = d.get("/S")
            is_action = "/Type" not in d or d.Type == Name.Action
            if isinstance(action, Name) and str(action) in BANNED_ACTIONS and is_action:
                found.append(f"{path} action {action}")
            if d.get("/Subtype") in (Name.Widget, Name.Link, Name.FileAttachment, Name.Screen, Name.RichMedia):
                found.append(f"{path} {d.get('/Subtype')} annotation")
            if d.get("/Type") in (Name.Filespec, Name.EmbeddedFile):
                found.append(f"{path} {d.get('/Type')}")
            for key in d.keys():
                if key in ("/Parent", "/P"):
                    continue
                walk(d[key], f"{path}{key}", depth + 1)
        elif isinstance(obj, Array):
            for i, item in enumerate(obj):
                walk(item, f"{path}[{i}]", depth + 1)

    walk(pdf.trailer, "trailer", 0)
    return found

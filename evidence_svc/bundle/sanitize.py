"""Active-content stripping: nothing from an input PDF can run, launch, open a link, submit a form or carry a file.

`sanitize(pdf)` runs on an input PDF before its pages are copied into the bundle: form fields and other annotations
that have an appearance are flattened into the page first (what the seller saw stays visible, but it is no longer
a live field), then page-level additional actions and every annotation that can act (links, widgets, file
attachments, media) are removed, and the actions of the rest are cut off. Only pages are copied into the bundle, so
document-level /OpenAction, /Names (JavaScript, EmbeddedFiles) and /AcroForm never reach it. Which keys, actions
and annotations can act is data in `ingest/active_content.py`, the one home of that idea; its `active_content(pdf)`
walks a whole document and lists whatever could still act; the bundle builder runs it on every bundle it writes,
and the tests run it too (re-exported here for them). Nothing here decides what counts as active.
"""

from __future__ import annotations

import pikepdf
from pikepdf import Array, Dictionary

from ..ingest.active_content import ACTION_KEYS, MARKUP_ANNOTS, active_content

__all__ = ["active_content", "sanitize"]


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

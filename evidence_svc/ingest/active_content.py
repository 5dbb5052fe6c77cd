"""Active content in a PDF: the one home for which keys, actions and annotations can act, and the scans that find them.

Two readings of the same data, at two strictnesses. `active_kinds(pdf)` is ingest's: what a reviewer's viewer
might run or open from an uploaded file (scripts, launch actions, automatic actions, attachments, form fields), in
plain words for the `active-content` finding; links and plain navigation are normal in printed order pages and are
not flagged. `active_content(pdf)` is the bundle's: every object that could act at all, with where it is; the bundle
builder (`bundle/sanitize.py` strips, this verifies) refuses to write a bundle for which it is not empty. Both only
read dictionaries; nothing here changes a PDF. Hand-written: pikepdf exposes the objects but has no 'is this active'
helper.
"""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger(__name__)

# Annotation types that only mark up the page; anything else (Link, Widget, FileAttachment, Screen, Movie, Sound,
# RichMedia, 3D, ...) can act and is removed from a bundle after flattening.
MARKUP_ANNOTS = {
    "/Text", "/FreeText", "/Line", "/Square", "/Circle", "/Polygon", "/PolyLine", "/Highlight", "/Underline",
    "/Squiggly", "/StrikeOut", "/Stamp", "/Caret", "/Ink", "/Popup",
}
ACTION_KEYS = ("/A", "/AA", "/PA")  # keys of an annotation that hold its actions
# Keys that must not appear anywhere in a bundle, and action types that must not appear in any action dictionary.
BANNED_KEYS = {"/JS", "/JavaScript", "/OpenAction", "/AA", "/AcroForm", "/EmbeddedFiles", "/EmbeddedFile", "/XFA"}
BANNED_ACTIONS = {"/JavaScript", "/Launch", "/URI", "/SubmitForm", "/ImportData", "/ResetForm", "/GoToR", "/GoToE",
                  "/Rendition", "/Sound", "/Movie", "/RichMediaExecute", "/Hide", "/SetOCGState", "/Trans"}
ACTIVE_ANNOTS = ("/Widget", "/Link", "/FileAttachment", "/Screen", "/RichMedia")  # annotations a bundle must not hold
FILE_TYPES = ("/Filespec", "/EmbeddedFile")  # objects that carry a file
# Actions that run something when an uploaded file is opened or touched, and the words `active_kinds` uses for them.
RUN_ACTIONS = {"/JavaScript": "JavaScript", "/Launch": "launch actions"}

ACTIVE_ZH = {
    "JavaScript": "JavaScript 脚本",
    "an action run on opening": "打开时自动执行的动作",
    "automatic actions": "自动触发的动作",
    "launch actions": "启动外部程序的动作",
    "embedded files": "嵌入文件",
    "form fields": "表单字段",
}


def active_zh(found: list[str]) -> str:
    """The Chinese for a list of `active_kinds`."""
    return "、".join(ACTIVE_ZH.get(f, f) for f in found)


def active_kinds(pdf: Any) -> list[str]:
    """What a reviewer's viewer might run or open: scripts, launch actions, automatic actions, attachments,
    form fields (English words, keys of `ACTIVE_ZH`, in the order found). Never raises: a broken structure is
    not active content."""
    import pikepdf

    found: list[str] = []
    root = pdf.Root

    def add(what: str) -> None:
        if what not in found:
            found.append(what)

    def action_kinds(action: Any, depth: int = 0) -> set[str]:
        kinds: set[str] = set()
        if depth > 8 or action is None:
            return kinds
        if isinstance(action, pikepdf.Array):
            for a in action:
                kinds |= action_kinds(a, depth + 1)
            return kinds
        if not isinstance(action, pikepdf.Dictionary):
            return kinds
        s = action.get("/S")
        if s is not None:
            kinds.add(str(s))
        if "/JS" in action:
            kinds.add("/JavaScript")
        nxt = action.get("/Next")
        if nxt is not None:
            kinds |= action_kinds(nxt, depth + 1)
        return kinds

    def note(kinds: set[str]) -> None:
        for action, what in RUN_ACTIONS.items():
            if action in kinds:
                add(what)

    try:
        names = root.get("/Names")
        if isinstance(names, pikepdf.Dictionary):
            if "/JavaScript" in names:
                add("JavaScript")
            if "/EmbeddedFiles" in names:
                add("embedded files")
        open_action = root.get("/OpenAction")
        if isinstance(open_action, pikepdf.Dictionary):  # an array is a plain destination, harmless
            kinds = action_kinds(open_action)
            note(kinds)
            if kinds & RUN_ACTIONS.keys():
                add("an action run on opening")
        if "/AA" in root:
            note(action_kinds(list(root.AA.values())))
            add("automatic actions")
        acro = root.get("/AcroForm")
        if isinstance(acro, pikepdf.Dictionary):
            fields = acro.get("/Fields")
            if isinstance(fields, pikepdf.Array) and len(fields) > 0:
                add("form fields")
            if "/XFA" in acro:
                add("form fields")
        for page in pdf.pages:
            pobj = page.obj
            if "/AA" in pobj:
                note(action_kinds(list(pobj.AA.values())))
                add("automatic actions")
            annots = pobj.get("/Annots")
            if not isinstance(annots, pikepdf.Array):
                continue
            for annot in annots:
                if not isinstance(annot, pikepdf.Dictionary):
                    continue
                if annot.get("/Subtype") == pikepdf.Name.FileAttachment:
                    add("embedded files")
                note(action_kinds(annot.get("/A")))
                if "/AA" in annot:
                    note(action_kinds(list(annot.AA.values())))
    except Exception:  # a broken structure is not active content; the renderers will report damage
        log.debug("active-content scan failed", exc_info=True)
    return found


def active_content(pdf: Any) -> list[str]:
    """Everything in `pdf` that could act: banned keys, dangerous actions, widgets, links, attachments."""
    from pikepdf import Array, Dictionary, Name, Stream

    active_annots = tuple(Name(n) for n in ACTIVE_ANNOTS)
    file_types = tuple(Name(n) for n in FILE_TYPES)
    found: list[str] = []
    seen: set[tuple[int, int]] = set()

    def walk(obj: object, path: str, depth: int) -> None:
        if depth > 60:
            return
        if isinstance(obj, (Dictionary, Stream)):
            if obj.is_indirect:
                if obj.objgen in seen:
                    return
                seen.add(obj.objgen)
            d = obj.stream_dict if isinstance(obj, Stream) else obj
            for key in d.keys():
                if key in BANNED_KEYS:
                    found.append(f"{path}{key}")
            action = d.get("/S")
            is_action = "/Type" not in d or d.Type == Name.Action
            if isinstance(action, Name) and str(action) in BANNED_ACTIONS and is_action:
                found.append(f"{path} action {action}")
            if d.get("/Subtype") in active_annots:
                found.append(f"{path} {d.get('/Subtype')} annotation")
            if d.get("/Type") in file_types:
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

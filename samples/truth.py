"""Ground truth for one labelled file: the facts visible on it and the finding codes a validator must raise
(`expect_codes`) or must not raise (`absent_codes`). Codes not in either list are "don't care" for that file
(e.g. `order-missing` on a blurry file, where the ID may or may not be readable).

`expected_codes` is the one rule for every labelled set: the Pillow generator here (calibration set, sample
claims) and the browser-rendered set (`bench/browser_set/build.py`) both call it, so the two truths cannot drift.
It must not look at pixels or run the product: it derives the codes from what the generator knows it drew.
"""

from __future__ import annotations

from samples.render.sheet import Sheet

FILE_RULE_CODES = ["unsupported-format", "corrupt-file", "encrypted-pdf", "image-too-large", "file-too-large",
                   "active-content", "duplicate-file"]
ALWAYS_ABSENT = FILE_RULE_CODES + ["unreadable"]  # never on a generated file (unreadable: OCR failed or timed out)
VALIDATOR_CODES = ["low-resolution", "blurry", "timestamp-missing", "timestamp-cropped", "order-mismatch",
                   "order-missing", "tracking-mismatch"] + FILE_RULE_CODES


def facts_from_sheet(s: Sheet) -> tuple[dict, list[dict]]:
    """(facts of fully visible elements, timestamps cut by an edge)."""
    order_ids = sorted({e.data["value"] for e in s.visible("order_id")})
    tracking = []
    for e in s.visible("tracking"):
        item = {"number": e.data["number"], "carrier": e.data["carrier"]}
        if item not in tracking:
            tracking.append(item)
    delivery = None
    dels = s.visible("delivery")
    if dels:
        e = dels[0]
        delivery = {"status": e.data["status"], "date": e.data.get("date"), "location": e.data.get("location")}
    elif s.visible("delivery_row"):
        e = s.visible("delivery_row")[0]
        delivery = {"status": "delivered", "date": e.data["date"], "location": None}
    refunds = []
    for e in s.visible("refund"):
        refunds.append({k: e.data[k] for k in ("amount", "currency", "date")})
    stamps = []
    for e in s.visible("timestamp"):
        item = {"text": e.text, "value": e.data["value"]}
        if e.data.get("clock"):
            item["clock"] = True
        if e.data.get("watermark"):
            item["watermark"] = True
        if e.data.get("time_only"):
            item["time_only"] = True
        stamps.append(item)
    cut = [{"text": e.text, "value": e.data["value"]} for e in s.cut("timestamp")]
    facts = {"order_ids": order_ids, "tracking": tracking, "delivery": delivery, "refunds": refunds,
             "timestamps": stamps}
    return facts, cut


def cut_text(s: Sheet) -> list[str]:
    """Every drawn text (fact or not) that an edge cuts: must be empty on files not made to be cut."""
    return [e.text for e in s.cut("text")]


def expected_codes(facts: dict, cut: list[dict], claim_order: str, claim_tracking: list[str], *, readable: bool,
                   defect: str | None) -> tuple[list[str], list[str]]:
    """Derive expect/absent codes from what is visible, for a file checked against the given claim.

    `defect` is the image-quality defect the file was made with (blurry, low-resolution) or None; `readable` is
    False for a defect and for borderline files (what is visible there is "don't care"). A visible tracking number
    is a `tracking-mismatch` only when the claim lists tracking numbers to compare it with.
    """
    expect: set[str] = set()
    absent: set[str] = set(ALWAYS_ABSENT)
    if defect:
        expect.add(defect)
    if readable:
        absent |= {"blurry", "low-resolution"} - expect
        if cut:
            expect.add("timestamp-cropped")
        else:
            absent.add("timestamp-cropped")
        if facts["timestamps"]:
            absent.add("timestamp-missing")
        elif not cut:
            expect.add("timestamp-missing")
        ids = facts["order_ids"]
        nums = [t["number"] for t in facts["tracking"]]
        if claim_order in ids:
            absent |= {"order-mismatch", "order-missing"}
        elif ids:
            expect.add("order-mismatch")
        elif any(n in claim_tracking for n in nums):
            absent |= {"order-mismatch", "order-missing"}
        else:
            expect.add("order-missing")
            absent.add("order-mismatch")
        if nums and claim_tracking and not any(n in claim_tracking for n in nums):
            expect.add("tracking-mismatch")
        else:
            absent.add("tracking-mismatch")
    return sorted(expect), sorted(absent - expect)

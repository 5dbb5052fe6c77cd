"""A cut row that continues a column of dates: the next entry of a tracking history or a table, cut by the edge.

Pure geometry on the page's OCR lines and the boxes of the dates found in them.
"""

from __future__ import annotations

from evidence_svc.model import Box, Word
from evidence_svc.text import Line


def date_boxes(lines: list[Line], hits) -> list[Box]:
    """Boxes of each date/time hit and of each of its words: a table may hold the date and the time in separate
    columns ("11/04/2026   5:30 AM") that OCR joins into one hit."""
    out: list[Box] = []
    for hit in hits:
        out.append(hit.box)
        out += [wd.box for wd in lines[hit.line].words_in(hit.start, hit.end) if any(c.isdigit() for c in wd.text)]
    return out


def continues_date_column(box: Box, edge: str, lines: list[Line], dated: list[Box]) -> bool:
    """The cut row (`box`, widened over its word gaps) is the next entry of a column of dates: two or more
    dates/times above it (below, for a cut at the top) start where the row starts and are about as wide, and the
    row sits one pitch further on (a tracking history or a table cut through its next row). Text between the last
    date and the row is allowed only when it repeats the block above (each of its lines starts where a line starts
    one pitch earlier: the status and place lines of a tracking history's entries)."""
    x0, y0, x1, y1 = box
    down = edge == "bottom"
    col: dict[int, Box] = {}
    for d in dated:
        th = d[3] - d[1]
        if (abs(d[0] - x0) <= max(th, 4) and 0.7 <= (x1 - x0) / max(d[2] - d[0], 1) <= 1.4
                and (d[3] <= y0 if down else d[1] >= y1)):
            col.setdefault(d[1] // max(th // 2, 1), d)  # one box per line
    if len(col) < 2:
        return False
    seq = sorted(col.values(), key=lambda b: b[1], reverse=not down)  # towards the cut edge last
    near, prev = seq[-1], seq[-2]
    if down:
        pitch, offset = near[1] - prev[1], y0 - near[1]
    else:
        pitch, offset = prev[3] - near[3], near[3] - y1
    if pitch <= 0 or abs(offset - pitch) > 0.25 * pitch:
        return False
    words = [wd for ln in lines for wd in ln.words]
    between = [wd for wd in words if min(wd.box[2], x1) - max(wd.box[0], x0) > 0
               and (near[3] <= wd.box[1] and wd.box[3] <= y0 if down else y1 <= wd.box[1] and wd.box[3] <= near[1])]
    starts: dict[int, Word] = {}
    for wd in between:  # the start of each line between
        if wd.line not in starts or wd.box[0] < starts[wd.line].box[0]:
            starts[wd.line] = wd
    step = pitch if down else -pitch
    tol = max(0.1 * pitch, 4)
    return all(any(abs(o.box[0] - wd.box[0]) <= max(wd.box[3] - wd.box[1], 4)
                   and abs(o.box[1] + step - wd.box[1]) <= tol for o in words if o is not wd)
               for wd in starts.values())

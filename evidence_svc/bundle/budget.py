"""Destination limits and the byte budget: what a target accepts, the recompression ladder, and what to say when a
bundle still does not fit.

Limits are data (`data/destinations.toml`, overridable by `Settings.bundle_destinations`, `bundle_max_bytes`,
`bundle_max_pages`). The ladder steps are tried in order only while the bundle is over budget; when the last step
is not enough the bundle is still written whole and a `bundle-too-large` finding names which exhibits to send in a
second message (or, where the limit is for the whole case, which exhibits are the largest). No page is ever dropped.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import pikepdf

from ..config import Settings
from ..messages import finding
from ..model import Finding


@dataclass(frozen=True)
class Step:
    dpi: float
    quality: int


@dataclass
class Destination:
    name: str
    label: str
    label_zh: str
    max_file_bytes: int | None = None
    max_total_bytes: int | None = None
    max_pages: int | None = None
    split: str = ""  # "message" | "file" | "": what a second part would be

    @property
    def max_bytes(self) -> int | None:
        limits = [v for v in (self.max_file_bytes, self.max_total_bytes) if v]
        return min(limits) if limits else None


@lru_cache(maxsize=8)
def _table(override: Path | None) -> dict:
    text = resources.files("evidence_svc").joinpath("data/destinations.toml").read_text(encoding="utf-8")
    table = tomllib.loads(text)
    if override is not None:
        extra = tomllib.loads(Path(override).read_text(encoding="utf-8"))
        for key, value in extra.items():
            if isinstance(value, dict) and isinstance(table.get(key), dict):
                table[key] = {**table[key], **value}
            else:
                table[key] = value
    return table


def targets(settings: Settings) -> list[str]:
    return [k for k, v in _table(settings.bundle_destinations).items() if isinstance(v, dict) and "label" in v]


def destination(target: str, settings: Settings) -> Destination:
    table = _table(settings.bundle_destinations)
    entry = table.get(target)
    if not isinstance(entry, dict) or "label" not in entry:
        raise ValueError(f"unknown bundle target {target!r}; known: {', '.join(targets(settings))}")
    keys = Destination.__dataclass_fields__
    dest = Destination(name=target, **{k: v for k, v in entry.items() if k in keys})
    if settings.bundle_max_bytes:
        dest.max_file_bytes, dest.max_total_bytes = settings.bundle_max_bytes, None
    if settings.bundle_max_pages:
        dest.max_pages = settings.bundle_max_pages
    return dest


def paper_for(marketplace: str, settings: Settings) -> str:
    paper = _table(settings.bundle_destinations).get("paper", {})
    for name, markets in paper.items():
        if isinstance(markets, list) and marketplace.upper() in markets:
            return name
    return str(paper.get("default", "A4"))


def ladder(settings: Settings) -> list[Step]:
    return [Step(float(s["dpi"]), int(s["quality"])) for s in _table(settings.bundle_destinations).get("ladder", [])]


def mb(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB" if n >= 1_000_000 else f"{max(1, round(n / 1000))} KB"


def exhibit_bytes(pdf: pikepdf.Pdf, pages_of: dict[int, list[int]]) -> dict[int, int]:
    """Approximate bytes each exhibit adds: its pages' streams and objects, each object counted once."""
    seen: set[tuple[int, int]] = set()
    sizes: dict[int, int] = {}

    def walk(obj: object, depth: int = 0) -> int:
        if depth > 40:
            return 0
        total = 0
        if isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)):
            if obj.is_indirect:
                if obj.objgen in seen:
                    return 0
                seen.add(obj.objgen)
                total += 40
            if isinstance(obj, pikepdf.Stream):
                total += len(obj.read_raw_bytes())
            d = obj.stream_dict if isinstance(obj, pikepdf.Stream) else obj
            for key in d.keys():
                if key not in ("/Parent", "/P"):
                    total += walk(d[key], depth + 1)
        elif isinstance(obj, pikepdf.Array):
            for item in obj:
                total += walk(item, depth + 1)
        return total

    owned = {i for indexes in pages_of.values() for i in indexes}
    for page in pdf.pages:  # the cover first: fonts shared with the stamps are the cover's, not exhibit 1's
        if page.index not in owned:
            walk(page.obj)
    for number, indexes in pages_of.items():
        sizes[number] = sum(walk(pdf.pages[i].obj) for i in indexes)
    return sizes


def _split(sizes: dict[int, int], cover: int, limit: int) -> list[list[int]]:
    """Exhibits in bundle order, packed greedily into parts under `limit` (the first part carries the cover)."""
    parts: list[list[int]] = [[]]
    running = cover
    for n in sorted(sizes):
        if parts[-1] and running + sizes[n] > limit:
            parts.append([])
            running = 0
        parts[-1].append(n)
        running += sizes[n]
    return parts


def too_large(dest: Destination, size: int, pages: int, sizes: dict[int, int], names: dict[int, str],
              spans: dict[int, tuple[int, int]]) -> list[Finding]:
    """`bundle-too-large` findings for a bundle over its byte or page limit, naming what to move or shrink."""
    out: list[Finding] = []
    limit = dest.max_bytes

    def show(numbers: list[int]) -> str:
        return ", ".join(f"{n} ({names[n]}, {mb(sizes[n])})" for n in numbers)

    if limit and size > limit:
        head_en = f"The bundle is {mb(size)} even at the lowest image quality that keeps text legible; "
        head_zh = f"即使以保持文字清晰的最低图片质量，证据包仍有 {mb(size)}；"
        if dest.split and (not dest.max_total_bytes or size <= dest.max_total_bytes):
            unit_en, unit_zh = ("message", "消息") if dest.split == "message" else ("file", "文件")
            en = [head_en + f"{dest.label} accepts {mb(limit)} per {unit_en}."]
            zh = [head_zh + f"{dest.label_zh}每条{unit_zh}最多 {mb(limit)}。"]
            ordinals = ["second", "third", "fourth", "fifth"]
            later = _split(sizes, max(0, size - sum(sizes.values())), limit)[1:]
            for i, part in enumerate(later):
                word = ordinals[i] if i < len(ordinals) else f"#{i + 2}"
                en.append(f"Send exhibit{'s' if len(part) > 1 else ''} {show(part)} in a {word} {unit_en}.")
                zh.append(f"请将附件 {show(part)} 放到第{i + 2}条{unit_zh}中发送。")
        else:
            largest = sorted(sizes, key=lambda n: -sizes[n])[:3]
            whole = mb(dest.max_total_bytes or limit)
            en = [head_en + f"{dest.label} accepts {whole} for the whole case, so a second part does not help. "
                  f"The largest exhibits are {show(largest)}: replace them with a crop or a screenshot of the part "
                  f"that matters. No page was left out."]
            zh = [head_zh + f"{dest.label_zh}整个案件最多接受 {whole}，分开发送也无济于事。最大的附件是 "
                  f"{show(largest)}：请换成只截取关键部分的截图或裁剪图。没有删除任何页面。"]
        alone = [n for n, s in sizes.items() if s > limit]
        if alone:
            en.append(f"On its own, exhibit {show(alone)} is over the limit: replace it with a smaller file."
                      if len(alone) == 1 else f"On their own, exhibits {show(alone)} are over the limit: "
                      f"replace them with smaller files.")
            zh.append(f"附件 {show(alone)} 单独就超过上限：请换成更小的文件。")
        out.append(finding("bundle-too-large", value=size, threshold=limit, detail=" ".join(en),
                           detail_zh="".join(zh)))
    if dest.max_pages and pages > dest.max_pages:
        over = [n for n, (_first, last) in sorted(spans.items()) if last + 1 > dest.max_pages]
        pages_en = ", ".join(f"{n} ({names[n]}, pages {spans[n][0] + 1}-{spans[n][1] + 1})" for n in over)
        pages_zh = ", ".join(f"{n}（{names[n]}，第 {spans[n][0] + 1}-{spans[n][1] + 1} 页）" for n in over)
        en = (f"The bundle has {pages} pages; {dest.label} accepts {dest.max_pages}. Exhibits past page "
              f"{dest.max_pages}: {pages_en}. Keep only the pages that show the facts (export those pages), "
              f"or send these exhibits separately if the destination allows it. No page was left out.")
        zh = (f"证据包共 {pages} 页；{dest.label_zh}最多接受 {dest.max_pages} 页。超出第 {dest.max_pages} 页的附件："
              f"{pages_zh}。请只保留能证明事实的页面（导出这些页面），或在允许时单独发送这些附件。没有删除任何页面。")
        out.append(finding("bundle-too-large", value=pages, threshold=dest.max_pages, detail=en, detail_zh=zh))
    return out

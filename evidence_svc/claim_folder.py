"""Reading a claim from disk: a `claim.toml` and/or a folder of evidence files.

Pure API used by `evidence lint --claim claim.toml`, by folder arguments and by watch mode:

    load_claim_toml(path)    -> (Claim, [files listed in it])
    load_claim_folder(path)  -> ClaimFolder(claim, files, root, toml)
    list_evidence(folder)   -> the files in a folder that are evidence (no hidden, temp or partial files, no notes)
    walk_folder(folder)     -> the same, plus the notes left out and the links it did not follow
    split_notes(paths)      -> (evidence, notes): a seller's .txt/.md/.docx note is not evidence
    note_findings(names)    -> an info finding per note, saying it was left out
    is_inside(root, path)   -> whether a path, links resolved, stays inside `root` (watch mode's confinement)
    read_reply_file(path)   -> a reply draft, refused unread when over the API's 10,000 characters

`claim.toml` keys: `order_id`, `reason`, `marketplace`, `tracking` (a string or a list), `opened_at`,
`order_total = {amount, currency}`, `reply`, `timezone` (an IANA name such as Asia/Shanghai: the zone deadlines are
shown in), and optional `files` (paths relative to the toml). A folder named like
an order ID (3-7-7 digits) needs no `claim.toml`. Every problem raises `ClaimFolderError` naming the file and the
reason in English and Chinese. Links to folders are never walked; `claim.toml` is refused unread above 1 MiB and a
reply above 10,000 characters (the API's limit). This module reads only: it never writes, moves or opens evidence
files' content.
"""

from __future__ import annotations

import fnmatch
import os
import tomllib
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from pydantic import ValidationError

from .errors import EvidenceError
from .messages import finding
from .model import MARKETPLACES, Claim, Finding, Reason
from .rules import ORDER_ID_RE, marketplace_code, order_id_problem, zone_problem
from .validation_text import validation_problem

CLAIM_TOML = "claim.toml"
READY_MARKER = ".ready"
MAX_CLAIM_TOML_BYTES = 1024 * 1024  # a claim.toml is a few lines; a 50 MB one took minutes to parse
MAX_REPLY_CHARS = 10_000  # the API's limit on a reply draft (api/models.py), the same for the CLI and watch mode

# Names that are never evidence. Each pattern is here because a real tool leaves such files next to real ones:
IGNORED_NAMES = (
    ".*",  # hidden: .DS_Store, .ready, rsync's ".name.XXXXXX" temp files, Syncthing's ".syncthing.*.tmp"
    "~$*",  # Microsoft Office lock files ("~$report.docx")
    "*~",  # editor backups
    "Thumbs.db", "desktop.ini",  # Windows Explorer metadata
    "Icon\r",  # macOS custom folder icon
)
# Files that are still arriving: a download or copy in progress writes here and renames when complete. Watch mode
# waits while one of these is present (a stalled browser download leaves one behind until the user acts).
PARTIAL_NAMES = (
    "*.part", "*.partial",  # Firefox, wget, KDE
    "*.crdownload",  # Chrome, Edge
    "*.download",  # Safari (a bundle directory)
    "*.tmp", "*.temp",  # many copy tools and sync clients
    "*.!qB", "*.!ut",  # BitTorrent clients
)
# Notes a seller keeps beside the evidence (what the buyer said, a draft): never evidence, left out with an info line
# instead of failing as "save it as PNG".
NOTE_SUFFIXES = (".txt", ".md", ".markdown", ".rtf", ".doc", ".docx", ".odt", ".pages")


class ClaimFolderError(EvidenceError):
    """A claim folder or claim.toml that cannot be read. `path` names the file, `reason`/`reason_zh` say why."""

    code = "bad-claim-folder"

    def __init__(self, path: Path, reason: str, reason_zh: str | None = None) -> None:
        self.path = Path(path)
        self.reason = reason
        self.reason_zh = reason_zh or reason
        super().__init__(f"{self.path}: {reason}", f"{self.path}：{self.reason_zh}")


@dataclass
class ClaimFolder:
    claim: Claim
    files: list[Path]
    root: Path | None = None  # the claim folder (None when loaded from a toml outside a folder argument)
    toml: Path | None = None  # the claim.toml read, if any
    names: list[str] = field(default_factory=list)  # display names for `files`, relative to the root
    listed: bool = False  # the files are those claim.toml lists (not every evidence file in the folder)
    notes: list[Path] = field(default_factory=list)  # the seller's notes found beside the evidence: left out

    def __post_init__(self) -> None:
        if not self.names:
            self.names = [display_name(p, self.root) for p in self.files]


def is_ignored(name: str) -> bool:
    return any(fnmatch.fnmatchcase(name, pat) for pat in IGNORED_NAMES)


def is_partial(name: str) -> bool:
    return any(fnmatch.fnmatchcase(name.lower(), pat.lower()) for pat in PARTIAL_NAMES)


def looks_like_order_id(name: str) -> bool:
    return bool(ORDER_ID_RE.match(name.strip()))


def display_name(path: Path, root: Path | None) -> str:
    if root is not None:
        try:
            return path.relative_to(root).as_posix()
        except ValueError:
            pass
    return path.name


@dataclass
class FolderEntries:
    files: list[Path] = field(default_factory=list)  # evidence files (a link to a file included: check `is_inside`)
    dir_links: list[Path] = field(default_factory=list)  # links to folders: never walked
    dangling: list[Path] = field(default_factory=list)  # links to nothing
    notes: list[Path] = field(default_factory=list)  # the seller's notes (NOTE_SUFFIXES): not evidence


def walk_folder(folder: Path) -> FolderEntries:
    """What `list_evidence` sees under `folder`, plus the links it does not follow (sorted, recursive)."""
    found = FolderEntries()
    _walk(Path(folder), Path(folder), found)
    return found


def _walk(root: Path, folder: Path, found: FolderEntries) -> None:
    try:
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as exc:
        raise ClaimFolderError(folder, f"cannot list the folder ({exc.strerror or exc})",
                               f"无法读取文件夹内容（{exc.strerror or exc}）") from exc
    for entry in entries:
        name, path = entry.name, folder / entry.name
        if is_ignored(name) or is_partial(name) or (folder == root and name == CLAIM_TOML):
            continue
        try:
            if entry.is_dir(follow_symlinks=False):
                _walk(root, path, found)
            elif entry.is_symlink() and not os.path.exists(path):
                found.dangling.append(path)
            elif entry.is_symlink() and entry.is_dir():
                found.dir_links.append(path)  # walking it would read another folder, even the whole disk
            elif entry.is_file():
                (found.notes if is_note(path) else found.files).append(path)
        except OSError:
            continue  # deleted while we looked


def is_note(path: Path) -> bool:
    return Path(path).suffix.lower() in NOTE_SUFFIXES


def split_notes(paths: list[Path]) -> tuple[list[Path], list[Path]]:
    """(evidence, notes) of `paths`, each in the order given."""
    return [p for p in paths if not is_note(p)], [p for p in paths if is_note(p)]


def note_findings(names: list[str]) -> list[Finding]:
    """One info finding per note left out, for the claim's report."""
    return [finding("not-evidence", value=name) for name in names]


def list_evidence(folder: Path) -> list[Path]:
    """Evidence files under `folder` (recursively, sorted), skipping hidden, temp/partial files and claim.toml.

    Hidden sub-folders are skipped whole (e.g. `.git`, `.stfolder`, Safari's `x.download/` bundles count as partial);
    links to folders are not walked.
    """
    return walk_folder(folder).files


def is_inside(root: Path, path: Path) -> bool:
    """Whether `path`, every link in it resolved, lies inside `root`. Decided from names only: nothing is opened."""
    return Path(os.path.realpath(path)).is_relative_to(os.path.realpath(root))


def _too_large(path: Path, size: int, limit: int) -> ClaimFolderError:
    return ClaimFolderError(path, f"the file is too large ({size:,} bytes; at most {limit:,})",
                            f"文件过大（{size:,} 字节；最多 {limit:,}）")


def _read_limited(path: Path, limit: int) -> bytes:
    """The file's bytes, refused from its size before reading (and at `limit` bytes, should it grow meanwhile)."""
    with open(path, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        if size > limit:
            raise _too_large(path, size, limit)
        raw = f.read(limit + 1)
    if len(raw) > limit:
        raise _too_large(path, len(raw), limit)
    return raw


def reply_problem(reply: str) -> tuple[str, str] | None:
    """Why a reply draft is refused (English, Chinese), or None."""
    if len(reply) > MAX_REPLY_CHARS:
        return (f"the reply is {len(reply):,} characters long; at most {MAX_REPLY_CHARS:,}",
                f"回复长度为 {len(reply):,} 个字符；最多 {MAX_REPLY_CHARS:,} 个")
    return None


def read_reply_file(path: Path) -> str:
    """A reply draft from a UTF-8 file; refused from its size before being read whole when over the limit."""
    path = Path(path)
    try:
        raw = _read_limited(path, MAX_REPLY_CHARS * 4)  # UTF-8: at most 4 bytes a character
    except OSError as exc:
        raise ClaimFolderError(path, f"cannot read the reply ({exc.strerror or exc})",
                               f"无法读取回复（{exc.strerror or exc}）") from None
    try:
        reply = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ClaimFolderError(path, "not UTF-8 text; save it as UTF-8", "不是 UTF-8 文本，请以 UTF-8 保存") from None
    problem = reply_problem(reply)
    if problem:
        raise ClaimFolderError(path, *problem)
    return reply


def _claim_from_dict(data: dict, path: Path) -> Claim:
    data = dict(data)
    if "order_id" not in data:
        raise ClaimFolderError(path, "missing key 'order_id' (the 3-7-7 digit order ID, e.g. 112-1234567-1234567)",
                               "缺少键 'order_id'（3-7-7 位订单号，例如 112-1234567-1234567）")
    order_id = str(data["order_id"]).strip()
    if not ORDER_ID_RE.match(order_id):
        raise ClaimFolderError(path, *order_id_problem("order_id", order_id))
    data["order_id"] = order_id
    if isinstance(data.get("reply"), str) and (problem := reply_problem(data["reply"])):
        raise ClaimFolderError(path, *problem)
    if isinstance(data.get("tracking"), str):
        data["tracking"] = [data["tracking"]]
    if "timezone" in data:
        zone = data["timezone"]
        problem = zone_problem("timezone", zone) if isinstance(zone, str) else (
            "timezone must be a text such as \"Asia/Shanghai\"", "timezone 必须是文本，例如 \"Asia/Shanghai\"")
        if problem:
            raise ClaimFolderError(path, *problem)
        data["timezone"] = zone.strip()
    if isinstance(data.get("marketplace"), str):
        mp = marketplace_code(data["marketplace"])
        if mp is None:
            raise ClaimFolderError(path, f"marketplace {data['marketplace']!r} is not one of {', '.join(MARKETPLACES)}",
                                   f"marketplace {data['marketplace']!r} 不在 {', '.join(MARKETPLACES)} 之中")
        data["marketplace"] = mp
    if isinstance(data.get("reason"), str):
        reason = data["reason"].strip().lower().replace("-", "_").replace(" ", "_")
        if reason not in Reason.__members__:
            allowed = ", ".join(Reason.__members__)
            raise ClaimFolderError(path, f"reason {data['reason']!r} is not one of {allowed}",
                                   f"reason {data['reason']!r} 不在 {allowed} 之中")
        data["reason"] = reason
    total = data.get("order_total")
    if isinstance(total, dict) and "amount" in total:
        try:
            amount = Decimal(str(total["amount"]))
        except InvalidOperation:
            raise ClaimFolderError(path, f"order_total.amount {total['amount']!r} is not a number",
                                   f"order_total.amount {total['amount']!r} 不是数字") from None
        data["order_total"] = {**total, "amount": str(amount)}
        if isinstance(total.get("currency"), str):
            data["order_total"]["currency"] = total["currency"].strip().upper()
    try:
        return Claim.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'claim'}: {_plain(err)}" for err in exc.errors()
        )
        raise ClaimFolderError(path, problems, f"内容无效：{validation_problem(exc)[1]}") from None


def _plain(err: dict) -> str:
    if err["type"] == "extra_forbidden":
        return ("unknown key (allowed: order_id, reason, marketplace, tracking, opened_at, order_total, reply, "
                "timezone, files)")
    return err["msg"]


def load_claim_toml(path: Path, raw: bytes | None = None) -> tuple[Claim, list[Path]]:
    """The claim in a claim.toml and the files it lists (resolved against the toml's folder; [] if none listed).

    `raw`: the toml's bytes, already read by the caller (watch mode reads them from one checked descriptor)."""
    path = Path(path)
    try:
        raw = _read_limited(path, MAX_CLAIM_TOML_BYTES) if raw is None else raw
    except FileNotFoundError:
        raise ClaimFolderError(path, "file not found", "文件不存在") from None
    except OSError as exc:
        raise ClaimFolderError(path, f"cannot read the file ({exc.strerror or exc})",
                               f"无法读取文件（{exc.strerror or exc}）") from None
    try:
        data = tomllib.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ClaimFolderError(path, "not UTF-8 text; save it as UTF-8", "不是 UTF-8 文本，请以 UTF-8 保存") from None
    except tomllib.TOMLDecodeError as exc:
        raise ClaimFolderError(path, f"invalid TOML: {exc}", f"TOML 格式错误：{exc}") from None
    listed = data.pop("files", None)
    files: list[Path] = []
    if listed is not None:
        if isinstance(listed, str):
            listed = [listed]
        if not isinstance(listed, list) or not all(isinstance(f, str) for f in listed):
            raise ClaimFolderError(path, "'files' must be a list of paths relative to claim.toml",
                                   "'files' 必须是相对于 claim.toml 的路径列表")
        for rel in listed:
            target = (path.parent / rel).expanduser()
            if target.is_symlink() and not target.exists():
                raise ClaimFolderError(path, f"listed file {rel!r} is a link to a file that does not exist",
                                       f"列出的文件 {rel!r} 是指向不存在文件的链接")
            if not target.is_file():
                raise ClaimFolderError(path, f"listed file {rel!r} does not exist", f"列出的文件 {rel!r} 不存在")
            files.append(target)
    return _claim_from_dict(data, path), files


def load_claim_folder(path: Path, toml_raw: bytes | None = None) -> ClaimFolder:
    """A claim folder: its claim.toml (or the folder's order-ID name) and its evidence files.

    When claim.toml lists `files`, exactly those are the evidence; otherwise every evidence file in the folder.
    `toml_raw`: claim.toml's bytes, already read by the caller (then the file is not opened again).
    """
    root = Path(path)
    if not root.is_dir():
        raise ClaimFolderError(root, "not a folder", "不是文件夹")
    toml = root / CLAIM_TOML
    if toml_raw is not None or toml.is_file():
        claim, listed = load_claim_toml(toml, toml_raw)
        files, notes = split_notes(listed) if listed else (list_evidence(root), walk_folder(root).notes)
        return ClaimFolder(claim=claim, files=files, root=root, toml=toml, listed=bool(listed), notes=notes)
    if looks_like_order_id(root.name):
        entries = walk_folder(root)
        return ClaimFolder(claim=Claim(order_id=root.name.strip()), files=entries.files, root=root,
                           notes=entries.notes)
    raise ClaimFolderError(
        root,
        f"no {CLAIM_TOML} and the folder name is not an order ID (3-7-7 digits); add a {CLAIM_TOML} or rename the folder",
        f"没有 {CLAIM_TOML}，且文件夹名称不是订单号（3-7-7 位数字）；请添加 {CLAIM_TOML} 或重命名文件夹",
    )

"""Reading claim folders and claim.toml files: what counts as evidence, and errors that name the file and reason."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from evidence_svc.claim_folder import (
    ClaimFolderError,
    is_inside,
    is_partial,
    list_evidence,
    load_claim_folder,
    load_claim_toml,
    read_reply_file,
    walk_folder,
)
from evidence_svc.model import Reason

ORDER = "112-1234567-1234567"

FULL_TOML = f"""
order_id = "{ORDER}"
reason = "refund_not_received"
marketplace = "de"
tracking = "1Z999AA10123456784"
opened_at = 2026-11-03T10:00:00Z
order_total = {{ amount = 23.45, currency = "eur" }}
reply = "We refunded 23.45 EUR on 2026-11-04."
files = ["shots/tracking.png", "refund.pdf"]
"""


def _touch(path: Path, data: bytes = b"x") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_claim_toml_with_every_key_and_listed_files(tmp_path: Path) -> None:
    _touch(tmp_path / "shots" / "tracking.png")
    _touch(tmp_path / "refund.pdf")
    _touch(tmp_path / "not-listed.png")
    (tmp_path / "claim.toml").write_text(FULL_TOML, encoding="utf-8")

    claim, files = load_claim_toml(tmp_path / "claim.toml")

    assert claim.order_id == ORDER
    assert claim.reason == Reason.refund_not_received
    assert claim.marketplace == "DE"
    assert claim.tracking == ["1Z999AA10123456784"]
    assert claim.opened_at == datetime.fromisoformat("2026-11-03T10:00:00+00:00")
    assert (claim.order_total.amount, claim.order_total.currency) == ("23.45", "EUR")
    assert claim.reply.startswith("We refunded")
    assert files == [tmp_path / "shots" / "tracking.png", tmp_path / "refund.pdf"]

    folder = load_claim_folder(tmp_path)  # listed files win over what else lies in the folder
    assert folder.files == files
    assert folder.names == ["shots/tracking.png", "refund.pdf"]
    assert folder.toml == tmp_path / "claim.toml"


def test_folder_named_like_an_order_needs_no_toml_and_skips_temp_files(tmp_path: Path) -> None:
    root = tmp_path / ORDER
    keep = [_touch(root / "a.png"), _touch(root / "sub" / "b.pdf")]
    note = _touch(root / "notes.txt")  # a seller's note: not evidence (issue 13)
    for junk in (".DS_Store", "Thumbs.db", "desktop.ini", ".ready", "~$draft.docx", "c.png.part",
                 "d.pdf.crdownload", "e.tmp", "f.png~", ".hidden.png", ".git/config", "x.download/data"):
        _touch(root / junk)

    folder = load_claim_folder(root)

    assert folder.claim.order_id == ORDER
    assert folder.claim.reason == Reason.not_received
    assert folder.files == sorted(keep)
    assert folder.names == ["a.png", "sub/b.pdf"] and folder.notes == [note]
    partial = {p.name for p in root.iterdir() if is_partial(p.name)}
    assert partial == {"c.png.part", "d.pdf.crdownload", "e.tmp", "x.download"}  # watch mode waits for these


def test_toml_without_files_takes_every_evidence_file_but_itself(tmp_path: Path) -> None:
    (tmp_path / "claim.toml").write_text(f'order_id = "{ORDER}"\n', encoding="utf-8")
    _touch(tmp_path / "b.png")
    _touch(tmp_path / "a.jpg")
    assert load_claim_folder(tmp_path).files == [tmp_path / "a.jpg", tmp_path / "b.png"]
    assert list_evidence(tmp_path) == [tmp_path / "a.jpg", tmp_path / "b.png"]


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        ('order_id = "112-1234567-1234567"\nreason = ', "invalid TOML"),
        ('reason = "damaged"\n', "missing key 'order_id'"),
        ('order_id = "112-123-1234567"\n', "is not an order ID"),
        ('order_id = "112-1234567-1234567"\nreason = "lost"\n', "reason 'lost' is not one of"),
        ('order_id = "112-1234567-1234567"\nmarketplace = "XX"\n', "marketplace 'XX' is not one of"),
        ('order_id = "112-1234567-1234567"\ncolour = "red"\n', "colour: unknown key"),
        ('order_id = "112-1234567-1234567"\nopened_at = "last week"\n', "opened_at"),
        ('order_id = "112-1234567-1234567"\norder_total = {amount = "12,x", currency = "USD"}\n', "is not a number"),
        ('order_id = "112-1234567-1234567"\nfiles = ["missing.png"]\n', "listed file 'missing.png' does not exist"),
        ('order_id = "112-1234567-1234567"\nfiles = 3\n', "'files' must be a list"),
    ],
)
def test_bad_claim_toml_names_the_file_and_the_reason(tmp_path: Path, toml: str, expected: str) -> None:
    path = tmp_path / "claim.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(ClaimFolderError) as caught:
        load_claim_folder(tmp_path)
    err = caught.value
    assert err.path == path
    assert expected in err.reason
    assert str(path) in str(err)
    assert err.reason_zh and err.message_zh.startswith(str(path))


def test_toml_that_is_not_utf8_or_missing(tmp_path: Path) -> None:
    path = tmp_path / "claim.toml"
    path.write_bytes('order_id = "112-1234567-1234567"\nreply = "Grüße"\n'.encode("latin-1"))
    with pytest.raises(ClaimFolderError, match="not UTF-8"):
        load_claim_toml(path)
    with pytest.raises(ClaimFolderError, match="file not found"):
        load_claim_toml(tmp_path / "nope.toml")


def test_folder_without_toml_or_order_name_says_what_to_do(tmp_path: Path) -> None:
    root = tmp_path / "customer smith"
    _touch(root / "a.png")
    with pytest.raises(ClaimFolderError, match="no claim.toml and the folder name is not an order ID") as caught:
        load_claim_folder(root)
    assert caught.value.path == root
    assert "订单号" in caught.value.reason_zh


def test_oversized_claim_toml_and_reply_file_are_refused_by_size_before_being_read(tmp_path: Path) -> None:
    toml = tmp_path / "claim.toml"
    with open(toml, "wb") as f:  # 50 MB, sparse: refused from its size, so this takes no time
        f.write(f'order_id = "{ORDER}"\n'.encode())
        f.truncate(50 * 1024 * 1024)
    with pytest.raises(ClaimFolderError) as err:
        load_claim_toml(toml)
    assert str(err.value).startswith(f"{toml}: the file is too large (52,428,800 bytes; at most 1,048,576)")
    assert "文件过大" in err.value.message_zh

    reply = tmp_path / "reply.txt"
    reply.write_text("x" * 10_001, encoding="utf-8")
    with pytest.raises(ClaimFolderError) as err:
        read_reply_file(reply)
    assert "the reply is 10,001 characters long; at most 10,000" in str(err.value)
    reply.write_text("好" * 10_000, encoding="utf-8")  # 30,000 bytes of UTF-8, 10,000 characters: fine
    assert len(read_reply_file(reply)) == 10_000
    (tmp_path / "long.toml").write_text(f'order_id = "{ORDER}"\nreply = "{"y" * 10_001}"\n', encoding="utf-8")
    with pytest.raises(ClaimFolderError, match="the reply is 10,001 characters long"):
        load_claim_toml(tmp_path / "long.toml")


def test_links_to_folders_are_not_walked_and_dangling_links_are_told_apart(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    _touch(elsewhere / "private.png")
    root = tmp_path / ORDER
    keep = _touch(root / "a.png")
    (root / "linked").symlink_to(elsewhere, target_is_directory=True)
    (root / "gone.png").symlink_to(tmp_path / "missing.png")
    assert list_evidence(root) == [keep]
    entries = walk_folder(root)
    assert (entries.files, entries.dir_links, entries.dangling) == ([keep], [root / "linked"], [root / "gone.png"])
    assert is_inside(root, keep) and not is_inside(root, root / "linked" / "private.png")

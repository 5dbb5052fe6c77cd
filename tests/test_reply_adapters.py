"""The reply draft through its adapters, on the sample claims with real OCR: `evidence reply` as a user runs it, `POST
/v1/claims/{id}/reply-draft` on the real app and store, and `reply.txt` in watch mode's outbox."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from evidence_svc.api import create_app
from evidence_svc.config import Settings
from evidence_svc.store import create_key, dispose_engines

pytestmark = pytest.mark.usefixtures("repo_sample_claims")  # samples/claims/, made if missing

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples" / "claims"
NOW = "2026-11-25T12:00:00Z"


@pytest.fixture(scope="module")
def cache(tmp_path_factory) -> Path:
    """One OCR cache for the module: the first run reads each page with tesseract, later runs reuse its words."""
    return tmp_path_factory.mktemp("reply-cache")


def spec(name: str) -> dict:
    return tomllib.loads((SAMPLES / name / "claim.toml").read_text(encoding="utf-8"))


def reply(*args: str, cache: Path) -> subprocess.CompletedProcess:
    env = {"EVIDENCE_CACHE_DIR": str(cache), "EVIDENCE_WORKERS": "2", "PATH": "/usr/bin:/bin"}
    return subprocess.run([sys.executable, "-m", "evidence_svc", "reply", *args], capture_output=True, text=True,
                          env=env, cwd=REPO, timeout=300)


def has_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


# --------------------------------------------------------------------------------------------- CLI


def test_cli_prints_the_german_refund_draft_then_the_chinese_and_exits_0(cache):
    r = reply("--claim", str(SAMPLES / "de_refund_not_received" / "claim.toml"), "--now", NOW, cache=cache)
    assert r.returncode == 0, r.stdout + r.stderr
    out = r.stdout
    assert "Reply draft (German) for order 302-2821986-3561996" in out
    german, chinese = out.index("71,47 €"), out.index("2026年10月31日")
    assert "31. Oktober 2026" in out and german < out.index("The same reply in Chinese") < chinese
    assert "Käufer-Verkäufer-Nachrichten" in out and "Nothing missing" in out


def test_cli_lang_and_json_give_the_draft_in_another_language_with_its_facts(cache):
    s = spec("us_not_received")
    r = reply("--claim", str(SAMPLES / "us_not_received" / "claim.toml"), "--lang", "ja", "--format", "json",
              "--now", NOW, cache=cache)
    assert r.returncode == 0, r.stdout + r.stderr
    draft = json.loads(r.stdout)
    assert draft["lang"] == "ja" and draft["missing"] == []
    assert s["order_id"] in draft["text"] and s["tracking"][0] in draft["text"] and "2026年11月1日" in draft["text"]
    assert s["tracking"][0] in draft["text_zh"] and has_cjk(draft["text_zh"])
    assert {f["name"] for f in draft["facts_used"]} >= {"tracking", "carrier", "delivered_date"}


def test_cli_lists_what_is_missing_in_chinese_and_exits_1_without_stating_unproven_facts(cache):
    s = spec("us_bad_evidence")
    r = reply("--claim", str(SAMPLES / "us_bad_evidence" / "claim.toml"), "--ui-lang", "zh", "--now", NOW,
              cache=cache)
    assert r.returncode == 1, r.stdout + r.stderr
    draft, _, notes = r.stdout.partition("缺少：补充以下内容后重新生成草稿")
    assert notes, r.stdout
    assert s["order_id"] in draft and s["tracking"][0] not in draft  # only the failed files show it
    assert s["tracking"][0] in notes and "other_order.png" in notes and "草稿才会写明" in notes


def test_cli_drafts_the_appeal_for_a_claim_folder_in_the_marketplaces_language(cache):
    s = spec("jp_not_received")
    r = reply(str(SAMPLES / "jp_not_received"), "--appeal", "--format", "json", "--now", NOW, cache=cache)
    assert r.returncode == 0, r.stdout + r.stderr
    draft = json.loads(r.stdout)
    assert draft["lang"] == "ja" and draft["appeal"] is True and "/appeal/" in draft["template_id"]
    assert s["order_id"] in draft["text"] and s["tracking"][0] in draft["text"] and "2026年10月24日" in draft["text"]
    assert "原因" in draft["text"] and "改善策" in draft["text"]  # the root cause and the corrective steps


@pytest.mark.parametrize(("args", "needle"), [
    (["--claim", "no-such-claim.toml"], "no-such-claim.toml"),
    (["--claim", "no-such-claim.toml", "--ui-lang", "zh"], "文件不存在"),
    (["--order", "112-6518054-2727530", "--marketplace", "US"], "no evidence files given"),
    (["--claim", str(SAMPLES / "us_not_received" / "claim.toml"), "--remedy", "apology"], "--remedy"),
    (["--claim", str(SAMPLES / "us_not_received" / "claim.toml"), "--lang", "xx"], "--lang"),
])
def test_cli_bad_input_is_a_clear_error_with_exit_2_and_no_traceback(cache, args, needle):
    r = reply(*args, cache=cache)
    assert r.returncode == 2, r.stdout + r.stderr
    assert needle in r.stderr and "Traceback" not in r.stderr + r.stdout


# --------------------------------------------------------------------------------------------- HTTP


@pytest.fixture
def api(tmp_path: Path, cache: Path):
    settings = Settings(data_dir=tmp_path / "data", cache_dir=cache, workers=2)
    keys = {t: create_key(settings, t) for t in ("acme", "globex")}
    with TestClient(create_app(settings)) as c:
        yield c, {t: {"Authorization": f"Bearer {k}"} for t, k in keys.items()}
    dispose_engines()


def _open_sample_claim(client: TestClient, auth: dict, name: str) -> str:
    s = spec(name)
    body = {k: s[k] for k in ("order_id", "reason", "marketplace", "tracking")}
    body["opened_at"] = s["opened_at"].isoformat()
    r = client.post("/v1/claims", json=body, headers=auth)
    assert r.status_code == 201, r.text
    cid = r.json()["id"]
    files = [("file", (n, (SAMPLES / name / n).read_bytes())) for n in s["files"]]
    assert client.post(f"/v1/claims/{cid}/files", files=files, headers=auth).status_code == 201
    return cid


def _check(client: TestClient, auth: dict, cid: str) -> None:
    job = client.post(f"/v1/claims/{cid}/check", headers=auth).json()
    deadline = time.monotonic() + 240
    while job["state"] not in ("done", "failed"):
        assert time.monotonic() < deadline, job
        time.sleep(0.3)
        job = client.get(f"/v1/jobs/{job['id']}", headers=auth).json()
    assert job["state"] == "done", job


def test_api_drafts_from_the_latest_finished_check_409_before_and_404_for_another_tenant(api):
    client, auth = api
    s = spec("us_not_received")
    cid = _open_sample_claim(client, auth["acme"], "us_not_received")
    early = client.post(f"/v1/claims/{cid}/reply-draft", headers=auth["acme"])
    assert early.status_code == 409, early.text
    err = early.json()["error"]
    assert err["code"] == "no-finished-check" and has_cjk(err["message_zh"]) and "check" in err["message"]

    _check(client, auth["acme"], cid)
    r = client.post(f"/v1/claims/{cid}/reply-draft", headers=auth["acme"])
    assert r.status_code == 200, r.text
    draft = r.json()
    assert draft["lang"] == "en" and draft["claim_id"] == cid and draft["report_current"] is True
    for text in (draft["text"], draft["text_zh"]):
        assert s["order_id"] in text and s["tracking"][0] in text
    assert "November 1, 2026" in draft["text"] and has_cjk(draft["text_zh"]) and draft["missing"] == []

    de = client.post(f"/v1/claims/{cid}/reply-draft", json={"lang": "de", "tone": "brief", "remedy": "reship"},
                     headers=auth["acme"]).json()
    assert de["lang"] == "de" and "1. November 2026" in de["text"] and de["remedy"] == "reship"
    assert [n["code"] for n in de["missing"]] == ["reship"] and has_cjk(de["missing"][0]["message_zh"])

    assert client.post(f"/v1/claims/{cid}/reply-draft", headers=auth["globex"]).status_code == 404
    assert client.post(f"/v1/claims/{cid}/reply-draft", json={"lang": "xx"}, headers=auth["acme"]).status_code == 422
    assert client.post(f"/v1/claims/{cid}/reply-draft").status_code == 401


def test_api_documents_the_reply_draft_operation(api):
    client, _ = api
    op = client.get("/openapi.json").json()["paths"]["/v1/claims/{claim_id}/reply-draft"]["post"]
    assert {"200", "401", "404", "409", "422"} <= set(op["responses"])
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    assert schemas["ReplyDraftIn"]["properties"]["remedy"]["description"]
    assert schemas["ReplyDraftOut"]["properties"]["text_zh"]["description"]


# --------------------------------------------------------------------------------------------- watch mode


def test_watch_writes_reply_txt_next_to_report_txt_in_the_buyers_language_then_chinese(tmp_path, cache):
    inbox, out = tmp_path / "inbox", tmp_path / "outbox"
    for name in ("de_refund_not_received", "us_bad_evidence"):
        shutil.copytree(SAMPLES / name, inbox / name, ignore=shutil.ignore_patterns("truth.json"))
    env = {**os.environ, "EVIDENCE_CACHE_DIR": str(cache), "EVIDENCE_DATA_DIR": str(tmp_path / "data"),
           "EVIDENCE_WORKERS": "2"}
    r = subprocess.run([sys.executable, "-m", "evidence_svc", "watch", str(inbox), "--out", str(out), "--once",
                        "--settle", "0"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert r.returncode in (0, 1), r.stdout + r.stderr

    de = out / "de_refund_not_received"
    manifest = json.loads((de / "manifest.json").read_text(encoding="utf-8"))
    assert {"report.txt", "reply.txt"} <= {o["name"] for o in manifest["outputs"]}
    text = (de / "reply.txt").read_text(encoding="utf-8")
    assert text.index("71,47 €") < text.index("2026年10月31日")  # the buyer's language first, then Chinese
    assert "302-2821986-3561996" in text and "Reply draft (German)" in text and "回复草稿（德语）" in text

    bad = (out / "us_bad_evidence" / "reply.txt").read_text(encoding="utf-8")
    missing = bad.split("Missing: add these, then draft again / 缺少：补充以下内容后重新生成草稿", 1)[1]
    assert "then the draft will state the delivery" in missing and "草稿才会写明签收信息" in missing

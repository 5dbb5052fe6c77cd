"""The web page keeps its state and speaks the catalogue: real headless Chromium against a real `evidence serve`.

The open claim lives in the URL and survives a reload (an unknown or another account's claim says so); "Remove"
asks first and Cancel keeps the file; a chosen time zone shows every deadline once, in that zone, named (北京时间);
facts from a failed file stay under that file; the words come from data/labels.toml (served at /labels.json) and
no asset carries a symbol a font may lack. The page must lay out at 1280 and 390 px (screenshots in test-artifacts/).
"""

from __future__ import annotations

import re
import time
import tomllib
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from support.live_server import LiveServer, create_key, sample_claims, wait_for_job

from evidence_svc.labels import LANGS, labels_for

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
WEB = ROOT / "evidence_svc" / "web"
ARTIFACTS = ROOT / "test-artifacts"
STAMP = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}")
# Code points that need a symbol or emoji font: arrows, technical and geometric symbols, dingbats (check and cross
# marks, the warning sign), pictographs, and the joiner and variation selectors of emoji sequences.
SYMBOL_RANGES = [(0x2190, 0x21FF), (0x2300, 0x23FF), (0x2460, 0x24FF), (0x25A0, 0x27BF), (0x2900, 0x297F),
                 (0x2B00, 0x2BFF), (0x1F000, 0x1FAFF), (0xFE0E, 0xFE0F), (0x200D, 0x200D)]
# CJK ideographs, radicals, punctuation, kana, Hangul and full-width forms.
CJK = re.compile(r"[\u2e80-\u2fdf\u3000-\u30ff\u3100-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
                 r"\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]")
EN = labels_for("en")
ZH = labels_for("zh")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory):
    """A server with one checked claim: two good files and another order's page (which fails), 40 hours old so the
    deadline finding is on the report; the claim's respond_by is 8 hours away."""
    data = tmp_path_factory.mktemp("web-state") / "data"
    key = create_key(data, "acme")
    server = LiveServer(data).start()
    claims = sample_claims(tmp_path_factory.getbasetemp())
    spec = tomllib.loads((claims / "us_not_received" / "claim.toml").read_text(encoding="utf-8"))
    files = [claims / "us_not_received" / n for n in spec["files"][:2]] + [claims / "us_bad_evidence" / "other_order.png"]
    opened = (datetime.now(timezone.utc) - timedelta(hours=40)).replace(second=0, microsecond=0)
    with server.client(key) as api:
        claim = api.post("/v1/claims", json={
            "order_id": spec["order_id"], "reason": "not_received", "marketplace": "US", "tracking": spec["tracking"],
            "opened_at": opened.isoformat()}).json()
        for path in files:
            with path.open("rb") as fh:
                assert api.post(f"/v1/claims/{claim['id']}/files", files={"file": (path.name, fh, "image/png")}
                                ).status_code == 201
        job = api.post(f"/v1/claims/{claim['id']}/check", json={}).json()
        assert wait_for_job(api, job["id"])["state"] == "done"
        report = api.get(f"/v1/claims/{claim['id']}/report").json()
        claim = api.get(f"/v1/claims/{claim['id']}").json()
    yield {"server": server, "key": key, "claim": claim, "report": report, "data": data, "claims": claims}
    server.stop()


def _page(browser, site, hash_: str = "", lang: str = "en", zone: str = "Europe/Berlin", width: int = 1280,
          signed_in: bool = True):
    """A fresh browser profile whose computer is in `zone`, already signed in (the key in sessionStorage)."""
    context = browser.new_context(viewport={"width": width, "height": 900}, timezone_id=zone)
    if signed_in:
        context.add_init_script(f"""if (!sessionStorage.getItem('seeded')) {{
            sessionStorage.setItem('seeded', '1'); sessionStorage.setItem('evidence.key', {site['key']!r});
            localStorage.setItem('evidence.lang', {lang!r}); }}""")
    page = context.new_page()
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.goto(site["server"].url + "/" + hash_)
    return page


def _until(page, predicate: str, selector: str, timeout: float = 20) -> None:
    """Poll a predicate over the elements matching `selector` (wait_for_function needs 'unsafe-eval', which the
    page's Content-Security-Policy refuses)."""
    deadline = time.monotonic() + timeout
    while not page.eval_on_selector_all(selector, predicate):
        assert time.monotonic() < deadline, f"timed out waiting for {predicate} on {selector}"
        time.sleep(0.2)


def _open_claim(page, site) -> None:
    page.wait_for_selector("#view-claim:not([hidden])")
    _until(page, "(els) => els.length === 3 && els.every(b => ['pass', 'warn', 'fail'].includes(b.dataset.verdict))",
           ".file-card .badge")


def _in_zone(iso: str, zone: str) -> str:
    return datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")


# ------------------------------------------------------------------------------------------------ plain requests

def test_labels_json_serves_the_one_catalogue_without_a_key(site) -> None:
    with site["server"].client() as anyone:
        r = anyone.get("/labels.json")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json")
    served = r.json()
    assert set(served) == set(LANGS)
    assert served["zh"] == labels_for("zh") and served["en"] == labels_for("en")
    assert served["zh"]["terms"]["delivered"] == "已签收" and served["zh"]["web"]["facts"] == "识别到的信息"


def test_served_page_assets_have_no_symbol_a_font_may_lack_and_no_dictionary_of_their_own(site) -> None:
    with site["server"].client() as anyone:
        index = anyone.get("/").text
        assets = re.findall(r'(?:src|href)="(/static/[^"]+\.(?:js|css))"', index)
        # every script in web/ is loaded, in the order index.html gives (app.js last: it starts the page)
        assert {f"/static/{p.name}" for p in WEB.glob("*.js")} <= set(assets) and assets[-1] == "/static/app.js"
        texts = {"/": index, "/labels.json": anyone.get("/labels.json").text}
        texts.update({a: anyone.get(a).text for a in assets})
    for name, text in texts.items():
        bad = sorted({f"U+{ord(ch):04X}" for ch in text if any(lo <= ord(ch) <= hi for lo, hi in SYMBOL_RANGES)})
        assert not bad, (name, bad)


def test_no_script_of_the_page_holds_chinese_or_any_cjk_text() -> None:
    """All Chinese the page shows comes from the catalogue (labels.toml): no script carries a dictionary of its own,
    not even in a comment (a word kept in two places drifts: 运单号 against the catalogue's 物流单号)."""
    scripts = sorted(WEB.rglob("*.js"))
    assert len(scripts) >= 8, scripts
    for path in scripts:
        found = sorted(set(CJK.findall(path.read_text(encoding="utf-8"))))
        assert not found, (path.name, found)


# ------------------------------------------------------------------------------------------------ the browser

def test_the_claim_lives_in_the_url_and_a_reload_shows_it_with_its_last_report(site, browser) -> None:
    claim = site["claim"]
    page = _page(browser, site, signed_in=False)
    page.evaluate("localStorage.setItem('evidence.lang', 'en')")
    page.reload()
    page.fill("#api-key", site["key"])
    page.click("#signin-form button[type=submit]")
    page.click(f"#claim-list button:has-text('{claim['order_id']}')")
    _open_claim(page, site)
    assert page.url.endswith(f"#claim={claim['id']}")

    page.reload()
    _open_claim(page, site)
    assert claim["order_id"] in page.inner_text("#c-title")
    verdicts = {c.get_attribute("data-file"): c.query_selector(".badge").get_attribute("data-verdict")
                for c in page.query_selector_all(".file-card")}
    assert verdicts == {f["name"]: f["status"] for f in site["report"]["files"]}
    assert page.query_selector("#claim-findings li[data-code='respond-by']") is not None

    page.click("#new-claim")  # leaving the claim takes it out of the URL; a link to it opens it again
    assert "#claim=" not in page.url
    page.goto(site["server"].url + f"/#claim={claim['id']}")
    _open_claim(page, site)
    assert not page.errors, page.errors
    page.context.close()


def test_an_unknown_or_another_accounts_claim_says_so_in_both_languages(site, browser) -> None:
    other_key = create_key(site["data"], "someone-else")
    with site["server"].client(other_key) as them:
        theirs = them.post("/v1/claims", json={"order_id": "111-0000000-0000000", "reason": "damaged",
                                               "marketplace": "US"}).json()["id"]
    for wanted in ("clm_doesnotexist", theirs):
        page = _page(browser, site, f"#claim={wanted}")
        page.wait_for_selector("#view-missing:not([hidden])")
        assert page.is_hidden("#view-claim")
        assert wanted in page.inner_text("#missing-text") and "111-0000000-0000000" not in page.inner_text("body")
        assert page.inner_text("#view-missing h1") == labels_for("en")["web"]["not_found_title"]
        page.click("#lang-zh")
        assert page.inner_text("#view-missing h1") == ZH["web"]["not_found_title"]
        assert page.inner_text("#missing-text") == ZH["web"]["not_found_text"].format(id=wanted)
        assert page.query_selector_all("#claim-list button"), "the claims to choose from stay on the left"
        assert not page.errors, page.errors
        page.context.close()


def test_remove_asks_first_and_cancel_keeps_the_file(site, browser) -> None:
    png = sorted((site["claims"] / "us_not_received").glob("*.png"))[0]
    with site["server"].client(site["key"]) as api:
        claim = api.post("/v1/claims", json={"order_id": "112-7654321-7654321", "reason": "damaged",
                                             "marketplace": "US"}).json()
        with png.open("rb") as fh:
            api.post(f"/v1/claims/{claim['id']}/files", files={"file": (png.name, fh, "image/png")})
        files = lambda: api.get(f"/v1/claims/{claim['id']}").json()["files"]  # noqa: E731
        page = _page(browser, site, f"#claim={claim['id']}")
        page.wait_for_selector(".file-card .remove")

        page.click(".file-card .remove")
        page.wait_for_selector("#confirm[open]")
        assert png.name in page.inner_text("#confirm-text")
        page.click("#confirm-cancel")
        assert page.is_hidden("#confirm")
        time.sleep(0.5)
        assert len(page.query_selector_all(".file-card")) == 1 and len(files()) == 1

        page.click(".file-card .remove")
        page.wait_for_selector("#confirm[open]")
        page.keyboard.press("Escape")  # Escape is a no as well
        time.sleep(0.5)
        assert page.is_hidden("#confirm") and len(files()) == 1

        page.click("#lang-zh")
        page.click(".file-card .remove")
        page.wait_for_selector("#confirm[open]")
        assert page.inner_text("#confirm-text") == ZH["web"]["confirm_remove"].format(name=png.name)
        assert page.inner_text("#confirm-cancel") == "取消" and page.inner_text("#confirm-ok") == "删除"
        page.click("#confirm-ok")
        page.wait_for_selector("#files-empty:not([hidden])")
        assert files() == []
        assert not page.errors, page.errors
        page.context.close()


def test_a_chosen_time_zone_shows_each_deadline_once_named_and_is_remembered(site, browser) -> None:
    due = site["claim"]["respond_by"]
    page = _page(browser, site, f"#claim={site['claim']['id']}", zone="Europe/Berlin")
    _open_claim(page, site)
    assert page.input_value("#tz") == "Europe/Berlin"  # this computer's zone by default
    assert f"{_in_zone(due, 'Europe/Berlin')} Europe/Berlin" in page.inner_text("#c-deadline")

    page.click("#lang-zh")
    page.select_option("#tz", "Asia/Shanghai")
    beijing = f"{_in_zone(due, 'Asia/Shanghai')} 北京时间"
    assert beijing in page.inner_text("#c-deadline")
    assert beijing in page.inner_text("#claim-findings li[data-code='respond-by']")
    shown = page.inner_text("#view-claim .claim-head") + page.inner_text("#claim-findings")
    opened = _in_zone(site["claim"]["opened_at"], "Asia/Shanghai")
    assert set(STAMP.findall(shown)) == {_in_zone(due, "Asia/Shanghai"), opened}, shown  # one time per moment
    assert "UTC" not in shown and "Europe/Berlin" not in shown

    page.select_option("#tz", "UTC")
    shown = page.inner_text("#view-claim .claim-head") + page.inner_text("#claim-findings")
    assert f"{_in_zone(due, 'UTC')} UTC" in shown and "北京时间" not in shown
    assert _in_zone(due, "Asia/Shanghai") not in shown

    page.reload()
    _open_claim(page, site)
    assert page.input_value("#tz") == "UTC"
    assert f"{_in_zone(due, 'UTC')} UTC" in page.inner_text("#c-deadline")
    assert not page.errors, page.errors
    page.context.close()


def test_a_typed_claim_time_is_read_in_the_chosen_zone(site, browser) -> None:
    page = _page(browser, site, lang="zh", zone="Europe/Berlin")
    page.wait_for_selector("#view-app:not([hidden])")
    page.click("#new-claim")
    page.select_option("#tz", "Asia/Shanghai")
    assert "北京时间" in page.inner_text("#opened-hint")
    page.fill("#f-order", "112-5550001-0000001")
    page.fill("#f-opened", "2026-11-24T17:00")
    page.click("#claim-form button[type=submit]")
    page.wait_for_selector("#view-claim:not([hidden])")
    claim_id = page.url.split("#claim=")[1]
    with site["server"].client(site["key"]) as api:
        claim = api.get(f"/v1/claims/{claim_id}").json()
    assert claim["opened_at"].startswith("2026-11-24T09:00")  # 17:00 Beijing time is 09:00 UTC
    assert "2026-11-24 17:00 北京时间" in page.inner_text("#c-sub")
    # the zone's offset on that day counts, not today's: Berlin is UTC+2 after the March change
    assert page.evaluate("fromWallClock('2026-03-29T03:30', 'Europe/Berlin').toISOString()") == "2026-03-29T01:30:00.000Z"
    assert not page.errors, page.errors
    page.context.close()


def test_the_page_speaks_the_catalogue_in_chinese_and_keeps_a_failed_files_facts_under_it(site, browser) -> None:
    report = site["report"]
    failed = [f for f in report["files"] if f["status"] == "fail"]
    good = [f for f in report["files"] if f["status"] != "fail"]
    assert failed and good
    page = _page(browser, site, f"#claim={site['claim']['id']}", lang="zh")
    _open_claim(page, site)
    web = ZH["web"]
    heads = page.eval_on_selector_all("#view-claim h2", "(els) => els.map(e => e.textContent)")
    assert web["facts"] in heads and web["files"] in heads
    assert page.inner_text("#where-files-go") == ZH["report"]["where_files_go"]
    facts = page.inner_text("#facts")
    if any(f["facts"]["tracking"] for f in good):
        assert ZH["terms"]["tracking"] in facts
    if any((f["facts"]["delivery"] or {}).get("status") == "delivered" for f in good):
        assert ZH["terms"]["delivered"] in facts
    body = page.inner_text("body")
    for stray in ("已送达", "配送异常", "运单号", "事实"):
        assert stray not in body, stray
    reasons = page.eval_on_selector_all("#f-reason option", "(els) => els.map(e => e.textContent)")
    assert reasons == list(ZH["reasons"].values())

    # what only the failed file shows (another order's ID) is under that file, marked, and not in the summary
    own = {o for f in good for o in f["facts"]["order_ids"]}
    foreign = {o for f in failed for o in f["facts"]["order_ids"]} - own
    assert foreign, "the other order's page should show its order ID"
    for f in failed:
        box = page.query_selector(f".file-card[data-file='{f['name']}'] [data-failed-facts]")
        assert box is not None and web["failed_facts"] in box.inner_text()
        assert all(o in box.inner_text() for o in foreign & set(f["facts"]["order_ids"]))
    assert not any(o in facts for o in foreign), facts
    assert not page.errors, page.errors
    page.context.close()


def test_every_part_of_the_page_follows_a_language_switch_both_ways(site, browser) -> None:
    """The claim view's own words, the Edit/Delete buttons (claim_edit.js) and the Draft reply card (reply.js) follow
    en -> zh -> en, and a reload in zh (labels arrive after the parts are built) starts in zh."""
    parts = {"#edit-claim": ("claim_edit", "edit"), "#delete-claim": ("claim_edit", "delete"),
             "#draft-reply": ("reply_draft", "web_button"), "#check-again": ("web", "check_again"),
             "#reply-draft h2": ("reply_draft", "web_title")}

    def shown(page) -> dict[str, str]:
        return {sel: page.inner_text(sel) for sel in parts}

    def expected(labels: dict) -> dict[str, str]:
        return {sel: labels[section][key] for sel, (section, key) in parts.items()}

    def lang_options() -> list[str]:
        return page.eval_on_selector_all("#draft-lang option", "(els) => els.map(e => e.textContent)")

    page = _page(browser, site, f"#claim={site['claim']['id']}", lang="en")
    _open_claim(page, site)
    assert shown(page) == expected(EN)
    assert EN["reply_draft"]["languages"]["de"] in lang_options()
    page.click("#lang-zh")
    assert shown(page) == expected(ZH)
    assert ZH["reply_draft"]["languages"]["de"] in lang_options()
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    page.click("#lang-en")
    assert shown(page) == expected(EN)

    page.click("#lang-zh")
    page.reload()
    _open_claim(page, site)
    assert shown(page) == expected(ZH)
    page.click("#delete-claim")  # the confirmation speaks the page's language too
    page.wait_for_selector("#confirm[open]")
    assert page.inner_text("#confirm-ok") == ZH["claim_edit"]["delete"] and page.inner_text("#confirm-cancel") == "取消"
    page.keyboard.press("Escape")
    assert page.is_hidden("#confirm")
    assert not page.errors, page.errors
    page.context.close()


def _top_bar(page) -> dict[str, dict]:
    return page.evaluate("""() => Object.fromEntries(['.topbar', '.brand', '#sign-out', '#tz', '.lang'].map(
        (s) => [s, document.querySelector(s).getBoundingClientRect().toJSON()]))""")


def _same_row(a: dict, b: dict) -> bool:
    return abs((a["top"] + a["bottom"]) / 2 - (b["top"] + b["bottom"]) / 2) < 12


@pytest.mark.parametrize("width", [1280, 390])
def test_the_page_lays_out_at_desktop_and_phone_widths(site, browser, width: int) -> None:
    page = _page(browser, site, f"#claim={site['claim']['id']}", lang="zh", zone="Asia/Shanghai", width=width)
    _open_claim(page, site)
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # nothing runs off the side
    bar = _top_bar(page)
    if width >= 1000:  # one row: name, zone, language, sign out
        assert all(_same_row(bar[".brand"], bar[s]) for s in ("#sign-out", "#tz", ".lang")), bar
    else:  # two tidy rows: the name and sign out; the zone (full width left) and the language
        assert _same_row(bar[".brand"], bar["#sign-out"]) and _same_row(bar["#tz"], bar[".lang"]), bar
        assert bar["#tz"]["top"] >= bar[".brand"]["bottom"] and bar[".lang"]["right"] <= width
        assert bar[".topbar"]["height"] < 120, bar
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"web-claim-zh-{width}.png"), full_page=True)
    page.click(".file-card .remove")
    page.wait_for_selector("#confirm[open]")
    box = page.eval_on_selector("#confirm", "(d) => { const r = d.getBoundingClientRect(); return [r.left, r.right]; }")
    assert 0 <= box[0] and box[1] <= width
    page.screenshot(path=str(ARTIFACTS / f"web-confirm-zh-{width}.png"))
    page.click("#confirm-cancel")
    assert not page.errors, page.errors
    page.context.close()

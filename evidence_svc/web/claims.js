// The claims: the list on the left, the open claim (its header, verdicts, files and findings), and what the reader
// does to it (create, add and remove files, check, save the reply, download the bundle). The open claim lives in the
// URL (#claim=<id>), so a reload or a shared link shows it. Built on page.js, dialogs.js, api.js and report_view.js;
// the DOM is built with textContent (never HTML from data) and every time is shown through when().
"use strict";

// --- the claim in the URL --------------------------------------------------------------------------------------

function claimInUrl() {
  const m = /^#claim=(.+)$/.exec(location.hash);
  if (!m) return null;
  try { return decodeURIComponent(m[1]); } catch (e) { return m[1]; }
}

function putClaimInUrl(id) {
  const hash = id ? `#claim=${encodeURIComponent(id)}` : "";
  if (location.hash === hash) return;
  if (id) history.pushState(null, "", hash);
  else history.replaceState(null, "", location.pathname + location.search);
}

function show(view) {
  for (const id of ["view-new", "view-claim", "view-empty", "view-missing"]) $(id).hidden = id !== view;
  if (view !== "view-claim" && view !== "view-missing") putClaimInUrl(null);
}

function renderMissing() {
  $("missing-text").textContent = t("not_found_text", { id: state.missing || "" });
}

// The open claim is now `claim` (or none): parts that hold something of the old one (a reply draft) let it go.
function setClaim(claim) {
  const before = state.claim ? state.claim.id : null;
  state.claim = claim;
  if ((claim ? claim.id : null) !== before) document.dispatchEvent(new CustomEvent("claimchange", { detail: { claim } }));
}

function closeClaim() {
  stopPolling();
  setClaim(null);
  state.report = null;
  renderClaimList();
}

// --- claims list -----------------------------------------------------------------------------------------------

async function loadClaims() {
  const page = await api("GET", "/v1/claims?limit=100");
  state.claims = page.items;
  renderClaimList();
}

function renderClaimList() {
  const list = $("claim-list");
  list.replaceChildren(...state.claims.map((c) => el("li", {},
    el("button", { type: "button", class: state.claim && state.claim.id === c.id ? "active" : "", onclick: guard(() => openClaim(c.id)) },
      el("span", { class: "order", text: c.order_id }),
      el("span", { class: `badge ${statusClass(c.status)}`, text: t(`s_${c.status}`) }),
      el("span", { class: "small muted", text: deadlineText(c.respond_by).text })))));
  $("claim-list-empty").hidden = state.claims.length > 0;
}

function statusClass(status) {
  return { ready: "pass", needs_work: "fail", failed: "fail", checking: "busy", draft: "none" }[status] || "none";
}

// --- time left -------------------------------------------------------------------------------------------------

function duration(ms) {
  const mins = Math.max(0, Math.round(ms / 60000));
  const d = Math.floor(mins / 1440), h = Math.floor((mins % 1440) / 60), m = mins % 60;
  if (d) return `${t("days", { n: d })} ${t("hours", { n: h })}`;
  if (h) return `${t("hours", { n: h })} ${t("minutes", { n: m })}`;
  return t("minutes", { n: m });
}

function deadlineText(respondBy) {
  if (!respondBy) return { text: t("no_deadline"), cls: "" };
  const left = new Date(respondBy) - Date.now();
  if (left <= 0) return { text: t("overdue", { t: duration(-left) }), cls: "late" };
  return { text: t("left", { t: duration(left) }), cls: left < 12 * 3600e3 ? "soon" : "ok" };
}

function tickDeadlines() {
  if (!state.claim) return;
  renderClaimList();
  const first = $("c-deadline").firstChild;
  if (first) first.textContent = deadlineText(state.claim.respond_by).text;
}

// --- one claim -------------------------------------------------------------------------------------------------

async function openClaim(id) {
  stopPolling();
  let claim;
  try {
    claim = await api("GET", `/v1/claims/${encodeURIComponent(id)}`);
  } catch (e) {
    if (e.status !== 404 && e.status !== 422) throw e;
    // Unknown, deleted or another account's claim (all answer 404): say so, keep the list to choose from.
    closeClaim();
    state.missing = id;
    show("view-missing");
    renderMissing();
    return;
  }
  const report = claim.report ? await api("GET", `/v1/claims/${encodeURIComponent(id)}/report`) : null;
  setClaim(claim);
  state.report = report;
  state.missing = null;
  putClaimInUrl(id);
  show("view-claim");
  $("c-reply").value = claim.reply || "";
  renderClaim();
  renderClaimList();
  const job = claim.job;
  if (job && (job.state === "queued" || job.state === "running")) pollJob(job.id);
}

async function refreshClaim() {
  if (!state.claim) return;
  const id = state.claim.id;
  const claim = await api("GET", `/v1/claims/${encodeURIComponent(id)}`);
  state.report = claim.report ? await api("GET", `/v1/claims/${encodeURIComponent(id)}/report`) : null;
  setClaim(claim);
  renderClaim();
  await loadClaims();
}

function checking() {
  const job = state.claim && state.claim.job;
  return Boolean(job && (job.state === "queued" || job.state === "running"));
}

function renderClaim() {
  const c = state.claim;
  $("c-title").textContent = `${t("order_id")} ${c.order_id}`;
  $("c-sub").textContent = `${t(`r_${c.reason}`)} · ${marketName(c.marketplace)}` + (c.opened_at ? ` · ${t("opened_at")} ${when(c.opened_at)}` : "");
  const dl = deadlineText(c.respond_by);
  const box = $("c-deadline");
  box.className = `deadline ${dl.cls}`;
  box.replaceChildren(el("span", { text: dl.text }), c.respond_by ? el("small", { text: t("by", { d: when(c.respond_by) }) }) : null);
  renderSummary();
  renderFiles();
  renderFacts();
  const r = state.report;
  fillFindings($("claim-findings"), r ? r.claim_findings : [], r ? "no_claim_findings" : null);
  fillFindings($("reply-findings"), r && r.reply.text ? r.reply.findings : [],
    r && r.reply.text ? "no_reply_findings" : "reply_not_checked");
  $("download").disabled = !(state.report && state.report.bundle);
  $("check-again").disabled = checking() || c.files.length === 0;
}

function renderSummary() {
  // The mark is a CSS shape (style.css .sym), not a character: no font on the machine has to carry a symbol.
  const c = state.claim, r = state.report, box = $("c-summary-box");
  let sym = "none", cls = "", text;
  if (checking()) { sym = "busy"; cls = "busy"; text = t("sum_checking"); }
  else if (c.files.length === 0) { text = t("sum_nofiles"); }
  else if (c.status === "failed" && c.job) { sym = "bad"; cls = "needs"; text = t("sum_failed", { e: c.job.error || "" }); }
  else if (!r) { text = t("sum_draft"); }
  else if (c.report && !c.report.current) { sym = "stale"; text = t("sum_stale"); }
  else if (r.summary.errors > 0) { sym = "bad"; cls = "needs"; text = t("sum_needs", { e: r.summary.errors, w: r.summary.warnings }); }
  else if (r.summary.warnings > 0) { sym = "ok"; cls = "ready"; text = t("sum_warn_only", { w: r.summary.warnings }); }
  else { sym = "ok"; cls = "ready"; text = t("sum_ready"); }
  box.className = `summary card ${cls}`;
  $("summary-icon").className = `sym ${sym}`;
  $("summary-icon").dataset.sym = sym;
  $("summary-text").textContent = text;
  $("where-files-go").textContent = t("report.where_files_go");
}

function fileReportFor(file) {
  if (!state.report) return null;
  return state.report.files.find((f) => f.sha256 === file.sha256 && f.name === file.name)
    || state.report.files.find((f) => f.sha256 === file.sha256) || null;
}

function renderFiles() {
  const grid = $("file-grid"), files = state.claim.files;
  $("files-empty").hidden = files.length > 0;
  const stale = state.claim.report && !state.claim.report.current;
  grid.replaceChildren(...files.map((file) => {
    const fr = fileReportFor(file);
    let verdict = fr ? fr.status : "none";
    if (checking() && (!fr || stale)) verdict = "busy";
    const img = el("img", { class: "thumb", alt: file.name });
    const holder = el("div", { class: "thumb-ph", text: "…" });
    loadThumb(file).then((url) => { if (url) { img.src = url; holder.replaceWith(img); } else holder.textContent = "PDF / ?"; });
    const meta = [formatBytes(file.bytes)];
    if (fr && fr.pages.length) meta.push(t("pages", { n: fr.pages.length }));
    return el("article", { class: `file-card ${verdict}`, "data-file": file.name },
      el("div", { class: "file-top" }, holder,
        el("div", {},
          el("div", { class: "file-name", text: file.name }),
          el("div", { class: "file-meta", text: meta.join(" · ") }),
          el("span", { class: `badge ${verdict}`, "data-verdict": verdict, text: t(`v_${verdict}`) }),
          el("div", {}, el("button", { type: "button", class: "remove", onclick: guard(() => removeFile(file)), text: t("remove") })))),
      el("div", { class: "file-body" }, fr ? findingList(fr.findings, null) : null, fr && fr.status === "fail" ? failedFacts(fr) : null));
  }));
}

async function loadThumb(file) {
  if (state.thumbs.has(file.sha256)) return state.thumbs.get(file.sha256);
  let url = null;
  try {
    const res = await api("GET", `/v1/claims/${encodeURIComponent(state.claim.id)}/files/${encodeURIComponent(file.id)}/thumbnail.png`, { raw: true });
    url = URL.createObjectURL(await res.blob());
  } catch (e) { url = null; }
  state.thumbs.set(file.sha256, url);
  return url;
}

function formatBytes(n) {
  if (n >= 1048576) return `${(n / 1048576).toFixed(1)} MB`;
  if (n >= 1024) return `${Math.round(n / 1024)} KB`;
  return `${n} B`;
}

// --- actions ---------------------------------------------------------------------------------------------------

function newClaim() {
  closeClaim();
  setDefaultOpened();
  show("view-new");
  $("f-order").focus();
}

function setDefaultOpened() {
  $("f-opened").value = wallClock(Date.now(), state.tz);
}

async function createClaim(event) {
  event.preventDefault();
  const err = $("claim-form-error");
  err.hidden = true;
  const opened = $("f-opened").value;
  const body = {
    order_id: $("f-order").value.trim(),
    reason: $("f-reason").value,
    marketplace: $("f-market").value,
    tracking: $("f-tracking").value.split(/[,;\s]+/).map((s) => s.trim()).filter(Boolean),
    opened_at: opened ? fromWallClock(opened, state.tz).toISOString() : null,  // typed in the page's zone
    reply: $("f-reply").value.trim() || null,
  };
  try {
    const claim = await api("POST", "/v1/claims", { json: body });
    $("claim-form").reset();
    setDefaultOpened();
    toast(t("created"));
    await loadClaims();
    await openClaim(claim.id);
  } catch (e) {
    err.textContent = e.message;
    err.hidden = false;
  }
}

async function addFiles(fileList) {
  if (!state.claim) return;
  const claimId = state.claim.id, list = $("uploads");
  let ok = 0;
  for (const file of fileList) {
    const bar = el("progress", { max: "1", value: "0" });
    const row = el("li", {}, el("span", { text: `${file.name} — ${t("uploading")}` }), bar);
    list.append(row);
    try {
      await uploadOne(claimId, file, (p) => { bar.value = p; });
      row.remove();
      ok += 1;
    } catch (e) {
      row.replaceChildren(el("span", { class: "bad", text: `${file.name} — ${t("upload_failed", { e: e.message })}` }));
    }
  }
  if (ok && state.claim && state.claim.id === claimId) await startCheck();
}

async function removeFile(file) {
  if (!(await ask(t("confirm_remove", { name: file.name }), t("remove")))) return;
  await api("DELETE", `/v1/claims/${encodeURIComponent(state.claim.id)}/files/${encodeURIComponent(file.id)}`);
  toast(t("removed"));
  await refreshClaim();
}

async function startCheck() {
  const job = await api("POST", `/v1/claims/${encodeURIComponent(state.claim.id)}/check`, { json: {} });
  toast(t("check_started"));
  await refreshClaim();
  pollJob(job.id);
}

function stopPolling() {
  if (state.poll) clearTimeout(state.poll);
  state.poll = null;
}

function pollJob(jobId) {
  stopPolling();
  const claimId = state.claim.id;
  const tick = async () => {
    try {
      const job = await api("GET", `/v1/jobs/${encodeURIComponent(jobId)}`);
      if (!state.claim || state.claim.id !== claimId) return;
      if (job.state === "done" || job.state === "failed") {
        state.poll = null;
        await refreshClaim();
        if (job.state === "failed") toast(t("sum_failed", { e: job.error || "" }), true);
        else toast(t("check_done"));
        return;
      }
    } catch (e) { /* keep polling: the service may be restarting */ }
    state.poll = setTimeout(tick, 1200);
  };
  state.poll = setTimeout(tick, 800);
}

async function saveReply() {
  const text = $("c-reply").value.trim();
  await api("PUT", `/v1/claims/${encodeURIComponent(state.claim.id)}/reply`, { json: { text: text || null } });
  toast(t("saved"));
  await startCheck();
}

async function downloadBundle() {
  if (!state.report || !state.report.bundle) { toast(t("no_bundle"), true); return; }
  const res = await api("GET", `/v1/claims/${encodeURIComponent(state.claim.id)}/bundle.pdf`, { raw: true });
  const url = URL.createObjectURL(await res.blob());
  const a = el("a", { href: url, download: `claim-${state.claim.order_id}-evidence.pdf` });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}

// Back, forward, or a link pasted into the address bar: open the claim the URL names.
async function followUrl() {
  if (!state.key) return;
  const id = claimInUrl();
  if (id && (!state.claim || state.claim.id !== id)) await openClaim(id);
  else if (!id && state.claim) { closeClaim(); show("view-empty"); }
}

onLangChange(() => {
  renderClaimList();
  if (state.claim) renderClaim();
  if (!$("view-missing").hidden) renderMissing();
});

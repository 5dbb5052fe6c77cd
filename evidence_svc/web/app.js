// The evidence-svc web page: sign in with a key, create a claim, drop files, read the verdicts, download the bundle.
// It only talks to /v1 with the agent's key. The DOM is built with textContent (never HTML from data), every
// string shown exists in English and Chinese (I18N below), and nothing is loaded from anywhere but this server.
"use strict";

const I18N = {
  en: {
    app_title: "Claim evidence check", sign_out: "Sign out", signin_title: "Sign in",
    signin_help: "Paste the access key your administrator gave you.", key_label: "Access key",
    remember: "Remember on this computer", signin_button: "Sign in", bad_key: "This key was not accepted. Check it and try again.",
    new_claim: "+ New claim", your_claims: "Your claims", no_claims: "No claims yet.",
    new_claim_title: "New claim", new_claim_help: "Copy these details from the claim in Seller Central.",
    order_id: "Order ID", reason: "Reason for the claim", marketplace: "Marketplace", opened_at: "Claim opened at",
    opened_hint: "The 48-hour clock starts when the buyer filed the claim.", tracking: "Tracking numbers (optional)",
    reply_draft: "Reply to the buyer (draft)", create_claim: "Create claim",
    drop_title: "Drop screenshots or PDFs here", drop_sub: "or click to choose files", files: "Files",
    no_files: "No files yet. Add the tracking page, refund receipt or messages.",
    facts: "What the files show", claim_checks: "Claim checks", reply: "Reply to the buyer",
    save_reply: "Save reply and check again", check_again: "Check again", download: "Download bundle (PDF)",
    welcome: "Welcome", welcome_text: "Create a claim, drop in the evidence files, and this page tells you what to fix before you send them.",
    r_not_received: "Item not received", r_damaged: "Damaged or defective", r_not_as_described: "Not as described",
    r_refund_not_received: "Refund not received", r_promise_not_kept: "Promise not kept",
    s_draft: "Not checked yet", s_checking: "Checking…", s_ready: "Ready to submit", s_needs_work: "Needs fixes",
    s_failed: "Check failed",
    v_pass: "Good", v_warn: "Check this", v_fail: "Problem", v_none: "Not checked yet", v_busy: "Checking…",
    left: "{t} left to respond", overdue: "Response overdue by {t}", by: "by {d}", no_deadline: "No claim date given",
    d: "{n} d", h: "{n} h", m: "{n} min",
    sum_nofiles: "Add the evidence files: drop them below.", sum_checking: "Checking the files… this takes a few seconds per page.",
    sum_ready: "Ready to submit. Download the bundle and attach it to your reply in Seller Central.",
    sum_needs: "{e} problem(s) to fix, {w} warning(s). Each file below says what is wrong and what to do.",
    sum_warn_only: "Ready, with {w} warning(s) worth a look.",
    sum_stale: "The claim changed since the last check. Check again to update the verdicts.",
    sum_failed: "The check could not finish: {e}", sum_draft: "Files added. Press “Check again” to check them.",
    uploading: "Uploading…", uploaded: "Uploaded", upload_failed: "Not uploaded: {e}",
    remove: "Remove", removed: "File removed.", page: "page {n}", pages: "{n} page(s)",
    f_order_ids: "Order IDs", f_tracking: "Tracking numbers", f_delivery: "Delivery", f_refunds: "Refunds",
    f_dates: "Dates seen", f_nothing: "Nothing found yet.", matches: "matches the claim", checksum_bad: "check digit wrong",
    d_delivered: "Delivered", d_in_transit: "In transit", d_exception: "Delivery problem", on: "on {d}",
    no_claim_findings: "No problems with the claim as a whole.", no_reply_findings: "The reply looks fine.",
    reply_not_checked: "Save the reply to check it.",
    saved: "Saved.", check_started: "Checking…", check_done: "Check finished.", no_bundle: "No bundle yet: check the claim first.",
    created: "Claim created. Now add the evidence files.", network: "The service did not answer. Try again.",
    and_more: "and {n} more",
  },
  zh: {
    app_title: "索赔证据检查", sign_out: "退出", signin_title: "登录",
    signin_help: "请粘贴管理员给您的访问密钥。", key_label: "访问密钥",
    remember: "在这台电脑上记住我", signin_button: "登录", bad_key: "密钥无效，请检查后重试。",
    new_claim: "+ 新建索赔", your_claims: "我的索赔", no_claims: "还没有索赔。",
    new_claim_title: "新建索赔", new_claim_help: "请从卖家平台（Seller Central）的索赔页面复制以下信息。",
    order_id: "订单号", reason: "索赔原因", marketplace: "站点", opened_at: "索赔提交时间",
    opened_hint: "48 小时的回复时限从买家提交索赔时开始计算。", tracking: "物流单号（可选）",
    reply_draft: "给买家的回复（草稿）", create_claim: "创建索赔",
    drop_title: "把截图或 PDF 拖到这里", drop_sub: "或点击选择文件", files: "文件",
    no_files: "还没有文件。请添加物流页面、退款凭证或沟通记录。",
    facts: "文件中找到的信息", claim_checks: "索赔整体检查", reply: "给买家的回复",
    save_reply: "保存回复并重新检查", check_again: "重新检查", download: "下载证据包（PDF）",
    welcome: "欢迎", welcome_text: "创建索赔、拖入证据文件，本页面会告诉您提交前需要修改什么。",
    r_not_received: "未收到商品", r_damaged: "商品损坏或有缺陷", r_not_as_described: "与描述不符",
    r_refund_not_received: "未收到退款", r_promise_not_kept: "未履行承诺",
    s_draft: "尚未检查", s_checking: "检查中…", s_ready: "可以提交", s_needs_work: "需要修改", s_failed: "检查失败",
    v_pass: "合格", v_warn: "请留意", v_fail: "有问题", v_none: "尚未检查", v_busy: "检查中…",
    left: "距回复截止还有 {t}", overdue: "已超过回复时限 {t}", by: "截止 {d}", no_deadline: "未填写索赔时间",
    d: "{n} 天", h: "{n} 小时", m: "{n} 分钟",
    sum_nofiles: "请添加证据文件：拖到下方即可。", sum_checking: "正在检查文件……每页需要几秒钟。",
    sum_ready: "可以提交了。请下载证据包，并在 Seller Central 的回复中附上。",
    sum_needs: "有 {e} 个问题需要修改，{w} 个提醒。下方每个文件都写明了问题和处理方法。",
    sum_warn_only: "可以提交，但有 {w} 个提醒值得一看。",
    sum_stale: "上次检查之后索赔有改动。请重新检查以更新结果。",
    sum_failed: "检查未能完成：{e}", sum_draft: "文件已添加。请点击“重新检查”。",
    uploading: "上传中…", uploaded: "已上传", upload_failed: "上传失败：{e}",
    remove: "删除", removed: "文件已删除。", page: "第 {n} 页", pages: "{n} 页",
    f_order_ids: "订单号", f_tracking: "物流单号", f_delivery: "配送", f_refunds: "退款",
    f_dates: "出现的日期", f_nothing: "暂未找到。", matches: "与索赔一致", checksum_bad: "校验位不正确",
    d_delivered: "已送达", d_in_transit: "运输中", d_exception: "配送异常", on: "于 {d}",
    no_claim_findings: "索赔整体没有问题。", no_reply_findings: "回复没有问题。",
    reply_not_checked: "保存回复后即可检查。",
    saved: "已保存。", check_started: "检查中…", check_done: "检查完成。", no_bundle: "还没有证据包：请先检查索赔。",
    created: "索赔已创建。现在请添加证据文件。", network: "服务没有响应，请重试。",
    and_more: "另有 {n} 项",
  },
};

const REASONS = ["not_received", "damaged", "not_as_described", "refund_not_received", "promise_not_kept"];
const MARKETS = {
  US: ["United States", "美国"], CA: ["Canada", "加拿大"], MX: ["Mexico", "墨西哥"], UK: ["United Kingdom", "英国"],
  DE: ["Germany", "德国"], FR: ["France", "法国"], IT: ["Italy", "意大利"], ES: ["Spain", "西班牙"],
  NL: ["Netherlands", "荷兰"], SE: ["Sweden", "瑞典"], PL: ["Poland", "波兰"], JP: ["Japan", "日本"],
  AU: ["Australia", "澳大利亚"], CN: ["China", "中国"],
};

const state = { key: null, lang: "en", claims: [], claim: null, report: null, thumbs: new Map(), poll: null };
const $ = (id) => document.getElementById(id);

function t(key, vars = {}) {
  const text = I18N[state.lang][key] ?? I18N.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, k) => (vars[k] ?? ""));
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (v !== null && v !== undefined && v !== false) node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) node.append(c);
  return node;
}

function toast(message, bad = false) {
  const box = $("toast");
  box.textContent = message;
  box.className = bad ? "toast bad" : "toast";
  box.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { box.hidden = true; }, bad ? 7000 : 3500);
}

// --- talking to the service ------------------------------------------------------------------------------------

class ApiError extends Error {
  constructor(status, body) {
    const err = body && body.error;
    super(err ? (state.lang === "zh" && err.message_zh ? err.message_zh : err.message) : `HTTP ${status}`);
    this.status = status;
    this.code = err && err.code;
  }
}

async function api(method, path, { json, raw } = {}) {
  const headers = { Authorization: `Bearer ${state.key}` };
  let body;
  if (json !== undefined) { headers["Content-Type"] = "application/json"; body = JSON.stringify(json); }
  let res;
  try {
    res = await fetch(path, { method, headers, body });
  } catch (e) {
    throw new Error(t("network"));
  }
  if (res.status === 401 && state.key) { signOut(t("bad_key")); throw new ApiError(401, null); }
  if (!res.ok) {
    let data = null;
    try { data = await res.json(); } catch (e) { /* not JSON */ }
    throw new ApiError(res.status, data);
  }
  if (raw) return res;
  return res.status === 204 ? null : res.json();
}

function uploadOne(claimId, file, onProgress) {
  // XMLHttpRequest rather than fetch: it reports upload progress.
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `/v1/claims/${encodeURIComponent(claimId)}/files`);
    xhr.setRequestHeader("Authorization", `Bearer ${state.key}`);
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onload = () => {
      let data = null;
      try { data = JSON.parse(xhr.responseText); } catch (e) { /* empty */ }
      if (xhr.status >= 200 && xhr.status < 300) resolve(data);
      else reject(new ApiError(xhr.status, data));
    };
    xhr.onerror = () => reject(new Error(t("network")));
    const form = new FormData();
    form.append("file", file, file.name);
    xhr.send(form);
  });
}

// --- language --------------------------------------------------------------------------------------------------

function setLang(lang) {
  state.lang = lang;
  localStorage.setItem("evidence.lang", lang);
  document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
  document.title = t("app_title");
  $("lang-en").setAttribute("aria-pressed", String(lang === "en"));
  $("lang-zh").setAttribute("aria-pressed", String(lang === "zh"));
  for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  fillSelects();
  renderClaimList();
  if (state.claim) renderClaim();
}

function fillSelects() {
  const reason = $("f-reason"), market = $("f-market");
  const keepR = reason.value || "not_received", keepM = market.value || "US";
  reason.replaceChildren(...REASONS.map((r) => el("option", { value: r, text: t(`r_${r}`) })));
  market.replaceChildren(...Object.entries(MARKETS).map(([code, names]) =>
    el("option", { value: code, text: `${state.lang === "zh" ? names[1] : names[0]} (${code})` })));
  reason.value = keepR;
  market.value = keepM;
}

// --- sign in ---------------------------------------------------------------------------------------------------

function show(view) {
  for (const id of ["view-new", "view-claim", "view-empty"]) $(id).hidden = id !== view;
}

async function signIn(key, remember) {
  state.key = key.trim();
  try {
    await api("GET", "/v1/claims?limit=1");
  } catch (e) {
    state.key = null;
    const box = $("signin-error");
    box.textContent = e.status === 401 || e.status === undefined ? t("bad_key") : e.message;
    box.hidden = false;
    return;
  }
  (remember ? localStorage : sessionStorage).setItem("evidence.key", state.key);
  $("view-signin").hidden = true;
  $("view-app").hidden = false;
  $("sign-out").hidden = false;
  await loadClaims();
  show(state.claims.length ? "view-empty" : "view-new");
}

function signOut(message) {
  state.key = null;
  state.claim = null;
  stopPolling();
  localStorage.removeItem("evidence.key");
  sessionStorage.removeItem("evidence.key");
  $("view-app").hidden = true;
  $("sign-out").hidden = true;
  $("view-signin").hidden = false;
  const box = $("signin-error");
  box.hidden = !message;
  box.textContent = message || "";
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
    el("button", { type: "button", class: state.claim && state.claim.id === c.id ? "active" : "", onclick: () => openClaim(c.id) },
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
  if (d) return `${t("d", { n: d })} ${t("h", { n: h })}`;
  if (h) return `${t("h", { n: h })} ${t("m", { n: m })}`;
  return t("m", { n: m });
}

function when(iso) {
  return new Date(iso).toLocaleString(state.lang === "zh" ? "zh-CN" : "en-GB",
    { dateStyle: "medium", timeStyle: "short" });
}

function deadlineText(respondBy) {
  if (!respondBy) return { text: t("no_deadline"), cls: "" };
  const left = new Date(respondBy) - Date.now();
  if (left <= 0) return { text: t("overdue", { t: duration(-left) }), cls: "late" };
  return { text: t("left", { t: duration(left) }), cls: left < 12 * 3600e3 ? "soon" : "ok" };
}

// --- one claim -------------------------------------------------------------------------------------------------

async function openClaim(id) {
  stopPolling();
  state.claim = await api("GET", `/v1/claims/${encodeURIComponent(id)}`);
  state.report = null;
  if (state.claim.report) state.report = await api("GET", `/v1/claims/${encodeURIComponent(id)}/report`);
  show("view-claim");
  $("c-reply").value = state.claim.reply || "";
  renderClaim();
  renderClaimList();
  const job = state.claim.job;
  if (job && (job.state === "queued" || job.state === "running")) pollJob(job.id);
}

async function refreshClaim() {
  if (!state.claim) return;
  const id = state.claim.id;
  state.claim = await api("GET", `/v1/claims/${encodeURIComponent(id)}`);
  state.report = state.claim.report ? await api("GET", `/v1/claims/${encodeURIComponent(id)}/report`) : null;
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
  const marketName = MARKETS[c.marketplace] ? MARKETS[c.marketplace][state.lang === "zh" ? 1 : 0] : c.marketplace;
  $("c-sub").textContent = `${t(`r_${c.reason}`)} · ${marketName}` + (c.opened_at ? ` · ${t("opened_at")} ${when(c.opened_at)}` : "");
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
  const c = state.claim, r = state.report, box = $("c-summary-box");
  let icon = "•", cls = "", text;
  if (checking()) { icon = "⏳"; cls = "busy"; text = t("sum_checking"); }
  else if (c.files.length === 0) { icon = "⇪"; text = t("sum_nofiles"); }
  else if (c.status === "failed" && c.job) { icon = "⚠"; cls = "needs"; text = t("sum_failed", { e: c.job.error || "" }); }
  else if (!r) { text = t("sum_draft"); }
  else if (c.report && !c.report.current) { icon = "↻"; text = t("sum_stale"); }
  else if (r.summary.errors > 0) { icon = "✗"; cls = "needs"; text = t("sum_needs", { e: r.summary.errors, w: r.summary.warnings }); }
  else if (r.summary.warnings > 0) { icon = "✓"; cls = "ready"; text = t("sum_warn_only", { w: r.summary.warnings }); }
  else { icon = "✓"; cls = "ready"; text = t("sum_ready"); }
  box.className = `summary card ${cls}`;
  $("summary-icon").textContent = icon;
  $("summary-text").textContent = text;
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
    const label = { pass: t("v_pass"), warn: t("v_warn"), fail: t("v_fail"), none: t("v_none"), busy: t("v_busy") }[verdict];
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
          el("span", { class: `badge ${verdict}`, "data-verdict": verdict, text: label }),
          el("div", {}, el("button", { type: "button", class: "remove", onclick: () => removeFile(file), text: t("remove") })))),
      el("div", { class: "file-body" }, fr ? findingList(fr.findings, null) : null));
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

function findingList(findings, emptyKey) {
  const list = el("ul", { class: "findings" });
  fillFindings(list, findings, emptyKey);
  return list;
}

function fillFindings(list, findings, emptyKey) {
  const zh = state.lang === "zh";
  const items = (findings || []).map((f) => el("li", { class: f.severity, "data-code": f.code },
    el("div", { text: (zh ? f.message_zh : f.message) + (f.page !== null && f.page !== undefined ? ` (${t("page", { n: f.page + 1 })})` : "") }),
    (zh ? f.hint_zh : f.hint) ? el("div", { class: "fix", text: zh ? f.hint_zh : f.hint }) : null));
  if (!items.length && emptyKey) items.push(el("li", { class: "ok", text: t(emptyKey) }));
  list.replaceChildren(...items);
}

function renderFacts() {
  const box = $("facts"), rows = [];
  const files = state.report ? state.report.files : [];
  const uniq = (xs) => [...new Set(xs)];
  const orderIds = uniq(files.flatMap((f) => f.facts.order_ids));
  if (orderIds.length) rows.push(["f_order_ids", orderIds.map((o) => o === state.claim.order_id ? `${o} ✓ ${t("matches")}` : o).join(", ")]);
  const tracking = uniq(files.flatMap((f) => f.facts.tracking.map((x) =>
    `${x.number} (${x.carrier})${x.checksum_ok === false ? ` — ${t("checksum_bad")}` : ""}`)));
  if (tracking.length) rows.push(["f_tracking", tracking.join(", ")]);
  // One line per (status, date): the file that also names the place wins.
  const delivery = new Map();
  for (const d of files.map((f) => f.facts.delivery).filter((x) => x && x.status)) {
    const k = `${d.status}|${d.date || ""}`;
    if (!delivery.has(k) || (!delivery.get(k).location && d.location)) delivery.set(k, d);
  }
  if (delivery.size) {
    rows.push(["f_delivery", [...delivery.values()].map((d) => [t(`d_${d.status}`), d.date ? t("on", { d: d.date }) : "",
      d.location ? `· ${d.location}` : ""].filter(Boolean).join(" ")).join("; ")]);
  }
  const refunds = uniq(files.flatMap((f) => f.facts.refunds.map((r) => `${r.amount} ${r.currency}${r.date ? " " + t("on", { d: r.date }) : ""}`)));
  if (refunds.length) rows.push(["f_refunds", refunds.join(", ")]);
  const dates = uniq(files.flatMap((f) => f.facts.timestamps.map((x) => x.value.slice(0, 10)))
    .filter((v) => /^\d{4}-\d{2}-\d{2}$/.test(v))).sort();
  if (dates.length) rows.push(["f_dates", dates.slice(0, 4).join(", ") + (dates.length > 4 ? ` ${t("and_more", { n: dates.length - 4 })}` : "")]);
  if (!rows.length) { box.replaceChildren(el("dd", { class: "muted", text: t("f_nothing") })); return; }
  box.replaceChildren(...rows.flatMap(([k, v]) => [el("dt", { text: t(k) }), el("dd", { "data-fact": k, text: v })]));
}

function formatBytes(n) {
  if (n >= 1048576) return `${(n / 1048576).toFixed(1)} MB`;
  if (n >= 1024) return `${Math.round(n / 1024)} KB`;
  return `${n} B`;
}

// --- actions ---------------------------------------------------------------------------------------------------

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
    opened_at: opened ? new Date(opened).toISOString() : null,
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

function setDefaultOpened() {
  const now = new Date();
  now.setMinutes(now.getMinutes() - now.getTimezoneOffset());
  $("f-opened").value = now.toISOString().slice(0, 16);
}

function guard(fn) {
  return (...args) => Promise.resolve(fn(...args)).catch((e) => { if (e.status !== 401) toast(e.message, true); });
}

// --- wiring ----------------------------------------------------------------------------------------------------

function wire() {
  $("lang-en").addEventListener("click", () => setLang("en"));
  $("lang-zh").addEventListener("click", () => setLang("zh"));
  $("sign-out").addEventListener("click", () => signOut());
  $("signin-form").addEventListener("submit", (e) => { e.preventDefault(); signIn($("api-key").value, $("remember").checked); });
  $("new-claim").addEventListener("click", () => { stopPolling(); state.claim = null; renderClaimList(); setDefaultOpened(); show("view-new"); $("f-order").focus(); });
  $("claim-form").addEventListener("submit", guard(createClaim));
  $("file-input").addEventListener("change", guard(async (e) => { const files = [...e.target.files]; e.target.value = ""; await addFiles(files); }));
  const zone = $("dropzone");
  zone.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); $("file-input").click(); } });
  for (const type of ["dragenter", "dragover"]) zone.addEventListener(type, (e) => { e.preventDefault(); zone.classList.add("over"); });
  for (const type of ["dragleave", "drop"]) zone.addEventListener(type, (e) => { e.preventDefault(); zone.classList.remove("over"); });
  zone.addEventListener("drop", guard((e) => addFiles([...e.dataTransfer.files])));
  // A file dropped next to the zone must not make the browser navigate away from the page.
  window.addEventListener("dragover", (e) => e.preventDefault());
  window.addEventListener("drop", (e) => e.preventDefault());
  $("save-reply").addEventListener("click", guard(saveReply));
  $("check-again").addEventListener("click", guard(startCheck));
  $("download").addEventListener("click", guard(downloadBundle));
  setInterval(() => { if (state.claim) { renderClaimList(); const dl = deadlineText(state.claim.respond_by); $("c-deadline").firstChild && ($("c-deadline").firstChild.textContent = dl.text); } }, 30000);
}

function init() {
  wire();
  const browserZh = (navigator.language || "").toLowerCase().startsWith("zh");
  setLang(localStorage.getItem("evidence.lang") || (browserZh ? "zh" : "en"));
  setDefaultOpened();
  const key = sessionStorage.getItem("evidence.key") || localStorage.getItem("evidence.key");
  if (key) signIn(key, Boolean(localStorage.getItem("evidence.key")));
  else $("view-signin").hidden = false;
}

document.addEventListener("DOMContentLoaded", init);

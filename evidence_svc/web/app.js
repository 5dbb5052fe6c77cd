// The evidence-svc web page starts here: sign in with a key, create a claim, drop files, read the verdicts, download
// the bundle. This file wires the top bar (time zone and language), the new-claim form's choices and the page's
// controls to the parts that do the work, then loads the label catalogue and signs in with a remembered key.
// Loaded last, after zones.js, page.js, dialogs.js, api.js, report_view.js, claims.js, claim_edit.js and reply.js
// (index.html lists them in that order); it holds no text and calls the API only through those parts.
"use strict";

// --- the new claim form's choices ------------------------------------------------------------------------------

function fillSelects() {
  const reason = $("f-reason"), market = $("f-market");
  const keepR = reason.value || "not_received", keepM = market.value || "US";
  reason.replaceChildren(...REASONS.map((r) => el("option", { value: r, text: t(`r_${r}`) })));
  market.replaceChildren(...Object.keys(MARKETS).map((code) =>
    el("option", { value: code, text: `${marketName(code)} · ${t(`marketplaces.${code}`)}` })));
  reason.value = keepR;
  market.value = keepM;
}

// --- time zone -------------------------------------------------------------------------------------------------

function setZone(zone) {
  state.tz = isZone(zone) ? zone : browserZone();
  localStorage.setItem("evidence.tz", state.tz);
  renderZoneText();
  if (state.claim) renderClaim();
}

function zoneOption(zone) {
  if (zone === browserZone()) return t("tz_browser", { z: zoneLabel(zone) });
  if (BEIJING_ZONES.has(zone)) return `${t("tz_beijing")}${t("report.open")}${zone}${t("report.close")}`;
  return zone;
}

function renderZoneText() {
  const zones = zoneChoices();
  if (!zones.includes(state.tz)) zones.push(state.tz);
  $("tz").replaceChildren(...zones.map((z) => el("option", { value: z, text: zoneOption(z) })));
  $("tz").value = state.tz;
  $("opened-hint").textContent = t("opened_hint", { z: zoneLabel() });
}

// --- wiring ----------------------------------------------------------------------------------------------------

function wire() {
  $("lang-en").addEventListener("click", () => setLang("en"));
  $("lang-zh").addEventListener("click", () => setLang("zh"));
  $("tz").addEventListener("change", (e) => setZone(e.target.value));
  $("sign-out").addEventListener("click", () => signOut());
  $("signin-form").addEventListener("submit", (e) => { e.preventDefault(); signIn($("api-key").value, $("remember").checked); });
  $("new-claim").addEventListener("click", newClaim);
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
  window.addEventListener("popstate", guard(followUrl));
  setInterval(tickDeadlines, 30000);
  onLangChange(() => { fillSelects(); renderZoneText(); });
}

async function init() {
  const browserZh = (navigator.language || "").toLowerCase().startsWith("zh");
  const saved = localStorage.getItem("evidence.lang");
  const lang = saved === "zh" || (!saved && browserZh) ? "zh" : "en";
  state.tz = isZone(localStorage.getItem("evidence.tz")) ? localStorage.getItem("evidence.tz") : browserZone();
  wire();
  try {
    await loadLabels();
  } catch (e) {
    $("labels-error").hidden = false;  // the page cannot speak without its labels: say so in both languages
    return;
  }
  setLang(lang);  // the first langchange: every part labels itself
  setDefaultOpened();
  const key = sessionStorage.getItem("evidence.key") || localStorage.getItem("evidence.key");
  if (key) await signIn(key, Boolean(localStorage.getItem("evidence.key")));
  else $("view-signin").hidden = false;
}

document.addEventListener("DOMContentLoaded", guard(init));

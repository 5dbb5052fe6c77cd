// What a claim's report says, drawn for the web page: lists of findings and the facts the files show. The claim-level
// facts come only from files that passed or warned; a failed file's facts show under that file, marked as from a
// failed file. Built on page.js (state, t, el, $, when, carrierName) and claims.js (duration); it fetches nothing
// and holds no text (every word is a catalogue label through t). Called by claims.js when it draws a claim.
"use strict";

function findingList(findings, emptyKey) {
  const list = el("ul", { class: "findings" });
  fillFindings(list, findings, emptyKey);
  return list;
}

// The deadline finding is worded here, in the page's zone: the service words it in the claim's zone, and the page
// must not show a second time for the same deadline.
function findingText(f) {
  const zh = state.lang === "zh", due = state.claim && state.claim.respond_by;
  if (f.code === "respond-by" && due) {
    const left = new Date(due) - Date.now();
    return t(left < 0 ? "respond_late" : "respond_soon", { d: when(due), t: duration(Math.abs(left)) });
  }
  return zh ? f.message_zh : f.message;
}

function fillFindings(list, findings, emptyKey) {
  const zh = state.lang === "zh";
  const items = (findings || []).map((f) => el("li", { class: f.severity, "data-code": f.code },
    el("div", { text: findingText(f) + (f.page !== null && f.page !== undefined ? `${t("report.open")}${t("page", { n: f.page + 1 })}${t("report.close")}` : "") }),
    (zh ? f.hint_zh : f.hint) ? el("div", { class: "fix", text: zh ? f.hint_zh : f.hint }) : null));
  if (!items.length && emptyKey) items.push(el("li", { class: "ok", text: t(emptyKey) }));
  list.replaceChildren(...items);
}

// What a set of files shows, as [label, text] rows. The claim-level list takes only the files that did not fail;
// a failed file's facts show under that file alone (failedFacts), marked as such.
function factRows(files) {
  const rows = [], list = (xs) => [...new Set(xs)].join(t("report.list_sep"));
  const orderIds = [...new Set(files.flatMap((f) => f.facts.order_ids))];
  if (orderIds.length) rows.push(["order_id", list(orderIds.map((o) => o === state.claim.order_id ? t("matches", { o }) : o))]);
  const tracking = files.flatMap((f) => f.facts.tracking.map((x) =>
    `${x.number} (${carrierName(x.carrier)})${x.checksum_ok === false ? `${t("report.sep")}${t("report.checksum_bad")}` : ""}`));
  if (tracking.length) rows.push(["tracking", list(tracking)]);
  // One line per (status, date): the file that also names the place wins.
  const delivery = new Map();
  for (const d of files.map((f) => f.facts.delivery).filter((x) => x && x.status)) {
    const k = `${d.status}|${d.date || ""}`;
    if (!delivery.has(k) || (!delivery.get(k).location && d.location)) delivery.set(k, d);
  }
  if (delivery.size) {
    rows.push(["f_delivery", [...delivery.values()].map((d) => t(`terms.${d.status}`) + (d.date ? t("on", { d: d.date }) : "")
      + (d.location ? ` · ${d.location}` : "")).join(t("report.sep"))]);
  }
  const refunds = files.flatMap((f) => f.facts.refunds.map((r) => `${r.amount} ${r.currency}${r.date ? t("on", { d: r.date }) : ""}`));
  if (refunds.length) rows.push(["refund", list(refunds)]);
  const dates = [...new Set(files.flatMap((f) => f.facts.timestamps.map((x) => x.value.slice(0, 10)))
    .filter((v) => /^\d{4}-\d{2}-\d{2}$/.test(v)))].sort();
  if (dates.length) rows.push(["f_dates", dates.slice(0, 4).join(t("report.list_sep")) + (dates.length > 4 ? ` ${t("and_more", { n: dates.length - 4 })}` : "")]);
  return rows;
}

function factList(rows, attrs = {}) {
  return el("dl", { class: "facts", ...attrs },
    ...rows.flatMap(([k, v]) => [el("dt", { text: t(k) }), el("dd", { "data-fact": k, text: v })]));
}

function renderFacts() {
  const files = state.report ? state.report.files.filter((f) => f.status !== "fail") : [];
  const rows = factRows(files);
  const box = $("facts");
  if (!rows.length) { box.replaceChildren(el("dd", { class: "muted", text: t("f_nothing") })); return; }
  box.replaceChildren(...factList(rows).childNodes);
}

function failedFacts(fileReport) {
  const rows = factRows([fileReport]);
  if (!rows.length) return null;
  return el("div", { class: "failed-facts", "data-failed-facts": "" },
    el("p", { class: "small muted", text: t("failed_facts") }), factList(rows));
}

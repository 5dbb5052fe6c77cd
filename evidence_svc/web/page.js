// What every part of the web page shares: its state, the DOM helpers, and its words. Every word shown comes from the
// one label catalogue (evidence_svc/data/labels.toml, served as /labels.json, the same the CLI and the bundle use),
// so no script of the page holds a dictionary. A language switch goes through setLang alone: it relabels every
// element marked data-i18n, then tells the other parts with one `langchange` event so they redraw what they built.
// The open claim changing is one `claimchange` event too. This file talks to no API (api.js does) and draws no view.
"use strict";

let LABELS = null;  // {lang: {section: {key: text}}}, from /labels.json
const REASONS = [];  // claim reasons, in the catalogue's order
const MARKETS = {};  // marketplace code -> [English name, Chinese name]
const REGION = { UK: "GB" };  // marketplace codes that are not ISO region codes

const state = { key: null, lang: "en", tz: "UTC", claims: [], claim: null, missing: null, report: null, thumbs: new Map(),
  poll: null };
const $ = (id) => document.getElementById(id);

// One section of the catalogue in the page's language (English fills what a language lacks, server-side).
function labelsOf(section) {
  const table = LABELS ? (LABELS[state.lang] || LABELS.en) : null;
  return (table && table[section]) || {};
}

// A label: the page's own text ([web]), else a shared term ([terms]); "r_<reason>" is a claim reason and
// "section.key" names any section (e.g. "report.where_files_go", "claim_edit.edit").
function t(key, vars = {}) {
  let text = null;
  if (LABELS) {
    if (key.includes(".")) { const [section, k] = key.split("."); text = labelsOf(section)[k]; }
    else if (key.startsWith("r_")) text = labelsOf("reasons")[key.slice(2)];
    else text = labelsOf("web")[key] ?? labelsOf("terms")[key];
  }
  return String(text ?? key).replace(/\{(\w+)\}/g, (_, k) => (vars[k] ?? ""));
}

function carrierName(code) {
  return labelsOf("carriers")[code] || code;
}

// A language's name in the reader's language ("German" / the Chinese word for it), for the bundle and draft choices.
function languageName(code) {
  return (labelsOf("reply_draft").languages || {})[code] || code;
}

async function loadLabels() {
  const res = await fetch("/labels.json");
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  LABELS = await res.json();
  REASONS.splice(0, REASONS.length, ...Object.keys(LABELS.en.reasons));
  const names = (lang) => { try { return new Intl.DisplayNames([lang], { type: "region" }); } catch (e) { return null; } };
  const en = names("en"), zh = names("zh-CN");
  for (const code of Object.keys(LABELS.en.marketplaces)) {
    const region = REGION[code] || code;
    MARKETS[code] = [en ? en.of(region) : code, zh ? zh.of(region) : code];
  }
}

function marketName(code) {
  return MARKETS[code] ? MARKETS[code][state.lang === "zh" ? 1 : 0] : code;
}

// Elements made with el(..., { i18n: "key" }) or written with data-i18n in index.html carry their label's key, so a
// language switch relabels them wherever they are.
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else if (k === "i18n") { node.dataset.i18n = v; node.textContent = t(v); }
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (v !== null && v !== undefined && v !== false) node.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) node.append(c);
  return node;
}

function setLang(lang) {
  state.lang = lang;
  localStorage.setItem("evidence.lang", lang);
  document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";
  document.title = t("app_title");
  $("lang-en").setAttribute("aria-pressed", String(lang === "en"));
  $("lang-zh").setAttribute("aria-pressed", String(lang === "zh"));
  for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  document.dispatchEvent(new CustomEvent("langchange", { detail: { lang } }));
}

function onLangChange(redraw) {
  document.addEventListener("langchange", redraw);
}

// --- time: every time on the page is in the one zone the reader chose (zones.js does the arithmetic) ------------

function zoneLabel(zone = state.tz) {
  return zoneName(zone, state.lang, t("tz_beijing"));
}

// A time in the chosen zone, named ("2026-12-05 22:35 Europe/Berlin"). The only way this page shows a time.
function when(iso) {
  return timeInZone(iso, state.tz, zoneLabel());
}
